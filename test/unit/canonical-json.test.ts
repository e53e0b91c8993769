import fc from 'fast-check';
import { canonicalJson } from '../../shared/domain/canonical-json';

describe('canonicalJson: the text a request fingerprint hashes', () => {
  it('sorts keys at every level and keeps arrays in order', () => {
    // Act
    const text = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: true } });

    // Assess
    expect(text).toBe('{"a":{"c":true,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it.each([
    ['the top level', { a: 1, config: { max: 5 } }, { a: 2, config: { max: 5 } }],
    ['the second level', { config: { max: 5 } }, { config: { max: 9 } }],
    ['the third level', { config: { notifications: { slack: true } } }, { config: { notifications: { slack: false } } }],
    ['an array item', { config: { notifications: { to: ['#a', '#b'] } } }, { config: { notifications: { to: ['#b', '#a'] } } }],
    ['a key added deep down', { config: { notifications: {} } }, { config: { notifications: { slack: true } } }],
  ])('a change at %s changes the text', (_level, a, b) => {
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });

  it('leaves out undefined members, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: { c: undefined, d: 1 } })).toBe('{"b":{"d":1}}');
  });

  it('property: key order never matters, and the text parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered = JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
          v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });
});
