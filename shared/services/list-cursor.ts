import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a list cursor carries: the store's position and the number of the page it opens. */
export interface CursorPayload {
  readonly after: Readonly<Record<string, unknown>>;
  readonly page: number;
}

/**
 * Signed, opaque list cursors. A cursor is bound to the listing it came from
 * (the caller and the exact filters, order and page size) and signed with
 * HMAC-SHA256: an edited cursor, or one replayed against another listing or by
 * another caller, is refused. The payload is base64url JSON; nothing in it is
 * secret, it only must not be forged. Cursors outlive a process only when the
 * key is shared (CURSOR_SIGNING_KEY in every Lambda).
 */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(key?: string) {
    this.key = key === undefined ? randomBytes(32) : Buffer.from(key, 'utf8');
    if (this.key.length < 32) throw new Error('The cursor signing key must be at least 32 bytes.');
  }

  encode(listing: unknown, payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify({ l: fingerprint(listing), a: payload.after, n: payload.page }), 'utf8').toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The payload, or null when the cursor is malformed, edited, or belongs to another listing. */
  decode(listing: unknown, cursor: string): CursorPayload | null {
    const [body, signature, extra] = cursor.split('.');
    if (body === undefined || signature === undefined || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(body), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { l?: unknown; a?: unknown; n?: unknown };
      if (value.l !== fingerprint(listing)) return null;
      if (typeof value.a !== 'object' || value.a === null || Array.isArray(value.a)) return null;
      if (typeof value.n !== 'number' || !Number.isSafeInteger(value.n) || value.n < 2) return null;
      return { after: value.a as Record<string, unknown>, page: value.n };
    } catch {
      return null;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** A short digest of the listing's identity (canonical JSON: keys sorted). */
function fingerprint(listing: unknown): string {
  return createHash('sha256').update(canonical(listing)).digest('base64url').slice(0, 22);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
