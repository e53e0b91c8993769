/** Time is a dependency: tests move it instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Generates session ids. */
export interface IdGenerator {
  sessionId(): string;
}
