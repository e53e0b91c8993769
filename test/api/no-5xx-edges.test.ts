import { request as httpRequest } from 'node:http';
import type { SessionClient } from '../../shared/client';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { API, eventsOf, expectEventsReplay, expectNoServerError, type RawResponse, REPORT, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(30_000);

/**
 * Inputs the schemas accept but the table may not hold: numbers outside what
 * DynamoDB stores, maps nested past its depth limit, empty or ill-formed map
 * keys and ids, forged cursors, and request targets no URL parser takes. Each
 * must be answered below 500, and a refusal must leave the session as it was.
 * (The answer may be a 400 or a stored value; either keeps the promise.)
 */

let app: LocalApp;
let coordinator: SessionClient;
let service: SessionClient;

beforeAll(async () => {
  ({ app, coordinator, service } = await startApiFixture());
});
afterAll(() => app.close());

/** Sends, checks no 5xx, and that the session still reads and replays; if refused, that its log is unchanged. */
async function expectHandled(id: string, send: () => Promise<RawResponse>): Promise<RawResponse> {
  const before = await eventsOf(coordinator, id);

  const response = await send();

  expectNoServerError(response);
  const details = await expectEventsReplay(coordinator, id);
  if (response.status >= 400) expect(details.events).toEqual(before);
  return response;
}

const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { level: nested(depth - 1) });

describe('complete: report metrics DynamoDB cannot store as numbers', () => {
  test.each([
    ['above Number.MAX_SAFE_INTEGER', 1e16],
    ['below Number.MIN_SAFE_INTEGER', -1e16],
    ['far above DynamoDB range (1e200)', 1e200],
    ['below DynamoDB magnitude (1e-200)', 1e-200],
  ])('a metric %s', async (_label, value) => {
    const id = await startSession(coordinator);

    await expectHandled(id, () => sendJson(service, 'POST', `${SESSIONS}/${id}/complete`, { report: { ...REPORT, metrics: { value } } }));
  });
});

describe('complete: an overall score DynamoDB cannot store', () => {
  // Found by the property test: a denormal score is within 0-100 but underflows DynamoDB's number range.
  test.each([
    ['the smallest denormal (5e-324)', 5e-324],
    ['1e-200', 1e-200],
  ])('a score of %s is refused with a 400 naming it', async (_label, overallScore) => {
    const id = await startSession(coordinator);

    const response = await expectHandled(id, () => sendJson(service, 'POST', `${SESSIONS}/${id}/complete`, { report: { ...REPORT, overallScore } }));

    expect(response.status).toBe(400);
    expect(JSON.stringify(response.json)).toContain('body.report.overallScore');
  });
});

describe('workflow-events: data DynamoDB cannot store', () => {
  const report = (data: unknown, eventId = 'edge') => ({ type: 'progress_update', eventId, occurredAt: new Date().toISOString(), data });

  test.each([
    ['a number above Number.MAX_SAFE_INTEGER', { n: 2 ** 60 }],
    ['a number of 1e300', { n: 1e300 }],
    ['a number of 1e-300', { n: 1e-300 }],
    ['a map nested 40 levels deep', { deep: nested(40) }],
    ['an empty key', { '': 1 }],
    ['an empty key in a nested map', { outer: { '': 1 } }],
    ['an empty key in a map inside a list', { list: [{ '': 1 }] }],
  ])('data with %s', async (_label, data) => {
    const id = await startSession(coordinator);

    await expectHandled(id, () => sendJson(service, 'POST', `${SESSIONS}/${id}/workflow-events`, report(data)));
  });

  test('a key that is a lone UTF-16 surrogate', async () => {
    const id = await startSession(coordinator);
    const body = `{"type":"info","eventId":"lone-key","occurredAt":"${new Date().toISOString()}","data":{"\\udc00":1}}`;

    await expectHandled(id, () => sendJson(service, 'POST', `${SESSIONS}/${id}/workflow-events`, body));
  });

  test('an eventId that is a lone UTF-16 surrogate', async () => {
    const id = await startSession(coordinator);
    const body = `{"type":"info","eventId":"\\ud800","occurredAt":"${new Date().toISOString()}"}`;

    await expectHandled(id, () => sendJson(service, 'POST', `${SESSIONS}/${id}/workflow-events`, body));
  });
});

describe('instants at the edges of the format', () => {
  test('the latest instant the schema accepts is not taken for a late report', async () => {
    const id = await startSession(coordinator);

    const response = await sendJson(service, 'POST', `${SESSIONS}/${id}/workflow-events`, {
      type: 'state_changed',
      toState: 'REVIEW_PLAN',
      eventId: 'far-future',
      // 10000-01-01T23:58:59Z once normalised: later than any step already applied.
      occurredAt: '9999-12-31T23:59:59-23:59',
    });

    expectNoServerError(response);
    // Refusing the instant (400) keeps the promise too; recording it as late does not.
    if (response.status === 200) {
      expect(response.json).toMatchObject({ stateApplied: true, currentState: 'REVIEW_PLAN' });
      expect((await expectEventsReplay(coordinator, id)).currentState).toBe('REVIEW_PLAN');
    } else {
      expect(response.status).toBe(400);
    }
  });
});

describe('forged list cursors', () => {
  const cursor = (position: string, partition = 'DIRECTORY#junior') => Buffer.from(JSON.stringify({ p: partition, s: position })).toString('base64url');

  test.each([
    ['an empty position', cursor('')],
    ['a position longer than a sort key may be', cursor('x'.repeat(1500))],
    ['a position that is not a string', Buffer.from(JSON.stringify({ p: 'DIRECTORY#junior', s: 1 })).toString('base64url')],
  ])('a cursor with %s', async (_label, value) => {
    const response = await coordinator.raw('GET', `${API}/juniors?cursor=${value}`);

    expectNoServerError(response);
  });
});

describe('request targets', () => {
  /** Node's client sends the target verbatim (fetch would normalise it first). */
  function rawTarget(target: string, method = 'GET'): Promise<{ status: number; body: string }> {
    const { hostname, port } = new URL(app.url);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, path: target, method }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test.each(['//[', '//', '//example.com/health', '*', '/health?%', `${SESSIONS}/..%2F..%2Fhealth`])('%s is answered below 500', async (target) => {
    const response = await rawTarget(target);

    expect(response.status >= 500 ? `${response.status} ${response.body}` : 'below 500').toBe('below 500');
  });
});
