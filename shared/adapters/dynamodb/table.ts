import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Session } from '../../domain/model';
import { type Key, keys } from './keys';
import { parseRecord, SessionRecord } from './records';
import type { IndexName } from './table-definition';

/** A Query on the table or one of its indexes (named by the table definition). */
export type TableQuery = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'IndexName'> & { readonly IndexName?: IndexName };

export const keyString = (key: Key) => `${key.pk}|${key.sk}`;
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one table, as every DynamoDB adapter of the store reaches it: the
 * document client and the table's name, with the reads they share (consistent
 * gets, batch gets that retry unprocessed keys, Queries followed page by page).
 */
export class DynamoTable {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** A consistent GetItem. */
  async get(key: Key): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  async getSession(id: string): Promise<Session | undefined> {
    const item = await this.get(keys.session(id));
    return item === undefined ? undefined : parseRecord(SessionRecord, item, 'session');
  }

  /** Consistent BatchGet, retrying unprocessed keys; 100 keys a request. Items by `keyString`. */
  async batchGet(wanted: readonly Key[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    const unique = [...new Map(wanted.map((key) => [keyString(key), key])).values()];
    for (let offset = 0; offset < unique.length; offset += 100) {
      let pending: Record<string, unknown>[] = unique.slice(offset, offset + 100).map((key) => ({ ...key }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 0) await delay(20 * 2 ** Math.min(attempt, 5));
        if (attempt > 8) throw new Error('BatchGet left keys unprocessed after retries');
        const { Responses, UnprocessedKeys } = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of Responses?.[this.tableName] ?? []) found.set(`${String(item.pk)}|${String(item.sk)}`, item);
        pending = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  /** One page of a Query. */
  query(query: TableQuery & { readonly ExclusiveStartKey?: Record<string, unknown> }) {
    return this.db.send(new QueryCommand({ ...query, TableName: this.tableName }));
  }

  /** Every item a Query matches, following its pages. */
  async queryAll(query: TableQuery): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({ ...query, ...(ExclusiveStartKey !== undefined && { ExclusiveStartKey }) });
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return items;
  }

  /** How many items a Query matches (Select COUNT), following its pages. */
  async countAll(query: Omit<TableQuery, 'Select'>): Promise<number> {
    let total = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query({ ...query, Select: 'COUNT', ...(ExclusiveStartKey !== undefined && { ExclusiveStartKey }) });
      total += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey !== undefined);
    return total;
  }

  /** The first `limit` sessions of one partition of a sparse session index (one Query). */
  async sessionsInIndex(index: IndexName, condition: string, values: Record<string, string>, limit: number): Promise<Session[]> {
    const page = await this.query({ IndexName: index, KeyConditionExpression: condition, ExpressionAttributeValues: values, Limit: limit });
    return (page.Items ?? []).map((item) => parseRecord(SessionRecord, item, 'session'));
  }

  /** Every session of one partition of a sparse session index. */
  async allSessionsInIndex(index: IndexName, condition: string, values: Record<string, string>): Promise<Session[]> {
    const items = await this.queryAll({ IndexName: index, KeyConditionExpression: condition, ExpressionAttributeValues: values });
    return items.map((item) => parseRecord(SessionRecord, item, 'session'));
  }
}
