import * as z from 'zod';
import { ValidationError } from '../domain/errors';
import { once } from '../domain/once';

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The header's values, for the OpenAPI document: what {@link idempotencyKey} accepts. */
export const IdempotencyKeyHeader = once(() => z.string().min(1).max(255).regex(KEY).describe('1-255 visible ASCII characters (0x21-0x7E)'));

/** The optional Idempotency-Key header: 1-255 visible ASCII characters. */
export function idempotencyKey(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (!KEY.test(value)) {
    throw new ValidationError('Invalid Idempotency-Key header.', [{ path: 'headers.Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }]);
  }
  return value;
}
