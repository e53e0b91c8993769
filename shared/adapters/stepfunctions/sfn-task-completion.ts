import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TaskCompletion } from '../../ports/task-tokens';

/**
 * TaskCompletion on Step Functions: SendTaskSuccess with the token (a secret:
 * never logged). The SDK module is loaded on the first call, and the client
 * made then unless one was given: a checkpoint that holds its token (a paused
 * session) never loads the Step Functions client.
 */
export class SfnTaskCompletion implements TaskCompletion {
  constructor(private client?: SFNClient) {}

  async succeed(token: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    const sdk = await import('@aws-sdk/client-sfn');
    this.client ??= new sdk.SFNClient({});
    await this.client.send(new sdk.SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  }
}
