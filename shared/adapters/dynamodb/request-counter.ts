import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts DynamoDB requests by operation name, through an SDK middleware placed inside the retry loop (one count per request sent, retries included). */
export class RequestCounter {
  private readonly counts = new Map<string, number>();

  attach(client: DynamoDBClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'deserialize', name: 'requestCounter', override: true },
    );
    return this;
  }

  reset(): void {
    this.counts.clear();
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort());
  }
}
