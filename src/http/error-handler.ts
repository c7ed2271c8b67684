import type { FastifyError, FastifyInstance } from 'fastify';
import { CasebridgeError, errorBody, errorCodes, type ErrorCode } from '../errors.js';
import { describeRouteValidation } from './validation.js';

/**
 * One error envelope for every route: `{statusCode, error, message, code}`. Our own errors keep
 * their code; framework errors are mapped to stable codes; anything unexpected is logged with
 * its stack and answered with a generic 500 that reveals nothing.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = toCasebridgeError(error, bodyLimit);
    if (mapped.statusCode >= 500) request.log.error({ err: error }, 'unexpected error');
    else request.log.info({ code: mapped.code, statusCode: mapped.statusCode }, mapped.message);
    void reply.code(mapped.statusCode).send(errorBody(mapped));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new CasebridgeError(
      'CB_ERR_NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0]}`,
    );
    void reply.code(404).send(errorBody(error));
  });
}

const frameworkCodes: Record<string, { code: ErrorCode; message?: (bodyLimit: number) => string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'CB_ERR_BAD_JSON',
    message: () => 'Request body is not valid JSON; check quoting and commas.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'CB_ERR_BAD_JSON',
    message: () => 'Request body is empty but the content-type is application/json; send a JSON object.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'CB_ERR_BODY_TOO_LARGE',
    message: (limit) =>
      `Request body is larger than the limit of ${limit} bytes (server.bodyLimit); send a smaller body.`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'CB_ERR_UNSUPPORTED_MEDIA_TYPE',
    message: () => 'Unsupported content-type; send application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'CB_ERR_VALIDATION',
    message: () => 'Content-Length does not match the body sent.',
  },
};

function toCasebridgeError(error: FastifyError, bodyLimit: number): CasebridgeError {
  if (error instanceof CasebridgeError) return error;
  if (error.validation) {
    return new CasebridgeError(
      'CB_ERR_VALIDATION',
      describeRouteValidation(error.validation as never, error.validationContext ?? 'body'),
    );
  }
  const known = error.code ? frameworkCodes[error.code] : undefined;
  if (known) {
    const statusCode =
      errorCodes[known.code].status === 400 ? (error.statusCode ?? 400) : errorCodes[known.code].status;
    return new CasebridgeError(known.code, known.message?.(bodyLimit) ?? error.message, { statusCode });
  }
  if (error instanceof SyntaxError)
    return new CasebridgeError(
      'CB_ERR_BAD_JSON',
      'Request body is not valid JSON; check quoting and commas.',
    );
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new CasebridgeError('CB_ERR_VALIDATION', error.message, { statusCode: error.statusCode });
  }
  return new CasebridgeError('CB_ERR_INTERNAL', 'An internal server error occurred.');
}
