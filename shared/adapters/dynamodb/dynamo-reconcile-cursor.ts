import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReconcileCursor } from '../../ports/reconcile-cursor';
import { keys } from './keys';
import type { DynamoTable } from './table';

/** The reconciliation cursor: one item. */
export class DynamoReconcileCursor implements ReconcileCursor {
  constructor(private readonly table: DynamoTable) {}

  async read(): Promise<string | undefined> {
    const item = await this.table.get(keys.reconcileCursor());
    return typeof item?.after === 'string' ? item.after : undefined;
  }

  async save(after: string | undefined): Promise<void> {
    await this.table.db.send(
      new PutCommand({ TableName: this.table.tableName, Item: { ...keys.reconcileCursor(), entity: 'reconcile-cursor', ...(after !== undefined && { after }) } }),
    );
  }
}
