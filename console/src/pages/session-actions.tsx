import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { SessionDetails } from '../api';
import { ErrorAlert } from '../components';
import type { Ctx } from '../ctx';
import { type SessionAction, sessionActions } from '../permissions';

const LABELS: Readonly<Record<Exclude<SessionAction, 'reassign' | 'hold' | 'editConfig'>, string>> = {
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel session',
  complete: 'Complete',
  fail: 'Fail',
};

/** The lifecycle actions the signed-in role may take on this session now; the API's refusal is shown in words. */
export function SessionActions({ ctx, session, onDone }: { ctx: Ctx; session: SessionDetails; onDone: () => void }) {
  const allowed = sessionActions(ctx.role, ctx.sub, session);
  const [reason, setReason] = useState('');
  const [mentor, setMentor] = useState('');
  const [score, setScore] = useState('80');
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  // A refusal stays in view after the refresh it triggers, even when that leaves no action to offer.
  if (allowed.length === 0 && error === undefined && done === undefined) return null;

  const run = async (name: string, act: () => Promise<unknown>) => {
    setBusy(name);
    setError(undefined);
    setDone(undefined);
    try {
      await act();
      setDone(`${name}: done.`);
      onDone();
    } catch (failure) {
      setError(failure);
      // The page was behind the API (a 409 says so): read the session again at once.
      onDone();
    } finally {
      setBusy(undefined);
    }
  };
  const note = reason.trim();
  const id = session.id;
  const act: Record<keyof typeof LABELS, () => Promise<unknown>> = {
    pause: () => ctx.client.pauseSession(id, note ? { reason: note } : {}),
    resume: () => ctx.client.resumeSession(id, note ? { notes: note } : {}),
    cancel: () => ctx.client.cancelSession(id, { reason: note || 'cancelled from the console' }),
    complete: () => ctx.client.completeSession(id, { report: { summary: note || 'completed from the console', overallScore: Number(score), metrics: {} } }),
    fail: () => ctx.client.failSession(id, { error: note || 'failed from the console' }),
  };
  const lifecycle = (Object.keys(LABELS) as (keyof typeof LABELS)[]).filter((a) => allowed.includes(a));
  return (
    <Container header={<Header variant="h2">Actions</Header>}>
      <SpaceBetween size="m">
        <ColumnLayout columns={ctx.role === 'coordinator' ? 3 : 1}>
          <FormField label="Reason or notes" description="Sent with the action (a cancel, a failure and a reassignment need one).">
            <Input ariaLabel="Reason or notes" value={reason} onChange={({ detail }) => setReason(detail.value)} />
          </FormField>
          {allowed.includes('complete') && (
            <FormField label="Score for a completion (0-100)">
              <Input ariaLabel="Completion score" inputMode="numeric" value={score} onChange={({ detail }) => setScore(detail.value)} />
            </FormField>
          )}
          {allowed.includes('reassign') && (
            <FormField label="Move to mentor (id)">
              <Input ariaLabel="New mentor id" value={mentor} onChange={({ detail }) => setMentor(detail.value)} />
            </FormField>
          )}
        </ColumnLayout>
        <SpaceBetween size="xs" direction="horizontal">
          {lifecycle.map((a) => (
            <Button key={a} loading={busy === a} onClick={() => void run(a, act[a])}>
              {LABELS[a]}
            </Button>
          ))}
          {allowed.includes('reassign') && (
            <Button
              loading={busy === 'reassign'}
              disabled={mentor.trim() === ''}
              onClick={() => void run('reassign', () => ctx.client.reassignMentor(id, { mentorId: mentor.trim(), reason: note || 'reassigned from the console' }))}
            >
              Reassign
            </Button>
          )}
          {allowed.includes('hold') && (
            <Button
              loading={busy === 'hold'}
              onClick={() => void run('hold', () => ctx.client.setSessionHold(id, { hold: session.legalHold === undefined, ...(note && { reason: note }) }))}
            >
              {session.legalHold === undefined ? 'Set legal hold' : 'Release legal hold'}
            </Button>
          )}
        </SpaceBetween>
        <ErrorAlert error={error} />
        {done && <Alert type="success">{done}</Alert>}
      </SpaceBetween>
    </Container>
  );
}
