import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useState } from 'react';
import type { SessionConfigView } from '../api';
import { ErrorAlert } from '../components';
import type { Ctx } from '../ctx';
import { when } from '../format';

const POLICIES = ['progressive', 'immediate', 'relaxed'] as const satisfies readonly SessionConfigView['config']['escalationPolicy'][];

/** The session's config, next check-in and deadline; a coordinator edits what is safe (the API refuses the rest). */
export function SessionConfigPanel({ ctx, view, editable, onSaved }: { ctx: Ctx; view: SessionConfigView; editable: boolean; onSaved: () => void }) {
  const [hours, setHours] = useState('');
  const [minutes, setMinutes] = useState('');
  const [policy, setPolicy] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [changes, setChanges] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const c = view.config;
  const save = async () => {
    setBusy(true);
    setError(undefined);
    setChanges(undefined);
    try {
      const result = await ctx.client.updateSessionConfig(view.sessionId, {
        ...(hours.trim() !== '' && { maxDurationHours: Number(hours) }),
        ...(minutes.trim() !== '' && { checkInIntervalMinutes: Number(minutes) }),
        ...(policy !== '' && { escalationPolicy: policy as (typeof POLICIES)[number] }),
      });
      setChanges((result.changes ?? []).map((d) => `${d.field}: ${JSON.stringify(d.from)} to ${JSON.stringify(d.to)}`).join('; ') || 'No change.');
      setHours('');
      setMinutes('');
      setPolicy('');
      onSaved();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container header={<Header variant="h2">Config</Header>}>
      <SpaceBetween size="m">
        <KeyValuePairs
          columns={4}
          items={[
            { label: 'Max duration', value: <span data-testid="config-max-duration">{c.maxDurationHours} h</span> },
            { label: 'Check-in interval', value: <span data-testid="config-check-in">{c.checkInIntervalMinutes} min</span> },
            { label: 'Escalation', value: c.escalationPolicy },
            { label: 'Template', value: view.configTemplateId ?? '-' },
            { label: 'Next check-in', value: when(view.checkIn.nextAt) },
            { label: 'Missed in a row', value: view.checkIn.missedInARow },
            { label: 'Deadline', value: view.deadline ? `${when(view.deadline.at)} (${view.deadline.kind.replace(/_/g, ' ')})` : '-' },
            { label: 'Notifications', value: [c.notifications.slackEnabled && 'Slack', c.notifications.emailEnabled && 'email'].filter(Boolean).join(', ') || 'none' },
          ]}
        />
        {editable && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <SpaceBetween size="s">
              <ColumnLayout columns={3}>
                <FormField label="New max duration (hours)">
                  <Input ariaLabel="New max duration hours" inputMode="decimal" value={hours} onChange={({ detail }) => setHours(detail.value)} />
                </FormField>
                <FormField label="New check-in interval (minutes)">
                  <Input ariaLabel="New check-in interval minutes" inputMode="numeric" value={minutes} onChange={({ detail }) => setMinutes(detail.value)} />
                </FormField>
                <FormField label="New escalation policy">
                  <Select
                    ariaLabel="New escalation policy"
                    selectedOption={{ value: policy, label: policy || 'Unchanged' }}
                    options={[{ value: '', label: 'Unchanged' }, ...POLICIES.map((p) => ({ value: p, label: p }))]}
                    onChange={({ detail }) => setPolicy(detail.selectedOption.value ?? '')}
                  />
                </FormField>
              </ColumnLayout>
              <Button formAction="submit" loading={busy} disabled={hours === '' && minutes === '' && policy === ''}>
                Save config
              </Button>
            </SpaceBetween>
          </form>
        )}
        <ErrorAlert error={error} />
        {changes && <Alert type="success">Config changed: {changes}</Alert>}
      </SpaceBetween>
    </Container>
  );
}
