import type { SessionStatus } from './status';

/**
 * Every error code the service can raise. The HTTP layer maps each to a status
 * in one exhaustive table (shared/http/errors.ts): a code added here and not
 * mapped there does not compile.
 */
export const ERROR_CODES = [
  'invalid_request',
  'malformed_json',
  'unauthenticated',
  'forbidden',
  'not_found',
  'transition_forbidden',
  'concurrent_update',
  'session_not_running',
  'config_change_unsafe',
  'session_ended',
  'mentor_unavailable',
  'payload_too_large',
  'export_too_large',
  'export_job_state',
  'unsupported_media_type',
  'reference_not_found',
  'idempotency_key_reused',
  'queue_full',
  'engine_unavailable',
  'notification_failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The one error family. Each subclass carries a literal `code`; the HTTP layer
 * maps codes to status codes in one table (shared/http/errors.ts).
 */
export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class ValidationError extends DomainError {
  readonly code = 'invalid_request';
  constructor(
    message: string,
    readonly issues: readonly FieldIssue[],
  ) {
    super(message, { details: { issues } });
  }
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
}

export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

/** The transition table forbids this operation from the session's current status. */
export class TransitionForbiddenError extends DomainError {
  readonly code = 'transition_forbidden';
  constructor(
    readonly operation: string,
    readonly status: SessionStatus,
    readonly allowedOperations: readonly string[],
  ) {
    super(`Cannot ${operation} a session that is ${status}.`, {
      details: { operation, currentStatus: status, allowedOperations },
    });
  }
}

/** Another request changed the session's status first; the caller decided on a view that no longer holds. */
export class ConcurrentUpdateError extends DomainError {
  readonly code = 'concurrent_update';
}

/** The engine reports progress for a session that is not running (queued or ended). */
export class SessionNotRunningError extends DomainError {
  readonly code = 'session_not_running';
}

/** A story, junior or mentor named in the request does not exist. */
export class ReferenceNotFoundError extends DomainError {
  readonly code = 'reference_not_found';
  constructor(
    readonly field: string,
    readonly id: string,
  ) {
    super(`${field} '${id}' does not exist.`, { details: { field, id } });
  }
}

/** An Idempotency-Key was reused with a different request body. */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'idempotency_key_reused';
}

/** The workflow engine failed or could not be reached. */
export class WorkflowEngineError extends DomainError {
  readonly code = 'engine_unavailable';
}

/**
 * The typed part of an engine failure that a 502 may show (`failure`: timeout,
 * network, rejected, ...), never the engine's own text: that stays in the
 * error's message and goes to the log as the wrapping error's cause.
 */
export function engineFailureOf(error: WorkflowEngineError): { failure?: string } {
  const failure = error.details?.failure;
  return typeof failure === 'string' ? { failure } : {};
}

/**
 * Failures where the engine said it will not (or cannot) do it: the request
 * reached it and was refused. Everything else (a timeout, a network error, a
 * 5xx, an unconfirmed cancel, a failure of unknown kind) is ambiguous: the
 * engine may have applied the change, so it is never taken as a refusal.
 */
export const ENGINE_REFUSALS = ['rejected', 'not_found', 'unauthorized', 'forbidden'] as const;

export function isEngineRefusal(error: WorkflowEngineError): boolean {
  const failure = error.details?.failure;
  return typeof failure === 'string' && (ENGINE_REFUSALS as readonly string[]).includes(failure);
}

/** The queue is at its maximum length. */
export class QueueFullError extends DomainError {
  readonly code = 'queue_full';
}

/** A config change that is not safe at the session's status or time used (issue 4, item 10). */
export class ConfigChangeUnsafeError extends DomainError {
  readonly code = 'config_change_unsafe';
}

/** The operation needs a session that is still open (not Completed, Failed or Cancelled), or Active/Paused. */
export class SessionEndedError extends DomainError {
  readonly code = 'session_ended';
}

/** The named mentor cannot take the session: unavailable, or no free slot. */
export class MentorCannotTakeError extends DomainError {
  readonly code = 'mentor_unavailable';
}

/** A synchronous export would not fit in one response: an export job writes it to a file instead. */
export class ExportTooLargeError extends DomainError {
  readonly code = 'export_too_large';
}

/** An export job is not in a state that allows this (download before it succeeded, retry of a job that did not fail). */
export class ExportJobStateError extends DomainError {
  readonly code = 'export_job_state';
}

/**
 * A notification channel refused a message or could not be reached. Raised by
 * the channel adapters; never reaches a caller of the API (notifications are
 * delivered from the table's stream, after the change). Its message never
 * names a secret such as a webhook URL.
 */
export class NotificationDeliveryError extends DomainError {
  readonly code = 'notification_failed';
}
