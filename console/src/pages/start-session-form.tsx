import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
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
import type { SessionStartResult, StartSessionRequest } from '../api';
import { ErrorAlert } from '../components';
import type { Ctx } from '../ctx';
import { usePolled } from '../hooks';

type Option = { value: string; label: string };
const none = (label: string): Option => ({ value: '', label });

/** Start a session (story, junior, optional mentor, template, overrides); the answer's assignment explained. */
export function StartSessionForm({ ctx, onStarted }: { ctx: Ctx; onStarted: () => void }) {
  const directory = usePolled(
    async () => {
      const [stories, juniors, mentors, templates] = await Promise.all([
        ctx.client.listStories({ limit: 100 }),
        ctx.client.listJuniors({ limit: 100 }),
        ctx.client.listMentors({ limit: 100 }),
        ctx.client.listConfigTemplates(),
      ]);
      return { stories: stories.items, juniors: juniors.items, mentors: mentors.items, templates: templates.items };
    },
    'directory',
    15_000,
  );
  const [story, setStory] = useState('');
  const [junior, setJunior] = useState('');
  const [mentor, setMentor] = useState('');
  const [template, setTemplate] = useState('');
  const [hours, setHours] = useState('');
  const [checkIn, setCheckIn] = useState('');
  const [result, setResult] = useState<SessionStartResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const d = directory.data;
  const stories: Option[] = d?.stories.map((s) => ({ value: s.id, label: `${s.title} (${s.skillArea})` })) ?? [];
  const juniors: Option[] = d?.juniors.map((j) => ({ value: j.id, label: `${j.name} (${j.id})` })) ?? [];
  const mentors: Option[] = [none('Assign automatically'), ...(d?.mentors.map((m) => ({ value: m.id, label: `${m.name} (${m.id})` })) ?? [])];
  const templates: Option[] = [none('Default settings'), ...(d?.templates.map((t) => ({ value: t.id, label: t.name })) ?? [])];
  const pick = (options: Option[], value: string, placeholder: string) =>
    options.find((o) => o.value === value) ?? (value === '' && options[0]?.value === '' ? options[0] : null) ?? { value: '', label: placeholder };

  const start = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    const config: NonNullable<StartSessionRequest['config']> = {
      ...(hours.trim() !== '' && { maxDurationHours: Number(hours) }),
      ...(checkIn.trim() !== '' && { checkInIntervalMinutes: Number(checkIn) }),
    };
    try {
      const started = await ctx.client.startSession({
        storyId: story,
        juniorId: junior,
        ...(mentor !== '' && { mentorId: mentor }),
        ...(template !== '' && { configTemplateId: template }),
        ...(Object.keys(config).length > 0 && { config }),
      });
      setResult(started);
      onStarted();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container header={<Header variant="h2">Start a session</Header>}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <SpaceBetween size="m">
          <ColumnLayout columns={3}>
            <FormField label="Story">
              <Select
                ariaLabel="Story"
                placeholder="Choose a story"
                selectedOption={story ? pick(stories, story, '') : null}
                options={stories}
                onChange={({ detail }) => setStory(detail.selectedOption.value ?? '')}
              />
            </FormField>
            <FormField label="Junior">
              <Select
                ariaLabel="Junior"
                placeholder="Choose a junior"
                selectedOption={junior ? pick(juniors, junior, '') : null}
                options={juniors}
                onChange={({ detail }) => setJunior(detail.selectedOption.value ?? '')}
              />
            </FormField>
            <FormField label="Mentor (optional)">
              <Select
                ariaLabel="Mentor"
                selectedOption={pick(mentors, mentor, 'Assign automatically')}
                options={mentors}
                onChange={({ detail }) => setMentor(detail.selectedOption.value ?? '')}
              />
            </FormField>
            <FormField label="Config template">
              <Select
                ariaLabel="Config template"
                selectedOption={pick(templates, template, 'Default settings')}
                options={templates}
                onChange={({ detail }) => setTemplate(detail.selectedOption.value ?? '')}
              />
            </FormField>
            <FormField label="Max duration (hours, override)">
              <Input ariaLabel="Max duration hours" inputMode="decimal" value={hours} onChange={({ detail }) => setHours(detail.value)} />
            </FormField>
            <FormField label="Check-in interval (minutes, override)">
              <Input ariaLabel="Check-in interval minutes" inputMode="numeric" value={checkIn} onChange={({ detail }) => setCheckIn(detail.value)} />
            </FormField>
          </ColumnLayout>
          <Button variant="primary" formAction="submit" loading={busy} disabled={story === '' || junior === ''}>
            Start session
          </Button>
          <ErrorAlert error={error} header="The session was not started" />
          {result && <StartResult result={result} />}
        </SpaceBetween>
      </form>
    </Container>
  );
}

function StartResult({ result }: { result: SessionStartResult }) {
  const a = result.assignment;
  return (
    <Alert type={result.status === 'failed' ? 'error' : 'success'} header={`Session ${result.status}`}>
      <SpaceBetween size="s">
        <span data-testid="start-result">
          <Link href={`#/sessions/${result.sessionId}`}>Open session {result.sessionId}</Link>
          {result.status === 'queued' && ` : queued at position ${result.queuePosition ?? '?'}, about ${result.estimatedWaitMinutes ?? '?'} min to wait`}
          {result.error && ` : ${result.error}`}
        </span>
        {a && (
          <Box data-testid="assignment-explanation">
            <Box variant="p">
              Mentor <strong>{a.mentorId}</strong>, chosen{' '}
              {a.mode === 'manual'
                ? 'as named in the request'
                : a.mode === 'fallback_to_auto'
                  ? `automatically (the named mentor ${a.requestedMentorId ?? ''} could not take it)`
                  : 'automatically'}
              {a.strategy ? ` by the ${a.strategy.replace(/_/g, ' ')} strategy` : ''} for skill area {a.skillArea}, among {a.candidateCount} mentor(s).
            </Box>
            <Table
              variant="embedded"
              ariaLabels={{ tableLabel: 'Candidates' }}
              items={a.candidates}
              trackBy="mentorId"
              columnDefinitions={[
                { id: 'rank', header: 'Rank', cell: (c) => c.rank ?? '-' },
                { id: 'mentor', header: 'Mentor', cell: (c) => c.mentorId },
                { id: 'skill', header: 'Skill level', cell: (c) => c.skillLevel },
                { id: 'load', header: 'Load', cell: (c) => `${c.load} / ${c.capacity}` },
                { id: 'excluded', header: 'Left out because', cell: (c) => c.excluded ?? '-' },
              ]}
            />
          </Box>
        )}
      </SpaceBetween>
    </Alert>
  );
}
