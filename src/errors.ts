/**
 * Every error casebridge sends to a client carries a stable `code` from this table. Codes are
 * never reused or renamed once released; `docs/errors.md` lists them and a test keeps the two in
 * step. Kibana-compatible routes keep Kibana's `message` texts; the `code` is our addition.
 */
export const errorCodes = {
  CB_ERR_VALIDATION: { status: 400, description: 'The request body, query or path failed validation.' },
  CB_ERR_BAD_JSON: { status: 400, description: 'The request body is not valid JSON.' },
  CB_ERR_BODY_TOO_LARGE: {
    status: 413,
    description: 'The request body is larger than the configured limit.',
  },
  CB_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: 'The request body has a content type the route does not accept.',
  },
  CB_ERR_UNAUTHENTICATED: {
    status: 401,
    description: 'No credentials, or credentials that do not match a key or user.',
  },
  CB_ERR_FORBIDDEN: {
    status: 403,
    description: 'The credentials are valid but their role does not allow this.',
  },
  CB_ERR_NOT_FOUND: { status: 404, description: 'The route or the named object does not exist.' },
  CB_ERR_CONFLICT: {
    status: 409,
    description: 'An object with this id already exists, or a version is stale.',
  },
  CB_ERR_CONNECTOR_TYPE_NOT_REGISTERED: { status: 400, description: 'The connector type id is not known.' },
  CB_ERR_CONNECTOR_TYPE_DISABLED: {
    status: 403,
    description: 'The connector type is not in enabledActionTypes.',
  },
  CB_ERR_CONNECTOR_CONFIG_INVALID: {
    status: 400,
    description: 'The connector config failed its type schema or rules.',
  },
  CB_ERR_CONNECTOR_SECRETS_INVALID: {
    status: 400,
    description: 'The connector secrets failed their type schema or rules.',
  },
  CB_ERR_CONNECTOR_INVALID: {
    status: 400,
    description: 'Config and secrets together failed the type rules.',
  },
  CB_ERR_PRECONFIGURED_READONLY: {
    status: 400,
    description: 'Preconfigured connectors cannot be created over, updated or deleted.',
  },
  CB_ERR_QUEUE_FULL: {
    status: 429,
    description: 'The delivery queue holds actions.queued.max unfinished deliveries; retry later.',
  },
  CB_ERR_DELIVERY_PARAMS_INVALID: {
    status: 400,
    description: "The delivery's params failed the connector type's params schema.",
  },
  CB_ERR_DELIVERY_PARAMS_TOO_LARGE: {
    status: 413,
    description: "The delivery's params are larger than queue.maxParamsBytes.",
  },
  CB_ERR_DELIVERY_STATE: {
    status: 409,
    description: 'The delivery is in a state that does not allow this (e.g. cancel a running one).',
  },
  CB_ERR_INTERNAL: {
    status: 500,
    description: 'An unexpected error; the log has the details, the response does not.',
  },
  CB_ERR_CASE_NOT_FOUND: { status: 404, description: 'The case (or one of the cases) does not exist.' },
  CB_ERR_CASE_COMMENT_NOT_FOUND: {
    status: 404,
    description: 'The attachment does not exist in that case.',
  },
  CB_ERR_CASE_CONFIGURATION_NOT_FOUND: {
    status: 404,
    description: 'The cases configuration does not exist.',
  },
  CB_ERR_CASE_VERSION_CONFLICT: {
    status: 409,
    description: 'The case, attachment or configuration changed since the version sent; re-read it.',
  },
  CB_ERR_CASE_UNCHANGED: { status: 406, description: 'A case update changed no field.' },
  CB_ERR_CASE_LIMIT_REACHED: {
    status: 400,
    description: 'The case already holds the most alerts or user actions it may have.',
  },
  CB_ERR_CASE_CONNECTOR_UNSUPPORTED: {
    status: 400,
    description: 'The connector exists but its type cannot receive cases.',
  },
  CB_ERR_CASE_PUSH_FAILED: {
    status: 424,
    description: 'The target refused or failed the push; the case was not marked pushed.',
  },
  CB_ERR_ALERT_INVALID: {
    status: 400,
    description: 'A posted alert (generic or Alertmanager shape) is malformed; the message names each field.',
  },
  CB_ERR_ROUTE_INVALID: {
    status: 400,
    description:
      'An alert route has an invalid matcher or template, names a missing connector, or asks a lifecycle the connector cannot do.',
  },
  CB_ERR_ALERT_SOURCE_MISMATCH: {
    status: 403,
    description: "The ingest token is bound to another source than the alert's.",
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof errorCodes;

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  424: 'Failed Dependency',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function reasonPhrase(status: number): string {
  return reasonPhrases[status] ?? 'Error';
}

/**
 * The one error type our code throws on purpose. The HTTP error handler turns it into
 * `{statusCode, error, message, code}`; anything else becomes a 500 with a generic message.
 */
export class CasebridgeError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, options?: { statusCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CasebridgeError';
    this.code = code;
    this.statusCode = options?.statusCode ?? errorCodes[code].status;
  }
}

export function isCasebridgeError(error: unknown): error is CasebridgeError {
  return error instanceof CasebridgeError;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: ErrorCode;
}

export function errorBody(error: CasebridgeError): ErrorBody {
  return {
    statusCode: error.statusCode,
    error: reasonPhrase(error.statusCode),
    message: error.message,
    code: error.code,
  };
}
