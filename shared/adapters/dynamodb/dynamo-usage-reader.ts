import { rotationKey, skillLevel } from '../../domain/assignment';
import type { Mentor } from '../../domain/directory';
import type { DurationStats, MentorPool, StartContext, StartContextQuery, UsageReader, UsageSnapshot } from '../../ports/usage-reader';
import { DirectoryCache } from './directory-cache';
import { type Key, keys } from './keys';
import { IdempotencyRecordSchema, JuniorRecord, MentorRecord, parseRecord, StoryRecord } from './records';
import { mentorUsageFrom, usageFrom, usageKeys } from './session-items';
import { type DynamoTable, keyString } from './table';

/**
 * Slot counters, the mentor directory with its loads and pointers, and what a
 * start reads, in as few round trips as possible: one BatchGet when the
 * directory and the story's skill area are at hand (directory-cache.ts), else
 * the BatchGet beside a Query of the directory, then the pool's BatchGet.
 */
export class DynamoUsageReader implements UsageReader {
  constructor(
    private readonly table: DynamoTable,
    private readonly cache: DirectoryCache = new DirectoryCache(0),
  ) {}

  async loadStartContext(query: StartContextQuery): Promise<StartContext> {
    const wanted: Key[] = [keys.directory('story', query.storyId), keys.directory('junior', query.juniorId)];
    if (query.mentorId !== undefined) wanted.push(keys.directory('mentor', query.mentorId));
    if (query.idempotency !== undefined) wanted.push(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    const counters = usageKeys([query.juniorId]);
    const named = query.mentorId === undefined ? {} : { mentorIds: [query.mentorId] };

    // With the directory and the story's skill area at hand, the pool's counters and pointer come in the same
    // BatchGet; otherwise the directory is read alongside, and the pool's keys follow once the story names the area.
    const cached = query.withMentorPool ? this.cache.freshMentors() : undefined;
    const area = cached === undefined ? undefined : this.cache.areaOf(query.storyId);
    const guessed = cached !== undefined && area !== undefined ? selection(cached, { skillArea: area, ...named }).keys : [];
    const [found, listed] = await Promise.all([
      this.table.batchGet([...wanted, ...counters, ...guessed]),
      query.withMentorPool && cached === undefined ? this.allMentors() : Promise.resolve(cached),
    ]);
    const pick = (key: Key) => found.get(keyString(key));

    const story = pick(keys.directory('story', query.storyId));
    const junior = pick(keys.directory('junior', query.juniorId));
    const mentor = query.mentorId === undefined ? undefined : pick(keys.directory('mentor', query.mentorId));
    const idempotency = query.idempotency === undefined ? undefined : pick(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    const storyRecord = story && parseRecord(StoryRecord, story, 'story');
    const mentorRecord = mentor && parseRecord(MentorRecord, mentor, 'mentor');
    if (storyRecord !== undefined) this.cache.rememberArea(storyRecord.id, storyRecord.skillArea);

    let mentorPool: MentorPool | undefined;
    if (listed !== undefined && storyRecord !== undefined) {
      // The named mentor as just read, not as the directory was.
      const all = mentorRecord === undefined ? listed : [...listed.filter((m) => m.id !== mentorRecord.id), mentorRecord];
      const chosen = selection(all, { skillArea: storyRecord.skillArea, ...named });
      const read = new Set(guessed.map(keyString));
      const complete = chosen.keys.every((key) => read.has(keyString(key)));
      mentorPool = poolFrom(chosen, complete ? found : await this.table.batchGet(chosen.keys));
    }
    return {
      ...(storyRecord && { story: storyRecord }),
      ...(mentorPool && { mentorPool }),
      ...(junior && { junior: parseRecord(JuniorRecord, junior, 'junior') }),
      ...(mentorRecord && { mentor: mentorRecord }),
      ...(idempotency && { idempotency: parseRecord(IdempotencyRecordSchema, idempotency, 'idempotency') }),
      usage: usageFrom(found, [query.juniorId]),
    };
  }

  async readUsage(query: { juniorIds: readonly string[] }): Promise<UsageSnapshot> {
    const juniorIds = [...new Set(query.juniorIds)];
    return usageFrom(await this.table.batchGet(usageKeys(juniorIds)), juniorIds);
  }

  /**
   * The mentors who cover the area or are named, with their slot counters and
   * the area's pointer: the directory (reused while fresh, unless a named
   * mentor is missing from it), then one BatchGet.
   */
  async loadMentorPool(query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool> {
    const cached = this.cache.freshMentors();
    const all = cached !== undefined && (query.mentorIds ?? []).every((id) => cached.some((m) => m.id === id)) ? cached : await this.allMentors();
    const chosen = selection(all, query);
    return poolFrom(chosen, await this.table.batchGet(chosen.keys));
  }

  /** Every mentor in the directory: one Query of its partition, a page at a time; kept in the cache. */
  private async allMentors(): Promise<Mentor[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.directoryPartition('mentor') },
      ConsistentRead: true,
    });
    const mentors = items.map((item) => parseRecord(MentorRecord, item, 'mentor'));
    this.cache.rememberMentors(mentors);
    return mentors;
  }

  async readMentorUsage(mentorIds: readonly string[]): Promise<ReadonlyMap<string, { load: number; lastAssignedAt?: string }>> {
    const found = await this.table.batchGet(mentorIds.map((id) => keys.counter('mentor', id)));
    return new Map(mentorIds.map((id) => [id, mentorUsageFrom(found.get(keyString(keys.counter('mentor', id))))]));
  }

  async getDurationStats(): Promise<DurationStats | undefined> {
    const Item = await this.table.get(keys.stats('active-duration'));
    const count = Number(Item?.count ?? 0);
    const sumMs = Number(Item?.sumMs ?? 0);
    return count > 0 && Number.isFinite(sumMs) ? { count, meanActiveMs: sumMs / count } : undefined;
  }
}

interface Selection {
  readonly mentors: readonly Mentor[];
  readonly skillArea: string;
  /** The area's pointer and the chosen mentors' counters. */
  readonly keys: readonly Key[];
}

/** The mentors who cover the area or are named, and the keys of their counters and the area's pointer. */
function selection(all: readonly Mentor[], query: { skillArea: string; mentorIds?: readonly string[] }): Selection {
  const named = new Set(query.mentorIds ?? []);
  const mentors = all.filter((mentor) => named.has(mentor.id) || skillLevel(mentor, query.skillArea) > 0);
  return { mentors, skillArea: query.skillArea, keys: [keys.rotation(rotationKey(query.skillArea)), ...mentors.map((m) => keys.counter('mentor', m.id))] };
}

function poolFrom(chosen: Selection, found: ReadonlyMap<string, Record<string, unknown>>): MentorPool {
  const pointer = found.get(keyString(keys.rotation(rotationKey(chosen.skillArea))));
  return {
    mentors: chosen.mentors.map((mentor) => ({ mentor, ...mentorUsageFrom(found.get(keyString(keys.counter('mentor', mentor.id)))) })),
    rotation: {
      skillArea: rotationKey(chosen.skillArea),
      turn: typeof pointer?.turn === 'number' ? pointer.turn : 0,
      ...(typeof pointer?.lastMentorId === 'string' && { lastMentorId: pointer.lastMentorId }),
    },
  };
}
