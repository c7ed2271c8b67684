/**
 * Kibana's escape modes for `{{x}}` (actions-framework.md §6.3). Triple braces `{{{x}}}` bypass
 * them all. Each function receives the raw view value (Mustache hands over the value, not a
 * string), so `null`/`undefined` become '' here and objects use the `toString` that variable
 * preparation gave them.
 */
export const escapeModes = ['none', 'markdown', 'slack', 'json', 'html'] as const;
export type EscapeMode = (typeof escapeModes)[number];

function text(value: unknown): string {
  return value == null ? '' : `${value as string}`;
}

export function escapeNone(value: unknown): string {
  return text(value);
}

const markdownSpecials = /[\\|`*_{}[\]()#+\-.!]/g;

export function escapeMarkdown(value: unknown): string {
  return text(value).replace(markdownSpecials, (char) => `\\${char}`);
}

function isUrl(candidate: string): boolean {
  try {
    new URL(candidate);
    return true;
  } catch {
    return false;
  }
}

/**
 * Slack formats `*bold*` and `_italic_`; a value holding them is wrapped in backticks (inline
 * code) so it shows verbatim. Links keep their underscores: Slack does not format inside them.
 */
export function escapeSlack(value: unknown): string {
  const raw = text(value);
  if ((raw.includes('*') || raw.includes('_')) && !isUrl(raw)) return `\`${raw.replace(/`/g, "'")}\``;
  return raw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, "'");
}

/** JSON string escaping without the quotes, so `"{{x}}"` inside a JSON body stays valid JSON. */
export function escapeJson(value: unknown): string {
  return JSON.stringify(text(value)).slice(1, -1);
}

const htmlEntities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '/': '&#x2F;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

/** Mustache's own default escape, which Kibana exposes as `html`. */
export function escapeHtml(value: unknown): string {
  return text(value).replace(/[&<>"'`=/]/g, (char) => htmlEntities[char] ?? char);
}

export const escapeFunctions: Record<EscapeMode, (value: unknown) => string> = {
  none: escapeNone,
  markdown: escapeMarkdown,
  slack: escapeSlack,
  json: escapeJson,
  html: escapeHtml,
};
