import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { EventRecord, parseRecord, SessionRecord } from '../../shared/adapters/dynamodb/records';
import { replayStatus, type Session, type SessionEvent } from '../../shared/domain/session';
import type { SessionStatus } from '../../shared/domain/status';

/**
 * Whole-table checks for the stress test: the table is read directly (a
 * consistent Scan of the test's own table), and the invariants are computed
 * here from the raw items, independently of the store's own reads.
 */

export interface Limits {
  readonly junior: number;
  readonly mentor: number;
  readonly system: number;
  /** Every mentor in the directory (all covering the stories' skill area), for queued sessions that may get any of them. */
  readonly mentors?: readonly string[];
}

export interface Timeouts {
  readonly maxDurationMs: number;
  readonly pauseTimeoutMs: number;
  readonly queueTimeoutMs: number;
}

export interface Snapshot {
  /** Sessions by id, parsed. */
  readonly sessions: Map<string, Session>;
  /** The raw session items (with their index attributes). */
  readonly items: Map<string, Record<string, unknown>>;
  /** Events by session id, ordered by seq. */
  readonly events: Map<string, SessionEvent[]>;
  /** Counter items by pk (`COUNTER#junior#<id>`, `COUNTER#system`, ...). */
  readonly counters: Map<string, number>;
  /** Listing items by session id. */
  readonly listings: Map<string, Record<string, unknown>[]>;
  /** List counters by pk (`LISTCOUNT#J#<id>`, `LISTCOUNT#ALL#<shard>`, ...): sessions by status. */
  readonly listCounters: Map<string, Record<string, number>>;
  /** The embedded engine's instances (WORKFLOW# items), by instance id: their correlation id (the session id) and status. */
  readonly workflows: Map<string, { readonly correlationId: string; readonly status: string }>;
}

const OPEN: readonly SessionStatus[] = ['Active', 'Paused'];
const TERMINAL: readonly SessionStatus[] = ['Completed', 'Failed', 'Cancelled'];
export const isOpen = (status: SessionStatus) => OPEN.includes(status);
export const isTerminal = (status: SessionStatus) => TERMINAL.includes(status);

/** A consistent, paginated Scan of the whole table. */
export async function scanTable(db: DynamoDBDocumentClient, tableName: string): Promise<Snapshot> {
  const sessions = new Map<string, Session>();
  const items = new Map<string, Record<string, unknown>>();
  const events = new Map<string, SessionEvent[]>();
  const counters = new Map<string, number>();
  const listings = new Map<string, Record<string, unknown>[]>();
  const listCounters = new Map<string, Record<string, number>>();
  const workflows = new Map<string, { correlationId: string; status: string }>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      const pk = String(item.pk);
      const sk = String(item.sk);
      if (pk.startsWith('SESSION#') && sk === 'SESSION') {
        const session = parseRecord(SessionRecord, item, 'session');
        sessions.set(session.id, session);
        items.set(session.id, item);
      } else if (pk.startsWith('SESSION#') && sk.startsWith('EVENT#')) {
        const event = parseRecord(EventRecord, item, 'event');
        const id = pk.slice('SESSION#'.length);
        if (event.sessionId !== id) throw new Error(`event ${sk} in partition ${pk} names session ${event.sessionId}`);
        const list = events.get(id) ?? [];
        list.push(event);
        events.set(id, list);
      } else if (pk.startsWith('COUNTER#') && sk === 'COUNTER') {
        counters.set(pk, typeof item.count === 'number' ? item.count : Number.NaN);
      } else if (pk.startsWith('LISTING#')) {
        const id = pk.slice('LISTING#'.length);
        listings.set(id, [...(listings.get(id) ?? []), item]);
      } else if (pk.startsWith('WORKFLOW#')) {
        workflows.set(pk.slice('WORKFLOW#'.length), { correlationId: String(item.correlationId), status: String(item.status) });
      } else if (pk.startsWith('LISTCOUNT#')) {
        listCounters.set(pk, Object.fromEntries(Object.entries(item).filter((entry): entry is [string, number] => typeof entry[1] === 'number')));
      }
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  for (const list of events.values()) list.sort((a, b) => a.seq - b.seq);
  return { sessions, items, events, counters, listings, listCounters, workflows };
}

