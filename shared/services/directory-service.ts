import { type Caller, mayPerform } from '../domain/access';
import type { DirectoryEntry, DirectoryKind } from '../domain/directory';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { DirectoryStore, Page } from '../ports/directory-store';

/** Juniors, mentors and stories: written by coordinators, read by coordinators and the engine. */
export class DirectoryService {
  constructor(private readonly store: DirectoryStore) {}

  async put<K extends DirectoryKind>(kind: K, entry: DirectoryEntry<K>, caller: Caller): Promise<DirectoryEntry<K>> {
    if (!mayPerform(caller, 'write_directory')) throw new ForbiddenError('Only coordinators edit the directory.');
    await this.store.put(kind, entry);
    return entry;
  }

  async get<K extends DirectoryKind>(kind: K, id: string, caller: Caller): Promise<DirectoryEntry<K>> {
    if (!mayPerform(caller, 'read_directory')) throw new ForbiddenError('Your role may not read the directory.');
    const entry = await this.store.get(kind, id);
    if (entry === undefined) throw new NotFoundError(`${kind} ${id} not found.`);
    return entry;
  }

  list<K extends DirectoryKind>(kind: K, options: { limit: number; cursor?: string }, caller: Caller): Promise<Page<DirectoryEntry<K>>> {
    if (!mayPerform(caller, 'read_directory')) throw new ForbiddenError('Your role may not read the directory.');
    return this.store.list(kind, options);
  }
}
