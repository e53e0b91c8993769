import { ApiError, createClient, type SessionClient } from '../../shared/client';

export type {
  ExportJob,
  Mentor,
  MentorWorkload,
  QueuePosition,
  QueueStatus,
  SessionComparison,
  SessionConfigView,
  SessionDetails,
  SessionEvent,
  SessionPage,
  SessionStartResult,
  SessionTimeline,
  StartSessionRequest,
} from '../../shared/client';
export type { SessionClient };
export { ApiError };

/** The one way the console talks to the API: the typed client, with the signed-in user's token. */
export function apiClient(apiUrl: string, token: () => string): SessionClient {
  return createClient({ baseUrl: apiUrl === '' ? window.location.origin : apiUrl, token });
}

/** An API refusal in words: the message, and for a 409 the status and the operations still allowed. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const [, , ...rest] = error.message.split(' ');
  const message = rest.join(' ').trim() || error.code;
  const details = error.details ?? {};
  const parts = [`The API refused (${error.status} ${error.code}): ${message}`];
  if (typeof details.currentStatus === 'string') parts.push(`The session is ${details.currentStatus}.`);
  if (Array.isArray(details.allowedOperations)) {
    const allowed = details.allowedOperations.filter((op): op is string => typeof op === 'string');
    parts.push(allowed.length === 0 ? 'No operation is allowed now.' : `Allowed now: ${allowed.join(', ')}.`);
  }
  if (typeof details.field === 'string') parts.push(`Field: ${details.field}.`);
  if (typeof details.reason === 'string') parts.push(`Reason: ${details.reason}.`);
  if (Array.isArray(details.issues)) {
    for (const issue of details.issues as { path?: unknown; message?: unknown }[]) parts.push(`${String(issue.path)}: ${String(issue.message)}.`);
  }
  return parts.join(' ');
}
