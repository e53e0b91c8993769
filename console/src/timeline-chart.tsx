import type { SessionConfigView, SessionTimeline } from './api';
import { STATUS_FILL, when } from './format';
import { type Band, timelineModel } from './timeline';

const WIDTH = 1000;
const LEFT = 90;
const PLOT = WIDTH - LEFT - 10;
const STATE_FILLS = ['#e8eefc', '#dff3f1', '#f4e9fb', '#fdf1dc', '#e9f5dc', '#fbe4ea'];

/**
 * The timeline picture: time on x from the session's creation to now (or its end); a row of status bands (pauses
 * stand out), a row of MentorshipState bands, markers for check-ins, missed check-ins and mentor changes, and the
 * deadline. Every band carries its times as data attributes, so a test can read what was drawn where.
 */
export function TimelineChart({ timeline, config }: { timeline: SessionTimeline; config?: SessionConfigView }) {
  const model = timelineModel(timeline, config);
  const span = model.end - model.start;
  const x = (t: number) => LEFT + ((t - model.start) / span) * PLOT;
  const states = [...new Set(model.stateBands.map((b) => b.label))];
  const band = (b: Band, y: number, h: number, fill: string) => {
    const bx = x(b.from);
    const bw = Math.max(x(b.to) - bx, 0);
    return (
      <g key={`${b.kind}-${b.from}`}>
        <rect
          data-band={b.kind}
          data-label={b.label}
          data-from={new Date(b.from).toISOString()}
          data-to={new Date(b.to).toISOString()}
          x={bx}
          y={y}
          width={bw}
          height={h}
          fill={fill}
          stroke="#5f6b7a"
          strokeWidth={0.5}
        >
          <title>{`${b.label}: ${when(new Date(b.from).toISOString())} to ${when(new Date(b.to).toISOString())}`}</title>
        </rect>
        {bw > 60 && (
          <text x={bx + 4} y={y + h / 2 + 4} fontSize={11} fill="#000716">
            {b.label}
          </text>
        )}
      </g>
    );
  };
  const pauses = model.statusBands.filter((b) => b.label === 'Paused').length;
  const description = `Status: ${model.statusBands.map((b) => b.label).join(', ')}; ${pauses} pause(s); ${model.markers.length} marker(s)${
    model.deadline ? `; deadline ${when(new Date(model.deadline.at).toISOString())}` : ''
  }.`;
  return (
    <svg
      data-testid="timeline"
      data-start={new Date(model.start).toISOString()}
      data-end={new Date(model.end).toISOString()}
      data-plot-left={LEFT}
      data-plot-width={PLOT}
      viewBox={`0 0 ${WIDTH} 150`}
      width="100%"
      role="img"
      aria-label={`Timeline of the session. ${description}`}
    >
      <text x={0} y={38} fontSize={12} fill="#000716">
        Status
      </text>
      <text x={0} y={74} fontSize={12} fill="#000716">
        State
      </text>
      <text x={0} y={106} fontSize={12} fill="#000716">
        Events
      </text>
      {model.statusBands.map((b) => band(b, 20, 28, STATUS_FILL[b.label as keyof typeof STATUS_FILL] ?? '#eeeeee'))}
      {model.stateBands.map((b) => band(b, 60, 22, STATE_FILLS[states.indexOf(b.label) % STATE_FILLS.length] ?? '#eeeeee'))}
      {model.markers.map((m) => {
        const mx = x(m.at);
        const shape =
          m.kind === 'missed-check-in' ? (
            <path d={`M${mx - 5} ${95} l10 10 m0 -10 l-10 10`} stroke="#d91515" strokeWidth={2} />
          ) : m.kind === 'mentor-change' ? (
            <path d={`M${mx} ${93} l6 7 l-6 7 l-6 -7 z`} fill="#7d2fd0" />
          ) : (
            <circle cx={mx} cy={100} r={4} fill="#037f0c" />
          );
        return (
          <g key={`${m.kind}-${m.at}-${m.label}`} data-marker={m.kind} data-at={new Date(m.at).toISOString()} data-x={mx}>
            {shape}
            <title>{`${m.label} at ${when(new Date(m.at).toISOString())}`}</title>
          </g>
        );
      })}
      {model.deadline && (
        <g data-marker="deadline" data-at={new Date(model.deadline.at).toISOString()}>
          {model.deadline.onAxis ? (
            <line x1={x(model.deadline.at)} x2={x(model.deadline.at)} y1={14} y2={112} stroke="#d91515" strokeDasharray="4 3" strokeWidth={2} />
          ) : null}
          <text
            x={model.deadline.onAxis ? x(model.deadline.at) : WIDTH - 2}
            y={12}
            fontSize={11}
            fill="#000716"
            textAnchor={model.deadline.onAxis && x(model.deadline.at) < WIDTH / 2 ? 'start' : 'end'}
          >
            {`deadline (${model.deadline.kind.replace(/_/g, ' ')})${model.deadline.onAxis ? '' : ' later'}: ${when(new Date(model.deadline.at).toISOString())}`}
          </text>
        </g>
      )}
      <line x1={LEFT} x2={LEFT + PLOT} y1={120} y2={120} stroke="#5f6b7a" />
      <text x={LEFT} y={138} fontSize={11} fill="#000716">
        {when(new Date(model.start).toISOString())}
      </text>
      <text x={LEFT + PLOT} y={138} fontSize={11} fill="#000716" textAnchor="end">
        {when(new Date(model.end).toISOString())}
      </text>
    </svg>
  );
}
