import { rotationKey, skillLevel } from '../../domain/assignment';
import type { Mentor } from '../../domain/directory';
import type { DurationStats, MentorPool, StartContext, StartContextQuery, UsageReader, UsageSnapshot } from '../../ports/usage-reader';
import { type Key, keys } from './keys';
import { IdempotencyRecordSchema, JuniorRecord, MentorRecord, parseRecord, StoryRecord } from './records';
import { mentorUsageFrom, usageFrom, usageKeys } from './session-items';
import { type DynamoTable, keyString } from './table';

/** Slot counters, the mentor directory with its loads and pointers, and what a start reads, in as few round trips as possible. */
export class DynamoUsageReader implements UsageReader {
  constructor(private readonly table: DynamoTable) {}

  async loadStartContext(query: StartContextQuery): Promise<StartContext> {
    const wanted: Key[] = [keys.directory('story', query.storyId), keys.directory('junior', query.juniorId)];
    if (query.mentorId !== undefined) wanted.push(keys.directory('mentor', query.mentorId));
    if (query.idempotency !== undefined) wanted.push(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    const counters = usageKeys([query.juniorId]);

    // The mentor directory is read alongside (it does not depend on the story); the pool's
    // counters follow once the story names the skill area.
    const [found, allMentors] = await Promise.all([this.table.batchGet([...wanted, ...counters]), query.withMentorPool ? this.allMentors() : Promise.resolve(undefined)]);
    const pick = (key: Key) => found.get(`${key.pk}|${key.sk}`);

    const story = pick(keys.directory('story', query.storyId));
    const junior = pick(keys.directory('junior', query.juniorId));
    const mentor = query.mentorId === undefined ? undefined : pick(keys.directory('mentor', query.mentorId));
    const idempotency = query.idempotency === undefined ? undefined : pick(keys.idempotency(query.idempotency.scope, query.idempotency.key));
    const storyRecord = story && parseRecord(StoryRecord, story, 'story');
    const mentorPool =
      allMentors !== undefined && storyRecord !== undefined
        ? await this.poolOf(allMentors, { skillArea: storyRecord.skillArea, ...(query.mentorId !== undefined && { mentorIds: [query.mentorId] }) })
        : undefined;
    return {
      ...(storyRecord && { story: storyRecord }),
      ...(mentorPool && { mentorPool }),
      ...(junior && { junior: parseRecord(JuniorRecord, junior, 'junior') }),
      ...(mentor && { mentor: parseRecord(MentorRecord, mentor, 'mentor') }),
      ...(idempotency && { idempotency: parseRecord(IdempotencyRecordSchema, idempotency, 'idempotency') }),
      usage: usageFrom(found, [query.juniorId]),
    };
  }

  async readUsage(query: { juniorIds: readonly string[] }): Promise<UsageSnapshot> {
    const juniorIds = [...new Set(query.juniorIds)];
    return usageFrom(await this.table.batchGet(usageKeys(juniorIds)), juniorIds);
  }

  /**
   * Reads the mentor directory's partition (a Query, a page at a time), keeps
   * the mentors who cover the area or are named, then reads their slot
   * counters and the area's pointer in one BatchGet.
   */
  async loadMentorPool(query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool> {
    return this.poolOf(await this.allMentors(), query);
  }

  /** Every mentor in the directory: one Query of its partition, a page at a time. */
  private async allMentors(): Promise<Mentor[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.directoryPartition('mentor') },
      ConsistentRead: true,
    });
    return items.map((item) => parseRecord(MentorRecord, item, 'mentor'));
  }

  /** Keeps the mentors who cover the area or are named, and reads their counters and the area's pointer in one BatchGet. */
  private async poolOf(all: readonly Mentor[], query: { skillArea: string; mentorIds?: readonly string[] }): Promise<MentorPool> {
    const named = new Set(query.mentorIds ?? []);
    const mentors = all.filter((mentor) => named.has(mentor.id) || skillLevel(mentor, query.skillArea) > 0);
    const rotationKeyOf = keys.rotation(rotationKey(query.skillArea));
    const found = await this.table.batchGet([rotationKeyOf, ...mentors.map((m) => keys.counter('mentor', m.id))]);
    const pointer = found.get(keyString(rotationKeyOf));
    return {
      mentors: mentors.map((mentor) => ({ mentor, ...mentorUsageFrom(found.get(keyString(keys.counter('mentor', mentor.id)))) })),
      rotation: {
        skillArea: rotationKey(query.skillArea),
        turn: typeof pointer?.turn === 'number' ? pointer.turn : 0,
        ...(typeof pointer?.lastMentorId === 'string' && { lastMentorId: pointer.lastMentorId }),
      },
    };
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
