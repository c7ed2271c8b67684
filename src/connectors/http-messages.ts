/**
 * Text that goes into `HttpError` messages. These end up in API responses, the event history
 * and logs, so they are short, never carry credentials (userinfo, query strings may hold
 * tokens) and never carry a whole vendor error page.
 */
const excerptLimit = 200;
// Only the head of a body is looked at: enough for a <title> or a JSON error, and it bounds work.
const excerptScan = 16_384;

/** `METHOD scheme://host[:port]/path`: no userinfo, query string or fragment. */
export function describeEndpoint(method: string, url: URL): string {
  return `${method} ${url.protocol}//${url.host}${url.pathname}`;
}

/** The URL as given, minus any `user:password@` part; used where Kibana prints the whole URL. */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
}

/** Removes userinfo from any URL inside a free-text message (e.g. a proxy error). */
export function scrubMessage(message: string): string {
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s?#@]*@/gi, '$1');
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit - 1).trimEnd()}…`;
}

function looksLikeHtml(text: string, contentType: string | undefined): boolean {
  if (contentType?.toLowerCase().includes('html')) return true;
  return /^\s*(<!doctype html|<html[\s>])/i.test(text);
}

function htmlSummary(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const fromTitle = title === undefined ? '' : collapse(decodeEntities(title.replace(/<[^>]*>/g, ' ')));
  if (fromTitle !== '') return fromTitle;
  const text = html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  return collapse(decodeEntities(text));
}

/**
 * A short, single-line excerpt of a response body for error messages: an HTML page becomes its
 * <title> (or its first text), binary data a byte count, everything cut to about 200 characters.
 */
export function bodyExcerpt(body: Buffer, contentType?: string, limit: number = excerptLimit): string {
  if (body.length === 0) return '';
  const head = body.subarray(0, excerptScan);
  // Many NULs or replacement characters mean it is not text worth showing.
  const text = head.toString('utf8');
  // eslint-disable-next-line no-control-regex -- counting control characters is the point
  const unprintable = text.match(/[\u0000-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  if (unprintable > text.length / 10) return `<${body.length} bytes of binary data>`;
  const summary = looksLikeHtml(text, contentType) ? htmlSummary(text) : collapse(text);
  return cut(summary, limit);
}
