import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import type { DirectoryEntry, DirectoryKind } from '../../domain/directory';
import { ValidationError } from '../../domain/errors';
import type { DirectoryStore, Page } from '../../ports/directory-store';
import { decodeCursor, encodeCursor } from './cursor';
import type { DirectoryCache } from './directory-cache';
import { keys } from './keys';
import { JuniorRecord, MentorRecord, parseRecord, StoryRecord } from './records';
import { DynamoTable } from './table';

const RECORDS: { [K in DirectoryKind]: () => z.ZodType<DirectoryEntry<K>> } = {
  junior: JuniorRecord,
  mentor: MentorRecord,
  story: StoryRecord,
};

/** Juniors, mentors and stories: one partition a kind, an item an entry. */
export class DynamoDirectoryStore implements DirectoryStore {
  private readonly table: DynamoTable;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    /** What this process's starts reuse of the directory: a mentor written here is read again by the next start. */
    private readonly cache?: DirectoryCache,
  ) {
    this.table = new DynamoTable(db, tableName);
  }

  async put<K extends DirectoryKind>(kind: K, entry: DirectoryEntry<K>): Promise<void> {
    await this.table.db.send(new PutCommand({ TableName: this.table.tableName, Item: { ...keys.directory(kind, entry.id), entity: kind, ...entry } }));
    if (kind === 'mentor') this.cache?.forgetMentors();
  }

  async get<K extends DirectoryKind>(kind: K, id: string): Promise<DirectoryEntry<K> | undefined> {
    const item = await this.table.get(keys.directory(kind, id));
    return item === undefined ? undefined : parseRecord(RECORDS[kind], item, kind);
  }

  async list<K extends DirectoryKind>(kind: K, options: { limit: number; cursor?: string }): Promise<Page<DirectoryEntry<K>>> {
    const partition = keys.directoryPartition(kind);
    const start = options.cursor === undefined ? undefined : decodeCursor(options.cursor, partition);
    if (start === null) throw new ValidationError('Invalid cursor.', [{ path: 'cursor', message: 'not a cursor of this list' }]);
    const page = await this.table.query({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      Limit: options.limit,
      ...(start === undefined ? {} : { ExclusiveStartKey: { pk: partition, sk: start } }),
    });
    const items = (page.Items ?? []).map((item) => parseRecord(RECORDS[kind], item, kind));
    const last = page.LastEvaluatedKey?.sk;
    return { items, ...(typeof last === 'string' ? { nextCursor: encodeCursor(partition, last) } : {}) };
  }
}
