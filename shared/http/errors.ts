import { DomainError } from '../domain/errors';

/** The request body is not JSON. */
export class MalformedJsonError extends DomainError {
  readonly code = 'malformed_json';
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}

/** The one table from error codes to HTTP status codes. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  invalid_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  transition_forbidden: 409,
  concurrent_update: 409,
  session_not_running: 409,
  config_change_unsafe: 409,
  session_ended: 409,
  mentor_unavailable: 409,
  payload_too_large: 413,
  export_too_large: 413,
  unsupported_media_type: 415,
  reference_not_found: 422,
  queue_full: 429,
  idempotency_key_reused: 422,
  engine_unavailable: 502,
};

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
}

/**
 * Turns any error into a status and the error envelope. Only domain errors
 * (all below 500, or the engine's 502 with its own message) show their
 * message; anything else is a generic 500 that names the request id.
 */
export function toErrorResponse(error: unknown, requestId: string): { statusCode: number; body: ErrorBody; expected: boolean } {
  if (error instanceof DomainError) {
    const statusCode = HTTP_STATUS_BY_CODE[error.code] ?? 500;
    if (statusCode < 500 || error.code === 'engine_unavailable') {
      return {
        statusCode,
        expected: true,
        body: { error: { code: error.code, message: error.message, ...(error.details && { details: { ...error.details } }) } },
      };
    }
  }
  return {
    statusCode: 500,
    expected: false,
    body: { error: { code: 'internal_error', message: 'Internal error.', details: { requestId } } },
  };
}
