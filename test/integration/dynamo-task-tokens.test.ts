import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { DynamoTaskTokens } from '../../shared/adapters/dynamodb/dynamo-task-tokens';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { SfnTaskCompletion } from '../../shared/adapters/stepfunctions/sfn-task-completion';
import { StepFunctionsWorkflowEngine } from '../../shared/adapters/stepfunctions/step-functions-engine';
import { type AppDeps, composeApp } from '../../shared/compose';
import { CheckpointService } from '../../shared/services/checkpoint-service';
import { aJunior, aMentor, aStory, coordinator } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { ROOMY_SETTINGS } from '../support/settings';

const MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:mentorship';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

// Step Functions has no local stand-in: its client is mocked. DynamoDB is the real one (DynamoDB Local).
const sfn = mockClient(SFNClient);
const sfnClient = new SFNClient({ region: 'eu-west-1' });

let table: TestTable;
let tokens: DynamoTaskTokens;
let checkpoints: CheckpointService;
let app: AppDeps;

beforeAll(async () => {
  table = await createTestTable('task-tokens');
  tokens = new DynamoTaskTokens(table.dynamo.document, table.tableName);
  checkpoints = new CheckpointService({ tokens, tasks: new SfnTaskCompletion(sfnClient) });
  // The real session service with the Step Functions engine: pause and resume commit the
  // session through DynamoSessionStore, and resume takes the token through DynamoTaskTokens.
  const engine = new StepFunctionsWorkflowEngine({ client: sfnClient, stateMachineArn: MACHINE_ARN, tokens });
  app = composeApp({ tableName: table.tableName, dynamo: table.dynamo, clock: new ManualClock(), engine, settings: ROOMY_SETTINGS, logger: silent });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('junior', aJunior('junior-1'));
  await directory.put('mentor', aMentor('mentor-1'));
  await directory.put('story', aStory('story-1'));
});

afterAll(() => table.dynamo.client.destroy());

beforeEach(() => {
  sfn.reset();
  sfn
    .on(StartExecutionCommand)
    .callsFake(({ name }: { name: string }) =>
      Promise.resolve({ executionArn: `arn:aws:states:eu-west-1:123456789012:execution:mentorship:${name}`, startDate: new Date() }),
    );
  sfn.on(SendTaskSuccessCommand).resolves({});
});

async function anActiveSession(): Promise<string> {
  const { sessionId } = await app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-1', mentorId: 'mentor-1' }, coordinator);
  return sessionId;
}

async function aPausedSession(): Promise<string> {
  const id = await anActiveSession();
  await app.sessions.pauseSession(id, { reason: 'lunch' }, coordinator);
  return id;
}

const tokenItem = async (sessionId: string) =>
  (await table.dynamo.document.send(new GetCommand({ TableName: table.tableName, Key: { pk: keys.sessionPartition(sessionId), sk: 'TASKTOKEN' }, ConsistentRead: true })))
    .Item;

/** Every token handed back to Step Functions, in order. */
const sentTokens = () => sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken);

