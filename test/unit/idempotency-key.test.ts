import { ValidationError } from '../../shared/domain/errors';
import { idempotencyKey } from '../../shared/http/idempotency-key';

describe('idempotencyKey', () => {
  test('absent header: no key', () => {
    // Prepare
    const headers = { 'content-type': 'application/json' };

    // Act
    const key = idempotencyKey(headers);

    // Assess
    expect(key).toBeUndefined();
  });

  test.each([
    ['a uuid', '3f1c2a9e-8d7b-4c6a-9e5f-0a1b2c3d4e5f'],
    ['one character', 'x'],
    ['255 characters', 'k'.repeat(255)],
    ['every visible ASCII character', Array.from({ length: 0x7e - 0x21 + 1 }, (_v, i) => String.fromCharCode(0x21 + i)).join('')],
  ])('accepts %s', (_name, value) => {
    // Prepare
    const headers = { 'idempotency-key': value };

    // Act
    const key = idempotencyKey(headers);

    // Assess
    expect(key).toBe(value);
  });

  test.each([
    ['an empty value', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'two words'],
    ['a tab', 'a\tb'],
    ['a newline (header injection)', 'a\nb'],
    ['DEL', 'a\x7fb'],
    ['non-ASCII', 'clé'],
  ])('refuses %s with a ValidationError naming the header', (_name, value) => {
    // Prepare
    const headers = { 'idempotency-key': value };

    // Act
    const act = () => idempotencyKey(headers);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(
      expect.objectContaining({
        code: 'invalid_request',
        issues: [{ path: 'headers.Idempotency-Key', message: 'must be 1-255 visible ASCII characters' }],
      }),
    );
  });
});
