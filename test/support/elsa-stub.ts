import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../shared/ports/clock';

/**
 * An Elsa 3 HTTP server for adapter tests, written from docs/elsa/elsa-3-http-contract.md (sections 1-5, 8-10),
 * quirks included: auth routed on the case-sensitive substring `ApiKey`, empty 401/403/404 bodies, FastEndpoints 400
 * envelopes, cancel and event triggers that always answer 200, dispatched instances that 404 for a while.
 */

export type SubStatus = 'Pending' | 'Executing' | 'Suspended' | 'Finished' | 'Cancelled' | 'Faulted';
export interface StubInstance {
  id: string;
  definitionId: string;
  correlationId?: string;
  input: Record<string, unknown>;
  subStatus: SubStatus;
  incidents: { message: string }[];
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Event triggers received while the instance was visible and not finished. */
  events: { name: string; input?: unknown }[];
}
/** One request as received; `status` is what it was answered with (0 when the socket was dropped). */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  body: string;
  status: number;
}
/**
 * `status400` refuses the request (FastEndpoints' 400 envelope: a definite refusal, nothing applied).
 * `drop` destroys the socket without answering. The `applied*` faults do the
 * request first (the dispatch, trigger or cancel lands) and then fail it:
 * `appliedThen500` answers 500, `appliedThenDrop` drops the socket,
 * `appliedLate` answers correctly but only after `lateMs` (past the caller's timeout).
 */
export type Fault = 'status400' | 'status500' | 'status503' | 'drop' | 'appliedThen500' | 'appliedThenDrop' | 'appliedLate';
export interface ElsaStubOptions {
  apiKey: string;
  prefix?: string /* default '/elsa/api' */;
  definitions: string[] /* published definition ids */;
  permissions?: string[] /* the key's permissions; default ['*'] */;
  pauseEvent?: string /* default 'mentorship.pause' */;
  resumeEvent?: string /* default 'mentorship.resume' */;
  /** Instance invisible (404) to reads, lists, triggers and cancels this long after dispatch (Elsa queues dispatch); default 0. */
  dispatchLagMs?: number;
  /** Cancel applied asynchronously after this delay; default 0 (next tick). */
  cancelLagMs?: number;
  /** Timestamps and the dispatch lag read this clock, so tests move time; default the system clock. */
  clock?: Clock;
  /** How late an `appliedLate` answer comes; default 6,000 ms (past the adapter's 5 s timeout). */
  lateMs?: number;
}
export interface ElsaStub {
  readonly baseUrl: string /* http://127.0.0.1:<port>, no prefix */;
  readonly requests: RecordedRequest[];
  /** Copies of the stored instances, invisible (lagging) ones included. */
  instance(id: string): StubInstance | undefined;
  instances(): StubInstance[];
  /** The workflow itself moves on: finish, fault (adds an incident), or any sub-status. */
  finish(id: string): void;
  fault(id: string, message: string): void;
  setSubStatus(id: string, s: SubStatus): void;
  /** Faults: applied to the next `count` requests (optionally only those whose path matches). */
  failNext(count: number, fault: Fault, match?: RegExp): void;
  /** Each request fails with probability p (random from the caller, for seeded runs); faults default to all three. */
  failRandomly(p: number, random: () => number, faults?: Fault[]): void;
  /** Delay before every later request is routed (0 to stop). */
  latency(ms: number): void;
  close(): Promise<void>;
}

type WorkflowStatus = 'Running' | 'Finished';
interface Entry extends Omit<StubInstance, 'incidents'> {
  incidents: { message: string; timestamp: string }[];
  /** Waiting at the mentorship workflow's cooperative pause point (an Event activity on the resume event). */
  paused: boolean;
  createdMs: number;
}
interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}
interface Route {
  method: string;
  pattern: RegExp;
  permission: string;
  handle: (params: string[], body: string) => Reply;
}

