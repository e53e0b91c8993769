export interface HeldToken {
  readonly token: string;
  readonly checkpoint: string;
}

/**
 * Step Functions task tokens held for paused sessions. A checkpoint of the
 * mentorship state machine hands its token over; while the session is paused
 * the token is kept, and resume sends it back.
 */
export interface TaskTokens {
  /**
   * Keeps the token when the session is Paused (answers 'held'); answers
   * 'continue' when it is not, so the checkpoint proceeds at once. The check
   * and the write are one atomic step.
   */
  holdIfPaused(sessionId: string, token: string, checkpoint: string): Promise<'held' | 'continue'>;
  /** Takes (reads and removes) the token held for the session, if any. */
  take(sessionId: string): Promise<HeldToken | undefined>;
  /** Puts back a token taken for a resume the engine did not accept (the session goes back to Paused). */
  restore(sessionId: string, held: HeldToken): Promise<void>;
}

/** Hands a task token back to the engine so its execution goes on (Step Functions' SendTaskSuccess). */
export interface TaskCompletion {
  succeed(token: string, output: Readonly<Record<string, unknown>>): Promise<void>;
}
