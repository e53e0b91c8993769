import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { WorkflowEngineError } from '../../domain/errors';
import type { Clock } from '../../ports/clock';
import type { StartWorkflowInput, WorkflowEngine, WorkflowInstanceStatus } from '../../ports/workflow-engine';
import { keys } from '../dynamodb/keys';

const STATUSES = ['Running', 'Suspended', 'Finished', 'Cancelled', 'Faulted'] as const;
type StoredStatus = (typeof STATUSES)[number];

/**
 * A workflow engine for local runs and tests: instances are items in the same
 * table. It keeps the lifecycle an engine has (running, suspended, cancelled)
 * and the correlation-id rule (one instance per session), and no workflow logic:
 * progress is reported through the callback route, as Elsa would.
 */
export class EmbeddedWorkflowEngine implements WorkflowEngine {
  readonly name = 'embedded';
  readonly reportsPause = true;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  async start({ correlationId, input }: StartWorkflowInput): Promise<{ instanceId: string }> {
    const instanceId = `embedded-${correlationId}`;
    const now = this.clock.now().toISOString();
    try {
      // One instance per correlation id: a retried start finds it and answers the same id.
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.workflow(instanceId), entity: 'workflow', instanceId, correlationId, input, status: 'Running', createdAt: now, updatedAt: now },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw engineError('start', error);
    }
    return { instanceId };
  }

  async findByCorrelation(correlationId: string): Promise<string | undefined> {
    const instanceId = `embedded-${correlationId}`;
    return (await this.status(instanceId)) === 'NotFound' ? undefined : instanceId;
  }

  suspend(instanceId: string): Promise<void> {
    return this.move(instanceId, 'suspend', ['Running', 'Suspended'], 'Suspended');
  }

  resume(instanceId: string): Promise<void> {
    return this.move(instanceId, 'resume', ['Suspended', 'Running'], 'Running');
  }

  cancel(instanceId: string): Promise<void> {
    return this.move(instanceId, 'cancel', ['Running', 'Suspended', 'Cancelled'], 'Cancelled');
  }

  /** Keeps the config on the instance, as an engine variable would. Refused once the instance has ended. */
  async updateConfig(instanceId: string, config: Readonly<Record<string, unknown>>): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.workflow(instanceId),
          UpdateExpression: 'SET #config = :config, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND #status IN (:running, :suspended)',
          ExpressionAttributeNames: { '#config': 'config', '#status': 'status' },
          ExpressionAttributeValues: { ':config': config, ':now': this.clock.now().toISOString(), ':running': 'Running', ':suspended': 'Suspended' },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new WorkflowEngineError(`Workflow instance ${instanceId} is not running; it takes no config.`, {
          details: { instanceId, operation: 'updateConfig', failure: 'rejected' },
        });
      }
      throw engineError('updateConfig', error);
    }
  }

  async status(instanceId: string): Promise<WorkflowInstanceStatus> {
    try {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.workflow(instanceId), ConsistentRead: true }));
      if (Item === undefined) return 'NotFound';
      const status = Item.status;
      return STATUSES.includes(status) ? (status as StoredStatus) : 'Faulted';
    } catch (error) {
      throw engineError('status', error);
    }
  }

  private async move(instanceId: string, operation: string, from: StoredStatus[], to: StoredStatus): Promise<void> {
    const names = from.map((_, i) => `:from${i}`);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.workflow(instanceId),
          UpdateExpression: 'SET #status = :to, updatedAt = :now',
          ConditionExpression: `attribute_exists(pk) AND #status IN (${names.join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':now': this.clock.now().toISOString(),
            ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new WorkflowEngineError(`Workflow instance ${instanceId} cannot ${operation} from its current state.`, {
          details: { instanceId, operation, failure: 'rejected' },
        });
      }
      throw engineError(operation, error);
    }
  }
}

function engineError(operation: string, cause: unknown): WorkflowEngineError {
  return new WorkflowEngineError(`The embedded workflow engine failed to ${operation}.`, { cause, details: { operation } });
}
