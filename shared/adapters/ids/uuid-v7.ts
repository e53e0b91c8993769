import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../ports/clock';

/**
 * Time-ordered UUIDs (RFC 9562 version 7, with the 12-bit counter of method 1):
 * ids made later by one process sort later, also within one millisecond. The
 * queue sorts sessions that joined in the same millisecond by id, so this
 * keeps them in arrival order.
 */
export function uuidV7Generator(now: () => number = Date.now): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      counter += 1;
      if (counter > 0xfff) {
        // Counter spent within one millisecond: borrow the next one, keeping the order.
        lastMs += 1;
        counter = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = randomBytes(1)[0]! & 0x3f; // leave room to count up within the millisecond
    }
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

const next = uuidV7Generator();

export const uuidV7Ids: IdGenerator = { sessionId: () => next() };
