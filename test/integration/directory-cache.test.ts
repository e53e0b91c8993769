import { DirectoryCache } from '../../shared/adapters/dynamodb/directory-cache';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { composeApp } from '../../shared/compose';
import { aJunior, aMentor, aStory, coordinator } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { settingsWith } from '../support/settings';

/**
 * A start reuses the mentor directory its process read (directory-cache.ts).
 * Another process changing a mentor meanwhile cannot make it break a rule:
 * the transaction checks the chosen mentor's availability and cap, and a
 * start refused on them reads the directory again.
 */

const tables: TestTable[] = [];
afterAll(() => {
  for (const t of tables) t.dynamo.client.destroy();
});

async function world() {
  const table = await createTestTable('dcache');
  tables.push(table);
  const clock = new ManualClock();
  // Another process's view of the directory: writes through it are not seen by the app's cache.
  const elsewhere = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await elsewhere.put('story', aStory('story-1'));
  for (const id of ['j-1', 'j-2', 'j-3', 'j-4']) await elsewhere.put('junior', aJunior(id));
  await elsewhere.put('mentor', aMentor('m-a', { maxConcurrentSessions: 3 }));
  await elsewhere.put('mentor', aMentor('m-b', { maxConcurrentSessions: 3 }));
  const app = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    engine: new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock),
    settings: settingsWith({
      max_concurrent_sessions_per_mentor: 3,
      max_concurrent_sessions_system: 100,
      mentor_assignment: { strategy: 'workload_balanced', fallback_to_auto: true, directory_cache_seconds: 300 },
    }),
  });
  const start = (juniorId: string) => app.sessions.startSession({ storyId: 'story-1', juniorId }, coordinator);
  return { table, app, elsewhere, start };
}

describe('the directory a process reuses', () => {
  test('a mentor made unavailable elsewhere takes nobody: the transaction refuses, the directory is read again', async () => {
    const w = await world();
    const first = await w.start('j-1');
    expect(first).toMatchObject({ status: 'started', mentorId: 'm-a' });

    // m-b (the least loaded, by the cached directory) leaves through another process.
    await w.elsewhere.put('mentor', aMentor('m-b', { available: false, maxConcurrentSessions: 3 }));
    const second = await w.start('j-2');

    expect(second).toMatchObject({ status: 'started', mentorId: 'm-a' });
    expect((await w.app.sessions.getSessionDetails(second.sessionId, coordinator)).session.assignment?.candidates.find((c) => c.mentorId === 'm-b')).toMatchObject({
      excluded: 'unavailable',
    });
  });

  test("a mentor's cap lowered elsewhere below their load holds at once", async () => {
    const w = await world();
    await w.elsewhere.put('mentor', aMentor('m-b', { available: false, maxConcurrentSessions: 3 }));
    expect(await w.start('j-1')).toMatchObject({ mentorId: 'm-a' });
    expect(await w.start('j-2')).toMatchObject({ mentorId: 'm-a' });

    // m-a, who holds two sessions, lowers their cap to two through another process; the cached directory says three.
    await w.elsewhere.put('mentor', aMentor('m-a', { maxConcurrentSessions: 2 }));
    const third = await w.start('j-3');

    expect(third).toMatchObject({ status: 'queued' });
    expect((await w.app.sessions.getQueuePosition(third.sessionId, coordinator)).blockedBy).toEqual(['mentor']);
  });

  test('a story whose skill area changed is read again, not assigned by the old area', async () => {
    const w = await world();
    await w.elsewhere.put('mentor', aMentor('m-py', { skills: [{ area: 'python', level: 5 }], maxConcurrentSessions: 3 }));
    expect(await w.start('j-1')).toMatchObject({ mentorId: 'm-a' });
    // Another process moves the story to python; the app remembers it as typescript.
    await w.elsewhere.put('story', { ...aStory('story-1'), skillArea: 'python' });

    const second = await w.start('j-2');

    expect(second).toMatchObject({ status: 'started', mentorId: 'm-py' });
  });
});

describe('DirectoryCache', () => {
  test('reuses the directory for its time to live, forgets on demand, keeps nothing at 0', () => {
    let now = 0;
    const cache = new DirectoryCache(5_000, () => now);
    const mentors = [aMentor('m-a')];
    cache.rememberMentors(mentors);
    cache.rememberArea('story-1', 'typescript');
    expect(cache.freshMentors()).toBe(mentors);
    now = 4_999;
    expect(cache.freshMentors()).toBe(mentors);
    now = 5_000;
    expect(cache.freshMentors()).toBeUndefined();
    cache.rememberMentors(mentors);
    cache.forgetMentors();
    expect(cache.freshMentors()).toBeUndefined();
    expect(cache.areaOf('story-1')).toBe('typescript');

    const off = new DirectoryCache(0, () => now);
    off.rememberMentors(mentors);
    off.rememberArea('story-1', 'typescript');
    expect([off.freshMentors(), off.areaOf('story-1')]).toEqual([undefined, undefined]);
  });
});
