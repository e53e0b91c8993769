/**
 * JSON text with the keys of every object sorted, at every depth, and arrays
 * kept in order: two values that differ anywhere give different texts, and
 * two that differ only in key order give the same one. What a request
 * fingerprint hashes (as Powertools' idempotency utility sorts keys
 * recursively before hashing). `JSON.stringify(value, keys)` is not this: its
 * key list filters nested objects too, so nested fields would not count.
 *
 * Members whose value is `undefined` are left out, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedDeep(value)) ?? 'null';
}

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value).sort()) sorted[key] = sortedDeep((value as Record<string, unknown>)[key]);
  return sorted;
}
