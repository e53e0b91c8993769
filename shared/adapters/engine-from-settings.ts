import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../ports/clock';
import type { WorkflowEngine } from '../ports/workflow-engine';
import type { EngineSettings } from '../settings/settings';
import { DynamoTaskTokens } from './dynamodb/dynamo-task-tokens';
import { ElsaWorkflowEngine } from './elsa/elsa-workflow-engine';
import { EmbeddedWorkflowEngine } from './embedded-engine/embedded-workflow-engine';
import { StepFunctionsWorkflowEngine } from './stepfunctions/step-functions-engine';

/** The engine settings choose (`workflow_engine.type`); embedded when nothing says otherwise. */
export function engineFromSettings(settings: EngineSettings, table: { db: DynamoDBDocumentClient; tableName: string; clock: Clock }): WorkflowEngine {
  switch (settings.type) {
    case 'embedded':
      return new EmbeddedWorkflowEngine(table.db, table.tableName, table.clock);
    case 'elsa': {
      const elsa = settings.elsa!;
      return new ElsaWorkflowEngine({
        baseUrl: elsa.baseUrl,
        prefix: elsa.prefix,
        apiKey: elsa.apiKey,
        definitionId: elsa.definitionId,
        events: elsa.events,
        timeoutMs: elsa.timeoutMs,
        retry: { attempts: elsa.retryAttempts },
      });
    }
    case 'stepfunctions':
      // The Step Functions client is made on the engine's first call.
      return new StepFunctionsWorkflowEngine({
        stateMachineArn: settings.stateMachineArn!,
        tokens: new DynamoTaskTokens(table.db, table.tableName),
      });
  }
}
