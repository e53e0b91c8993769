import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import { ApiError } from '../api';
import { ErrorAlert, StatusBadge } from '../components';
import type { Ctx } from '../ctx';
import { humanDuration, when } from '../format';
import { REFRESH_MS, usePolled } from '../hooks';
import { sessionActions } from '../permissions';
import { TimelineChart } from '../timeline-chart';
import { SessionActions } from './session-actions';
import { SessionConfigPanel } from './session-config';

/** One session: its picture, log, config, queue place, engine side and the actions the role may take. Refreshed every 2 s. */
export function SessionPage({ ctx, sessionId }: { ctx: Ctx; sessionId: string }) {
  const view = usePolled(
    async () => {
      const [session, timeline, config] = await Promise.all([
        ctx.client.getSession(sessionId),
        ctx.client.getSessionTimeline(sessionId),
        ctx.client.getSessionConfig(sessionId),
      ]);
      const position = session.status === 'Queued' ? await ctx.client.getQueuePosition(sessionId) : undefined;
      return { session, timeline, config, position };
    },
    sessionId,
    REFRESH_MS,
    (error) => error instanceof ApiError && error.status === 404,
  );
  const data = view.data;
  if (data === undefined) {
    return (
      <SpaceBetween size="l">
        <Header variant="h1">Session {sessionId}</Header>
        {view.error ? <ErrorAlert error={view.error} header="The session could not be read" /> : <Box>Loading...</Box>}
      </SpaceBetween>
    );
  }
  const { session: s, timeline, config, position } = data;
  const engine = s.engine;
  const engineItems = [
    { label: 'Workflow instance', value: <span data-testid="workflow-instance">{s.workflowInstanceId ?? '-'}</span> },
    ...(engine === undefined
      ? []
      : [
          { label: 'Desired state', value: <span data-testid="engine-desired">{engine.desired}</span> },
          {
            label: 'Sync with the engine',
            value: (
              <span data-testid="engine-confirmed">
                {engine.confirmed ? 'confirmed' : `pending since ${engine.pendingSince ?? '-'}, ${engine.attempts ?? 0} tries, next at ${engine.nextAttemptAt ?? '-'}`}
              </span>
            ),
          },
          ...(engine.lastError === undefined ? [] : [{ label: 'Last engine error', value: <span data-testid="engine-last-error">{engine.lastError}</span> }]),
          ...(engine.outOfSync === undefined
            ? []
            : [{ label: 'Reconciliation', value: <span data-testid="engine-out-of-sync">{`${engine.outOfSync.reason} since ${engine.outOfSync.since}`}</span> }]),
        ]),
  ];
  return (
    <SpaceBetween size="l">
      <Header
        variant="h1"
        description={
          <span>
            {s.storyTitle} · junior {s.juniorId} · mentor {s.mentorId ?? 'none yet'} ·{' '}
            <Link href={`#/compare?a=${s.id}`} ariaLabel="Compare this session with another">
              compare
            </Link>
          </span>
        }
      >
        Session <span data-testid="session-id">{s.id}</span>
      </Header>
      <ErrorAlert error={view.error} header="The latest refresh failed (showing the last answer)" />
      <Container header={<Header variant="h2">Now</Header>}>
        <KeyValuePairs
          columns={4}
          items={[
            {
              label: 'Status',
              value: (
                <span data-testid="session-status">
                  <StatusBadge status={s.status} />
                </span>
              ),
            },
            { label: 'State', value: <span data-testid="session-state">{s.currentState ?? '-'}</span> },
            { label: 'Mentor', value: <span data-testid="session-mentor">{s.mentorId ?? '-'}</span> },
            { label: 'Created', value: when(s.createdAt) },
            { label: 'Started', value: when(s.startedAt) },
            { label: 'Ended', value: when(s.completedAt) },
            {
              label: 'Time in the queue / active / paused',
              value: `${humanDuration(timeline.statusBreakdown.queued)} / ${humanDuration(timeline.statusBreakdown.active)} / ${humanDuration(timeline.statusBreakdown.paused)}`,
            },
            { label: 'Pauses', value: timeline.statusBreakdown.pauseCount },
            ...(s.pauseReason ? [{ label: 'Pause reason', value: s.pauseReason }] : []),
            ...(s.cancelReason ? [{ label: 'Cancel reason', value: s.cancelReason }] : []),
            ...(s.error ? [{ label: 'Error', value: s.error }] : []),
            ...(s.report ? [{ label: 'Score', value: s.report.overallScore }] : []),
            { label: 'Legal hold', value: s.legalHold ? `held by ${s.legalHold.setBy}` : 'none' },
          ]}
        />
      </Container>
      <Container header={<Header variant="h2">Timeline</Header>}>
        <TimelineChart timeline={timeline} config={config} />
        <Box variant="small">
          Bands: status (top) and workflow state (middle). Dots: engine reports (check-ins); crosses: missed check-ins; diamonds: mentor changes; dashed line: the
          deadline.
        </Box>
      </Container>
      <SessionActions ctx={ctx} session={s} onDone={() => void view.reload()} />
      {position && (
        <Container header={<Header variant="h2">In the queue</Header>}>
          <KeyValuePairs
            columns={3}
            items={[
              { label: 'Position', value: <span data-testid="queue-position">{position.position ?? '-'}</span> },
              { label: 'Blocked by', value: position.blockedBy.length ? `the ${position.blockedBy.join(', ')} limit` : 'nothing (starts on the next drain)' },
              { label: 'Estimated wait', value: position.estimatedWaitMinutes === null ? '-' : `${position.estimatedWaitMinutes} min` },
            ]}
          />
        </Container>
      )}
      <SessionConfigPanel ctx={ctx} view={config} editable={sessionActions(ctx.role, ctx.sub, s).includes('editConfig')} onSaved={() => void view.reload()} />
      <Container
        header={
          <Header variant="h2" actions={engine === undefined ? undefined : <EngineRedrive ctx={ctx} sessionId={s.id} onDone={() => void view.reload()} />}>
            Engine
          </Header>
        }
      >
        <KeyValuePairs columns={2} items={engineItems} />
      </Container>
      <Table
        ariaLabels={{ tableLabel: 'Event log' }}
        header={
          <Header variant="h2" counter={`(${s.events.length})`}>
            Event log
          </Header>
        }
        items={[...s.events].reverse()}
        trackBy="seq"
        columnDefinitions={[
          { id: 'seq', header: '#', cell: (e) => e.seq },
          { id: 'at', header: 'When', cell: (e) => when(e.occurredAt) },
          { id: 'type', header: 'Event', cell: (e) => <span data-event-type={e.type}>{e.type}</span> },
          { id: 'status', header: 'Status', cell: (e) => (e.toStatus ? `${e.fromStatus ?? ''} → ${e.toStatus}` : '') },
          { id: 'state', header: 'State', cell: (e) => (e.toState ? `${e.fromState ?? ''} → ${e.toState}` : '') },
          { id: 'actor', header: 'By', cell: (e) => `${e.actor} (${e.actorRole})` },
          { id: 'reason', header: 'Reason / notes', cell: (e) => [e.reason, e.notes].filter(Boolean).join(' · ') },
        ]}
      />
    </SpaceBetween>
  );
}

/** Coordinators (the only ones shown the engine side): drive the session's engine command now instead of on the next minute. */
function EngineRedrive({ ctx, sessionId, onDone }: { ctx: Ctx; sessionId: string; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const redrive = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await ctx.client.redriveSessionEngine(sessionId);
      onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <SpaceBetween size="xs" direction="horizontal">
      <Button loading={busy} onClick={() => void redrive()}>
        Re-drive engine
      </Button>
      <ErrorAlert error={error} />
    </SpaceBetween>
  );
}
