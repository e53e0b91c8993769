import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  /**
   * Where the last handled record of each shard is kept (a JSON file under DATA_DIR), so a restart resumes
   * after it instead of at the stream's tip. Without it, or on the very first start, reading starts at the tip.
   */
  readonly positionFile?: string;
}

/**
 * Reads DynamoDB Local's stream of the table and hands each batch to the same
 * stream handler Lambda runs, as Lambda's event source mapping would: a record
 * the handler reports failed is retried from there (`maxRetries`), then
 * skipped with an error log. Resumes after the last record it handled
 * (`positionFile`; the handler is idempotent, so a record handled again after
 * a crash is harmless); the first start begins at the stream's tip; shards
 * that appear later are read from their start.
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
  const saved = readPositions(options.positionFile);
  const positions = new Map<string, string>(Object.entries(saved ?? {}));
  let first = saved === undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function refreshShards() {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId;
      if (shardId === undefined || iterators.has(shardId)) continue;
      iterators.set(shardId, await startingIterator(shardId, positions.get(shardId)));
    }
    first = false;
  }

  /** After the saved position when there is one (from the start when it was trimmed), else the tip (first start) or the start. */
  async function startingIterator(shardId: string, after: string | undefined): Promise<string | undefined> {
    if (after !== undefined) {
      try {
        const { ShardIterator } = await streams.send(
          new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }),
        );
        return ShardIterator;
      } catch (error) {
        options.logger.warn('saved stream position no longer readable; reading the shard from its start', { shardId, error });
      }
    }
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON' }),
    );
    return ShardIterator;
  }

  function handled(shardId: string, sequence: string | undefined) {
    if (sequence === undefined || options.positionFile === undefined) return;
    positions.set(shardId, sequence);
    writePositions(options.positionFile, positions);
  }

  async function tick() {
    await refreshShards();
    for (const [shardId, iterator] of iterators) {
      if (iterator === undefined) continue;
      const { Records, NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      iterators.set(shardId, NextShardIterator);
      if (!Records || Records.length === 0) continue;
      const failed = failedSequence(await options.onBatch({ Records: Records.map(toLambdaRecord) } as DynamoDBStreamEvent));
      if (failed === undefined) {
        handled(shardId, Records[Records.length - 1]?.dynamodb?.SequenceNumber);
        continue;
      }
      // As Lambda's event source mapping does: retry from the failing record, a bounded number of times, then skip it.
      const attempt = (retries.get(failed) ?? 0) + 1;
      if (attempt > maxRetries) {
        retries.delete(failed);
        options.logger.error('stream record failed every retry; skipped (on AWS it goes to the dead-letter queue)', { sequence: failed, attempts: attempt });
        handled(shardId, failed);
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

function readPositions(file: string | undefined): Record<string, string> | undefined {
  if (file === undefined || !existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/** Written whole to a temporary file, then renamed over the old one: a crash leaves the old or the new position, never half a file. */
function writePositions(file: string, positions: ReadonlyMap<string, string>): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(Object.fromEntries(positions)));
  renameSync(temporary, file);
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
