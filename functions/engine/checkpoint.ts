import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { createDynamoClients } from '../../shared/adapters/dynamodb/client';
import { DynamoTaskTokens } from '../../shared/adapters/dynamodb/dynamo-task-tokens';
import { SfnTaskCompletion } from '../../shared/adapters/stepfunctions/sfn-task-completion';
import { composedEntry } from '../../shared/lambda-entry';
import { CHECKPOINTS, CheckpointService } from '../../shared/services/checkpoint-service';

/** The checkpoint task's payload, as the state machine builds it (sessionId = $$.Execution.Name, token = $$.Task.Token). */
export const CheckpointEventSchema = z.strictObject({
  sessionId: z.string().min(1).max(80),
  checkpoint: z.enum(CHECKPOINTS),
  token: z.string().min(1).max(2048),
});

/**
 * A checkpoint of the mentorship state machine (waitForTaskToken): a paused
 * session keeps the token, any other gets it sent back at once. The answer
 * only shows in tests and logs: Step Functions waits for the token, not for it.
 */
export const makeHandler =
  (service: CheckpointService) =>
  async (event: unknown, _context?: Context): Promise<{ outcome: 'held' | 'continue' }> => {
    const parsed = CheckpointEventSchema.safeParse(event);
    if (!parsed.success) {
      // Issues name the fields, never their values: the token stays out of the logs.
      throw new Error(`Not a checkpoint event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`);
    }
    return { outcome: await service.checkpoint(parsed.data) };
  };

const CheckpointEnvironment = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
});

/**
 * This function's composition (it needs the task tokens and Step Functions,
 * none of the HTTP app): configuration from the environment, checked at cold start.
 */
export function checkpointServiceFromEnvironment(env: NodeJS.ProcessEnv = process.env): CheckpointService {
  const parsed = CheckpointEnvironment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const dynamo = createDynamoClients();
  return new CheckpointService({
    tokens: new DynamoTaskTokens(dynamo.document, parsed.data.TABLE_NAME),
    tasks: new SfnTaskCompletion(),
  });
}

/** The Lambda export: composed like every function (secrets, Powertools logging and metrics), on the first invocation. */
export const handler = composedEntry((env) => checkpointServiceFromEnvironment(env), makeHandler);
