import { WorkflowEngineError } from '../../domain/errors';
import type { StartWorkflowInput, WorkflowEngine, WorkflowInstanceStatus } from '../../ports/workflow-engine';

/**
 * Elsa Workflows 3 over HTTPS (contract: docs/elsa/elsa-3-http-contract.md; what the workflow must contain: docs/engines.md).
 *
 * Elsa 3 has no per-instance suspend, so pause and resume are cooperative: the
 * adapter triggers named events for the instance and the workflow must wait on
 * them (docs/engines.md, "Elsa 3"; a sample in docs/elsa/). Cancel answers 200 whatever happens, so it
 * is confirmed through the execution state. Network errors, timeouts and 5xx
 * are retried with capped, jittered exponential backoff; 4xx never are.
 */
export interface ElsaEngineOptions {
  /** `https://elsa.example.com` (no prefix). */
  readonly baseUrl: string;
  /** The API's route prefix. Default `/elsa/api`. */
  readonly prefix?: string;
  /** Sent as `Authorization: ApiKey <key>`; Elsa routes on the exact, case-sensitive word `ApiKey`. */
  readonly apiKey: string;
  /** The mentorship workflow definition dispatched for each session. */
  readonly definitionId: string;
  /** Which version of the definition to start. Default `Published`. */
  readonly versionOptions?: string;
  /** Event names the workflow waits on. Defaults `mentorship.pause`, `mentorship.resume`, `mentorship.config`. */
  readonly events?: Partial<ElsaEventNames>;
  /** Per request. Default 5,000 ms. */
  readonly timeoutMs?: number;
  /** Attempts per call (first try included) and the backoff bounds. Defaults 3, 100 ms, 2,000 ms. */
  readonly retry?: { readonly attempts?: number; readonly baseDelayMs?: number; readonly maxDelayMs?: number };
  /** How often and how far apart a cancel is checked through the execution state. Defaults 5, 200 ms. */
  readonly cancelConfirm?: { readonly checks?: number; readonly intervalMs?: number };
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface ElsaEventNames {
  readonly pause: string;
  readonly resume: string;
  readonly config: string;
}

export const DEFAULT_ELSA_EVENTS: ElsaEventNames = { pause: 'mentorship.pause', resume: 'mentorship.resume', config: 'mentorship.config' };

/** How a call to Elsa failed: the typed part of a WorkflowEngineError from this adapter (`details.failure`). */
export type ElsaFailure = 'timeout' | 'network' | 'server_error' | 'unauthorized' | 'forbidden' | 'not_found' | 'rejected' | 'bad_response' | 'unconfirmed';

type SubStatus = 'Pending' | 'Executing' | 'Suspended' | 'Finished' | 'Cancelled' | 'Faulted';

const STATUS_OF_SUB_STATUS: Record<SubStatus, WorkflowInstanceStatus> = {
  Pending: 'Running',
  Executing: 'Running',
  Suspended: 'Suspended',
  Finished: 'Finished',
  Cancelled: 'Cancelled',
  Faulted: 'Faulted',
};

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A failure worth another attempt: the request may not have reached Elsa, or Elsa failed on its side. */
class Transient extends Error {
  constructor(
    readonly failure: ElsaFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class ElsaWorkflowEngine implements WorkflowEngine {
  readonly name = 'elsa';
  /** `status` reads the instance's bookmarks when Elsa says Suspended: waiting on the resume event is a pause. */
  readonly reportsPause = true;
  private readonly root: string;
  private readonly events: ElsaEventNames;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly confirmChecks: number;
  private readonly confirmIntervalMs: number;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: ElsaEngineOptions) {
    const prefix = `/${(options.prefix ?? '/elsa/api').replace(/^\/+|\/+$/g, '')}`;
    this.root = `${options.baseUrl.replace(/\/+$/, '')}${prefix === '/' ? '' : prefix}`;
    this.events = { ...DEFAULT_ELSA_EVENTS, ...options.events };
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.attempts = Math.max(1, options.retry?.attempts ?? 3);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 2_000;
    this.confirmChecks = Math.max(1, options.cancelConfirm?.checks ?? 5);
    this.confirmIntervalMs = options.cancelConfirm?.intervalMs ?? 200;
    this.fetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Dispatches the definition with the session id as correlation id. Elsa does
   * not de-duplicate dispatches, so before trying again after a failure that
   * may have reached it, the adapter looks the correlation id up and takes the
   * instance it finds.
   */
  async start({ correlationId, input }: StartWorkflowInput): Promise<{ instanceId: string }> {
    const path = `/workflow-definitions/${encodeURIComponent(this.options.definitionId)}/dispatch`;
    const body = { correlationId, input, versionOptions: this.options.versionOptions ?? 'Published' };
    const answer = await this.withRetries('start', async (attempt) => {
      if (attempt > 1) {
        // A lookup that fails is retried like the dispatch itself: dispatching blind could start a second instance.
        const existing = await this.findOnce(correlationId);
        if (existing !== undefined) return { status: 200, body: JSON.stringify({ workflowInstanceId: existing }) };
      }
      return this.once('POST', path, body);
    });
    this.expectOk('start', answer);
    const instanceId = parseJson(answer.body)?.workflowInstanceId;
    if (typeof instanceId !== 'string' || instanceId === '') {
      throw this.failed('start', 'bad_response', 'Elsa answered the dispatch without a workflowInstanceId', { status: answer.status });
    }
    return { instanceId };
  }

  /** The oldest instance Elsa holds for the correlation id (the session id), if any. */
  async findByCorrelation(correlationId: string): Promise<string | undefined> {
    let found: string | undefined;
    await this.withRetries('findByCorrelation', async () => {
      found = await this.findOnce(correlationId);
      return { status: 200, body: '' };
    });
    return found;
  }

  /**
   * Cooperative: triggers the pause event the workflow waits on. Convergent: an
   * instance already waiting on the resume event (paused) is left alone, so a
   * pause sent again never queues a second one in Elsa's bookmark queue.
   */
  async suspend(instanceId: string): Promise<void> {
    if ((await this.pauseState('suspend', instanceId)) === 'paused') return;
    await this.trigger('suspend', this.events.pause, instanceId, {}, async () => (await this.pauseState('suspend', instanceId)) === 'paused');
  }

  /** Triggers the resume event; an instance not waiting on it (running, or not there yet) is left alone unless it is still starting. */
  async resume(instanceId: string): Promise<void> {
    if ((await this.pauseState('resume', instanceId)) === 'running') return;
    await this.trigger('resume', this.events.resume, instanceId, {}, async () => (await this.pauseState('resume', instanceId)) === 'running');
  }

  updateConfig(instanceId: string, config: Readonly<Record<string, unknown>>): Promise<void> {
    return this.trigger('updateConfig', this.events.config, instanceId, { config });
  }

  /**
   * Asks Elsa to cancel, then reads the execution state until the instance has
   * ended. Elsa answers 200 even for an unknown id, and drops a cancel for a
   * dispatched instance it has not stored yet, so the cancel is sent again
   * (it is idempotent) while the instance has not ended; an instance still
   * running after the last check is a failure (`unconfirmed`).
   */
  async cancel(instanceId: string): Promise<void> {
    const path = `/cancel/workflow-instances/${encodeURIComponent(instanceId)}`;
    let last: WorkflowInstanceStatus = 'NotFound';
    for (let check = 1; check <= this.confirmChecks; check += 1) {
      this.expectOk('cancel', await this.withRetries('cancel', () => this.once('POST', path)));
      await this.sleep(this.confirmIntervalMs); // Elsa applies a cancel asynchronously.
      last = await this.status(instanceId);
      if (last === 'Cancelled' || last === 'Finished' || last === 'Faulted') return;
    }
    throw this.failed('cancel', 'unconfirmed', `Elsa did not confirm the cancel of instance ${instanceId} (still ${last})`, { instanceId, lastStatus: last });
  }

  /**
   * The execution state (sub-status; status is derived from it); 404 is
   * `NotFound`. Elsa says Suspended for any wait, so a Suspended instance is
   * only reported Suspended (paused) when it waits on the resume event.
   */
  async status(instanceId: string): Promise<WorkflowInstanceStatus> {
    const answer = await this.withRetries('status', () => this.once('GET', `/workflow-instances/${encodeURIComponent(instanceId)}/execution-state`));
    if (answer.status === 404) return 'NotFound';
    this.expectOk('status', answer);
    const subStatus = parseJson(answer.body)?.subStatus;
    const status = typeof subStatus === 'string' ? STATUS_OF_SUB_STATUS[subStatus as SubStatus] : undefined;
    if (status === undefined) {
      throw this.failed('status', 'bad_response', `Elsa answered an unknown sub-status ${JSON.stringify(subStatus)}`, { instanceId });
    }
    if (status !== 'Suspended') return status;
    return (await this.pauseState('status', instanceId)) === 'paused' ? 'Suspended' : 'Running';
  }

  /** Paused when the instance has a bookmark on the resume event; running when it has none (or only others); unknown when Elsa does not show it yet. */
  private async pauseState(operation: string, instanceId: string): Promise<'paused' | 'running' | 'unknown'> {
    const answer = await this.withRetries(operation, () => this.once('GET', `/workflow-instances/${encodeURIComponent(instanceId)}`));
    if (answer.status === 404) return 'unknown';
    this.expectOk(operation, answer);
    const bookmarks: unknown = parseJson(answer.body)?.workflowState?.bookmarks;
    if (!Array.isArray(bookmarks)) return 'unknown';
    const waitsOn = (event: string) => bookmarks.some((bookmark: { payload?: { eventName?: unknown } }) => bookmark?.payload?.eventName === event);
    if (waitsOn(this.events.resume)) return 'paused';
    return bookmarks.length > 0 || waitsOn(this.events.pause) ? 'running' : 'unknown';
  }

  /** The incidents of a faulted instance (`GET .../workflow-instances/{id}`), for the session's failure context. */
  async faultOf(instanceId: string): Promise<string | undefined> {
    const answer = await this.withRetries('faultOf', () => this.once('GET', `/workflow-instances/${encodeURIComponent(instanceId)}`));
    if (answer.status === 404) return undefined;
    this.expectOk('faultOf', answer);
    const incidents: unknown = parseJson(answer.body)?.workflowState?.incidents;
    if (!Array.isArray(incidents)) return undefined;
    const messages = incidents
      .map((incident: { activityId?: unknown; message?: unknown }) =>
        typeof incident?.message === 'string' ? `${typeof incident.activityId === 'string' ? `${incident.activityId}: ` : ''}${incident.message}` : undefined,
      )
      .filter((message): message is string => message !== undefined);
    return messages.length === 0 ? undefined : messages.slice(0, 3).join('; ').slice(0, 500);
  }

  /**
   * Triggers an event for one instance. A retry after a failure that may have
   * reached Elsa first asks `landed` whether the first try already did the work
   * (it is not triggered twice: Elsa would queue the second one).
   */
  private async trigger(operation: string, eventName: string, instanceId: string, input: Record<string, unknown> = {}, landed?: () => Promise<boolean>): Promise<void> {
    // Always with the instance id: without one, Elsa would also start new instances listening for the event.
    const answer = await this.withRetries(operation, async (attempt) => {
      if (attempt > 1 && landed !== undefined && (await landed())) return { status: 200, body: '' };
      return this.once('POST', `/events/${encodeURIComponent(eventName)}/trigger`, { workflowInstanceId: instanceId, input });
    });
    this.expectOk(operation, answer);
  }

  /** The oldest instance Elsa holds for the correlation id; a failed lookup throws (Transient on 5xx and network errors). */
  private async findOnce(correlationId: string): Promise<string | undefined> {
    const answer = await this.once('POST', '/workflow-instances', { correlationId, orderBy: 'Created', orderDirection: 'Ascending', page: 0, pageSize: 1 });
    this.expectOk('start', answer);
    const first = parseJson(answer.body)?.items?.[0]?.id;
    return typeof first === 'string' ? first : undefined;
  }

  /** Runs `call` until it answers or fails for good; transient failures are retried with full-jitter backoff. */
  private async withRetries(operation: string, call: (attempt: number) => Promise<Answer>): Promise<Answer> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call(attempt);
      } catch (error) {
        if (!(error instanceof Transient)) throw error;
        if (attempt >= this.attempts) {
          throw this.failed(operation, error.failure, `${error.message} (after ${attempt} attempts)`, {
            attempts: attempt,
            ...(error.status !== undefined && { status: error.status }),
          });
        }
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * cap));
      }
    }
  }

  /** One HTTP request; a 5xx, a timeout or a network error throws Transient. */
  private async once(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    let response: Response;
    try {
      response = await this.fetch(`${this.root}${path}`, {
        method,
        headers: {
          Authorization: `ApiKey ${this.options.apiKey}`,
          Accept: 'application/json',
          ...(body !== undefined && { 'Content-Type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // By name: the DOMException may come from another realm than this module's Error.
      const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      throw new Transient(timedOut ? 'timeout' : 'network', timedOut ? `Elsa did not answer within ${this.timeoutMs} ms` : 'Elsa could not be reached');
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new Transient('network', 'the connection to Elsa broke during the answer');
    }
    if (response.status >= 500) throw new Transient('server_error', `Elsa answered ${response.status}`, response.status);
    return { status: response.status, body: text };
  }

  /** 200 goes on; every other answer becomes a typed failure with the status and Elsa's own messages. */
  private expectOk(operation: string, answer: Answer): void {
    if (answer.status >= 200 && answer.status < 300) return;
    const [failure, explanation]: [ElsaFailure, string] =
      answer.status === 401
        ? ['unauthorized', 'Elsa refused the API key (401)']
        : answer.status === 403
          ? ['forbidden', 'the API key lacks the permission for this call (403)']
          : answer.status === 404
            ? ['not_found', operation === 'start' ? `Elsa has no published definition ${this.options.definitionId} (404)` : 'Elsa does not know it (404)']
            : ['rejected', `Elsa refused the request (${answer.status})`];
    const reasons = errorMessages(answer.body);
    const message = reasons.length === 0 ? explanation : `${explanation}: ${reasons.join('; ')}`;
    throw this.failed(operation, failure, message, { status: answer.status });
  }

  private failed(operation: string, failure: ElsaFailure, message: string, details: Record<string, unknown> = {}): WorkflowEngineError {
    return new WorkflowEngineError(`Elsa could not ${describe(operation)}: ${message}.`, {
      details: { engine: 'elsa', operation, failure, ...details },
    });
  }
}

function describe(operation: string): string {
  if (operation === 'updateConfig') return 'update the config';
  if (operation === 'faultOf') return 'read the workflow instance';
  return `${operation} the workflow`;
}

// biome-ignore lint/suspicious/noExplicitAny: Elsa's answers are read field by field, each checked where it is used.
function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The messages of FastEndpoints' 400 envelope (`errors` by field; the general key's casing varies). */
function errorMessages(body: string): string[] {
  const errors = parseJson(body)?.errors;
  if (typeof errors !== 'object' || errors === null) return [];
  return Object.values(errors)
    .flatMap((messages) => (Array.isArray(messages) ? messages : [messages]))
    .filter((message): message is string => typeof message === 'string')
    .slice(0, 5);
}