const TERMINAL: ReadonlySet<SubStatus> = new Set<SubStatus>(['Finished', 'Cancelled', 'Faulted']);
/** Section 3: Pending/Executing/Suspended are Running, the rest Finished. */
const statusOf = (s: SubStatus): WorkflowStatus => (TERMINAL.has(s) ? 'Finished' : 'Running');
/** Elsa's DateTimeOffset form: seven fractional digits and an explicit offset. */
const elsaTime = (d: Date): string => d.toISOString().replace('Z', '0000+00:00');
const newId = (): string => randomBytes(8).toString('hex');
const versionIdOf = (definitionId: string): string => `${definitionId}-v1`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Elsa matches request properties case-insensitively. */
const pick = (o: Record<string, unknown>, name: string): unknown => {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
};
/** An absent body binds as an empty request; anything but a JSON object fails binding. */
const parseBody = (body: string): Record<string, unknown> | undefined => {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
};
/** FastEndpoints' ErrorResponse with a general (not field) error, section 1.3. */
const badRequest = (message: string): Reply => ({
  status: 400,
  json: { statusCode: 400, message: 'One or more errors occurred!', errors: { generalErrors: [message] } },
  headers: { 'content-type': 'application/problem+json' },
});
const isAddress = (a: string | AddressInfo | null): a is AddressInfo => typeof a === 'object' && a !== null;
const OK: Reply = { status: 200 };
const NOT_FOUND: Reply = { status: 404 };