export interface Usage {
  readonly juniors: Map<string, number>;
  readonly mentors: Map<string, number>;
  system: number;
  queued: number;
}

/** Slots held, computed from the sessions themselves (not from the counters). */
export function usageOf(sessions: Iterable<{ juniorId: string; mentorId?: string; status: SessionStatus }>): Usage {
  const usage: Usage = { juniors: new Map(), mentors: new Map(), system: 0, queued: 0 };
  for (const s of sessions) {
    if (s.status === 'Queued') usage.queued += 1;
    if (!isOpen(s.status)) continue;
    usage.system += 1;
    usage.juniors.set(s.juniorId, (usage.juniors.get(s.juniorId) ?? 0) + 1);
    if (s.mentorId !== undefined) usage.mentors.set(s.mentorId, (usage.mentors.get(s.mentorId) ?? 0) + 1);
  }
  return usage;
}

/**
 * The limits that would refuse this session now. A queued session that named
 * a mentor without fallback waits for that mentor; one that may get anyone
 * (no mentor named, or fallback allowed) is held only when every mentor is full.
 */
export function blockers(s: Pick<Session, 'juniorId' | 'mentorId' | 'mentorRequest'>, usage: Usage, limits: Limits): string[] {
  const blocked: string[] = [];
  const full = (mentor: string) => (usage.mentors.get(mentor) ?? 0) >= limits.mentor;
  if ((usage.juniors.get(s.juniorId) ?? 0) >= limits.junior) blocked.push('junior');
  const requested = s.mentorRequest?.mentorId ?? s.mentorId;
  if (requested !== undefined && full(requested) && (s.mentorRequest?.fallbackToAuto !== true || (limits.mentors ?? []).every(full))) {
    blocked.push('mentor');
  } else if (requested === undefined && limits.mentors !== undefined && limits.mentors.every(full)) {
    blocked.push('mentor');
  }
  if (usage.system >= limits.system) blocked.push('system');
  return blocked;
}

/** FIFO key of a queued session: enqueue time, then id (what the queue index sorts by). */
export const queueKey = (s: Pick<Session, 'enqueuedAt' | 'createdAt' | 'id'>) => `${s.enqueuedAt ?? s.createdAt}#${s.id}`;

/** The session's deadline in ms, computed here from the spec's rules (not with the production helper). */
export function deadlineOf(s: Session, timeouts: Timeouts): number | undefined {
  switch (s.status) {
    case 'Queued':
      return s.enqueuedAt === undefined ? undefined : Date.parse(s.enqueuedAt) + timeouts.queueTimeoutMs;
    case 'Active':
      return s.activeSince === undefined ? undefined : Date.parse(s.activeSince) + timeouts.maxDurationMs - (s.activeMs ?? 0);
    case 'Paused':
      return s.pausedAt === undefined ? undefined : Date.parse(s.pausedAt) + timeouts.pauseTimeoutMs;
    default:
      return undefined;
  }
}

/** When an Active session's next check-in falls due: its check-in clock runs on active time (computed here, not with the production helper). */
export function checkInOf(s: Session): number | undefined {
  if (s.status !== 'Active' || s.activeSince === undefined || s.checkIn === undefined) return undefined;
  return Date.parse(s.activeSince) + s.checkIn.nextActiveMs - (s.activeMs ?? 0);
}

/** Queued sessions that could start now (no full limit holds them): after a drain there must be none. */
export function startableQueued(snapshot: Snapshot, limits: Limits): Session[] {
  const usage = usageOf(snapshot.sessions.values());
  return [...snapshot.sessions.values()]
    .filter((s) => s.status === 'Queued' && blockers(s, usage, limits).length === 0)
    .sort((a, b) => (queueKey(a) < queueKey(b) ? -1 : 1));
}

