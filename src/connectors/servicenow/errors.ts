import type { ExecutorResult } from '../contract.js';

/** Which ServiceNow API a call went to; printed as `[endpoint=…]` as Kibana does (plus `token`). */
export type EndpointKind = 'health' | 'table' | 'import_set' | 'other' | 'token';
export type AuthMode = 'basic' | 'oauth_jwt' | 'oauth_password' | 'oauth_client_credentials';

export interface CallContext {
  method: 'get' | 'post' | 'patch';
  endpoint: EndpointKind;
}

/**
 * A failed ServiceNow call or operation. `message` follows Kibana's format
 * (`[Action][ServiceNow]: <operation>. Error: <error> Reason: <reason> [status=…] [method=…]
 * [endpoint=…]`) with `[auth=…]` added; the fields drive the retry decision.
 */
export class ServiceNowError extends Error {
  readonly status: number | string | undefined;
  /** `true`/a Date: worth another attempt (429, 5xx, network); `false`: it will fail the same way. */
  readonly retry: boolean | Date;
  readonly userError: boolean;
  readonly reason: string;

  constructor(
    message: string,
    init: { status?: number | string; retry?: boolean | Date; userError?: boolean; reason?: string } = {},
  ) {
    super(message);
    this.name = 'ServiceNowError';
    this.status = init.status;
    this.retry = init.retry ?? false;
    this.userError = init.userError ?? true;
    this.reason = init.reason ?? '';
  }
}

export const WRONG_CONFIGURATION = '[Action]ServiceNow: Wrong configuration.';

/**
 * Re-wraps a failure in the outer operation's text, keeping the innermost status and retry
 * decision (Kibana nests the same way, so messages accumulate).
 */
export function wrapError(
  operation: string,
  error: unknown,
  call: CallContext | undefined,
  auth: AuthMode,
): ServiceNowError {
  const inner = error instanceof ServiceNowError ? error : undefined;
  const text = error instanceof Error ? error.message : String(error);
  const reason = inner?.reason ? ` Reason: ${inner.reason}` : '';
  const suffix = call
    ? ` [status=${inner?.status ?? 'none'}] [method=${call.method}] [endpoint=${call.endpoint}] [auth=${auth}]`
    : '';
  return new ServiceNowError(`[Action][ServiceNow]: ${operation}. Error: ${text}${reason}${suffix}`, {
    ...(inner?.status !== undefined && { status: inner.status }),
    retry: inner?.retry ?? false,
    userError: inner?.userError ?? false,
  });
}

/** Runs one service operation and wraps whatever it throws in that operation's text. */
export async function operation<T>(
  name: string,
  call: CallContext | undefined,
  auth: AuthMode,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw wrapError(name, error, call, auth);
  }
}

/** Kibana's executor result for a connector failure, with the retry decision made here. */
export function failureResult(error: unknown): ExecutorResult {
  const sn = error instanceof ServiceNowError ? error : undefined;
  return {
    status: 'error',
    message: 'an error occurred while running the action',
    serviceMessage: error instanceof Error ? error.message : String(error),
    retry: sn ? sn.retry : true,
    errorSource: sn?.userError === false ? 'framework' : 'user',
  };
}
