// Helpers shared by the API test files. Not a suite: jest runs only *.test.ts.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { EventRecord } from '../../shared/adapters/dynamodb/records';
import type { SessionClient } from '../../shared/client';
import { replayStatus } from '../../shared/domain/session';
import { SessionDetailsSchema, SessionEventsSchema, SessionStartResultSchema } from '../../shared/http/schemas';
import { DIRECTORY } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';

// The directory and its seeding live with the fixture that uses them; re-exported for the files that name them.
export { DIRECTORY, seedDirectory } from '../support/api-fixture';

export const API = '/api/mentorship';
export const SESSIONS = `${API}/sessions`;

export type RawResponse = Awaited<ReturnType<SessionClient['raw']>>;

/** A valid completion report. */
export const REPORT = { summary: 'Merged after one review round.', overallScore: 87, metrics: { hints: 2, reviewRounds: 1 } };

/** A request with a JSON body (a value is serialised; a string is sent as it is). */
export function sendJson(client: SessionClient, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return client.raw(method, path, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** Starts a session over HTTP and checks the 201 SessionStartResult; returns the session id. */
export async function startSession(coordinator: SessionClient, input: { storyId?: string; juniorId?: string; mentorId?: string } = {}): Promise<string> {
  const body = { storyId: DIRECTORY.story, juniorId: DIRECTORY.juniors[0], mentorId: DIRECTORY.mentors[0], ...input };
  const response = await sendJson(coordinator, 'POST', SESSIONS, body);
  expect({ status: response.status, body: response.json }).toMatchObject({ status: 201, body: { success: true, status: 'started' } });
  return SessionStartResultSchema().parse(response.json).sessionId;
}

const ErrorEnvelope = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorEnvelope = z.output<typeof ErrorEnvelope>;

/** Asserts the status and that the body is exactly the error envelope with this code; returns the error. */
export function expectError(response: RawResponse, status: number, code: string): ErrorEnvelope['error'] {
  expect({ status: response.status, body: response.json }).toMatchObject({ status, body: { error: { code } } });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return ErrorEnvelope.parse(response.json).error;
}

/** Never a 5xx; any 4xx is the error envelope. The failure message carries the answer. */
export function expectNoServerError(response: RawResponse): void {
  expect(response.status >= 500 ? `${response.status} ${response.text}` : 'below 500').toBe('below 500');
  if (response.status >= 400) {
    expect(ErrorEnvelope.safeParse(response.json).success ? 'envelope' : `${response.status} ${response.text}`).toBe('envelope');
  }
}

/** The field paths a 400 names. */
export function issuePaths(error: ErrorEnvelope['error']): string[] {
  const issues = z.array(z.object({ path: z.string(), message: z.string() })).parse(error.details?.issues);
  return issues.map((issue) => issue.path);
}

/** The issues a 400 lists. */
export function issues(error: ErrorEnvelope['error']): { path: string; message: string }[] {
  return z.array(z.object({ path: z.string(), message: z.string() })).parse(error.details?.issues);
}

/**
 * The session as the API shows it, after checking that its audit log replays to
 * its status, is numbered 1..n without gaps, and is the same from both routes.
 */
export async function expectEventsReplay(reader: SessionClient, id: string) {
  const details = SessionDetailsSchema().parse(await reader.getSession(id));
  const { items } = SessionEventsSchema().parse(await reader.getSessionEvents(id));
  const events = z.array(EventRecord()).parse(items);
  expect(replayStatus(events)).toBe(details.status);
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  expect(details.events).toEqual(items);
  return details;
}

/** The session's audit log, read by a coordinator. */
export async function eventsOf(reader: SessionClient, id: string) {
  return SessionEventsSchema().parse(await reader.getSessionEvents(id)).items;
}

/** How many items of an entity the app's table holds (to prove a rejected request wrote nothing). */
export async function countItems(app: LocalApp, entity: 'session' | 'event' | 'idempotency' | 'workflow' | 'junior' | 'mentor' | 'story'): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await app.table.dynamo.document.send(
      new ScanCommand({
        TableName: app.table.tableName,
        FilterExpression: '#entity = :entity',
        ExpressionAttributeNames: { '#entity': 'entity' },
        ExpressionAttributeValues: { ':entity': entity },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return count;
}