export interface CheckContext {
  readonly limits: Limits;
  readonly timeouts: Timeouts;
  /** Every session id the starts answered with. */
  readonly startedIds: readonly string[];
  readonly now: Date;
  /** The previous snapshot: terminal statuses and audit logs only grow. */
  readonly previous?: Snapshot;
  /** After a drain with no concurrent writer: no queued session may be startable. */
  readonly quiescent: boolean;
  /** Every deadline up to now has been applied (the step swept after its last time move). */
  readonly swept: boolean;
  /** Settings audit.retention_days (default 365). */
  readonly retentionDays?: number;
}

/** Every violation of the stress test's invariants in one snapshot; empty when all hold. */
export function checkSnapshot(snapshot: Snapshot, ctx: CheckContext): string[] {
  const violations: string[] = [];
  const { limits } = ctx;
  const sessions = [...snapshot.sessions.values()];
  const usage = usageOf(sessions);

  // (1) No limit exceeded.
  for (const [junior, n] of usage.juniors) if (n > limits.junior) violations.push(`(1) junior ${junior} holds ${n} open sessions > ${limits.junior}`);
  for (const [mentor, n] of usage.mentors) if (n > limits.mentor) violations.push(`(1) mentor ${mentor} holds ${n} open sessions > ${limits.mentor}`);
  if (usage.system > limits.system) violations.push(`(1) ${usage.system} open sessions system-wide > ${limits.system}`);

  // (2) Every counter equals the sessions it covers (a missing counter is 0).
  const expectedCounters = new Map<string, number>([
    ['COUNTER#system', usage.system],
    ['COUNTER#queue', usage.queued],
  ]);
  for (const [junior, n] of usage.juniors) expectedCounters.set(`COUNTER#junior#${encodeURIComponent(junior)}`, n);
  for (const [mentor, n] of usage.mentors) expectedCounters.set(`COUNTER#mentor#${encodeURIComponent(mentor)}`, n);
  for (const pk of new Set([...expectedCounters.keys(), ...snapshot.counters.keys()])) {
    const stored = snapshot.counters.get(pk) ?? 0;
    const expected = expectedCounters.get(pk) ?? 0;
    if (stored !== expected) violations.push(`(2) ${pk} = ${stored}, but ${expected} sessions hold it`);
  }

  // (3) Every audit log is gap-free and replays to its session's status; logs only grow.
  for (const s of sessions) {
    const events = snapshot.events.get(s.id) ?? [];
    const seqs = events.map((e) => e.seq);
    if (!seqs.every((seq, i) => seq === i + 1)) violations.push(`(3) ${s.id}: event seqs ${seqs.join(',')} are not 1..${events.length}`);
    if (s.eventCount !== events.length) violations.push(`(3) ${s.id}: eventCount ${s.eventCount} but ${events.length} events stored`);
    let replayed: SessionStatus | undefined;
    try {
      replayed = replayStatus(events);
    } catch (error) {
      violations.push(`(3) ${s.id}: log does not replay: ${(error as Error).message} [${events.map((e) => e.type).join(' > ')}]`);
      continue;
    }
    if (replayed !== s.status)
      violations.push(`(3) ${s.id}: log replays to ${String(replayed)} but the session is ${s.status} [${events.map((e) => e.type).join(' > ')}]`);
    const before = ctx.previous?.events.get(s.id) ?? [];
    const rewritten = before.findIndex((e, i) => events[i]?.type !== e.type || events[i]?.recordedAt !== e.recordedAt);
    if (rewritten >= 0) violations.push(`(3) ${s.id}: event ${rewritten + 1} was rewritten or removed since the previous step`);
    const was = ctx.previous?.sessions.get(s.id);
    if (was !== undefined && isTerminal(was.status) && was.status !== s.status) violations.push(`(3) ${s.id}: terminal ${was.status} became ${s.status}`);
  }
  for (const id of snapshot.events.keys()) if (!snapshot.sessions.has(id)) violations.push(`(3) events stored for a session that does not exist: ${id}`);

  // (4) No session lost: every answered id exists, nothing else does, and each sits in exactly the indexes of its status.
  for (const id of ctx.startedIds) if (!snapshot.sessions.has(id)) violations.push(`(4) session ${id} returned by a start is missing`);
  if (snapshot.sessions.size !== ctx.startedIds.length) violations.push(`(4) ${snapshot.sessions.size} sessions stored for ${ctx.startedIds.length} starts`);
  for (const s of sessions) {
    const item = snapshot.items.get(s.id)!;
    const inQueue = item.queuePk === 'QUEUE';
    if (inQueue !== (s.status === 'Queued')) violations.push(`(4) ${s.id} is ${s.status} but ${inQueue ? 'is' : 'is not'} in the queue index`);
    if (inQueue && item.queueSk !== queueKey(s)) violations.push(`(4) ${s.id}: queueSk ${String(item.queueSk)} is not ${queueKey(s)}`);
    const awaiting = item.queuePk === 'REASSIGN';
    if (awaiting !== (isOpen(s.status) && s.awaitingMentorSince !== undefined)) {
      violations.push(`(4) ${s.id} (${s.status}) is ${awaiting ? '' : 'not '}in the reassignment wait list`);
    }
    const inOpen = item.openPk === 'OPEN';
    if (inOpen !== isOpen(s.status)) violations.push(`(4) ${s.id} is ${s.status} but ${inOpen ? 'is' : 'is not'} in the open index`);
    // Ended sessions whose engine instance has not followed yet (a sync mark, or a pending stop command) wait under SYNC.
    const inSync = item.openPk === 'SYNC';
    const notFollowed = s.engineSync !== undefined || s.engineCommand !== undefined;
    if (inSync !== (!isOpen(s.status) && notFollowed)) {
      violations.push(
        `(4) ${s.id} (${s.status}, engineSync ${s.engineSync ? 'set' : 'unset'}, engineCommand ${s.engineCommand ? 'set' : 'unset'}) is ${inSync ? '' : 'not '}in the SYNC partition of the open index`,
      );
    }
    const deadline = deadlineOf(s, ctx.timeouts);
    const checkIn = checkInOf(s);
    const due = [deadline, checkIn].filter((t): t is number => t !== undefined);
    // A terminal session (not under a legal hold) sits in the due index by its expiry instead, and carries its TTL.
    const expiry =
      isTerminal(s.status) && s.endedAt !== undefined && s.legalHold === undefined ? Date.parse(s.endedAt) + (ctx.retentionDays ?? 365) * 86_400_000 : undefined;
    const dueSk =
      expiry !== undefined ? `${new Date(expiry).toISOString()}#${s.id}` : due.length === 0 ? undefined : `${new Date(Math.min(...due)).toISOString()}#${s.id}`;
    if (item.dueSk !== dueSk) violations.push(`(4) ${s.id} (${s.status}): dueSk ${String(item.dueSk)}, expected ${String(dueSk)}`);
    const ttl = expiry === undefined ? undefined : Math.floor(expiry / 1000);
    if (item.ttl !== ttl) violations.push(`(4) ${s.id} (${s.status}): ttl ${String(item.ttl)}, expected ${String(ttl)}`);
  }

  // (4b) Every ended session is in exactly the list partitions of its junior, story, mentor and status (a running or
  // queued one in none), and the list counters count exactly the ended sessions in each partition by status.
  const enc = (value: string) => encodeURIComponent(value);
  const expectedListCounts = new Map<string, Record<string, number>>();
  const countIn = (pk: string, status: string) => {
    const counts = expectedListCounts.get(pk) ?? {};
    counts[status] = (counts[status] ?? 0) + 1;
    expectedListCounts.set(pk, counts);
  };
  for (const s of sessions) {
    const partitions = isTerminal(s.status)
      ? ['ALL', `ALL#${s.status}`, `J#${enc(s.juniorId)}`, `S#${enc(s.storyId)}`, ...(s.mentorId === undefined ? [] : [`M#${enc(s.mentorId)}`])]
      : [];
    const stored = snapshot.listings.get(s.id) ?? [];
    const storedPartitions = stored.map((entry) => String(entry.listPk)).sort();
    if (JSON.stringify(storedPartitions) !== JSON.stringify([...partitions].sort())) {
      violations.push(
        `(4b) ${s.id} (${s.status}, mentor ${String(s.mentorId)}): listed in [${storedPartitions.join(', ')}], expected [${[...partitions].sort().join(', ')}]`,
      );
    }
    for (const entry of stored) {
      if (entry.status !== s.status || entry.mentorId !== s.mentorId) {
        violations.push(
          `(4b) ${s.id}: listing ${String(entry.listPk)} says ${String(entry.status)}/${String(entry.mentorId)}, session is ${s.status}/${String(s.mentorId)}`,
        );
      }
    }
    for (const partition of partitions.filter((p) => !p.startsWith('ALL'))) countIn(`LISTCOUNT#${partition}`, s.status);
    if (partitions.length > 0) countIn('LISTCOUNT#ALL', s.status);
  }
  const storedListCounts = new Map<string, Record<string, number>>();
  for (const [pk, counts] of snapshot.listCounters) {
    const key = pk.startsWith('LISTCOUNT#ALL#') ? 'LISTCOUNT#ALL' : pk;
    const total = storedListCounts.get(key) ?? {};
    for (const [status, n] of Object.entries(counts)) if (n !== 0) total[status] = (total[status] ?? 0) + n;
    storedListCounts.set(key, total);
  }
  for (const pk of new Set([...expectedListCounts.keys(), ...storedListCounts.keys()])) {
    const want = JSON.stringify(Object.entries(expectedListCounts.get(pk) ?? {}).sort());
    const got = JSON.stringify(
      Object.entries(storedListCounts.get(pk) ?? {})
        .filter(([, n]) => n !== 0)
        .sort(),
    );
    if (want !== got) violations.push(`(4b) list counter ${pk} holds ${got}, the sessions say ${want}`);
  }

  // (5) None started twice; every session that ever ran started exactly once.
  for (const s of sessions) {
    const events = snapshot.events.get(s.id) ?? [];
    const starts = events.filter((e) => e.type === 'session_started' || e.type === 'session_dequeued');
    if (starts.length > 1) violations.push(`(5) ${s.id} started ${starts.length} times: ${starts.map((e) => `${e.type}@${e.seq}`).join(', ')}`);
    const ran = s.status === 'Active' || s.status === 'Paused' || s.status === 'Completed' || s.startedAt !== undefined;
    if (ran && starts.length !== 1) violations.push(`(5) ${s.id} is ${s.status} (startedAt ${String(s.startedAt)}) with ${starts.length} start events`);
  }

  // (6a) Nothing startable left waiting once the queue has been drained with no concurrent writer.
  if (ctx.quiescent) {
    for (const s of startableQueued(snapshot, limits)) {
      violations.push(
        `(6a) ${s.id} (junior ${s.juniorId}, mentor ${String(s.mentorId)}, enqueued ${String(s.enqueuedAt)}) is Queued but no limit holds it: ` +
          `junior ${usage.juniors.get(s.juniorId) ?? 0}/${limits.junior}, mentor ${s.mentorId === undefined ? '-' : (usage.mentors.get(s.mentorId) ?? 0)}/${limits.mentor}, system ${usage.system}/${limits.system}`,
      );
    }
  }

  // (7) After a sweep, no session is past its deadline and still Queued, Active or Paused.
  if (ctx.swept) {
    for (const s of sessions) {
      const deadline = deadlineOf(s, ctx.timeouts);
      if (deadline !== undefined && deadline <= ctx.now.getTime()) {
        violations.push(`(7) ${s.id} is ${s.status} past its deadline ${new Date(deadline).toISOString()} (now ${ctx.now.toISOString()})`);
      }
      // And no missed check-in is left unrecorded.
      const checkIn = checkInOf(s);
      if (checkIn !== undefined && checkIn <= ctx.now.getTime()) {
        violations.push(`(7) ${s.id} has a check-in due at ${new Date(checkIn).toISOString()} not recorded by the sweep (now ${ctx.now.toISOString()})`);
      }
    }
  }
  return violations;
}

