import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client, SendEmailCommand, type SendEmailCommandInput, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { DynamoDeliveryLog } from '../../shared/adapters/dynamodb/dynamo-delivery-log';
import { DynamoDirectoryStore } from '../../shared/adapters/dynamodb/dynamo-directory-store';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { DynamoDeadLetters } from '../../shared/adapters/notify/dynamo-dead-letters';
import { SesNotifier } from '../../shared/adapters/notify/ses-notifier';
import { KIND_TITLES, SlackNotifier } from '../../shared/adapters/notify/slack-notifier';
import { SqsDeadLetters } from '../../shared/adapters/notify/sqs-dead-letters';
import { type AppDeps, composeApp } from '../../shared/compose';
import { NotificationDeliveryError } from '../../shared/domain/errors';
import { NOTIFICATION_KINDS, type Notification, type NotificationKind } from '../../shared/domain/notifications';
import type { NotificationPreferences } from '../../shared/domain/session-config';
import type { DeadLetter, DeadLetters } from '../../shared/ports/notifier';
import { NotificationService } from '../../shared/services/notification-service';
import { aJunior, aMentor, aStory, coordinator, engineCaller, mentorCaller } from '../support/builders';
import { ManualClock } from '../support/clock';
import { createTestTable, type TestTable } from '../support/dynamo';
import { NOTIFICATION_ORACLE } from '../support/notification-oracle';
import { settingsWith } from '../support/settings';
import { openTableStream, type StreamRecord, type TableStream } from '../support/table-stream';

/** The secret part of a webhook URL: it must show up nowhere but in the request line. */
const SECRET = 'xoxb-secret-token';
const FROM = 'mentorship@example.com';
const report = { summary: 'done', overallScore: 91, metrics: {} };

/** A Slack incoming webhook on 127.0.0.1: records each JSON body, and can be told to fail the next N posts. */
interface SlackStub {
  readonly url: string;
  readonly received: { text: string; blocks: unknown[] }[];
  /** Every POST, failed ones included. */
  attempts: number;
  failNext(count: number): void;
  close(): Promise<void>;
}

