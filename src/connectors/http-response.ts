import { STATUS_CODES } from 'node:http';
import { bodyExcerpt, describeEndpoint } from './http-messages.js';
import { HttpError, type HttpResponse } from './http-types.js';
import { retryAtFromResponse } from './retry-after.js';

/** The response object `request` resolves with; `json()` failures carry a bounded excerpt. */
export function buildResponse(
  status: number,
  headers: Record<string, string>,
  url: URL,
  body: Buffer,
  durationMs: number,
  endpoint: string,
): HttpResponse {
  return {
    status,
    headers,
    url: url.href,
    body,
    durationMs,
    text: () => body.toString('utf8'),
    json<T = unknown>(): T {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch (cause) {
        const excerpt = bodyExcerpt(body, headers['content-type']);
        throw new HttpError({
          kind: 'invalid_json',
          message: `${endpoint}: response is not valid JSON (status ${status})${excerpt === '' ? ', the body is empty' : `: ${excerpt}`}`,
          endpoint,
          status,
          retryable: false,
          bodyExcerpt: excerpt,
          cause,
        });
      }
    },
  };
}

/** The error `requestOk` throws for a non-2xx status: 408, 429 and 5xx are worth retrying. */
export function statusError(response: HttpResponse, method: string): HttpError {
  const url = new URL(response.url);
  const endpoint = describeEndpoint(method, url);
  const status = response.status;
  const excerpt = bodyExcerpt(response.body, response.headers['content-type']);
  const retryAt = retryAtFromResponse(status, response.headers);
  const phrase = STATUS_CODES[status] ?? 'Unknown Status';
  return new HttpError({
    kind: 'status',
    message: `${endpoint} responded ${status} ${phrase}${excerpt === '' ? '' : `: ${excerpt}`}`,
    endpoint,
    status,
    retryable: status === 408 || status === 429 || status >= 500,
    ...(retryAt && { retryAt }),
    ...(excerpt !== '' && { bodyExcerpt: excerpt }),
  });
}
