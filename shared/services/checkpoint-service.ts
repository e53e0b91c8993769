import type { TaskCompletion, TaskTokens } from '../ports/task-tokens';

/**
 * The checkpoints of the mentorship state machine, in order: one before each
 * phase (the vocabulary's groups). Written once: the CDK construct builds the
 * machine from it and the checkpoint handler validates against it.
 */
export const CHECKPOINTS = ['Assessment', 'Planning', 'Implementation', 'Quality', 'Review', 'Completion'] as const;
export type Checkpoint = (typeof CHECKPOINTS)[number];

export interface CheckpointInput {
  readonly sessionId: string;
  readonly checkpoint: Checkpoint;
  /** The Step Functions task token of this checkpoint. A secret: never logged. */
  readonly token: string;
}

export interface CheckpointServiceOptions {
  readonly tokens: TaskTokens;
  /** Lets an execution go on (Step Functions' SendTaskSuccess). */
  readonly tasks: TaskCompletion;
}

/**
 * What the state machine's checkpoint task does: a paused session keeps the
 * token (resume sends it back), any other lets the execution go on at once.
 */
export class CheckpointService {
  constructor(private readonly options: CheckpointServiceOptions) {}

  async checkpoint({ sessionId, checkpoint, token }: CheckpointInput): Promise<'held' | 'continue'> {
    // The Paused check and the write of the token are one transaction, so a resume
    // committing meanwhile either finds the token or makes this answer 'continue'.
    const outcome = await this.options.tokens.holdIfPaused(sessionId, token, checkpoint);
    if (outcome === 'continue') {
      await this.options.tasks.succeed(token, { checkpoint });
    }
    return outcome;
  }
}