async function startSlackStub(): Promise<SlackStub> {
  let failures = 0;
  const stub = { received: [] as SlackStub['received'], attempts: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      stub.attempts += 1;
      if (failures > 0) {
        failures -= 1;
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal_error');
        return;
      }
      stub.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackStub['received'][number]);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}/services/T0001/B0001/${SECRET}`,
    failNext: (count: number) => void (failures = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

let table: TestTable;
let clock: ManualClock;
let slack: SlackStub;
let stream: TableStream;
const ses = new SESv2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const sesMock = mockClient(ses);
const logs: string[] = [];
const capturing = {
  info: (message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ message, fields })),
  warn: (message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ message, fields })),
  error: (message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ message, fields, error: String(fields?.error) })),
};
const settings = settingsWith({ max_concurrent_sessions_per_junior: 1, max_concurrent_sessions_per_mentor: 1000 });
let app: AppDeps;

beforeAll(async () => {
  table = await createTestTable('notify');
  clock = new ManualClock();
  slack = await startSlackStub();
  stream = await openTableStream(table);
  app = composeApp({
    tableName: table.tableName,
    dynamo: table.dynamo,
    clock,
    settings,
    logger: capturing,
    notifiers: [new SlackNotifier(slack.url), new SesNotifier(ses, FROM)],
  });
  const directory = new DynamoDirectoryStore(table.dynamo.document, table.tableName);
  await directory.put('story', aStory('story-1', { title: 'Fix login' }));
  await directory.put('mentor', aMentor('mentor-1', { maxConcurrentSessions: 1000 }));
  for (const id of ['junior-a', 'junior-c', 'junior-d', 'junior-e', 'junior-f', 'junior-g', 'junior-h', 'junior-i', 'junior-j']) {
    await directory.put('junior', aJunior(id, { name: `Ada ${id}` }));
  }
});
afterAll(async () => {
  stream.close();
  await slack.close();
  table.dynamo.client.destroy();
});
beforeEach(async () => {
  // Each test starts after what earlier ones wrote, with fresh channels.
  await stream.read();
  slack.received.length = 0;
  slack.attempts = 0;
  slack.failNext(0);
  sesMock.reset();
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  logs.length = 0;
});

/** Feeds the stream handler what the table's stream holds until it is quiet (the handler's own writes are records too). */
async function pump(deps: AppDeps, fed: StreamRecord[] = []): Promise<StreamRecord[]> {
  const handler = makeTableStream(deps);
  for (let round = 0; round < 10; round += 1) {
    const records = await stream.read();
    if (records.length === 0) return fed;
    fed.push(...records);
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
  }
  throw new Error('the stream never went quiet');
}

/** By event type (test/support/notification-oracle.ts). */
const ORACLE: Readonly<Record<string, readonly [NotificationKind, keyof NotificationPreferences] | undefined>> = NOTIFICATION_ORACLE;
const TITLE_TO_KIND = new Map(Object.entries(KIND_TITLES).map(([kind, title]) => [title, kind as NotificationKind]));
const kindFrom = (text: string): NotificationKind => {
  const title = text.slice(0, text.indexOf(':'));
  const kind = TITLE_TO_KIND.get(title);
  if (kind === undefined) throw new Error(`no kind is titled "${title}"`);
  return kind;
};

/** What Slack received, as `session kind` lines (sorted): the session from the link, the kind from the headline. */
const slackDeliveries = () => slack.received.map((message) => `${/\/sessions\/([^|>]+)\|Open session>/.exec(message.text)?.[1]} ${kindFrom(message.text)}`).sort();
const emails = () => sesMock.commandCalls(SendEmailCommand).map((call) => call.args[0].input as SendEmailCommandInput);
/** What SES was asked to send, as `session kind recipients` lines (sorted). */
const emailDeliveries = () =>
  emails()
    .map((input) => {
      const subject = input.Content?.Simple?.Subject?.Data ?? '';
      const body = input.Content?.Simple?.Body?.Text?.Data ?? '';
      const id = /Open the session: \S+\/sessions\/(\S+)/.exec(body)?.[1];
      return `${id} ${kindFrom(subject.replace('[Mentorship] ', ''))} ${input.Destination?.ToAddresses?.join(',')}`;
    })
    .sort();

describe('notifications from the table stream', () => {
  test('every kind reaches each enabled channel once per event, never a disabled one; a replayed stream sends nothing twice', async () => {
    // Prepare: sessions with different preferences, driven through every notifying event.
    const start = async (juniorId: string, notifications: Partial<NotificationPreferences>) =>
      (await app.sessions.startSession({ storyId: 'story-1', juniorId, mentorId: 'mentor-1', config: { notifications } }, coordinator)).sessionId;
    const progress = (id: string, type: 'blocker_detected' | 'escalation_triggered' | 'escalated_to_senior') =>
      app.sessions.recordWorkflowEvent(id, { type, eventId: `${type}-${id}`, occurredAt: clock.now().toISOString() }, engineCaller);
    const preferences: Record<string, Partial<NotificationPreferences>> = {};
    const open = async (juniorId: string, notifications: Partial<NotificationPreferences>) => {
      const id = await start(juniorId, notifications);
      preferences[id] = notifications;
      return id;
    };
    const fed: StreamRecord[] = [];

    // Act
    const a = await open('junior-a', { slackEnabled: true, emailEnabled: true, additionalRecipients: ['lead@example.com', '#mentoring'] });
    const b = await open('junior-a', { slackEnabled: true, emailEnabled: false }); // queued behind a
    const c = await open('junior-c', { slackEnabled: false, emailEnabled: true, additionalRecipients: ['c-lead@example.com'] });
    const d = await open('junior-d', { slackEnabled: true, notifyOnStateChange: false, notifyOnEscalation: false });
    const e = await open('junior-e', { slackEnabled: false, emailEnabled: true, additionalRecipients: [] }); // email, but nobody to send it to
    await pump(app, fed);
    await progress(a, 'blocker_detected');
    await progress(a, 'escalation_triggered');
    await progress(a, 'escalated_to_senior');
    await progress(d, 'blocker_detected');
    await app.sessions.pauseSession(a, { reason: 'lunch' }, mentorCaller('mentor-1'));
    await app.sessions.resumeSession(a, {}, coordinator);
    await pump(app, fed);
    clock.advanceMinutes(31);
    await app.sessions.sweepDue(); // the check-in ladder escalates (actor system)
    await app.sessions.completeSession(a, { report }, engineCaller); // releases junior-a: b leaves the queue
    await app.sessions.completeSession(d, { report }, engineCaller);
    await app.sessions.pauseSession(c, {}, coordinator);
    await pump(app, fed);
    await app.sessions.cancelSession(b, { reason: 'story withdrawn' }, coordinator);
    const f = await open('junior-f', { slackEnabled: true });
    await app.sessions.failSession(f, { error: 'workflow faulted' }, engineCaller);
    clock.advanceMinutes(25 * 60);
    await app.sessions.sweepDue(); // c's pause and e's duration time out
    await pump(app, fed);
    const slackOnce = slackDeliveries();
    const emailOnce = emailDeliveries();
    const replay = await makeTableStream(app)({ Records: fed });

    // Assess: what the audit log says should have gone out, by the oracle.
    const expectedSlack: string[] = [];
    const expectedEmail: string[] = [];
    const kinds = new Set<NotificationKind>();
    for (const [id, prefs] of Object.entries(preferences)) {
      const all = {
        slackEnabled: true,
        emailEnabled: false,
        additionalRecipients: [],
        notifyOnStateChange: true,
        notifyOnBlocker: true,
        notifyOnEscalation: true,
        notifyOnCompletion: true,
        ...prefs,
      };
      const recipients = all.additionalRecipients.filter((r) => r.includes('@'));
      for (const event of await app.sessions.getSessionEvents(id, coordinator)) {
        const rule = ORACLE[event.type];
        if (rule === undefined || !all[rule[1]]) continue;
        if (all.slackEnabled) expectedSlack.push(`${id} ${rule[0]}`);
        if (all.emailEnabled && recipients.length > 0) expectedEmail.push(`${id} ${rule[0]} ${recipients.join(',')}`);
        if (all.slackEnabled || (all.emailEnabled && recipients.length > 0)) kinds.add(rule[0]);
      }
    }
    expect(await app.sessions.getSession(e, coordinator)).toMatchObject({ status: 'Cancelled', currentState: 'TIMEOUT' });
    expect([...kinds].sort()).toEqual([...NOTIFICATION_KINDS].sort());
    expect(slackOnce).toEqual(expectedSlack.sort());
    expect(emailOnce).toEqual(expectedEmail.sort());
    expect(replay).toEqual({ batchItemFailures: [] });
    expect(slackDeliveries()).toEqual(slackOnce);
    expect(emailDeliveries()).toEqual(emailOnce);
    expect(slack.received.find((m) => kindFrom(m.text) === 'queued')?.text).toMatch(/is queued; estimated wait \d+ minutes?\./);
    expect(emails().every((input) => input.FromEmailAddress === FROM)).toBe(true);
    const partition = await table.dynamo.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.sessionPartition(a) },
        ConsistentRead: true,
      }),
    );
    const sessionTtl = partition.Items?.find((item) => item.sk === 'SESSION')?.ttl;
    const settled = (partition.Items ?? []).filter((item) => String(item.sk).startsWith('NOTIFY#'));
    expect(typeof sessionTtl).toBe('number');
    expect(settled.map((item) => [item.state, item.ttl])).toEqual(
      [...expectedSlack, ...expectedEmail].filter((line) => line.startsWith(a)).map(() => ['delivered', sessionTtl]),
    );
  });

  test('a failing channel is retried with backoff, then dead-lettered; the other channel still gets its message; a replay sends nothing', async () => {
    // Prepare: a service whose waits are recorded, not slept.
    const sleeps: number[] = [];
    const deadLetters = new DynamoDeadLetters(table.dynamo.document, table.tableName);
    const before = (await deadLetters.listDeadLetters()).length;
    const notifications = new NotificationService({
      sessions: app.ports.sessions,
      notifiers: [new SlackNotifier(slack.url), new SesNotifier(ses, FROM)],
      deliveries: new DynamoDeliveryLog(table.dynamo.document, table.tableName),
      deadLetters,
      clock,
      sessionUrl: (id) => `https://tool.example/sessions/${id}`,
      defaultRecipients: ['ops@example.com'],
      maxAttempts: 3,
      backoff: (attempt) => attempt * 100,
      sleep: async (ms) => void sleeps.push(ms),
      logger: capturing,
    });
    const deps = { ...app, notifications };
    const id = (
      await app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-g', mentorId: 'mentor-1', config: { notifications: { emailEnabled: true } } }, coordinator)
    ).sessionId;
    await pump(deps);
    slack.received.length = 0;
    slack.attempts = 0;
    sesMock.resetHistory();
    slack.failNext(3);

    // Act
    await app.sessions.pauseSession(id, { reason: 'workshop' }, coordinator);
    const fed = await pump(deps);
    const replay = await makeTableStream(deps)({ Records: fed });

    // Assess
    const letters = (await deadLetters.listDeadLetters()).slice(before);
    expect(slack.attempts).toBe(3);
    expect(slack.received).toEqual([]);
    expect(sleeps).toEqual([100, 200]);
    expect(emailDeliveries()).toEqual([`${id} paused ops@example.com`]);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ attempts: 3, error: 'The Slack webhook answered 500 (internal_error).', failedAt: clock.now().toISOString() });
    expect(letters[0]?.notification).toMatchObject({ id: `${id}/${letters[0]?.notification.eventSeq}/slack`, kind: 'paused', channel: 'slack', sessionId: id });
    expect(replay).toEqual({ batchItemFailures: [] });
    expect(slack.attempts).toBe(3);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(await deadLetters.listDeadLetters()).toHaveLength(before + 1);
    expect(logs.filter((line) => line.includes('notification attempt failed'))).toHaveLength(3);
    expect(JSON.stringify([logs, letters])).not.toContain(SECRET);
  });

  test('a channel that recovers within the attempts delivers once, with no dead letter', async () => {
    // Prepare
    const sleeps: number[] = [];
    const deadLetters = new DynamoDeadLetters(table.dynamo.document, table.tableName);
    const before = (await deadLetters.listDeadLetters()).length;
    const deps = {
      ...app,
      notifications: new NotificationService({
        sessions: app.ports.sessions,
        notifiers: [new SesNotifier(ses, FROM)],
        deliveries: new DynamoDeliveryLog(table.dynamo.document, table.tableName),
        deadLetters,
        clock,
        sessionUrl: (id) => `https://tool.example/sessions/${id}`,
        defaultRecipients: [],
        backoff: () => 50,
        sleep: async (ms) => void sleeps.push(ms),
      }),
    };
    const throttled = () => new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} });
    sesMock.reset();
    sesMock.on(SendEmailCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MessageId: 'm-2' });

    // Act
    const id = (
      await app.sessions.startSession(
        {
          storyId: 'story-1',
          juniorId: 'junior-h',
          mentorId: 'mentor-1',
          config: { notifications: { slackEnabled: false, emailEnabled: true, additionalRecipients: ['h@example.com'] } },
        },
        coordinator,
      )
    ).sessionId;
    await pump(deps);

    // Assess
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(sleeps).toEqual([50, 50]);
    expect(await deadLetters.listDeadLetters()).toHaveLength(before);
    expect(emailDeliveries().at(-1)).toBe(`${id} started h@example.com`);
  });

  test("a notification failure leaves the session's change in place; only a failure to record it fails the stream record", async () => {
    // Prepare: Slack always fails, and the dead-letter queue is down.
    const brokenDeadLetters: DeadLetters = { put: async () => Promise.reject(new Error('dead-letter queue unavailable')) };
    const deps = {
      ...app,
      logger: capturing,
      notifications: new NotificationService({
        sessions: app.ports.sessions,
        notifiers: [new SlackNotifier(slack.url)],
        deliveries: new DynamoDeliveryLog(table.dynamo.document, table.tableName),
        deadLetters: brokenDeadLetters,
        clock,
        sessionUrl: (id) => `https://tool.example/sessions/${id}`,
        defaultRecipients: [],
        maxAttempts: 2,
        sleep: async () => undefined,
      }),
    };
    const id = (
      await app.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-i', mentorId: 'mentor-1', config: { notifications: { slackEnabled: true } } }, coordinator)
    ).sessionId;
    await pump(app);
    slack.failNext(1_000);

    // Act
    await app.sessions.pauseSession(id, { reason: 'break' }, coordinator);
    const records = await stream.read();
    const result = await makeTableStream(deps)({ Records: records });

    // Assess
    const pausedRecord = records.find((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.type?.S === 'session_paused');
    expect(pausedRecord).toBeDefined();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: pausedRecord?.dynamodb?.SequenceNumber }] });
    expect(await app.sessions.getSession(id, coordinator)).toMatchObject({ status: 'Paused', pauseReason: 'break' });
    expect((await app.sessions.getSessionEvents(id, coordinator)).map((event) => event.type)).toContain('session_paused');
    expect(JSON.stringify(logs)).not.toContain(SECRET);
  });

  test('the composed app turns settings into channels: the Slack webhook and the session link template', async () => {
    // Prepare
    const configured = composeApp({
      tableName: table.tableName,
      dynamo: table.dynamo,
      clock,
      logger: capturing,
      settings: settingsWith({
        max_concurrent_sessions_per_mentor: 1000,
        notifications: { slack_webhook_url: slack.url, session_url_template: 'https://tool.example/s/{id}', max_attempts: 1 },
      }),
    });

    // Act
    const id = (await configured.sessions.startSession({ storyId: 'story-1', juniorId: 'junior-j', mentorId: 'mentor-1' }, coordinator)).sessionId;
    await pump(configured);

    // Assess
    expect(slack.received.map((m) => m.text)).toEqual([
      `Session started: Session for "Fix login" (Ada junior-j) started with mentor mentor-1. <https://tool.example/s/${id}|Open session>`,
    ]);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  test('a malformed event item in the stream is skipped, not retried', async () => {
    // Prepare
    const malformed = { eventName: 'INSERT', dynamodb: { SequenceNumber: '1', NewImage: { entity: { S: 'event' }, sessionId: { S: 's-1' }, seq: { S: 'one' } } } };

    // Act
    const result = await makeTableStream(app)({ Records: [malformed] } as unknown as DynamoDBStreamEvent);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(slack.attempts).toBe(0);
    expect(logs.some((line) => line.includes('malformed event item'))).toBe(true);
  });
});

