import { performance } from 'node:perf_hooks';
import type { Mentor } from '../../domain/directory';

/** Stories whose skill area is remembered at most; past it the memory starts over. */
const MAX_STORIES = 10_000;

/**
 * What every start would otherwise read before it can read anything else,
 * kept in this process for a short while: the mentor directory (one Query of
 * its partition) and each story's skill area (which names the mentor pool).
 * With both at hand a start reads everything it needs in one BatchGet.
 *
 * Correctness does not rest on it. The story itself is read fresh in that
 * BatchGet (a changed skill area is read again); the chosen mentor's
 * availability and capacity are checked by the start's transaction, and a
 * start refused on them forgets the directory here. What the cache may hide
 * for up to its time to live is a mentor added, or a mentor's skills changed,
 * by another process (a write through this process forgets it at once).
 */
export class DirectoryCache {
  private mentors: { readonly list: readonly Mentor[]; readonly at: number } | undefined;
  private readonly areas = new Map<string, string>();

  constructor(
    /** How long the directory is reused, in ms; 0 reads it every time. */
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The mentor directory read less than the time to live ago, if any. */
  freshMentors(): readonly Mentor[] | undefined {
    if (this.mentors === undefined || this.now() - this.mentors.at >= this.ttlMs) return undefined;
    return this.mentors.list;
  }

  rememberMentors(list: readonly Mentor[]): void {
    if (this.ttlMs > 0) this.mentors = { list, at: this.now() };
  }

  /** The next start reads the directory again (a mentor was written, or a transaction found one changed). */
  forgetMentors(): void {
    this.mentors = undefined;
  }

  /** The skill area this story had when last read here: a guess the start checks against the story it reads. */
  areaOf(storyId: string): string | undefined {
    return this.areas.get(storyId);
  }

  rememberArea(storyId: string, skillArea: string): void {
    if (this.ttlMs === 0) return;
    if (this.areas.size >= MAX_STORIES && !this.areas.has(storyId)) this.areas.clear();
    this.areas.set(storyId, skillArea);
  }
}