export async function startElsaStub(options: ElsaStubOptions): Promise<ElsaStub> {
  const prefix = (options.prefix ?? '/elsa/api').replace(/\/$/, '');
  const permissions = options.permissions ?? ['*'];
  const pauseEvent = options.pauseEvent ?? 'mentorship.pause';
  const resumeEvent = options.resumeEvent ?? 'mentorship.resume';
  const clock = options.clock ?? systemClock;
  const store = new Map<string, Entry>();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const scheduled: { remaining: number; fault: Fault; match?: RegExp }[] = [];
  let randomFaults: { p: number; random: () => number; faults: Fault[] } | undefined;
  let latencyMs = 0;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => (timers.delete(t), fn()), ms);
    timers.add(t);
  };
  const mustGet = (id: string): Entry => {
    const e = store.get(id);
    if (!e) throw new Error(`elsa-stub: no instance ${id}`);
    return e;
  };
  /** Dispatch is queued in Elsa: the store does not hold the instance until the lag has passed. */
  const visible = (id: string): Entry | undefined => {
    const e = store.get(id);
    return e && clock.now().getTime() - e.createdMs >= (options.dispatchLagMs ?? 0) ? e : undefined;
  };
  const move = (e: Entry, s: SubStatus, paused = false): void => {
    const now = elsaTime(clock.now());
    Object.assign(e, { subStatus: s, paused, updatedAt: now, finishedAt: TERMINAL.has(s) ? now : undefined });
  };

  const summary = (e: Entry) => ({
    id: e.id,
    definitionId: e.definitionId,
    definitionVersionId: versionIdOf(e.definitionId),
    version: 1,
    status: statusOf(e.subStatus),
    subStatus: e.subStatus,
    correlationId: e.correlationId,
    incidentCount: e.incidents.length,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    finishedAt: e.finishedAt,
  });
  const model = (e: Entry) => {
    const isExecuting = e.subStatus === 'Executing';
    const incidents = e.incidents.map((i) => ({ activityId: 'work', activityNodeId: 'Workflow1:work', activityType: 'Elsa.Activity', ...i }));
    const bookmarks = e.paused
      ? [
          {
            id: `${e.id}-resume`,
            name: 'Elsa.Event',
            hash: resumeEvent,
            payload: { eventName: resumeEvent },
            activityId: 'pause-point',
            activityNodeId: 'Workflow1:pause-point',
            createdAt: e.updatedAt,
            autoBurn: true,
            autoComplete: true,
          },
        ]
      : [];
    const { definitionVersionId, version, status, incidentCount, ...common } = summary(e);
    return {
      ...summary(e),
      isExecuting,
      isSystem: false,
      workflowState: {
        ...common,
        definitionVersionId,
        definitionVersion: version,
        status,
        isExecuting,
        isSystem: false,
        bookmarks,
        incidents,
        completionCallbacks: [],
        activityExecutionContexts: [],
        scheduledActivities: [],
        executionLogSequence: 0,
        input: e.input,
        output: {},
        properties: {},
      },
    };
  };

  const dispatch = ([definitionId = '']: string[], raw: string): Reply => {
    const body = parseBody(raw);
    if (!body) return badRequest('Invalid request body.');
    if (!options.definitions.includes(definitionId)) return NOT_FOUND;
    const input = pick(body, 'input') ?? {};
    if (!isObject(input)) return badRequest('Input must be a dictionary.');
    const correlationId = pick(body, 'correlationId');
    const now = clock.now();
    // Elsa does not de-duplicate on correlationId: every dispatch is a new instance.
    const e: Entry = {
      id: newId(),
      definitionId,
      correlationId: typeof correlationId === 'string' ? correlationId : undefined,
      input,
      subStatus: 'Executing',
      incidents: [],
      events: [],
      paused: false,
      createdMs: now.getTime(),
      createdAt: elsaTime(now),
      updatedAt: elsaTime(now),
    };
    store.set(e.id, e);
    return { status: 200, json: { workflowInstanceId: e.id } };
  };
  const executionState = ([id = '']: string[]): Reply => {
    const e = visible(id);
    return e ? { status: 200, json: { status: statusOf(e.subStatus), subStatus: e.subStatus, updatedAt: e.updatedAt } } : NOT_FOUND;
  };
  const get = ([id = '']: string[]): Reply => {
    const e = visible(id);
    return e ? { status: 200, json: model(e) } : NOT_FOUND;
  };
  /** By creation, newest first unless `orderDirection: Ascending` (Elsa's default: Created, Descending); zero-based pages only when both page and pageSize are given. */
  const list = (_: string[], raw: string): Reply => {
    const body = parseBody(raw);
    if (!body) return badRequest('Invalid request body.');
    const [correlationId, definitionId, page, pageSize] = ['correlationId', 'definitionId', 'page', 'pageSize'].map((k) => pick(body, k));
    const ids = pick(body, 'orderDirection') === 'Ascending' ? [...store.keys()] : [...store.keys()].reverse();
    const matching = ids
      .flatMap((id) => visible(id) ?? [])
      .filter((e) => correlationId == null || e.correlationId === correlationId)
      .filter((e) => definitionId == null || e.definitionId === definitionId);
    const paged = typeof page === 'number' && typeof pageSize === 'number' ? matching.slice(page * pageSize, (page + 1) * pageSize) : matching;
    return { status: 200, json: { items: paged.map(summary), totalCount: matching.length } };
  };
  /** Resumes only bookmarks of the named instance; nothing is said about whether anything happened. */
  const trigger = ([eventName = '']: string[], raw: string): Reply => {
    const body = parseBody(raw);
    if (!body) return badRequest('Invalid request body.');
    const instanceId = pick(body, 'workflowInstanceId');
    const e = typeof instanceId === 'string' ? visible(instanceId) : undefined;
    if (!e || TERMINAL.has(e.subStatus)) return OK;
    const input = pick(body, 'input');
    e.events.push(input === undefined ? { name: eventName } : { name: eventName, input });
    if (eventName === pauseEvent && !e.paused && (e.subStatus === 'Executing' || e.subStatus === 'Suspended')) move(e, 'Suspended', true);
    else if (eventName === resumeEvent && e.paused) move(e, 'Executing');
    return OK;
  };
  /** Always 200: Elsa dispatches the cancellation and discards whether it found anything (section 4.6). */
  const cancel = ([id = '']: string[]): Reply => {
    later(options.cancelLagMs ?? 0, () => {
      const e = visible(id);
      if (e && statusOf(e.subStatus) !== 'Finished') move(e, 'Cancelled');
    });
    return OK;
  };

  const segment = '([^/]+)';
  const routes: Route[] = [
    { method: 'POST', pattern: new RegExp(`^/workflow-definitions/${segment}/dispatch$`), permission: 'exec:workflow-definitions', handle: dispatch },
    { method: 'GET', pattern: new RegExp(`^/workflow-instances/${segment}/execution-state$`), permission: 'read:workflow-instances', handle: executionState },
    { method: 'GET', pattern: new RegExp(`^/workflow-instances/${segment}$`), permission: 'read:workflow-instances', handle: get },
    { method: 'POST', pattern: /^\/workflow-instances$/, permission: 'read:workflow-instances', handle: list },
    { method: 'POST', pattern: new RegExp(`^/events/${segment}/trigger$`), permission: 'trigger:event', handle: trigger },
    { method: 'POST', pattern: new RegExp(`^/cancel/workflow-instances/${segment}$`), permission: 'cancel:workflow-instances', handle: cancel },
  ];

  /** Section 2: only a header containing `ApiKey` reaches the key handler; everything else goes to JWT Bearer, which accepts nothing here. */
  const authenticate = (header: string | undefined): Reply | undefined => {
    if (!header?.includes('ApiKey')) return { status: 401, headers: { 'www-authenticate': 'Bearer' } };
    const [, scheme, key] = /^\s*(\S+)\s+(.*?)\s*$/.exec(header) ?? [];
    if (scheme?.toLowerCase() === 'apikey' && key === options.apiKey) return undefined;
    return { status: 401, headers: { 'www-authenticate': 'ApiKey realm="Elsa Workflows"' } };
  };
  /** Unmatched paths 404 before authentication, as ASP.NET only challenges on a matched endpoint. */
  const route = (method: string, url: string, authorization: string | undefined, body: string): Reply => {
    const path = url.split('?')[0] ?? '';
    if (!path.startsWith(`${prefix}/`)) return NOT_FOUND;
    const rest = path.slice(prefix.length);
    for (const r of routes) {
      const m = r.method === method ? r.pattern.exec(rest) : null;
      if (!m) continue;
      const denied = authenticate(authorization);
      if (denied) return denied;
      if (!permissions.includes('*') && !permissions.includes(r.permission)) return { status: 403 };
      return r.handle(m.slice(1).map(decodeURIComponent), body);
    }
    return NOT_FOUND;
  };
  const nextFault = (path: string): Fault | undefined => {
    const i = scheduled.findIndex((s) => !s.match || s.match.test(path));
    const s = scheduled[i];
    if (s) {
      if (--s.remaining <= 0) scheduled.splice(i, 1);
      return s.fault;
    }
    if (randomFaults && randomFaults.random() < randomFaults.p) {
      const { faults, random } = randomFaults;
      return faults[Math.floor(random() * faults.length)];
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = Buffer.concat(chunks).toString('utf8');
    const record = (status: number) => requests.push({ method, path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body, status });
    const fault = nextFault(path);
    if (fault === 'drop') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault === 'status400') {
      record(400);
      const refused = badRequest('The request was refused (injected).');
      res.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify(refused.json));
      return;
    }
    if (fault === 'status500' || fault === 'status503') {
      const status = fault === 'status500' ? 500 : 503;
      record(status);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 500 ? 'Internal Server Error' : 'Service Unavailable');
      return;
    }
    if (latencyMs > 0) await new Promise<void>((resolve) => later(latencyMs, resolve));
    const reply = route(method, path, req.headers.authorization, body);
    if (fault === 'appliedThen500') {
      record(500);
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      return;
    }
    if (fault === 'appliedThenDrop') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault === 'appliedLate') await new Promise<void>((resolve) => later(options.lateMs ?? 6_000, resolve));
    // A late answer whose caller gave up is recorded as dropped (0): applied, never heard.
    record(res.destroyed ? 0 : reply.status);
    if (res.destroyed) return;
    if (reply.json === undefined) {
      res.writeHead(reply.status, { 'content-length': '0', ...reply.headers }).end();
      return;
    }
    // JSON.stringify drops undefined fields: Elsa omits nulls.
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers }).end(JSON.stringify(reply.json));
  };

  // A bug in the stub answers 500 with its message rather than looking like an injected drop.
  const server = createServer(
    (req, res) => void handle(req, res).catch((err: unknown) => (res.headersSent ? req.socket.destroy() : res.writeHead(500).end(`elsa-stub: ${String(err)}`))),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!isAddress(address)) throw new Error('elsa-stub: no TCP address');
  const port = address.port;
  const view = ({ paused, createdMs, ...rest }: Entry): StubInstance => structuredClone(rest);

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    instance: (id) => {
      const e = store.get(id);
      return e && view(e);
    },
    instances: () => [...store.values()].map(view),
    finish: (id) => move(mustGet(id), 'Finished'),
    fault: (id, message) => {
      const e = mustGet(id);
      e.incidents.push({ message, timestamp: elsaTime(clock.now()) });
      move(e, 'Faulted');
    },
    setSubStatus: (id, s) => move(mustGet(id), s),
    failNext: (count, fault, match) => {
      if (count > 0) scheduled.push(match ? { remaining: count, fault, match } : { remaining: count, fault });
    },
    failRandomly: (p, random, faults = ['status500', 'status503', 'drop']) => {
      randomFaults = { p, random, faults };
    },
    latency: (ms) => {
      latencyMs = ms;
    },
    close: async () => {
      if (!server.listening) return;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