describe('channel adapters', () => {
  const aNotification = (overrides: Partial<Notification> = {}): Notification => ({
    id: 's-1/3/slack',
    channel: 'slack',
    kind: 'blocker',
    sessionId: 's-1',
    eventSeq: 3,
    eventType: 'blocker_detected',
    occurredAt: '2026-01-05T09:00:00.000Z',
    summary: 'Session for "<Fix> & login" (Ada) hit a blocker.',
    storyTitle: '<Fix> & login',
    juniorName: 'Ada',
    mentorId: 'mentor-1',
    sessionUrl: 'https://tool.example/sessions/s-1',
    recipients: [],
    ...overrides,
  });

  test('Slack gets readable blocks, with user text escaped so it cannot open a link or mention', async () => {
    // Act
    await new SlackNotifier(slack.url).send(aNotification());

    // Assess
    expect(slack.received).toEqual([
      {
        text: 'Blocker detected: Session for "&lt;Fix&gt; &amp; login" (Ada) hit a blocker. <https://tool.example/sessions/s-1|Open session>',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Blocker detected: <Fix> & login' } },
          { type: 'section', text: { type: 'mrkdwn', text: 'Session for "&lt;Fix&gt; &amp; login" (Ada) hit a blocker.' } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: '*Junior:* Ada  ·  *Mentor:* mentor-1' }] },
          { type: 'section', text: { type: 'mrkdwn', text: '<https://tool.example/sessions/s-1|Open session>' } },
        ],
      },
    ]);
  });

  test('an unreachable or silent webhook is a NotificationDeliveryError that does not name the URL', async () => {
    // Prepare: a port nobody listens on, and a server that never answers.
    const closed = await startSlackStub();
    await closed.close();
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/services/T/B/${SECRET}`;

    try {
      // Act
      const refused = await new SlackNotifier(closed.url).send(aNotification()).catch((error: unknown) => error);
      const timedOut = await new SlackNotifier(silentUrl, { timeoutMs: 200 }).send(aNotification()).catch((error: unknown) => error);

      // Assess
      expect(refused).toBeInstanceOf(NotificationDeliveryError);
      expect(refused).toMatchObject({ code: 'notification_failed', message: 'The Slack webhook could not be reached (ECONNREFUSED).' });
      expect(timedOut).toMatchObject({ code: 'notification_failed', message: 'The Slack webhook could not be reached (TimeoutError).' });
      expect(JSON.stringify([refused, timedOut, (refused as Error).stack, (timedOut as Error).cause])).not.toContain(SECRET);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('SES gets one plain-text email from the sender to the recipients, subject on one line; its errors become NotificationDeliveryError', async () => {
    // Prepare
    const email = aNotification({ id: 's-1/3/email', channel: 'email', storyTitle: 'Fix\nlogin', recipients: ['a@example.com', 'b@example.com'] });

    // Act
    await new SesNotifier(ses, FROM).send(email);
    sesMock.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} }));
    const failure = await new SesNotifier(ses, FROM).send(email).catch((error: unknown) => error);

    // Assess
    const [input] = emails();
    expect(input).toEqual({
      FromEmailAddress: FROM,
      Destination: { ToAddresses: ['a@example.com', 'b@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: '[Mentorship] Blocker detected: Fix login', Charset: 'UTF-8' },
          Body: {
            Text: {
              Data: [
                'Session for "<Fix> & login" (Ada) hit a blocker.',
                '',
                'Story: Fix\nlogin',
                'Junior: Ada',
                'Mentor: mentor-1',
                'When: 2026-01-05T09:00:00.000Z',
                '',
                'Open the session: https://tool.example/sessions/s-1',
                '',
              ].join('\n'),
              Charset: 'UTF-8',
            },
          },
        },
      },
    });
    expect(failure).toBeInstanceOf(NotificationDeliveryError);
    expect(failure).toMatchObject({ message: 'SES did not send the email (TooManyRequestsException: Maximum sending rate exceeded.).' });
  });

  test('SQS dead letters carry the whole letter as JSON', async () => {
    // Prepare
    const sqs = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const sqsMock = mockClient(sqs);
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'q-1' });
    const letter: DeadLetter = { notification: aNotification(), error: 'The Slack webhook answered 500.', attempts: 3, failedAt: '2026-01-05T09:01:00.000Z' };

    // Act
    await new SqsDeadLetters(sqs, 'https://sqs.eu-west-1.amazonaws.com/123456789012/notify-dlq').put(letter);

    // Assess
    const [call] = sqsMock.commandCalls(SendMessageCommand);
    expect(call?.args[0].input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/notify-dlq');
    expect(JSON.parse(call?.args[0].input.MessageBody ?? 'null')).toEqual(letter);
    sqsMock.restore();
  });
});
