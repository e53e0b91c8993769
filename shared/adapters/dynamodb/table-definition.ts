import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The table's index names, written once: a Query or an IAM grant naming any other does not compile. */
export const INDEX_NAMES = ['queue', 'due', 'open', 'list-created', 'list-completed', 'list-duration'] as const;
export type IndexName = (typeof INDEX_NAMES)[number];

/** The attributes a listing item projects into the list indexes (listing.ts), for filters and for reading the session back. */
export const LISTING_ATTRIBUTES = ['sessionId', 'juniorId', 'mentorId', 'storyId', 'status', 'createdAt'] as const;

/** A global secondary index; `include` projects only those attributes (plus the keys), else all. */
export interface IndexDefinition {
  readonly name: IndexName;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly include?: readonly string[];
}

/**
 * The single table, written once: the store, the local server, the tests and
 * the CDK stack all read it.
 */
export const TABLE_DEFINITION = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL removes the item some time after. Named apart from any domain field. */
  timeToLiveAttribute: 'ttl',
  streamViewType: 'NEW_AND_OLD_IMAGES',
  billingMode: 'PAY_PER_REQUEST',
  /**
   * Sparse indexes: an item is in one only while it carries the index's keys.
   * `queue`: Queued sessions by enqueue time (FIFO). `due`: sessions with a
   * pending deadline by due time (the sweeper reads only what is due). `open`:
   * Active and Paused sessions (at most the system limit), for usage and the
   * wait estimate; `due` also holds terminal sessions by expiry (partition
   * EXPIRY) for the retention report. `list-*`: the listing items
   * (listing.ts), one index per sort order, projecting only what filters need.
   */
  globalSecondaryIndexes: [
    { name: 'queue', partitionKey: 'queuePk', sortKey: 'queueSk' },
    { name: 'due', partitionKey: 'duePk', sortKey: 'dueSk' },
    { name: 'open', partitionKey: 'openPk', sortKey: 'openSk' },
    { name: 'list-created', partitionKey: 'listPk', sortKey: 'listCreated', include: LISTING_ATTRIBUTES },
    { name: 'list-completed', partitionKey: 'listPk', sortKey: 'listCompleted', include: LISTING_ATTRIBUTES },
    { name: 'list-duration', partitionKey: 'listPk', sortKey: 'listDuration', include: LISTING_ATTRIBUTES },
  ] satisfies readonly IndexDefinition[] as readonly IndexDefinition[],
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyNames = new Set<string>([TABLE_DEFINITION.partitionKey, TABLE_DEFINITION.sortKey]);
  for (const index of TABLE_DEFINITION.globalSecondaryIndexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: TABLE_DEFINITION.billingMode,
    AttributeDefinitions: [...keyNames].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE_DEFINITION.streamViewType },
    ...(TABLE_DEFINITION.globalSecondaryIndexes.length === 0
      ? {}
      : {
          GlobalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: index.include === undefined ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
          })),
        }),
  };
}
