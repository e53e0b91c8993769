import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST as the receiver got it: the raw body and the headers that matter. */
export interface ReceivedDelivery {
  readonly body: string;
  readonly signature: string;
  readonly eventId: string;
  readonly attempt: string;
}

/** A webhook receiver on 127.0.0.1: records every POST; can answer 503 to the next N or to all until told otherwise. */
export interface WebhookReceiver {
  readonly url: string;
  /** Posts answered 2xx, in arrival order. */
  readonly accepted: ReceivedDelivery[];
  /** Every post, refused ones included. */
  attempts: number;
  refuseNext(count: number): void;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let refusals = 0;
  let down = false;
  const receiver = { accepted: [] as ReceivedDelivery[], attempts: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.attempts += 1;
      if (down || refusals > 0) {
        refusals = Math.max(0, refusals - 1);
        response.writeHead(503).end('unavailable');
        return;
      }
      receiver.accepted.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers['x-mentorship-signature'] ?? ''),
        eventId: String(request.headers['x-mentorship-event-id'] ?? ''),
        attempt: String(request.headers['x-mentorship-delivery-attempt'] ?? ''),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks/mentorship`,
    refuseNext: (count: number) => void (refusals = count),
    setDown: (value: boolean) => void (down = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/**
 * The receiver's check, written from the documented scheme (not from the
 * service's code): `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<raw body>">`.
 */
export function signatureIsValid(secret: string, header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