/** A session as the queue model sees it. */
export interface ModelSession {
  readonly id: string;
  readonly juniorId: string;
  readonly mentorId?: string;
  status: SessionStatus;
  readonly queueKey: string;
  /** ms; Infinity once the model changed the session (nothing it does in a step becomes due in that step). */
  deadline: number;
  timedOut: boolean;
}

/**
 * A pure model of the queue with no concurrency: FIFO by enqueue time; a
 * session whose junior or mentor is full is skipped, not waited on; a full
 * system stops the drain; an overdue candidate is timed out, never started.
 * Used to predict exactly what a change made with no concurrent writer does.
 */
export class QueueModel {
  readonly sessions = new Map<string, ModelSession>();

  constructor(
    snapshot: Snapshot,
    private readonly limits: Limits,
    timeouts: Timeouts,
  ) {
    for (const s of snapshot.sessions.values()) {
      this.sessions.set(s.id, {
        id: s.id,
        juniorId: s.juniorId,
        ...(s.mentorId === undefined ? {} : { mentorId: s.mentorId }),
        status: s.status,
        queueKey: queueKey(s),
        deadline: deadlineOf(s, timeouts) ?? Number.POSITIVE_INFINITY,
        timedOut: false,
      });
    }
  }

  private get(id: string): ModelSession {
    const s = this.sessions.get(id);
    if (s === undefined) throw new Error(`model: no session ${id}`);
    return s;
  }

