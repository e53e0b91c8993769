import Alert from '@cloudscape-design/components/alert';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { useState } from 'react';
import type { Mentor } from '../api';
import { ErrorAlert, StatusBadge } from '../components';
import type { Ctx } from '../ctx';
import { shortId, when } from '../format';
import { usePolled } from '../hooks';

/** Coordinators: every mentor's load against capacity, skills and availability (toggle it). A mentor: their own workload. */
export function MentorsPage({ ctx }: { ctx: Ctx }) {
  return ctx.role === 'coordinator' ? <AllMentors ctx={ctx} /> : <MyWorkload ctx={ctx} />;
}

function AllMentors({ ctx }: { ctx: Ctx }) {
  const mentors = usePolled(() => ctx.client.listMentors({ limit: 100 }), 'mentors');
  const [error, setError] = useState<unknown>(undefined);
  const [moved, setMoved] = useState<string | undefined>(undefined);
  const toggle = async (m: Mentor) => {
    setError(undefined);
    setMoved(undefined);
    try {
      const result = await ctx.client.putMentor(m.id, {
        name: m.name,
        skills: m.skills,
        available: !m.available,
        ...(m.maxConcurrentSessions !== undefined && { maxConcurrentSessions: m.maxConcurrentSessions }),
      });
      const r = result.reassignment;
      setMoved(
        result.available
          ? `${m.id} is available again.`
          : `${m.id} is unavailable. Moved to other mentors: ${r?.reassigned.map(shortId).join(', ') || 'none'}; waiting for a mentor: ${r?.awaitingMentor.map(shortId).join(', ') || 'none'}.`,
      );
      await mentors.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Load against capacity, skills and availability. Marking a mentor unavailable moves their open sessions.">
        Mentors
      </Header>
      <ErrorAlert error={mentors.error ?? error} />
      {moved && (
        <Alert type="info" header="Availability changed">
          <span data-testid="mentor-moved">{moved}</span>
        </Alert>
      )}
      <Table
        ariaLabels={{ tableLabel: 'Mentors' }}
        loading={mentors.data === undefined && mentors.loading}
        loadingText="Loading mentors"
        items={mentors.data?.items ?? []}
        trackBy="id"
        empty="No mentor in the directory."
        columnDefinitions={[
          { id: 'name', header: 'Mentor', cell: (m) => `${m.name} (${m.id})` },
          { id: 'skills', header: 'Skills', cell: (m) => m.skills.map((s) => `${s.area} ${s.level}`).join(', ') || '-' },
          {
            id: 'load',
            header: 'Load',
            minWidth: 180,
            cell: (m) => (
              <ProgressBar
                value={m.load.capacity === 0 ? 0 : Math.round((m.load.openSessions / m.load.capacity) * 100)}
                additionalInfo={`${m.load.openSessions} of ${m.load.capacity} open sessions`}
                ariaLabel={`Load of ${m.id}`}
              />
            ),
          },
          {
            id: 'available',
            header: 'Available',
            cell: (m) => (
              <Toggle checked={m.available} onChange={() => void toggle(m)} ariaLabel={`${m.id} available`}>
                {m.available ? 'available' : 'unavailable'}
              </Toggle>
            ),
          },
        ]}
      />
    </SpaceBetween>
  );
}

function MyWorkload({ ctx }: { ctx: Ctx }) {
  const workload = usePolled(() => ctx.client.getMentorWorkload(ctx.sub), `workload-${ctx.sub}`);
  const w = workload.data;
  return (
    <SpaceBetween size="l">
      <Header variant="h1">My workload</Header>
      <ErrorAlert error={workload.error} header="Your workload could not be read" />
      {w && (
        <KeyValuePairs
          columns={4}
          items={[
            { label: 'Open sessions', value: `${w.openSessions} of ${w.capacity}` },
            { label: 'Free slots', value: w.capacityLeft },
            { label: 'Available', value: w.available ? 'yes' : 'no' },
            { label: 'Last assigned', value: when(w.lastAssignedAt) },
          ]}
        />
      )}
      <Table
        ariaLabels={{ tableLabel: 'My open sessions' }}
        header={<Header variant="h2">Open sessions</Header>}
        items={w?.sessions ?? []}
        trackBy="id"
        empty="No open session."
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
          { id: 'junior', header: 'Junior', cell: (s) => s.juniorId },
          { id: 'story', header: 'Story', cell: (s) => s.storyId },
          { id: 'started', header: 'Started', cell: (s) => when(s.startedAt) },
        ]}
      />
    </SpaceBetween>
  );
}
