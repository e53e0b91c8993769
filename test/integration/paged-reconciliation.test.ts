import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { EmbeddedWorkflowEngine } from '../../shared/adapters/embedded-engine/embedded-workflow-engine';
import { composeApp } from '../../shared/compose';
import { aJunior, aMentor, aStory, coordinator } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { settingsWith } from '../support/settings';
import { withEngineMethod } from '../support/store-views';

/** Reconciliation costs what one batch costs, whatever the number of open sessions (docs/capacity.md). */

const tables: TestTable[] = [];
afterAll(() => {
  for (const t of tables) t.dynamo.client.destroy();
});

describe('a reconciliation pass', () => {
  test('reads the next batch of open sessions after its cursor, in id order, wrapping around, never the whole index', async () => {
    const table = await createTestTable('recpage');
    tables.push(table);
    const clock = new ManualClock();
    const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
    await directory.put('story', aStory('story-1'));
    await directory.put('mentor', aMentor('m-1', { maxConcurrentSessions: 10 }));
    const juniors = ['j-1', 'j-2', 'j-3', 'j-4', 'j-5'];
    for (const id of juniors) await directory.put('junior', aJunior(id));
    const embedded = new EmbeddedWorkflowEngine(table.dynamo.document, table.tableName, clock);
    const asked: string[] = [];
    const engine = withEngineMethod(embedded, 'status', (status) => (instanceId) => {
      asked.push(instanceId);
      return status(instanceId);
    });
    const app = composeApp({
      tableName: table.tableName,
      dynamo: table.dynamo,
      clock,
      engine,
      settings: settingsWith({ max_concurrent_sessions_per_mentor: 10, workflow_engine: { reconcile_batch_size: 2 } }),
    });
    const ids: string[] = [];
    for (const juniorId of juniors) ids.push((await app.sessions.startSession({ storyId: 'story-1', juniorId }, coordinator)).sessionId);
    const instances = new Map<string, string>();
    for (const id of ids) instances.set((await app.sessions.getSessionDetails(id, coordinator)).session.workflowInstanceId!, id);
    clock.advanceMinutes(5);
    const byId = [...ids].sort();
    const requests = table.requests;

    const wholeIndex = jest.spyOn(app.ports.indexes, 'listOpen');
    const passes: string[][] = [];
    for (let pass = 0; pass < 3; pass += 1) {
      asked.length = 0;
      requests.reset();
      expect((await app.reconciliation.reconcile()).checked).toBe(2);
      passes.push(asked.map((instanceId) => instances.get(instanceId)!));
      // The cursor, the sync marks, at most two pages of open sessions, the cursor again: never a read of every open session.
      expect(requests.byOperation().Query ?? 0).toBeLessThanOrEqual(3);
    }

    expect(passes).toEqual([byId.slice(0, 2), byId.slice(2, 4), [byId[4]!, byId[0]!]]);
    expect(wholeIndex).not.toHaveBeenCalled();
  });
});
