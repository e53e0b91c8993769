import { type Caller, mayPerform } from '../domain/access';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { Session, SessionEvent, SessionReport } from '../domain/model';
import type { SessionResult, SessionStartResult, WorkflowEventResult } from '../domain/results';
import type { WorkflowReport } from '../domain/workflow-report';
import { ChangeSession } from './sessions/change-session';
import type { SessionContext } from './sessions/context';
import { DrainQueue, type DrainResult } from './sessions/drain-queue';
import { EngineCommands, type RedriveReport } from './sessions/engine-commands';
import { EngineFollowUp } from './sessions/engine-follow-up';
import { type QueuePosition, type QueueStatus, QueueViews } from './sessions/queue-views';
import { ReadSession } from './sessions/read-session';
import { Settle } from './sessions/settle';
import { StartSession, type StartSessionInput } from './sessions/start-session';
import { SweepDue } from './sessions/sweep-due';
import { Timeouts } from './sessions/timeouts';
import { RecordWorkflowEvent } from './sessions/workflow-reports';

export type { DrainResult, QueuePosition, QueueStatus, StartSessionInput };

export interface SessionServiceOptions extends SessionContext {
  /** How long an Idempotency-Key's answer is kept. */
  readonly idempotencyTtlHours?: number;
  /** Runs before each drain of the queue (serving running sessions that wait for a new mentor). */
  readonly beforeDrain?: () => Promise<unknown>;
}

/**
 * The session use cases, one file each under services/sessions/, put
 * together: what the handlers, the schedules and the other services call.
 * Every method is one use case; none decides anything itself.
 */
export class SessionService {
  private readonly starts: StartSession;
  private readonly changes: ChangeSession;
  private readonly reads: ReadSession;
  private readonly reports: RecordWorkflowEvent;
  private readonly queue: QueueViews;
  private readonly drains: DrainQueue;
  private readonly sweeper: SweepDue;
  private readonly settler: Settle;
  /** The engine commands' worker side: the minute schedule, the boot pass and a coordinator's re-drive call it. */
  readonly commands: EngineCommands;

  constructor(options: SessionServiceOptions) {
    this.commands = new EngineCommands(options);
    const engine = new EngineFollowUp(options, this.commands);
    const timeouts = new Timeouts(options, engine);
    this.drains = new DrainQueue(options, engine, timeouts, options.beforeDrain);
    this.settler = new Settle(options, timeouts, this.drains);
    this.queue = new QueueViews(options, this.settler);
    this.starts = new StartSession(options, engine, this.drains, this.queue, options.idempotencyTtlHours);
    this.changes = new ChangeSession(options, this.settler, engine, this.drains);
    this.reads = new ReadSession(options, this.settler);
    this.reports = new RecordWorkflowEvent(options, this.settler);
    this.sweeper = new SweepDue(options, timeouts, this.drains);
  }

  startSession(input: StartSessionInput, caller: Caller, idempotencyKey?: string): Promise<SessionStartResult> {
    return this.starts.start(input, caller, idempotencyKey);
  }

  pauseSession(id: string, input: { reason?: string; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.changes.change(id, caller, { operation: 'pause', ...input });
  }

  resumeSession(id: string, input: { notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.changes.change(id, caller, { operation: 'resume', ...input });
  }

  cancelSession(id: string, input: { reason: string; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.changes.change(id, caller, { operation: 'cancel', ...input });
  }

  completeSession(id: string, input: { report: SessionReport; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.changes.change(id, caller, { operation: 'complete', ...input });
  }

  failSession(id: string, input: { error: string; notes?: string }, caller: Caller): Promise<SessionResult> {
    return this.changes.change(id, caller, { operation: 'fail', ...input });
  }

  getSession(id: string, caller: Caller): Promise<Session> {
    return this.reads.session(id, caller);
  }

  /** The session and its audit log, in one read (two when a timeout had to be applied first). */
  getSessionDetails(id: string, caller: Caller): Promise<{ session: Session; events: SessionEvent[] }> {
    return this.reads.details(id, caller);
  }

  async getSessionEvents(id: string, caller: Caller): Promise<SessionEvent[]> {
    return (await this.reads.details(id, caller)).events;
  }

  recordWorkflowEvent(id: string, report: WorkflowReport, caller: Caller): Promise<WorkflowEventResult> {
    return this.reports.record(id, report, caller);
  }

  getQueueStatus(caller: Caller): Promise<QueueStatus> {
    return this.queue.status(caller);
  }

  getQueuePosition(id: string, caller: Caller): Promise<QueuePosition> {
    return this.queue.position(id, caller);
  }

  oldestQueuedWaitMs(): Promise<number> {
    return this.drains.oldestQueuedWaitMs();
  }

  drainQueue(): Promise<DrainResult> {
    return this.drains.drain();
  }

  /**
   * The worker's pass over engine commands: drives those due (with `all`,
   * every pending one: the boot pass, whose requests died with the previous
   * process), then drains the queue when a failed start freed slots.
   */
  async driveEngineCommands(options: { all?: boolean } = {}): Promise<RedriveReport> {
    const report = await this.commands.redriveDue(options);
    if (report.failed.length > 0) await this.drains.drain();
    return report;
  }

  sweepDue(): Promise<{ timedOut: string[]; checkInsMissed: string[] }> {
    return this.sweeper.sweep();
  }

  /**
   * A coordinator's re-drive of one session's engine side, now (its pending
   * command, or the target its status asks for); answers the session as it
   * then stands. Slots a failed start released are drained.
   */
  async redriveEngine(id: string, caller: Caller): Promise<Session> {
    if (!mayPerform(caller, 'redrive_engine')) throw new ForbiddenError('Only coordinators re-drive the workflow engine.');
    const result = await this.commands.redriveNow(id);
    if (result === undefined) throw new NotFoundError(`Session ${id} not found.`);
    if (result.released) await this.drains.drain();
    return result.session;
  }

  /** Applies the timeout of an overdue session (and drains what that freed); answers the session as it now stands. */
  settleDeadline(session: Session): Promise<Session> {
    return this.settler.settle(session);
  }
}
