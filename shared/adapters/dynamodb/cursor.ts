/**
 * Opaque cursors. A cursor names the partition it was issued for, so it cannot
 * be replayed against another key range: a cursor from one list is refused by
 * another. Base64url JSON; nothing secret is in it.
 */
export function encodeCursor(partition: string, position: string): string {
  return Buffer.from(JSON.stringify({ p: partition, s: position }), 'utf8').toString('base64url');
}

/** The position, or null when the cursor is malformed or was issued for another partition. */
export function decodeCursor(cursor: string, partition: string): string | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { p, s } = value as Record<string, unknown>;
    return p === partition && typeof s === 'string' && s.length > 0 && s.length <= 1024 ? s : null;
  } catch {
    return null;
  }
}
