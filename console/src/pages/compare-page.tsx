import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useEffect, useState } from 'react';
import type { SessionComparison } from '../api';
import { ErrorAlert } from '../components';
import type { Ctx } from '../ctx';
import { durationMs, humanMs, shortId } from '../format';
import { navigate, usePolled } from '../hooks';

const KINDS = ['total', 'active', 'queued', 'paused'] as const;

/** Two sessions side by side: the API's comparison, drawn as paired bars and tables. */
export function ComparePage({ ctx, a, b }: { ctx: Ctx; a: string; b: string }) {
  const [left, setLeft] = useState(a);
  const [right, setRight] = useState(b);
  const [result, setResult] = useState<SessionComparison | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const recent = usePolled(() => ctx.client.listSessions({ pageSize: 50 }), 'compare-recent', 10_000);
  const options = (recent.data?.items ?? []).map((s) => ({ value: s.id, label: `${shortId(s.id)} · ${s.status} · ${s.juniorId} · ${s.storyTitle}` }));
  const pick = (label: string, set: (id: string) => void) => (
    <FormField label={label}>
      <Select
        ariaLabel={label}
        placeholder="Choose one of the latest sessions"
        selectedOption={null}
        options={options}
        onChange={({ detail }) => set(detail.selectedOption.value ?? '')}
      />
    </FormField>
  );
  useEffect(() => {
    setLeft(a);
    setRight(b);
    setResult(undefined);
    setError(undefined);
    if (a === '' || b === '') return;
    ctx.client.compareSessions(a, b).then(setResult, setError);
  }, [ctx.client, a, b]);
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Durations, time per state, config differences and event counts of two sessions.">
        Compare
      </Header>
      <Container>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            navigate(`#/compare?a=${encodeURIComponent(left.trim())}&b=${encodeURIComponent(right.trim())}`);
          }}
        >
          <SpaceBetween size="s">
            <ColumnLayout columns={2}>
              {pick('Pick session A', setLeft)}
              {pick('Pick session B', setRight)}
              <FormField label="Session A (id)">
                <Input ariaLabel="Session A" value={left} onChange={({ detail }) => setLeft(detail.value)} />
              </FormField>
              <FormField label="Session B (id)">
                <Input ariaLabel="Session B" value={right} onChange={({ detail }) => setRight(detail.value)} />
              </FormField>
            </ColumnLayout>
            <Button variant="primary" formAction="submit" disabled={left.trim() === '' || right.trim() === ''}>
              Compare
            </Button>
          </SpaceBetween>
        </form>
      </Container>
      <ErrorAlert error={error} header="The comparison could not be made" />
      {result && <Drawn c={result} />}
    </SpaceBetween>
  );
}

function Drawn({ c }: { c: SessionComparison }) {
  const values = KINDS.flatMap((k) => [durationMs(c.a.durations[k]), durationMs(c.b.durations[k])]);
  const max = Math.max(...values, 1);
  const states = [...new Set([...Object.keys(c.a.timePerState), ...Object.keys(c.b.timePerState)])];
  const events = [...new Set([...Object.keys(c.a.eventCounts), ...Object.keys(c.b.eventCounts)])].sort();
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">{`A ${shortId(c.a.sessionId)} (${c.a.outcome.status}) and B ${shortId(c.b.sessionId)} (${c.b.outcome.status})`}</Header>}>
        <svg
          data-testid="compare-chart"
          viewBox="0 0 800 180"
          width="100%"
          role="img"
          aria-label={`Durations: ${KINDS.map((k) => `${k} A ${humanMs(durationMs(c.a.durations[k]))}, B ${humanMs(durationMs(c.b.durations[k]))}`).join('; ')}`}
        >
          {KINDS.map((k, i) => {
            const y = 10 + i * 42;
            const wa = (durationMs(c.a.durations[k]) / max) * 560;
            const wb = (durationMs(c.b.durations[k]) / max) * 560;
            return (
              <g key={k}>
                <text x={0} y={y + 16} fontSize={12} fill="#000716">
                  {k}
                </text>
                <rect x={70} y={y} width={wa} height={16} fill="#0972d3" />
                <text x={76 + wa} y={y + 12} fontSize={11} fill="#000716">{`A ${humanMs(durationMs(c.a.durations[k]))}`}</text>
                <rect x={70} y={y + 18} width={wb} height={16} fill="#8d6605" />
                <text x={76 + wb} y={y + 30} fontSize={11} fill="#000716">{`B ${humanMs(durationMs(c.b.durations[k]))}`}</text>
              </g>
            );
          })}
        </svg>
      </Container>
      <ColumnLayout columns={2}>
        <Table
          ariaLabels={{ tableLabel: 'Time per state' }}
          header={<Header variant="h2">Time per state</Header>}
          items={states}
          trackBy={(s) => s}
          columnDefinitions={[
            { id: 'state', header: 'State', cell: (s) => s },
            { id: 'a', header: 'A', cell: (s) => humanMs(durationMs(c.a.timePerState[s as keyof typeof c.a.timePerState] ?? 'PT0S')) },
            { id: 'b', header: 'B', cell: (s) => humanMs(durationMs(c.b.timePerState[s as keyof typeof c.b.timePerState] ?? 'PT0S')) },
            { id: 'd', header: 'B minus A', cell: (s) => humanMs(c.stateDifferencesMs[s as keyof typeof c.stateDifferencesMs] ?? 0) },
          ]}
        />
        <Table
          ariaLabels={{ tableLabel: 'Event counts' }}
          header={<Header variant="h2">Event counts</Header>}
          items={events}
          trackBy={(e) => e}
          columnDefinitions={[
            { id: 'e', header: 'Event', cell: (e) => e },
            { id: 'a', header: 'A', cell: (e) => c.a.eventCounts[e as keyof typeof c.a.eventCounts] ?? 0 },
            { id: 'b', header: 'B', cell: (e) => c.b.eventCounts[e as keyof typeof c.b.eventCounts] ?? 0 },
          ]}
        />
      </ColumnLayout>
      <Table
        ariaLabels={{ tableLabel: 'Differences' }}
        header={<Header variant="h2">Config and outcome</Header>}
        items={[
          { field: 'outcome', a: c.a.outcome.status, b: c.b.outcome.status },
          { field: 'mentor', a: c.a.mentorId ?? '-', b: c.b.mentorId ?? '-' },
          { field: 'score', a: c.a.overallScore ?? '-', b: c.b.overallScore ?? '-' },
          ...c.configDifferences.map((d) => ({ field: `config ${d.field}`, a: JSON.stringify(d.a), b: JSON.stringify(d.b) })),
        ]}
        trackBy="field"
        columnDefinitions={[
          { id: 'f', header: 'Field', cell: (r) => r.field },
          { id: 'a', header: 'A', cell: (r) => String(r.a) },
          { id: 'b', header: 'B', cell: (r) => String(r.b) },
        ]}
      />
    </SpaceBetween>
  );
}
