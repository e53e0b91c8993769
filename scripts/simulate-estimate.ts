/**
 * A discrete-event simulation of the queue, to measure the wait estimate's
 * error. Sessions arrive at random, need a junior slot (1 each) and a system
 * slot, run for a random active time, and are started oldest-first with
 * blocked sessions skipped, as the service does. Each queued session gets the
 * same estimate the service computes (shared/domain/estimate.ts) from the
 * same inputs: the mean of completed durations so far, the holders' active
 * time, and the sessions ahead. Its actual wait is recorded when it starts.
 */
import { type BlockingScope, estimateWaitMs } from '../shared/domain/estimate';
import { mulberry32 } from '../test/support/random';

export interface SimulationOptions {
  readonly seed: number;
  readonly sessions: number;
  readonly systemSlots: number;
  readonly juniors: number;
  /** Mean active duration, minutes. */
  readonly meanMinutes: number;
  /** Mean minutes between arrivals. */
  readonly arrivalMinutes: number;
}

export interface SimulationResult {
  readonly queued: number;
  readonly meanAbsoluteErrorMinutes: number;
  readonly medianAbsoluteErrorMinutes: number;
  readonly meanWaitMinutes: number;
  /** The same error for a naive estimate (position x mean / slots), for scale. */
  readonly naiveMeanAbsoluteErrorMinutes: number;
}

interface Sim {
  id: number;
  junior: number;
  arrival: number;
  duration: number;
  startedAt?: number;
  endsAt?: number;
  estimate?: number;
  naive?: number;
}

export function simulateEstimate(options: SimulationOptions): SimulationResult {
  const random = mulberry32(options.seed);
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  // Log-normal active durations with the given mean (sigma 0.6).
  const sigma = 0.6;
  const mu = Math.log(options.meanMinutes) - (sigma * sigma) / 2;
  const duration = () => {
    const u = 1 - random();
    const v = random();
    return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };

  const sessions: Sim[] = [];
  let t = 0;
  for (let i = 0; i < options.sessions; i += 1) {
    t += exp(options.arrivalMinutes);
    sessions.push({ id: i, junior: Math.floor(random() * options.juniors), arrival: t, duration: duration() });
  }

  const running: Sim[] = [];
  const queue: Sim[] = [];
  const completed: number[] = [];
  const meanObserved = () => (completed.length === 0 ? options.meanMinutes * 2 : completed.reduce((a, b) => a + b, 0) / completed.length);
  const juniorBusy = (junior: number) => running.some((s) => s.junior === junior);

  const drain = (now: number) => {
    for (const candidate of [...queue]) {
      if (running.length >= options.systemSlots) return;
      if (juniorBusy(candidate.junior)) continue;
      queue.splice(queue.indexOf(candidate), 1);
      candidate.startedAt = now;
      candidate.endsAt = now + candidate.duration;
      running.push(candidate);
    }
  };

  const estimateFor = (session: Sim, now: number): number => {
    const ahead = queue.slice(0, queue.indexOf(session));
    const blocking: Partial<Record<'junior' | 'system', BlockingScope>> = {};
    const mean = meanObserved();
    if (running.length >= options.systemSlots) {
      blocking.system = { capacity: options.systemSlots, ahead: ahead.length, holdersActiveMs: running.map((s) => (now - s.startedAt!) * 60_000) };
    }
    if (juniorBusy(session.junior)) {
      blocking.junior = {
        capacity: 1,
        ahead: ahead.filter((s) => s.junior === session.junior).length,
        holdersActiveMs: running.filter((s) => s.junior === session.junior).map((s) => (now - s.startedAt!) * 60_000),
      };
    }
    return estimateWaitMs({ meanActiveMs: mean * 60_000, blocking }) / 60_000;
  };

  // Events in time order: arrivals and completions.
  let next = 0;
  for (;;) {
    const nextArrival = sessions[next]?.arrival ?? Infinity;
    const nextEnd = Math.min(...running.map((s) => s.endsAt!), Infinity);
    if (nextArrival === Infinity && nextEnd === Infinity) break;
    if (nextEnd <= nextArrival) {
      const done = running.find((s) => s.endsAt === nextEnd)!;
      running.splice(running.indexOf(done), 1);
      completed.push(done.duration);
      drain(nextEnd);
    } else {
      const arriving = sessions[next++]!;
      const startsNow = queue.length === 0 && running.length < options.systemSlots && !juniorBusy(arriving.junior);
      if (startsNow) {
        arriving.startedAt = arriving.arrival;
        arriving.endsAt = arriving.arrival + arriving.duration;
        running.push(arriving);
      } else {
        queue.push(arriving);
        drain(arriving.arrival);
        if (arriving.startedAt === undefined) {
          arriving.estimate = estimateFor(arriving, arriving.arrival);
          arriving.naive = ((queue.indexOf(arriving) + 1) * meanObserved()) / options.systemSlots;
        }
      }
    }
  }

  const waited = sessions.filter((s) => s.estimate !== undefined);
  const errors = waited.map((s) => Math.abs(s.estimate! - (s.startedAt! - s.arrival))).sort((a, b) => a - b);
  const naive = waited.map((s) => Math.abs(s.naive! - (s.startedAt! - s.arrival)));
  const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    queued: waited.length,
    meanAbsoluteErrorMinutes: mean(errors),
    medianAbsoluteErrorMinutes: errors[Math.floor(errors.length / 2)] ?? 0,
    meanWaitMinutes: mean(waited.map((s) => s.startedAt! - s.arrival)),
    naiveMeanAbsoluteErrorMinutes: mean(naive),
  };
}

if (require.main === module) {
  const result = simulateEstimate({ seed: 7, sessions: 5000, systemSlots: 10, juniors: 40, meanMinutes: 60, arrivalMinutes: 6.5 });
  console.log(result);
}
