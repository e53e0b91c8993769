import {
  ConcurrentUpdateError,
  DomainError,
  type ErrorCode,
  ForbiddenError,
  IdempotencyKeyReusedError,
  NotFoundError,
  ReferenceNotFoundError,
  SessionNotRunningError,
  TransitionForbiddenError,
  UnauthenticatedError,
  ValidationError,
  WorkflowEngineError,
} from '../../shared/domain/errors';
import { MalformedJsonError, PayloadTooLargeError, toErrorResponse, UnsupportedMediaTypeError } from '../../shared/http/errors';

const REQUEST_ID = 'req-123';

/** Status codes written from ARCHITECTURE/STYLE (409 for forbidden transitions, 404 for hidden sessions, 502 for the engine). */
const CASES: readonly (readonly [DomainError, string, number])[] = [
  [new ValidationError('Bad body.', [{ path: 'body.reason', message: 'required' }]), 'invalid_request', 400],
  [new MalformedJsonError('Body is not JSON.'), 'malformed_json', 400],
  [new UnauthenticatedError('Token required.'), 'unauthenticated', 401],
  [new ForbiddenError('Your role may not cancel this session.'), 'forbidden', 403],
  [new NotFoundError('Session x not found.'), 'not_found', 404],
  [new TransitionForbiddenError('resume', 'Completed', []), 'transition_forbidden', 409],
  [new ConcurrentUpdateError('Changed first.'), 'concurrent_update', 409],
  [new SessionNotRunningError('Session is Queued.'), 'session_not_running', 409],
  [new PayloadTooLargeError('Too big.'), 'payload_too_large', 413],
  [new UnsupportedMediaTypeError('Use JSON.'), 'unsupported_media_type', 415],
  [new ReferenceNotFoundError('storyId', 'story-404'), 'reference_not_found', 422],
  [new IdempotencyKeyReusedError('Key reused.'), 'idempotency_key_reused', 422],
  [new WorkflowEngineError('The workflow engine could not pause the session: timeout'), 'engine_unavailable', 502],
];

describe('toErrorResponse: domain errors', () => {
  test.each(CASES.map(([error, code, status]) => [code, status, error] as const))('%s -> %d, message shown', (code, status, error) => {
    // Prepare: the table row

    // Act
    const response = toErrorResponse(error, REQUEST_ID);

    // Assess
    expect(error.code).toBe(code);
    expect(response.statusCode).toBe(status);
    expect(response.expected).toBe(true);
    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toBe(error.message);
  });

  test('validation details list the issues', () => {
    // Prepare
    const issues = [{ path: 'body.reason', message: 'required' }];

    // Act
    const response = toErrorResponse(new ValidationError('Bad body.', issues), REQUEST_ID);

    // Assess
    expect(response.body.error.details).toEqual({ issues });
  });

  test('a forbidden transition tells the current status and what is allowed', () => {
    // Prepare
    const error = new TransitionForbiddenError('complete', 'Paused', ['resume', 'cancel']);

    // Act
    const response = toErrorResponse(error, REQUEST_ID);

    // Assess
    expect(response.body).toEqual({
      error: {
        code: 'transition_forbidden',
        message: 'Cannot complete a session that is Paused.',
        details: { operation: 'complete', currentStatus: 'Paused', allowedOperations: ['resume', 'cancel'] },
      },
    });
  });

  test('an error without details has no details key, and its cause never shows', () => {
    // Prepare
    const error = new ConcurrentUpdateError('Changed first.', { cause: new Error('ConditionalCheckFailed on PK=SESSION#secret') });

    // Act
    const response = toErrorResponse(error, REQUEST_ID);

    // Assess
    expect(response.body).toEqual({ error: { code: 'concurrent_update', message: 'Changed first.' } });
    expect(JSON.stringify(response.body)).not.toContain('secret');
  });
});

describe('toErrorResponse: anything else is a generic 500', () => {
  // A code outside the union (the compiler refuses it; only a cast or plain JavaScript gets one through).
  class UnmappedError extends DomainError {
    readonly code = 'not_in_the_table' as unknown as ErrorCode;
  }

  test.each([
    ['a plain Error', new Error('connect ECONNREFUSED 10.0.0.5:8000 password=hunter2')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'hunter2')")],
    ['a domain error with an unmapped code', new UnmappedError('hunter2 leaked', { details: { token: 'hunter2' } })],
    ['a thrown string', 'hunter2'],
    ['a thrown object', { message: 'hunter2', statusCode: 400 }],
    ['undefined', undefined],
  ])('%s: 500 internal_error, no message leaked', (_name, thrown) => {
    // Prepare: the table row

    // Act
    const response = toErrorResponse(thrown, REQUEST_ID);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.expected).toBe(false);
    expect(response.body).toEqual({ error: { code: 'internal_error', message: 'Internal error.', details: { requestId: REQUEST_ID } } });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
  });
});
