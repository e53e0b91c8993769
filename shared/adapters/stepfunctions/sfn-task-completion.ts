import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { TaskCompletion } from '../../ports/task-tokens';

/** TaskCompletion on Step Functions: SendTaskSuccess with the token (a secret: never logged). */
export class SfnTaskCompletion implements TaskCompletion {
  constructor(private readonly client: SFNClient) {}

  async succeed(token: string, output: Readonly<Record<string, unknown>>): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
  }
}
