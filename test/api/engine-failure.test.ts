import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import type { SessionClient } from '../../shared/client';
import { startApiFixture } from '../support/api-fixture';
import { FaultyEngine } from '../support/faulty-engine';
import type { LocalApp } from '../support/local-app';
import { countItems, DIRECTORY, expectError, expectEventsReplay, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(30_000);

let app: LocalApp;
let engine: FaultyEngine;
let coordinator: SessionClient;

beforeAll(async () => {
  ({ app, coordinator } = await startApiFixture({
    engine: (table, clock) => (engine = new FaultyEngine(new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock))),
  }));
});
afterAll(() => app.close());
afterEach(() => engine.heal());

const body = { storyId: DIRECTORY.story, juniorId: 'junior-a', mentorId: 'mentor-a' };

describe('the engine fails to start a session', () => {
  test('502 engine_unavailable naming the session, which is Failed with a session_failed event', async () => {
    engine.failOn('start');
    const before = await countItems(app, 'session');

    const response = await sendJson(coordinator, 'POST', SESSIONS, body);

    const error = expectError(response, 502, 'engine_unavailable');
    expect(error.details).toEqual({ sessionId: expect.any(String), status: 'Failed' });
    const sessionId = String(error.details?.sessionId);
    expect(await countItems(app, 'session')).toBe(before + 1);
    const details = await expectEventsReplay(coordinator, sessionId);
    expect(details).toMatchObject({ id: sessionId, status: 'Failed', currentState: 'FAILED', error: 'injected start failure' });
    expect(details.workflowInstanceId).toBeUndefined();
    // Slots are taken before the engine is asked; its refusal fails the session and frees them.
    expect(details.events).toEqual([
      expect.objectContaining({ seq: 1, type: 'session_started', toStatus: 'Active' }),
      expect.objectContaining({ seq: 2, type: 'mentor_assigned' }),
      expect.objectContaining({
        seq: 3,
        type: 'session_failed',
        actor: 'system',
        fromStatus: 'Active',
        toStatus: 'Failed',
        reason: 'engine_start_failed',
        data: { error: 'injected start failure' },
      }),
    ]);
    expect((await coordinator.getQueueStatus()).activeSessionCount).toBe(0);
  });

  test('a retry with the same Idempotency-Key answers the same 502 and starts nothing more', async () => {
    engine.failOn('start');
    const headers = { 'idempotency-key': 'failed-start' };
    const first = expectError(await sendJson(coordinator, 'POST', SESSIONS, body, headers), 502, 'engine_unavailable');
    const before = await countItems(app, 'session');

    const retry = await sendJson(coordinator, 'POST', SESSIONS, body, headers);

    expect(expectError(retry, 502, 'engine_unavailable').details).toEqual(first.details);
    expect(await countItems(app, 'session')).toBe(before);
  });

  test('once the engine is back, a new start succeeds', async () => {
    engine.failOn('start');
    expectError(await sendJson(coordinator, 'POST', SESSIONS, body), 502, 'engine_unavailable');
    engine.heal();

    const id = await startSession(coordinator, body);

    expect((await expectEventsReplay(coordinator, id)).status).toBe('Active');
  });
});

describe('the engine fails to follow a change', () => {
  test('a pause the engine cannot apply is reverted: 502, the session stays Active, the log says why', async () => {
    const id = await startSession(coordinator, body);
    engine.failOn('suspend');

    const response = await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/pause`, { reason: 'break' });

    expect(expectError(response, 502, 'engine_unavailable').details).toEqual({ sessionId: id, currentStatus: 'Active', failure: 'rejected' });
    const details = await expectEventsReplay(coordinator, id);
    expect(details.status).toBe('Active');
    expect(details.events.map((event) => [event.type, event.fromStatus, event.toStatus])).toEqual([
      ['session_started', undefined, 'Active'],
      ['mentor_assigned', undefined, undefined],
      ['session_paused', 'Active', 'Paused'],
      ['workflow_sync_failed', 'Paused', 'Active'],
    ]);
  });

  test('a cancel stands even when the engine cannot be told: 200, Cancelled, the stop pending with the error on GET', async () => {
    const id = await startSession(coordinator, body);
    engine.failOn('cancel');

    const result = await coordinator.cancelSession(id, { reason: 'withdrawn' });

    expect(result.status).toBe('Cancelled');
    const details = await expectEventsReplay(coordinator, id);
    expect(details.status).toBe('Cancelled');
    expect(details.events.at(-1)).toMatchObject({ type: 'session_cancelled' });
    expect(details.engine).toMatchObject({ desired: 'stopped', confirmed: false, attempts: 1, lastError: 'injected cancel failure' });
  });

  test('a pause the engine times out on stands: 200 with enginePending, no revert; a coordinator re-drives it once the engine is back', async () => {
    const id = await startSession(coordinator, body);
    engine.failAmbiguouslyOn('suspend');

    const response = await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/pause`, { reason: 'break' });

    expect({ status: response.status, body: response.json }).toEqual({ status: 200, body: { success: true, sessionId: id, status: 'Paused', enginePending: true } });
    const pending = await expectEventsReplay(coordinator, id);
    expect(pending.events.map((event) => event.type)).toEqual(['session_started', 'mentor_assigned', 'session_paused']);
    expect(pending.engine).toMatchObject({ desired: 'suspended', confirmed: false, attempts: 1, lastError: 'injected suspend timeout' });

    engine.heal();
    const redriven = await sendJson(coordinator, 'POST', `${SESSIONS}/${id}/engine/redrive`, {});

    expect({ status: redriven.status, body: redriven.json }).toEqual({
      status: 200,
      body: { workflowInstanceId: expect.any(String), desired: 'suspended', confirmed: true },
    });
    expect((await expectEventsReplay(coordinator, id)).status).toBe('Paused');
  });
});
