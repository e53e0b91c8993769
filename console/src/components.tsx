import Alert from '@cloudscape-design/components/alert';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { describeError, type SessionDetails } from './api';
import { STATUS_INDICATOR } from './format';

export function StatusBadge({ status }: { status: SessionDetails['status'] }) {
  return <StatusIndicator type={STATUS_INDICATOR[status]}>{status}</StatusIndicator>;
}

/** A failed read or a refused action, in words (a 409 names the status and the operations still allowed). */
export function ErrorAlert({ error, header }: { error: unknown; header?: string }) {
  if (error === undefined) return null;
  return (
    <Alert type="error" header={header ?? 'The API refused'}>
      <span data-testid="api-error">{describeError(error)}</span>
    </Alert>
  );
}
