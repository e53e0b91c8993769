import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type _Record, DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import type { TestTable } from './dynamo';

export type StreamRecord = DynamoDBStreamEvent['Records'][number];

export interface TableStream {
  /** What was written since the last read (the first read: everything from the stream's start). */
  read(): Promise<StreamRecord[]>;
  close(): void;
}

/** The table's real stream (DynamoDB Local), read from its start, as Lambda would receive its records. */
export async function openTableStream(table: TestTable): Promise<TableStream> {
  const { Table } = await table.dynamo.client.send(new DescribeTableCommand({ TableName: table.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error('the test table has no stream');
  const streams = new DynamoDBStreamsClient(localDynamoConfig(process.env.DYNAMODB_ENDPOINT!));
  const iterators = new Map<string, string | undefined>();
  const toLambda = (record: _Record) =>
    ({ eventID: record.eventID, eventName: record.eventName, eventSource: 'aws:dynamodb', dynamodb: record.dynamodb }) as unknown as StreamRecord;
  return {
    async read() {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId === undefined || iterators.has(shard.ShardId)) continue;
        const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
        iterators.set(shard.ShardId, ShardIterator);
      }
      const records: StreamRecord[] = [];
      for (const [shardId, start] of iterators) {
        let iterator = start;
        while (iterator !== undefined) {
          const { Records, NextShardIterator } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
          iterators.set(shardId, NextShardIterator);
          if (Records === undefined || Records.length === 0) break;
          records.push(...Records.map(toLambda));
          iterator = NextShardIterator;
        }
      }
      return records;
    },
    close: () => streams.destroy(),
  };
}
