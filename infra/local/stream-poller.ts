import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type _Record, DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import type { Logger } from '../../shared/observability/logger';

export interface StreamPollerOptions {
  readonly client: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  readonly onBatch: (event: DynamoDBStreamEvent) => Promise<unknown>;
  readonly logger: Logger;
  readonly intervalMs?: number;
  /** Retries of a record the handler reports failed (batchItemFailures), then it is skipped. Default 3, like the CDK stack. */
  readonly maxRetries?: number;
}

/**
 * Reads DynamoDB Local's stream of the table and hands each batch to the same
 * stream handler Lambda runs, as Lambda's event source mapping would: a record
 * the handler reports failed is retried from there (`maxRetries`), then
 * skipped with an error log. Starts at the stream's tip (history is not
 * replayed); shards that appear later are read from their start.
 */
export async function startStreamPoller(options: StreamPollerOptions): Promise<{ stop(): void }> {
  const { Table } = await options.client.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`Table ${options.tableName} has no stream`);
  const streams = new DynamoDBStreamsClient(localDynamoConfig(options.endpoint));
  const iterators = new Map<string, string | undefined>();
  /** Failed attempts per record (by sequence number) still being retried. */
  const retries = new Map<string, number>();
  const maxRetries = options.maxRetries ?? 3;
  let first = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function refreshShards() {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (shardId === undefined || iterators.has(shardId)) continue;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON' }),
      );
      iterators.set(shardId, ShardIterator);
    }
    first = false;
  }

  async function tick() {
    await refreshShards();
    for (const [shardId, iterator] of iterators) {
      if (iterator === undefined) continue;
      const { Records, NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      iterators.set(shardId, NextShardIterator);
      if (!Records || Records.length === 0) continue;
      const failed = failedSequence(await options.onBatch({ Records: Records.map(toLambdaRecord) } as DynamoDBStreamEvent));
      if (failed === undefined) continue;
      // As Lambda's event source mapping does: retry from the failing record, a bounded number of times, then skip it.
      const attempt = (retries.get(failed) ?? 0) + 1;
      if (attempt > maxRetries) {
        retries.delete(failed);
        options.logger.error('stream record failed every retry; skipped (on AWS it goes to the dead-letter queue)', { sequence: failed, attempts: attempt });
        const next = Records.findIndex((record) => record.dynamodb?.SequenceNumber === failed) + 1;
        if (next > 0 && next < Records.length) await rewind(shardId, Records[next]!.dynamodb!.SequenceNumber!);
        continue;
      }
      retries.set(failed, attempt);
      await rewind(shardId, failed);
    }
  }

  async function rewind(shardId: string, sequence: string) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: sequence }),
    );
    iterators.set(shardId, ShardIterator);
  }

  const loop = async () => {
    if (stopped) return;
    try {
      await tick();
    } catch (error) {
      options.logger.warn('stream poll failed; retrying', { error });
    }
    if (!stopped) timer = setTimeout(() => void loop(), options.intervalMs ?? 1000);
  };
  await refreshShards();
  timer = setTimeout(() => void loop(), options.intervalMs ?? 1000);
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      streams.destroy();
    },
  };
}

/** The first failed record of a handler's answer (DynamoDBBatchResponse), if any. */
function failedSequence(answer: unknown): string | undefined {
  const failures = (answer as { batchItemFailures?: { itemIdentifier?: unknown }[] } | undefined)?.batchItemFailures;
  const first = Array.isArray(failures) ? failures[0]?.itemIdentifier : undefined;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

function toLambdaRecord(record: _Record): DynamoDBStreamEvent['Records'][number] {
  return {
    ...(record.eventID !== undefined && { eventID: record.eventID }),
    ...(record.eventName !== undefined && { eventName: record.eventName }),
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    dynamodb: record.dynamodb as DynamoDBStreamEvent['Records'][number]['dynamodb'],
  } as DynamoDBStreamEvent['Records'][number];
}
