import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { MeteredWorkflowEngine } from '../../shared/adapters/metered-engine';
import { WorkflowEngineError } from '../../shared/domain/errors';
import type { SessionEvent } from '../../shared/domain/session';
import { httpRoute, type RouteSpec } from '../../shared/http/route';
import type { Logger } from '../../shared/observability/logger';
import { EmfMetrics, LambdaLogger } from '../../shared/observability/powertools';
import { recordCommitted } from '../../shared/observability/session-metrics';
import type { Metrics } from '../../shared/ports/metrics';
import type { WorkflowEngine } from '../../shared/ports/workflow-engine';
import { capturedOutput } from './capture-output';
import httpApiEventFixture from './fixtures/http-api-v2-event.json';

const SESSION_ID = '00000000-0000-4000-8000-000000000001';
const context = {
  awsRequestId: 'lambda-req-1',
  functionName: 'get-session',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:get-session',
  memoryLimitInMB: '512',
} as Context;

/** Every JSON line Powertools writes (stdout and stderr) while `act` runs. */
async function linesOf(act: () => unknown): Promise<Record<string, unknown>[]> {
  return (await capturedOutput(act))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Records what the code under test counts. */
class RecordingMetrics implements Metrics {
  readonly counts: string[] = [];
  readonly transitions: string[] = [];
  readonly gauges: [string, number][] = [];
  count(name: string): void {
    this.counts.push(name);
  }
  transition(operation: string): void {
    this.transitions.push(operation);
  }
  gauge(name: string, value: number): void {
    this.gauges.push([name, value]);
  }
}

const anEvent = (overrides: Partial<SessionEvent>): SessionEvent => ({
  sessionId: SESSION_ID,
  seq: 1,
  type: 'session_started',
  occurredAt: '2026-01-05T09:00:00.000Z',
  recordedAt: '2026-01-05T09:00:00.000Z',
  actor: 'coord-1',
  actorRole: 'coordinator',
  ...overrides,
});

describe('LambdaLogger (Powertools)', () => {
  it('writes JSON with the Lambda context and the correlation keys until they are reset', async () => {
    // Prepare
    const logger = new LambdaLogger();

    // Act
    const lines = await linesOf(() => {
      logger.addContext(context);
      logger.appendKeys({ requestId: 'api-req-1', sessionId: SESSION_ID });
      logger.info('session read', { status: 'Active' });
      logger.resetKeys();
      logger.info('next invocation');
    });

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'session read',
      service: 'mentorship-sessions',
      function_request_id: 'lambda-req-1',
      requestId: 'api-req-1',
      sessionId: SESSION_ID,
      status: 'Active',
    });
    expect(lines[1]).toMatchObject({ message: 'next invocation', function_request_id: 'lambda-req-1' });
    expect(lines[1]).not.toHaveProperty('sessionId');
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it('logs an error as its name and message', async () => {
    const logger = new LambdaLogger();
    const [line] = await linesOf(() => logger.error('unhandled error', { error: new TypeError('bad input') }));
    expect(line).toMatchObject({ level: 'ERROR', message: 'unhandled error', error: { name: 'TypeError', message: 'bad input' } });
  });
});

describe('EmfMetrics (Powertools)', () => {
  it('flushes one EMF document in MentorshipSessions, and one per operation for Transitions', async () => {
    // Prepare
    const metrics = new EmfMetrics();
    metrics.count('SessionsStarted');
    metrics.count('SessionsStarted');
    metrics.count('EngineErrors');
    metrics.transition('pause');
    metrics.transition('pause');
    metrics.transition('cancel');
    metrics.gauge('OldestQueuedSessionAgeSeconds', 95);

    // Act
    const lines = await linesOf(() => metrics.flush());

    // Assess
    const namespaces = lines.map((line) => (line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]!.Namespace);
    expect(new Set(namespaces)).toEqual(new Set(['MentorshipSessions']));
    const transitions = lines.filter((line) => 'Transitions' in line);
    expect(transitions.map((line) => [line.operation, line.Transitions]).sort()).toEqual([
      ['cancel', 1],
      ['pause', 2],
    ]);
    const plain = lines.find((line) => 'SessionsStarted' in line)!;
    expect(plain).toMatchObject({ SessionsStarted: [1, 1], EngineErrors: 1, OldestQueuedSessionAgeSeconds: 95, service: 'mentorship-sessions' });
    expect(plain).not.toHaveProperty('operation');
  });

  it('writes nothing for an invocation that recorded nothing (and nothing twice)', async () => {
    const metrics = new EmfMetrics();
    metrics.count('SessionsQueued');
    await linesOf(() => metrics.flush());
    expect(await linesOf(() => metrics.flush())).toEqual([]);
  });
});

describe('recordCommitted', () => {
  it('counts each status change as a transition by operation, and starts, queues and timeouts by name', () => {
    // Prepare
    const metrics = new RecordingMetrics();
    const events = [
      anEvent({ type: 'session_started', toStatus: 'Active' }),
      anEvent({ type: 'mentor_assigned' }),
      anEvent({ type: 'session_queued', toStatus: 'Queued' }),
      anEvent({ type: 'session_dequeued', fromStatus: 'Queued', toStatus: 'Active' }),
      anEvent({ type: 'session_paused', fromStatus: 'Active', toStatus: 'Paused' }),
      anEvent({ type: 'session_timed_out', fromStatus: 'Paused', toStatus: 'Cancelled' }),
      anEvent({ type: 'state_transition', fromState: 'INIT_STORY_PROCESSING', toState: 'PLAN_DECOMPOSITION' }),
    ];

    // Act
    recordCommitted(metrics, events);

    // Assess
    expect(metrics.transitions).toEqual(['start', 'queue', 'dequeue', 'pause', 'timeout']);
    expect(metrics.counts.filter((name) => name === 'SessionsStarted')).toHaveLength(2);
    expect(metrics.counts.filter((name) => name === 'SessionsQueued')).toHaveLength(1);
    expect(metrics.counts.filter((name) => name === 'SessionsTimedOut')).toHaveLength(1);
  });

  it('counts nothing for events that change no status', () => {
    const metrics = new RecordingMetrics();
    recordCommitted(metrics, [anEvent({ type: 'config_updated' }), anEvent({ type: 'check_in_missed', fromStatus: 'Active', toStatus: 'Active' })]);
    expect(metrics.counts).toEqual([]);
    expect(metrics.transitions).toEqual([]);
  });
});

describe('MeteredWorkflowEngine', () => {
  it('counts one EngineErrors per failed call and passes results and errors through', async () => {
    // Prepare
    const failure = new WorkflowEngineError('Elsa answered 503');
    const engine: WorkflowEngine = {
      name: 'elsa',
      reportsPause: true,
      findByCorrelation: async () => undefined,
      start: async () => ({ instanceId: 'i-1' }),
      suspend: async () => {
        throw failure;
      },
      resume: async () => undefined,
      cancel: async () => {
        throw failure;
      },
      updateConfig: async () => undefined,
      status: async () => 'Running',
    };
    const metrics = new RecordingMetrics();
    const metered = new MeteredWorkflowEngine(engine, metrics);

    // Act
    const started = await metered.start({ correlationId: SESSION_ID, input: {} });
    const suspended = await metered.suspend('i-1').catch((error: unknown) => error);
    await metered.resume('i-1');
    const cancelled = await metered.cancel('i-1').catch((error: unknown) => error);

    // Assess
    expect(started).toEqual({ instanceId: 'i-1' });
    expect(suspended).toBe(failure);
    expect(cancelled).toBe(failure);
    expect(metrics.counts).toEqual(['EngineErrors', 'EngineErrors']);
    expect(metered.name).toBe('elsa');
    expect(metered.faultOf).toBeUndefined();
  });
});

describe('the HTTP route stack', () => {
  const keysLogger = () => {
    const appended: Record<string, string>[] = [];
    const logger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, appendKeys: (keys) => appended.push(keys) };
    return { logger, appended };
  };
  const spec = (path: string): RouteSpec => ({
    operationId: 'probe',
    method: 'GET',
    path,
    summary: 'probe',
    tag: 'Meta',
    auth: false,
    entry: 'probe',
    params: () => z.object({ id: z.string() }),
    successStatus: 200,
    response: () => z.object({}),
    errors: [],
  });
  const event = structuredClone(httpApiEventFixture) as unknown as APIGatewayProxyEventV2;

  it("appends API Gateway's request id and, on a session's route, the session id", async () => {
    const { logger, appended } = keysLogger();
    await httpRoute(spec('/api/mentorship/sessions/{id}/timeline'), { logger }, async () => ({}))(event, context);
    expect(appended).toEqual([{ requestId: 'req-unit-1', sessionId: SESSION_ID }]);
  });

  it('appends no session id where {id} names something else', async () => {
    const { logger, appended } = keysLogger();
    await httpRoute(spec('/api/mentorship/mentors/{id}'), { logger }, async () => ({}))(event, context);
    expect(appended).toEqual([{ requestId: 'req-unit-1' }]);
  });
});
