import fc from 'fast-check';
import { decodeCursor, encodeCursor } from '../../shared/adapters/dynamodb/cursor';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('cursor', () => {
  test('round trip: a cursor decodes to its position for the partition it was issued for', () => {
    // Prepare
    const cursor = encodeCursor('DIRECTORY#mentor', 'MENTOR#mentor-17');

    // Act
    const position = decodeCursor(cursor, 'DIRECTORY#mentor');

    // Assess
    expect(position).toBe('MENTOR#mentor-17');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  test('round trip for any partition and position (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (partition, position) => {
        // Act
        const decoded = decodeCursor(encodeCursor(partition, position), partition);

        // Assess
        expect(decoded).toBe(position);
      }),
    );
  });

  test('a cursor with an empty position is refused (DynamoDB has no empty sort key)', () => {
    // Prepare
    const forged = b64(JSON.stringify({ p: 'DIRECTORY#junior', s: '' }));

    // Act
    const position = decodeCursor(forged, 'DIRECTORY#junior');

    // Assess
    expect(position).toBeNull();
  });

  test('a cursor issued for another partition is refused', () => {
    // Prepare
    const cursor = encodeCursor('DIRECTORY#junior', 'JUNIOR#junior-3');

    // Act
    const position = decodeCursor(cursor, 'DIRECTORY#mentor');

    // Assess
    expect(position).toBeNull();
  });

  test('a cursor from one partition is refused by every other (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (issued, asked, position) => {
        fc.pre(issued !== asked);

        // Act
        const decoded = decodeCursor(encodeCursor(issued, position), asked);

        // Assess
        expect(decoded).toBeNull();
      }),
    );
  });

  test.each([
    ['an empty string', ''],
    ['not base64 at all', '%%% not a cursor %%%'],
    ['base64 of non-JSON', b64('hello')],
    ['JSON null', b64('null')],
    ['a JSON string', b64('"DIRECTORY#mentor"')],
    ['a JSON number', b64('42')],
    ['a JSON array', b64('["DIRECTORY#mentor","MENTOR#x"]')],
    ['no position', b64('{"p":"DIRECTORY#mentor"}')],
    ['a non-string position', b64('{"p":"DIRECTORY#mentor","s":{"PK":"OTHER"}}')],
    ['no partition', b64('{"s":"MENTOR#x"}')],
    ['truncated', encodeCursor('DIRECTORY#mentor', 'MENTOR#x').slice(0, 10)],
  ])('garbage (%s) decodes to null', (_name, cursor) => {
    // Prepare: the table row

    // Act
    const position = decodeCursor(cursor, 'DIRECTORY#mentor');

    // Assess
    expect(position).toBeNull();
  });

  test('never throws on any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (cursor) => {
        // Act
        const position = decodeCursor(cursor, 'DIRECTORY#mentor');

        // Assess
        expect(position === null || typeof position === 'string').toBe(true);
      }),
    );
  });
});
