import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { ErrorAlert } from '../components';
import type { Ctx } from '../ctx';
import { shortId, when } from '../format';
import { usePolled } from '../hooks';

/** Who waits, in order, held by which limit, and for how long; the limits in use. Refreshed every 2 s. */
export function QueuePage({ ctx }: { ctx: Ctx }) {
  const queue = usePolled(async () => {
    const [status, page] = await Promise.all([
      ctx.client.getQueueStatus(),
      ctx.client.listSessions({ status: 'Queued', sortBy: 'createdAt', sortDirection: 'asc', pageSize: 100 }),
    ]);
    const waiting = await Promise.all(page.items.map(async (s) => ({ session: s, position: await ctx.client.getQueuePosition(s.id) })));
    waiting.sort((a, b) => (a.position.position ?? Number.MAX_SAFE_INTEGER) - (b.position.position ?? Number.MAX_SAFE_INTEGER));
    return { status, waiting };
  }, 'queue');
  const q = queue.data?.status;
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Sessions wait here when a junior, mentor or system limit is full; the queue starts them as slots free up.">
        Queue
      </Header>
      <ErrorAlert error={queue.error} header="The queue could not be read" />
      {q && (
        <Container header={<Header variant="h2">Limits</Header>}>
          <KeyValuePairs
            columns={4}
            items={[
              { label: 'Running sessions (system limit)', value: <span data-testid="limit-system">{`${q.limits.system.used} / ${q.limits.system.max}`}</span> },
              { label: 'Queue length', value: <span data-testid="limit-queue">{`${q.limits.queue.used} / ${q.limits.queue.max}`}</span> },
              { label: 'Juniors at their limit', value: `${q.limits.perJunior.atCapacity} (limit ${q.limits.perJunior.max} each)` },
              { label: 'Mentors at their limit', value: `${q.limits.perMentor.atCapacity} (limit ${q.limits.perMentor.max} each)` },
              { label: 'Wait for a session arriving now', value: `${q.estimatedWaitMinutes} min` },
            ]}
          />
        </Container>
      )}
      <Table
        ariaLabels={{ tableLabel: 'Waiting sessions' }}
        loading={queue.data === undefined && queue.loading}
        loadingText="Loading the queue"
        header={
          <Header variant="h2" counter={queue.data ? `(${queue.data.waiting.length})` : undefined}>
            Waiting, in order
          </Header>
        }
        items={queue.data?.waiting ?? []}
        trackBy={(w) => w.session.id}
        empty="Nobody waits."
        columnDefinitions={[
          { id: 'pos', header: 'Position', cell: (w) => w.position.position ?? '-' },
          {
            id: 'id',
            header: 'Session',
            cell: (w) => (
              <Link href={`#/sessions/${w.session.id}`} ariaLabel={`Session ${w.session.id}`}>
                {shortId(w.session.id)}
              </Link>
            ),
          },
          { id: 'junior', header: 'Junior', cell: (w) => w.session.juniorId },
          { id: 'story', header: 'Story', cell: (w) => w.session.storyTitle },
          {
            id: 'blocked',
            header: 'Blocked by',
            cell: (w) => (w.position.blockedBy.length ? `${w.position.blockedBy.join(', ')} limit` : 'nothing: starts on the next drain'),
          },
          { id: 'wait', header: 'Estimated wait', cell: (w) => (w.position.estimatedWaitMinutes === null ? '-' : `${w.position.estimatedWaitMinutes} min`) },
          { id: 'since', header: 'Waiting since', cell: (w) => when(w.session.createdAt) },
        ]}
      />
    </SpaceBetween>
  );
}
