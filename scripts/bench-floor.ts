/**
 * The floor `npm run bench` compares each operation against: the operation's
 * own sequence of round trips (as RequestCounter saw them on one call)
 * replayed as minimal raw requests on the same DynamoDB Local, at the same
 * concurrency. A read round trip becomes a GetItem of one item, a transaction
 * a 2-put TransactWriteItems, any other write a PutItem.
 */
import { performance } from 'node:perf_hooks';
import {
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
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

/** One request as the low-level client sent it (attribute values marshalled). */
export interface CapturedRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** Records, in order, every request sent through these clients while `record` runs its work. */
export function captureRequests(...clients: DynamoDBClient[]) {
  const captured: CapturedRequest[] = [];
  let recording = false;
  for (const client of clients)
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (recording) captured.push({ command: String(context.commandName).replace(/Command$/, ''), input: structuredClone(args.input as Record<string, unknown>) });
        return next(args);
      },
      { step: 'build', name: 'benchCapture' },
    );
  return {
    record: async (work: () => Promise<unknown>): Promise<CapturedRequest[]> => {
      captured.length = 0;
      recording = true;
      try {
        await work();
      } finally {
        recording = false;
      }
      return [...captured];
    },
  };
}

/**
 * The same requests again on fresh items: every written key gets the replay's
 * suffix and loses its condition (a ConditionCheck checks the fresh key is
 * absent), reads are sent as they were. The store does the same work, the
 * service none of its own.
 */
export async function replayP50(client: DynamoDBClient, requests: readonly CapturedRequest[], concurrency: number, samples: number): Promise<number> {
  let seq = 0;
  const replay = async () => {
    seq += 1;
    for (const request of requests) {
      try {
        await send(client, request, `#R${seq}`);
      } catch (error) {
        throw new Error(`replaying ${request.command} ${JSON.stringify(request.input).slice(0, 1500)}`, { cause: error });
      }
    }
  };
  return percentile(await timed(samples, concurrency, replay), 50);
}

type Attrs = Record<string, unknown>;

function send(client: DynamoDBClient, { command, input }: CapturedRequest, suffix: string): Promise<unknown> {
  switch (command) {
    case 'TransactWriteItems':
      return client.send(
        new TransactWriteItemsCommand({
          TransactItems: (input.TransactItems as Attrs[]).map((item) => Object.fromEntries(Object.entries(item).map(([kind, op]) => fresh(kind, op as Attrs, suffix)))),
        }),
      );
    case 'PutItem':
      return client.send(new PutItemCommand(unconditioned({ ...input, Item: suffixed(input.Item as Attrs, suffix) }) as never));
    case 'UpdateItem':
      return client.send(new UpdateItemCommand(unconditioned({ ...input, Key: suffixed(input.Key as Attrs, suffix) }) as never));
    case 'GetItem':
      return client.send(new GetItemCommand(input as never));
    case 'BatchGetItem':
      return client.send(new BatchGetItemCommand(input as never));
    case 'Query':
      return client.send(new QueryCommand(input as never));
    default:
      throw new Error(`bench-floor cannot replay ${command}`);
  }
}

function fresh(kind: string, op: Attrs, suffix: string): [string, Attrs] {
  if (kind === 'Put') return [kind, unconditioned({ ...op, Item: suffixed(op.Item as Attrs, suffix) })];
  if (kind === 'Update' || kind === 'Delete') return [kind, unconditioned({ ...op, Key: suffixed(op.Key as Attrs, suffix) })];
  // A ConditionCheck needs a condition: the fresh key is absent.
  return [kind, { TableName: op.TableName, Key: suffixed(op.Key as Attrs, suffix), ConditionExpression: 'attribute_not_exists(pk)' }];
}

function suffixed(item: Attrs, suffix: string): Attrs {
  const pk = item.pk as { S: string };
  return { ...item, pk: { S: `${pk.S}${suffix}` } };
}

/** Without its condition, and without the names and values only the condition used. */
function unconditioned(op: Attrs): Attrs {
  const { ConditionExpression: _condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values, ...rest } = op;
  const used = [rest.UpdateExpression, rest.ProjectionExpression].filter((e): e is string => typeof e === 'string').join(' ');
  const keep = (record: unknown) => {
    const kept = Object.entries((record ?? {}) as Attrs).filter(([token]) => new RegExp(`${token}(?![A-Za-z0-9_])`).test(used));
    return kept.length === 0 ? undefined : Object.fromEntries(kept);
  };
  const keptNames = keep(names);
  const keptValues = keep(values);
  return { ...rest, ...(keptNames && { ExpressionAttributeNames: keptNames }), ...(keptValues && { ExpressionAttributeValues: keptValues }) };
}
