import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import type { SessionPage } from '../api';
import { ErrorAlert, StatusBadge } from '../components';
import type { Ctx } from '../ctx';
import { humanDuration, STATUSES, shortId, when } from '../format';
import { usePolled } from '../hooks';
import { mayStartSessions } from '../permissions';
import { StartSessionForm } from './start-session-form';

type Filters = { juniorId: string; mentorId: string; storyId: string; status: string; from: string; to: string; sortBy: string; sortDirection: string; pageSize: string };
const EMPTY: Filters = { juniorId: '', mentorId: '', storyId: '', status: '', from: '', to: '', sortBy: 'createdAt', sortDirection: 'desc', pageSize: '20' };
const opt = (value: string, label = value) => ({ value, label });

/** The history list: every filter, sort and cursor paging the API has, refreshed every 2 s. */
export function SessionsPage({ ctx }: { ctx: Ctx }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  /** The cursors of the pages before this one (undefined: the first page). */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const query = Object.fromEntries(
    Object.entries({ ...filters, ...(cursor !== undefined && { cursor }) })
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [k, k === 'pageSize' ? Number(v) : v]),
  );
  const list = usePolled<SessionPage>(() => ctx.client.listSessions(query), JSON.stringify(query));
  const field = (key: keyof Filters, label: string, placeholder?: string) => (
    <FormField label={label}>
      <Input value={draft[key]} placeholder={placeholder} ariaLabel={label} onChange={({ detail }) => setDraft({ ...draft, [key]: detail.value })} />
    </FormField>
  );
  const select = (key: keyof Filters, label: string, options: { value: string; label: string }[]) => (
    <FormField label={label}>
      <Select
        ariaLabel={label}
        selectedOption={options.find((o) => o.value === draft[key]) ?? options[0] ?? null}
        options={options}
        onChange={({ detail }) => setDraft({ ...draft, [key]: detail.selectedOption.value ?? '' })}
      />
    </FormField>
  );
  const apply = () => {
    setFilters(draft);
    setCursors([undefined]);
  };
  const page = list.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description={ctx.role === 'coordinator' ? 'Every session of the program.' : 'The sessions you take part in.'}>
        Sessions
      </Header>
      <Container header={<Header variant="h2">Filters</Header>}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            apply();
          }}
        >
          <SpaceBetween size="m">
            <ColumnLayout columns={3}>
              {field('juniorId', 'Junior id')}
              {field('mentorId', 'Mentor id')}
              {field('storyId', 'Story id')}
              {select('status', 'Status', [opt('', 'Any status'), ...STATUSES.map((s) => opt(s))])}
              {field('from', 'Created from', '2026-12-01T00:00:00Z')}
              {field('to', 'Created before', '2026-12-31T00:00:00Z')}
              {select('sortBy', 'Sort by', [opt('createdAt', 'Created'), opt('completedAt', 'Completed'), opt('duration', 'Duration')])}
              {select('sortDirection', 'Direction', [opt('desc', 'Newest / longest first'), opt('asc', 'Oldest / shortest first')])}
              {select(
                'pageSize',
                'Page size',
                ['10', '20', '50', '100'].map((n) => opt(n)),
              )}
            </ColumnLayout>
            <SpaceBetween size="xs" direction="horizontal">
              <Button variant="primary" formAction="submit">
                Apply filters
              </Button>
              <Button
                formAction="none"
                onClick={() => {
                  setDraft(EMPTY);
                  setFilters(EMPTY);
                  setCursors([undefined]);
                }}
              >
                Clear
              </Button>
            </SpaceBetween>
          </SpaceBetween>
        </form>
      </Container>
      <ErrorAlert error={list.error} header="The list could not be read" />
      <Table
        ariaLabels={{ tableLabel: 'Sessions' }}
        loading={list.loading && page === undefined}
        loadingText="Loading sessions"
        items={page?.items ?? []}
        trackBy="id"
        header={
          <Header
            variant="h2"
            counter={page ? `(${page.totalCount})` : undefined}
            actions={
              <SpaceBetween size="xs" direction="horizontal">
                <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
                  Previous page
                </Button>
                <Button disabled={page?.nextCursor === undefined} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
                  Next page
                </Button>
              </SpaceBetween>
            }
          >
            Sessions, page {cursors.length}
          </Header>
        }
        empty="No session matches."
        columnDefinitions={[
          {
            id: 'id',
            header: 'Session',
            cell: (s) => (
              <Link href={`#/sessions/${s.id}`} ariaLabel={`Session ${s.id}`}>
                {shortId(s.id)}
              </Link>
            ),
          },
          { id: 'status', header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
          { id: 'state', header: 'State', cell: (s) => s.currentState ?? '-' },
          { id: 'story', header: 'Story', cell: (s) => s.storyTitle },
          { id: 'junior', header: 'Junior', cell: (s) => s.juniorId },
          { id: 'mentor', header: 'Mentor', cell: (s) => s.mentorId ?? '-' },
          { id: 'created', header: 'Created', cell: (s) => when(s.createdAt) },
          { id: 'duration', header: 'Duration', cell: (s) => humanDuration(s.duration) },
          { id: 'score', header: 'Score', cell: (s) => s.overallScore ?? '-' },
        ]}
      />
      {mayStartSessions(ctx.role) && <StartSessionForm ctx={ctx} onStarted={() => void list.reload()} />}
    </SpaceBetween>
  );
}
