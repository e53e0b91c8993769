/**
 * The floor `npm run bench` compares each operation against: the operation's
 * own sequence of round trips (as RequestCounter saw them on one call)
 * replayed as minimal raw requests on the same DynamoDB Local, at the same
 * concurrency. A read round trip becomes a GetItem of one item, a transaction
 * a 2-put TransactWriteItems, any other write a PutItem.
 */
import { performance } from 'node:perf_hooks';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `work` over `n` items with `concurrency` clients; the latencies, sorted. */
export async function timed(n: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await work(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/** What one round trip of this kind is replayed as. */
export function rawKind(operation: string): 'read' | 'transaction' | 'write' {
  if (READS.has(operation)) return 'read';
  return operation === 'TransactWriteItems' ? 'transaction' : 'write';
}

/** The p50 of `trips` replayed raw, one sequence per sample, at `concurrency` clients. */
export async function floorP50(db: DynamoDBDocumentClient, table: string, trips: readonly string[], concurrency: number, samples: number): Promise<number> {
  let seq = 0;
  const replay = async () => {
    seq += 1;
    const id = `FLOOR#${seq}`;
    for (const trip of trips) {
      const kind = rawKind(trip);
      if (kind === 'read') await db.send(new GetCommand({ TableName: table, Key: { pk: 'FLOOR', sk: 'ITEM' } }));
      else if (kind === 'write') await db.send(new PutCommand({ TableName: table, Item: { pk: id, sk: 'A', n: seq } }));
      else {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: { TableName: table, Item: { pk: id, sk: 'A', n: seq } } }, { Put: { TableName: table, Item: { pk: id, sk: 'B', n: seq } } }],
          }),
        );
      }
    }
  };
  await db.send(new PutCommand({ TableName: table, Item: { pk: 'FLOOR', sk: 'ITEM', n: 0 } }));
  return percentile(await timed(samples, concurrency, replay), 50);
}
