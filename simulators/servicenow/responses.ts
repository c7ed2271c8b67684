// Response values handlers return, and ServiceNow's error envelope. Handlers throw SnError; the
// server turns it into `{"error":{"message","detail"},"status":"failure"}` with the right status.

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON when present. */
  json?: unknown;
  /** Sent as is (HTML pages, empty bodies). */
  text?: string;
  contentType?: string;
}

export class SnError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail: string | null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function envelope(message: string, detail: string | null): unknown {
  return { error: { message, detail }, status: 'failure' };
}

export function errorResponse(err: SnError): SimResponse {
  return { status: err.status, headers: err.headers, json: envelope(err.message, err.detail) };
}

/** 401 as a real instance sends it, with the basic-auth challenge. */
export function notAuthenticated(): SnError {
  return new SnError(401, 'User Not Authenticated', 'Required to provide Auth information', {
    'WWW-Authenticate': 'Basic realm="Service-now"',
  });
}

export function invalidTable(table: string): SnError {
  return new SnError(400, `Invalid table ${table}`, null);
}

export function recordNotFound(): SnError {
  return new SnError(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
}

export function aclRefused(operation: 'Insert' | 'Update' | 'Delete' | 'Read'): SnError {
  return new SnError(
    403,
    'Operation Failed',
    `ACL Exception ${operation} Failed due to security constraints`,
  );
}

export function badRequestBody(detail: string): SnError {
  return new SnError(400, 'Exception while reading request', detail);
}

/** The hibernation page a sleeping developer instance serves with status 200. */
export const HIBERNATING_HTML =
  '<!DOCTYPE html><html><head><title>ServiceNow Developers</title></head><body>' +
  '<h1>Your instance is hibernating</h1><p>Wake up your instance from the developer portal.</p>' +
  '</body></html>';
