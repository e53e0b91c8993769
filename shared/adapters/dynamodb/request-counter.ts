import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts DynamoDB requests by operation name, through an SDK middleware placed
 * inside the retry loop (one count per request sent, retries included), and
 * the sequential round trips among them: a request sent while none is in
 * flight starts a round trip; requests sent while another is in flight run in
 * parallel with it and add none. Measured on one operation at a time, that is
 * how many times the operation waits on the store in a row.
 */
let attached = 0;

export class RequestCounter {
  private readonly counts = new Map<string, number>();
  private inFlight = 0;
  private kinds: string[] = [];

  attach(client: DynamoDBClient): this {
    attached += 1;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        if (this.inFlight === 0) this.kinds.push(name);
        this.inFlight += 1;
        try {
          return await next(args);
        } finally {
          this.inFlight -= 1;
        }
      },
      { step: 'deserialize', name: `requestCounter${attached}` },
    );
    return this;
  }

  reset(): void {
    this.counts.clear();
    this.kinds = [];
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Sequential round trips since the last reset (see the class comment). */
  roundTrips(): number {
    return this.kinds.length;
  }

  /** The operation that opened each round trip, in order. */
  tripKinds(): string[] {
    return [...this.kinds];
  }

  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort());
  }
}