  private move(s: ModelSession, to: SessionStatus) {
    s.status = to;
    s.deadline = Number.POSITIVE_INFINITY;
  }

  /** Complete or cancel: a release is followed by a drain. */
  end(id: string, to: 'Completed' | 'Cancelled', now: number): string[] {
    const s = this.get(id);
    const released = isOpen(s.status);
    this.move(s, to);
    return released ? this.drain(now) : [];
  }

  pause(id: string) {
    this.move(this.get(id), 'Paused');
  }

  resume(id: string) {
    this.move(this.get(id), 'Active');
  }

  /** Starts queued sessions in FIFO order while slots allow; answers the ids started, in order. */
  drain(now: number): string[] {
    const started: string[] = [];
    const usage = usageOf(this.sessions.values());
    const queue = [...this.sessions.values()].filter((s) => s.status === 'Queued').sort((a, b) => (a.queueKey < b.queueKey ? -1 : 1));
    for (const c of queue) {
      if (usage.system >= this.limits.system) break;
      if (blockers(c, usage, this.limits).length > 0) continue;
      if (c.deadline <= now) {
        this.move(c, 'Cancelled');
        c.timedOut = true;
        continue;
      }
      this.move(c, 'Active');
      started.push(c.id);
      usage.system += 1;
      usage.juniors.set(c.juniorId, (usage.juniors.get(c.juniorId) ?? 0) + 1);
      if (c.mentorId !== undefined) usage.mentors.set(c.mentorId, (usage.mentors.get(c.mentorId) ?? 0) + 1);
    }
    return started;
  }

