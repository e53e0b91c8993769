import { ElsaWorkflowEngine } from '../../shared/adapters/elsa/elsa-workflow-engine';
import type { SessionClient } from '../../shared/client';
import type { Logger } from '../../shared/observability/logger';
import { startApiFixture } from '../support/api-fixture';
import { type ElsaStub, startElsaStub } from '../support/elsa-stub';
import type { LocalApp } from '../support/local-app';
import { expectError, SESSIONS, sendJson, startSession } from './helpers';

/** Issue 14 finding 7: what Elsa says goes to the log, never into a 502 body. */

jest.setTimeout(30_000);

const KEY = 'stub-api-key';
const DEFINITION = 'mentorship-session';
/** What Elsa's FastEndpoints envelope says; only the log may carry it. */
const ENGINE_TEXT = 'internal detail: db host elsa-db-7 refused';

let stub: ElsaStub;
let app: LocalApp;
let coordinator: SessionClient;
const lines: { level: string; message: string; fields: string }[] = [];
/** The next answer to a trigger call (pause, resume): a FastEndpoints 400 instead of Elsa's own. */
let refuseNextTrigger = false;

const logger: Logger = {
  info: () => undefined,
  warn: (message, fields) => lines.push({ level: 'warn', message, fields: serialized(fields) }),
  error: (message, fields) => lines.push({ level: 'error', message, fields: serialized(fields) }),
};

/** A log line's fields as text, errors with their message and causes (as the JSON logger writes them). */
function serialized(fields: Record<string, unknown> | undefined): string {
  return JSON.stringify(fields ?? {}, (_key, value: unknown) => {
    if (!(value instanceof Error)) return value;
    const messages: string[] = [];
    for (let e: unknown = value; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(' <- ');
  });
}

const engineFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  if (refuseNextTrigger && /\/events\/|\/trigger/.test(url)) {
    refuseNextTrigger = false;
    const envelope = { statusCode: 400, message: 'One or more errors occurred!', errors: { generalErrors: [ENGINE_TEXT] } };
    return new Response(JSON.stringify(envelope), { status: 400, headers: { 'content-type': 'application/problem+json' } });
  }
  return fetch(input, init);
};

const quickSleep = () => Promise.resolve();

function expectEngineSide(response: { status: number; json: unknown }): Record<string, unknown> {
  expect(response.status).toBe(200);
  return (response.json as { engine: Record<string, unknown> }).engine;
}

beforeAll(async () => {
  stub = await startElsaStub({ apiKey: KEY, definitions: [DEFINITION] });
  const engine = new ElsaWorkflowEngine({ baseUrl: stub.baseUrl, apiKey: KEY, definitionId: DEFINITION, fetch: engineFetch, sleep: quickSleep, retry: { attempts: 2 } });
  ({ app, coordinator } = await startApiFixture({ engine, logger }));
});
afterAll(async () => {
  await app.close();
  await stub.close();
});
beforeEach(() => {
  lines.length = 0;
});

describe('a 502 keeps the failure kind and hides the engine text, which reaches the log', () => {
  test('Elsa refuses a pause with a FastEndpoints 400', async () => {
    // Prepare
    const id = await startSession(coordinator);
    refuseNextTrigger = true;

    // Act
    const response = await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/pause`, {});

    // Assess
    const error = expectError(response, 502, 'engine_unavailable');
    expect(response.text).not.toContain(ENGINE_TEXT);
    expect(response.text).not.toContain('Elsa refused');
    expect(error.details).toMatchObject({ sessionId: id, failure: 'rejected' });
    expect(lines.some((line) => line.message === 'dependency failure' && line.fields.includes(ENGINE_TEXT))).toBe(true);
    await coordinator.cancelSession(id, { reason: 'test done' });
  });

  test('Elsa refuses a start (a 400)', async () => {
    // Prepare
    stub.failNext(1, 'status400', /\/dispatch|\/execute/);

    // Act
    const response = await sendJson(coordinator, 'POST', SESSIONS, { storyId: 'story-1', juniorId: 'junior-b', mentorId: 'mentor-b' });

    // Assess
    const error = expectError(response, 502, 'engine_unavailable');
    expect(response.text).not.toMatch(/Elsa refused|injected/);
    expect(error.details).toEqual({ sessionId: expect.any(String), status: 'Failed' });
    expect(lines.some((line) => line.message === 'dependency failure' && /The request was refused \(injected\)/.test(line.fields))).toBe(true);
  });

  test('Elsa answers 500 to every try of a start: ambiguous, so 201 started with the engine pending, and no engine text', async () => {
    // Prepare
    stub.failNext(2, 'status500', /\/dispatch|\/execute|\/workflow-instances$/);

    // Act
    const response = await sendJson(coordinator, 'POST', SESSIONS, { storyId: 'story-1', juniorId: 'junior-a', mentorId: 'mentor-b' });

    // Assess
    expect({ status: response.status, body: response.json }).toMatchObject({ status: 201, body: { status: 'started', enginePending: true } });
    expect(response.text).not.toMatch(/Elsa answered/);
    const id = String((response.json as { sessionId: string }).sessionId);
    const engine = expectEngineSide(await coordinator.raw('GET', `${SESSIONS}/${id}`));
    expect(engine).toMatchObject({ desired: 'running', confirmed: false, attempts: 1, lastError: expect.stringContaining('Elsa answered 500') });
    await coordinator.cancelSession(id, { reason: 'test done' });
  });
});
