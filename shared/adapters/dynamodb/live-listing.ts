import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isTerminal } from '../../domain/status';
import type { MigrationReport, StoreMigration } from '../../ports/store-migration';
import { keys } from './keys';
import { parseRecord, SessionRecord } from './records';
import { liveListAttributes, OPEN_PARTITION, QUEUE_PARTITION } from './session-items';
import type { DynamoTable } from './table';
import type { IndexName } from './table-definition';

/**
 * Sessions written before queued and running sessions were listed through
 * their own items carry no `listPk`: a list Query of partition LIVE would miss
 * them. The marker item (keys.liveListingMarker) says none is left; until it
 * exists, lists read every live session from the queue and open indexes, as
 * they did before. ensureTable writes it with a new table (no older sessions);
 * an existing table gets it from LiveListingBackfill once CLEAN_PASSES full
 * passes in a row find nothing left to rewrite. Once seen it is remembered for
 * the process.
 */
const known = new Set<string>();

/** Whether this table's marker has been seen (or written) in this process. */
export function liveListingKnown(tableName: string): boolean {
  return known.has(tableName);
}

export function rememberLiveListing(tableName: string): void {
  known.add(tableName);
}

/** Whether the table's live sessions can be listed from partition LIVE (one GetItem until the marker is seen). */
export async function liveListingReady(table: DynamoTable): Promise<boolean> {
  if (known.has(table.tableName)) return true;
  if ((await table.get(keys.liveListingMarker())) === undefined) return false;
  known.add(table.tableName);
  return true;
}

/**
 * The partitions that hold every queued or running session: Queued in QUEUE,
 * Active and Paused in OPEN. A session awaiting a new mentor (queue index,
 * partition REASSIGN) is Active or Paused, so OPEN holds it already.
 */
const LIVE_SOURCES: readonly { index: IndexName; attribute: string; partition: string }[] = [
  { index: 'open', attribute: 'openPk', partition: OPEN_PARTITION },
  { index: 'queue', attribute: 'queuePk', partition: QUEUE_PARTITION },
];
const PAGE = 100;
/** Rewrites one pass makes at most (the next minute's pass goes on: rewritten sessions no longer match its filter). */
const MAX_REWRITES = 1_000;
/**
 * Full passes in a row (one a minute) that must find nothing before the marker
 * is written: a process of the older version still running during a deploy (a
 * stack that replaces its functions over some minutes) may write a session
 * without the keys after one clean pass, not after five minutes of them.
 */
const CLEAN_PASSES = 5;

/**
 * The back-fill: pages the queue and open indexes for session items without
 * `listPk` and adds their list attributes; writes the marker once CLEAN_PASSES
 * full passes in a row find none. Idempotent and resumable (a rewritten session leaves the pass's
 * filter), safe to stop anywhere, safe beside any writer (each rewrite is
 * conditioned on the item as read).
 */
export class LiveListingBackfill implements StoreMigration {
  constructor(private readonly table: DynamoTable) {}

  async migrate(): Promise<MigrationReport> {
    if (await liveListingReady(this.table)) return { rewritten: 0, done: true };
    let found = 0;
    let rewritten = 0;
    for (const source of LIVE_SOURCES) {
      let start: Record<string, unknown> | undefined;
      do {
        if (rewritten >= MAX_REWRITES) return this.passEnded(found, rewritten);
        const page = await this.table.query({
          IndexName: source.index,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: 'attribute_not_exists(listPk)',
          ExpressionAttributeNames: { '#pk': source.attribute },
          ExpressionAttributeValues: { ':pk': source.partition },
          Limit: PAGE,
          ...(start !== undefined && { ExclusiveStartKey: start }),
        });
        const items = page.Items ?? [];
        found += items.length;
        const done = await Promise.all(items.map((item) => this.rewrite(item)));
        rewritten += done.filter(Boolean).length;
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
    return this.passEnded(found, rewritten);
  }

  /** Counts clean passes in a row (a pass that found any starts the count again), and writes the marker after enough. */
  private async passEnded(found: number, rewritten: number): Promise<MigrationReport> {
    const put = (item: Record<string, unknown>) => this.table.db.send(new PutCommand({ TableName: this.table.tableName, Item: item }));
    const progress = keys.liveListingProgress();
    if (found > 0) {
      await put({ ...progress, entity: 'meta', cleanPasses: 0 });
      return { rewritten, done: false };
    }
    const before = (await this.table.get(progress))?.cleanPasses;
    const clean = (typeof before === 'number' ? before : 0) + 1;
    if (clean < CLEAN_PASSES) {
      await put({ ...progress, entity: 'meta', cleanPasses: clean });
      return { rewritten, done: false };
    }
    await put({ ...keys.liveListingMarker(), entity: 'meta' });
    rememberLiveListing(this.table.tableName);
    return { rewritten, done: true };
  }

  /**
   * Adds a session item's list attributes, as read. False when the item moved
   * on since the read (another writer's whole-item Put already carries them,
   * or it ended and must carry none) or needs none.
   */
  async rewrite(item: Record<string, unknown>): Promise<boolean> {
    const session = parseRecord(SessionRecord, item, 'session');
    if (isTerminal(session.status)) return false;
    const attributes = Object.entries(liveListAttributes(session));
    const names: Record<string, string> = { '#version': 'version', '#status': 'status', '#listPk': 'listPk' };
    const values: Record<string, unknown> = { ':version': session.version, ':queued': 'Queued', ':active': 'Active', ':paused': 'Paused' };
    attributes.forEach(([name, value], index) => {
      names[`#a${index}`] = name;
      values[`:a${index}`] = value;
    });
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.session(session.id),
          UpdateExpression: `SET ${attributes.map((_, index) => `#a${index} = :a${index}`).join(', ')}`,
          // A repository write puts the whole item, with these attributes if its status wants them, and moves the
          // version: only the item exactly as read, still live and still without them, may take them here.
          ConditionExpression: '#version = :version AND attribute_not_exists(#listPk) AND #status IN (:queued, :active, :paused)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
