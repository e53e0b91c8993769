import type { DirectoryEntry, DirectoryKind } from '../domain/directory';

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; absent on the last page. */
  readonly nextCursor?: string;
}

/** Juniors, mentors and stories, written by coordinators. */
export interface DirectoryStore {
  put<K extends DirectoryKind>(kind: K, entry: DirectoryEntry<K>): Promise<void>;
  get<K extends DirectoryKind>(kind: K, id: string): Promise<DirectoryEntry<K> | undefined>;
  list<K extends DirectoryKind>(kind: K, options: { limit: number; cursor?: string }): Promise<Page<DirectoryEntry<K>>>;
}
