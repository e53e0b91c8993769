/** How long ended sessions' data is kept, and what happens as it expires. */
export interface RetentionStore {
  /** Terminal sessions whose data expires in [from, to] (ISO instants). */
  countExpiring(from: string, to: string): Promise<number>;
  /** Gives a session's events the session's expiry (or clears it under a legal hold); idempotent. Answers the items changed. */
  applyExpiry(sessionId: string): Promise<number>;
  /** A listing entry expired: its list stops counting it. */
  forgetExpiredListing(item: { readonly sessionId: string; readonly partition: string; readonly status: string }): Promise<void>;
}
