import { z } from 'zod';
import { uuidV7Generator } from '../../shared/adapters/ids/uuid-v7';

describe('uuid v7 session ids', () => {
  test('are RFC 9562 version 7 UUIDs the API accepts', () => {
    const id = uuidV7Generator()();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  test('sort in the order they were made, also within one millisecond and when the clock steps back', () => {
    const times = [1000, 1000, 1000, 999, 1001, 1001];
    let i = 0;
    const next = uuidV7Generator(() => times[Math.min(i++, times.length - 1)]!);
    const ids = Array.from({ length: 5000 }, () => next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