  /** Times out every due session in due-index order (deadline, id), draining after each release, then once more. */
  sweep(now: number): void {
    const iso = (ms: number) => new Date(ms).toISOString();
    const due = [...this.sessions.values()]
      .filter((s) => !isTerminal(s.status) && s.deadline <= now)
      .sort((a, b) => (`${iso(a.deadline)}#${a.id}` < `${iso(b.deadline)}#${b.id}` ? -1 : 1));
    for (const s of due) {
      if (isTerminal(s.status)) continue;
      const released = isOpen(s.status);
      this.move(s, 'Cancelled');
      s.timedOut = true;
      if (released) this.drain(now);
    }
    if (due.length > 0) this.drain(now);
  }

  /** Where the model and the table disagree on a status. */
  differences(snapshot: Snapshot): string[] {
    const out: string[] = [];
    for (const m of this.sessions.values()) {
      const actual = snapshot.sessions.get(m.id);
      if (actual === undefined) continue;
      if (actual.status !== m.status) {
        out.push(`${m.id} (junior ${m.juniorId}, mentor ${String(m.mentorId)}, queue ${m.queueKey}) is ${actual.status}, the FIFO model says ${m.status}`);
        continue;
      }
      if (m.timedOut) {
        const last = snapshot.events.get(m.id)?.at(-1);
        if (last?.type !== 'session_timed_out' || actual.cancelReason !== 'timeout') {
          out.push(`${m.id} should have timed out, but its last event is ${String(last?.type)} (reason ${String(actual.cancelReason)})`);
        }
      }
    }
    return out;
  }
}
