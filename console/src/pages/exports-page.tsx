import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { useState } from 'react';
import type { ExportJob } from '../api';
import { ErrorAlert } from '../components';
import type { Ctx } from '../ctx';
import { STATUSES, shortId, when } from '../format';
import { usePolled } from '../hooks';

const FORMATS = ['csv', 'json', 'ndjson'] as const satisfies readonly ExportJob['format'][];
const JOB_STATUS = { pending: 'pending', running: 'in-progress', succeeded: 'success', failed: 'error' } as const;
const STORE_KEY = 'mentorship-console-export-jobs';

/** Start an export job, watch its progress (rows written so far), download its file. Jobs started here are remembered for this browser tab. */
export function ExportsPage({ ctx }: { ctx: Ctx }) {
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('csv');
  const [status, setStatus] = useState('');
  const [ids, setIds] = useState<string[]>(() => JSON.parse(sessionStorage.getItem(STORE_KEY) ?? '[]') as string[]);
  const [error, setError] = useState<unknown>(undefined);
  const jobs = usePolled(() => Promise.all(ids.map((id) => ctx.client.getExportJob(id))), ids.join(','), 1000);
  const remember = (next: string[]) => {
    setIds(next);
    sessionStorage.setItem(STORE_KEY, JSON.stringify(next));
  };
  const start = async () => {
    setError(undefined);
    try {
      const job = await ctx.client.createExportJob({ format, ...(status !== '' && { status: status as (typeof STATUSES)[number] }) });
      remember([job.id, ...ids]);
    } catch (failure) {
      setError(failure);
    }
  };
  const download = async (job: ExportJob) => {
    setError(undefined);
    try {
      const file = await ctx.client.downloadExportJob(job.id);
      const url = URL.createObjectURL(new Blob([file.text], { type: file.contentType || 'text/plain' }));
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = `sessions-${job.id}.${job.format}`;
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <SpaceBetween size="l">
      <Header variant="h1" description="Exports of any size run as jobs: the file is written to storage, then downloaded through the API.">
        Exports
      </Header>
      <Container header={<Header variant="h2">Start an export</Header>}>
        <SpaceBetween size="s">
          <ColumnLayout columns={2}>
            <FormField label="Format">
              <Select
                ariaLabel="Format"
                selectedOption={{ value: format, label: format }}
                options={FORMATS.map((f) => ({ value: f, label: f }))}
                onChange={({ detail }) => setFormat(detail.selectedOption.value as (typeof FORMATS)[number])}
              />
            </FormField>
            <FormField label="Only sessions in status">
              <Select
                ariaLabel="Status filter"
                selectedOption={{ value: status, label: status || 'Any status' }}
                options={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: s }))]}
                onChange={({ detail }) => setStatus(detail.selectedOption.value ?? '')}
              />
            </FormField>
          </ColumnLayout>
          <Button variant="primary" onClick={() => void start()}>
            Start export
          </Button>
        </SpaceBetween>
      </Container>
      <ErrorAlert error={error ?? jobs.error} />
      <Table
        ariaLabels={{ tableLabel: 'Export jobs' }}
        header={<Header variant="h2">Jobs started here</Header>}
        items={jobs.data ?? []}
        trackBy="id"
        empty="No export started in this tab yet."
        columnDefinitions={[
          { id: 'id', header: 'Job', cell: (j) => shortId(j.id) },
          {
            id: 'status',
            header: 'Status',
            cell: (j) => (
              <span data-testid={`job-status-${j.id}`}>
                <StatusIndicator type={JOB_STATUS[j.status]}>{j.status}</StatusIndicator>
              </span>
            ),
          },
          { id: 'format', header: 'Format', cell: (j) => j.format },
          { id: 'rows', header: 'Rows written', cell: (j) => j.rows ?? 0 },
          { id: 'bytes', header: 'Bytes', cell: (j) => j.bytes ?? '-' },
          { id: 'created', header: 'Started', cell: (j) => when(j.createdAt) },
          { id: 'error', header: 'Error', cell: (j) => j.error ?? '-' },
          {
            id: 'download',
            header: 'File',
            cell: (j) =>
              j.status === 'succeeded' ? (
                <Button variant="inline-link" onClick={() => void download(j)} ariaLabel={`Download export ${j.id}`}>
                  Download
                </Button>
              ) : (
                '-'
              ),
          },
        ]}
      />
    </SpaceBetween>
  );
}