describe('DynamoTaskTokens on DynamoDB Local', () => {
  test('a Paused session holds the token in its partition; take returns it once, then nothing', async () => {
    const id = await aPausedSession();
    const before = await app.sessions.getSessionDetails(id, coordinator);

    await expect(tokens.holdIfPaused(id, 'token-1', 'Quality')).resolves.toBe('held');

    expect(await tokenItem(id)).toEqual({ pk: `SESSION#${id}`, sk: 'TASKTOKEN', entity: 'task-token', sessionId: id, checkpoint: 'Quality', token: 'token-1' });
    // The check writes nothing to the session, and its details still read (the item sits beside its events).
    expect(await app.sessions.getSessionDetails(id, coordinator)).toEqual(before);
    await expect(tokens.take(id)).resolves.toEqual({ token: 'token-1', checkpoint: expect.any(String) });
    expect(await tokenItem(id)).toBeUndefined();
    await expect(tokens.take(id)).resolves.toBeUndefined();
  });

  test('an Active session answers continue and nothing is written; so does a session that does not exist', async () => {
    const id = await anActiveSession();

    await expect(tokens.holdIfPaused(id, 'token-2', 'Review')).resolves.toBe('continue');
    await expect(tokens.holdIfPaused('no-such-session', 'token-3', 'Review')).resolves.toBe('continue');

    expect(await tokenItem(id)).toBeUndefined();
    expect(await tokenItem('no-such-session')).toBeUndefined();
  });

  test('a retried checkpoint’s token replaces the one its failed attempt held', async () => {
    const id = await aPausedSession();

    await tokens.holdIfPaused(id, 'token-attempt-1', 'Planning');
    await tokens.holdIfPaused(id, 'token-attempt-2', 'Planning');

    await expect(tokens.take(id)).resolves.toEqual({ token: 'token-attempt-2', checkpoint: expect.any(String) });
  });

  test('pause, checkpoint, resume through the services: the held token goes back to Step Functions with {resumed: true}', async () => {
    const id = await aPausedSession();

    await expect(checkpoints.checkpoint({ sessionId: id, checkpoint: 'Implementation', token: 'token-held' })).resolves.toBe('held');
    expect(sentTokens()).toEqual([]);
    await app.sessions.resumeSession(id, {}, coordinator);

    expect(sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([{ taskToken: 'token-held', output: JSON.stringify({ resumed: true }) }]);
    expect(await tokenItem(id)).toBeUndefined();
  });

  test('resume committed before the checkpoint: nothing to take, and the checkpoint goes on by itself', async () => {
    const id = await aPausedSession();

    await app.sessions.resumeSession(id, {}, coordinator);
    await expect(checkpoints.checkpoint({ sessionId: id, checkpoint: 'Review', token: 'token-late' })).resolves.toBe('continue');

    expect(sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: 'token-late', output: JSON.stringify({ checkpoint: 'Review' }) },
    ]);
    expect(await tokenItem(id)).toBeUndefined();
  });

  test('a resume racing a checkpoint never loses the token: each goes back to Step Functions exactly once', async () => {
    const id = await aPausedSession();

    // Whichever commits first (the hold or the resume's Active), the token is sent once: by resume, or by the checkpoint.
    for (let round = 1; round <= 20; round += 1) {
      sfn.resetHistory();
      const token = `token-race-${round}`;

      await Promise.all([checkpoints.checkpoint({ sessionId: id, checkpoint: 'Quality', token }), app.sessions.resumeSession(id, {}, coordinator)]);

      expect(sentTokens()).toEqual([token]);
      expect(await tokenItem(id)).toBeUndefined();
      await app.sessions.pauseSession(id, { reason: `round ${round}` }, coordinator);
    }
  });

  test('a TransactionConflict is retried; any other cancellation or failure reaches the caller', async () => {
    const id = await aPausedSession();
    const failures: Error[] = [];
    const dynamo = createDynamoClients(localDynamoConfig(process.env.DYNAMODB_ENDPOINT!));
    // Fault injection: DynamoDB Local does not emulate transaction conflicts.
    dynamo.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && failures.length > 0) throw failures.shift();
        return next(args);
      },
      { step: 'initialize', name: 'injectTransactionFailures' },
    );
    const faulty = new DynamoTaskTokens(dynamo.document, table.tableName);
    const cancelled = (...codes: string[]) =>
      new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
    try {
      failures.push(cancelled('None', 'TransactionConflict'), cancelled('TransactionConflict', 'None'));
      await expect(faulty.holdIfPaused(id, 'token-contended', 'Review')).resolves.toBe('held');
      expect(failures).toHaveLength(0);
      await expect(tokens.take(id)).resolves.toEqual({ token: 'token-contended', checkpoint: expect.any(String) });

      const tooMany = Array.from({ length: 4 }, () => cancelled('None', 'TransactionConflict'));
      failures.push(...tooMany);
      await expect(faulty.holdIfPaused(id, 'token-starved', 'Review')).rejects.toBe(tooMany[3]);

      const throttled = cancelled('None', 'ThrottlingError');
      failures.splice(0, failures.length, throttled);
      await expect(faulty.holdIfPaused(id, 'token-throttled', 'Review')).rejects.toBe(throttled);
      expect(await tokenItem(id)).toBeUndefined();
    } finally {
      dynamo.client.destroy();
    }
  });
});
