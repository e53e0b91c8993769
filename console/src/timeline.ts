import type { SessionConfigView, SessionTimeline } from './api';

/** One stretch of time in one status (Queued, Active, Paused, ...) or one MentorshipState. */
export interface Band {
  readonly kind: 'status' | 'state';
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

export interface Marker {
  readonly kind: 'check-in' | 'missed-check-in' | 'mentor-change';
  readonly at: number;
  readonly label: string;
}

export interface TimelineModel {
  /** The x axis: from the session's creation to now (or its end), stretched to the deadline when it is near. */
  readonly start: number;
  readonly end: number;
  readonly asOf: number;
  readonly statusBands: Band[];
  readonly stateBands: Band[];
  readonly markers: Marker[];
  readonly deadline?: { readonly at: number; readonly kind: string; readonly onAxis: boolean };
}

const ENGINE_EVENTS_THAT_ARE_NOT_CHECK_INS = new Set(['session_completed', 'session_failed']);

/** Consecutive runs of the same label become one band, each ending where the next begins (the last at `asOf`). */
function runs(kind: Band['kind'], changes: { at: number; label: string }[], asOf: number): Band[] {
  const bands: Band[] = [];
  changes.forEach((change, i) => {
    const to = changes[i + 1]?.at ?? asOf;
    const last = bands.at(-1);
    if (last !== undefined && last.label === change.label) {
      bands[bands.length - 1] = { ...last, to };
      return;
    }
    bands.push({ kind, label: change.label, from: change.at, to });
  });
  return bands.filter((band) => band.to >= band.from);
}

/**
 * The picture's model, from the API's timeline (and the config view's deadline): pure, so the browser test can
 * check the drawn rectangles against the same entries the API answered.
 */
export function timelineModel(timeline: SessionTimeline, config?: Pick<SessionConfigView, 'deadline'>): TimelineModel {
  const start = Date.parse(timeline.startTime);
  const asOf = Date.parse(timeline.asOf);
  const statusChanges = timeline.entries.filter((e) => e.toStatus !== undefined).map((e) => ({ at: Date.parse(e.timestamp), label: e.toStatus as string }));
  const stateChanges = timeline.entries.filter((e) => e.toState !== undefined).map((e) => ({ at: Date.parse(e.timestamp), label: e.toState as string }));
  const markers: Marker[] = [];
  let mentorSeen = false;
  for (const entry of timeline.entries) {
    const at = Date.parse(entry.timestamp);
    if (entry.eventType === 'check_in_missed') markers.push({ kind: 'missed-check-in', at, label: 'check-in missed' });
    else if (entry.eventType === 'mentor_reassigned' || (entry.eventType === 'mentor_assigned' && mentorSeen)) {
      markers.push({ kind: 'mentor-change', at, label: entry.description });
    } else if (entry.actorRole === 'service' && !ENGINE_EVENTS_THAT_ARE_NOT_CHECK_INS.has(entry.eventType)) {
      markers.push({ kind: 'check-in', at, label: `engine: ${entry.eventType.replace(/_/g, ' ')}` });
    }
    if (entry.eventType === 'mentor_assigned' || entry.eventType === 'mentor_reassigned') mentorSeen = true;
  }
  let end = Math.max(asOf, start + 1000);
  let deadline: TimelineModel['deadline'];
  if (config?.deadline !== undefined && timeline.endTime === undefined) {
    const at = Date.parse(config.deadline.at);
    // A deadline within one more span of now is drawn on the axis; a far one is named at the right edge.
    const onAxis = at - asOf <= Math.max(end - start, 60_000);
    if (onAxis) end = Math.max(end, at);
    deadline = { at, kind: config.deadline.kind, onAxis };
  }
  return {
    start,
    end,
    asOf,
    statusBands: runs('status', statusChanges, asOf),
    stateBands: runs('state', stateChanges, asOf),
    markers,
    ...(deadline !== undefined && { deadline }),
  };
}
