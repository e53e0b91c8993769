import { type NotificationKind, notificationsFor } from '../../shared/domain/notifications';
import { SESSION_EVENT_TYPES, type SessionEvent, type SessionEventType } from '../../shared/domain/session';
import { DEFAULT_NOTIFICATIONS, type NotificationPreferences } from '../../shared/domain/session-config';
import { aConfig, aSession } from '../support/builders';
import { NOTIFICATION_ORACLE } from '../support/notification-oracle';
import { T0 } from './support';

/** By event type, for lookups of any event name. */
const ORACLE: Readonly<Record<string, readonly [NotificationKind, keyof NotificationPreferences] | undefined>> = NOTIFICATION_ORACLE;

const SESSION_ID = '00000000-0000-4000-8000-000000000001';
const options = (defaultRecipients: readonly string[] = [], estimatedWaitMinutes?: number) => ({
  sessionUrl: (id: string) => `https://tool.example/sessions/${id}`,
  defaultRecipients,
  ...(estimatedWaitMinutes !== undefined && { estimatedWaitMinutes }),
});

function anEvent(type: SessionEventType, overrides: Partial<SessionEvent> = {}): SessionEvent {
  return { sessionId: SESSION_ID, seq: 7, type, occurredAt: T0, recordedAt: T0, actor: 'mentor-1', actorRole: 'mentor', ...overrides };
}

const withPreferences = (preferences: Partial<NotificationPreferences>) => aSession({ config: aConfig({ notifications: { ...DEFAULT_NOTIFICATIONS, ...preferences } }) });

/** Every combination of the six switches, with and without a session email address, with and without default recipients. */
function* everyPreference(): Generator<{ preferences: NotificationPreferences; defaults: string[] }> {
  for (let bits = 0; bits < 2 ** 8; bits += 1) {
    const on = (bit: number) => (bits & (1 << bit)) !== 0;
    const preferences: NotificationPreferences = {
      slackEnabled: on(0),
      emailEnabled: on(1),
      notifyOnStateChange: on(2),
      notifyOnBlocker: on(3),
      notifyOnEscalation: on(4),
      notifyOnCompletion: on(5),
      // A Slack channel is never an email recipient.
      additionalRecipients: on(6) ? ['lead@example.com', '#mentoring'] : ['#mentoring'],
    };
    yield { preferences, defaults: on(7) ? ['ops@example.com'] : [] };
  }
}

describe('notificationsFor', () => {
  test('every event type under every preference combination: channels and kinds match the oracle', () => {
    // Prepare
    const mismatches: string[] = [];
    let checked = 0;

    // Act
    for (const type of SESSION_EVENT_TYPES) {
      for (const { preferences, defaults } of everyPreference()) {
        const got = notificationsFor(anEvent(type), withPreferences(preferences), options(defaults)).map((n) => `${n.channel}:${n.kind}`);
        const rule = ORACLE[type];
        const hasEmailRecipient = preferences.additionalRecipients.includes('lead@example.com') || defaults.length > 0;
        const expected =
          rule === undefined || !preferences[rule[1]]
            ? []
            : [...(preferences.slackEnabled ? [`slack:${rule[0]}`] : []), ...(preferences.emailEnabled && hasEmailRecipient ? [`email:${rule[0]}`] : [])];
        if (JSON.stringify(got) !== JSON.stringify(expected))
          mismatches.push(`${type} ${JSON.stringify(preferences)} ${JSON.stringify(defaults)}: ${got} != ${expected}`);
        checked += 1;
      }
    }

    // Assess
    expect(mismatches).toEqual([]);
    expect(checked).toBe(SESSION_EVENT_TYPES.length * 256);
  });

  test('the oracle names only event types that exist', () => {
    expect(Object.keys(ORACLE).filter((type) => !(SESSION_EVENT_TYPES as readonly string[]).includes(type))).toEqual([]);
  });

  test('no notification on a disabled channel, whatever else is on', () => {
    // Prepare
    const session = withPreferences({ slackEnabled: false, emailEnabled: false, additionalRecipients: [] });

    // Act
    const sent = SESSION_EVENT_TYPES.flatMap((type) => notificationsFor(anEvent(type), session, options(['ops@example.com'])));

    // Assess
    expect(sent).toEqual([]);
  });

  test('email needs a recipient: none from the session or the settings means no email', () => {
    // Prepare
    const session = withPreferences({ slackEnabled: false, emailEnabled: true, additionalRecipients: [] });

    // Act
    const none = notificationsFor(anEvent('session_paused'), session, options([]));
    const withDefault = notificationsFor(anEvent('session_paused'), session, options(['ops@example.com']));

    // Assess
    expect(none).toEqual([]);
    expect(withDefault.map((n) => [n.channel, n.recipients])).toEqual([['email', ['ops@example.com']]]);
  });

  test("email goes to the session's addresses then the defaults, each once; Slack recipients are not emailed", () => {
    // Prepare
    const session = withPreferences({ emailEnabled: true, additionalRecipients: ['Lead@Example.com', '#mentoring', 'pm@example.com'] });

    // Act
    const [slack, email] = notificationsFor(anEvent('session_paused'), session, options(['lead@example.com', 'ops@example.com']));

    // Assess
    expect(slack?.recipients).toEqual([]);
    expect(email?.recipients).toEqual(['Lead@Example.com', 'pm@example.com', 'ops@example.com']);
  });

  test('a notification names its event, session, story, junior, mentor and link, with a stable id per channel', () => {
    // Prepare
    const session = withPreferences({ emailEnabled: true, additionalRecipients: ['lead@example.com'] });

    // Act
    const sent = notificationsFor(anEvent('session_paused', { reason: 'lunch' }), session, options());

    // Assess
    expect(sent).toEqual(
      (['slack', 'email'] as const).map((channel) => ({
        id: `${SESSION_ID}/7/${channel}`,
        channel,
        kind: 'paused',
        sessionId: SESSION_ID,
        eventSeq: 7,
        eventType: 'session_paused',
        occurredAt: T0,
        summary: 'Session for "Story one" (Junior one) is paused by mentor mentor-1: lunch.',
        storyTitle: 'Story one',
        juniorName: 'Junior one',
        mentorId: 'mentor-1',
        sessionUrl: `https://tool.example/sessions/${SESSION_ID}`,
        recipients: channel === 'email' ? ['lead@example.com'] : [],
      })),
    );
  });

  test('only a queued notification carries the wait estimate', () => {
    // Prepare
    const session = withPreferences({});

    // Act
    const [queued] = notificationsFor(anEvent('session_queued', { actor: 'coord-1', actorRole: 'coordinator' }), session, options([], 25));
    const [paused] = notificationsFor(anEvent('session_paused'), session, options([], 25));

    // Assess
    expect(queued?.estimatedWaitMinutes).toBe(25);
    expect(queued?.summary).toBe('Session for "Story one" (Junior one) is queued; estimated wait 25 minutes.');
    expect(paused).not.toHaveProperty('estimatedWaitMinutes');
  });

  test.each<[SessionEventType, Partial<SessionEvent>, string]>([
    ['session_started', { actor: 'coord-1', actorRole: 'coordinator', data: { mentorId: 'mentor-9' } }, 'started with mentor mentor-9.'],
    [
      'session_dequeued',
      { actor: 'system', actorRole: 'system', data: { mentorId: 'mentor-1', waitedMs: 12 * 60_000 } },
      'left the queue and started with mentor mentor-1 after 12 minutes.',
    ],
    ['session_resumed', { actor: 'coord-1', actorRole: 'coordinator' }, 'resumed by coordinator coord-1.'],
    ['session_cancelled', { actor: 'coord-1', actorRole: 'coordinator', reason: 'story withdrawn' }, 'was cancelled by coordinator coord-1: story withdrawn.'],
    ['session_timed_out', { actor: 'system', actorRole: 'system', reason: 'timeout', data: { limit: 'pause_timeout' } }, 'timed out (paused too long).'],
    ['session_failed', { actor: 'engine', actorRole: 'service', data: { error: 'workflow faulted' } }, 'failed: workflow faulted.'],
    ['session_completed', { actor: 'engine', actorRole: 'service', data: { report: { overallScore: 88 } } }, 'is completed with a score of 88.'],
    ['blocker_detected', { actor: 'engine', actorRole: 'service' }, 'hit a blocker at PLAN_DECOMPOSITION.'],
    [
      'escalation_triggered',
      { actor: 'system', actorRole: 'system', reason: 'check_in_missed', data: { audience: 'mentor', level: 2 } },
      'was escalated to the mentor after 2 missed check-ins.',
    ],
    ['escalated_to_senior', { actor: 'engine', actorRole: 'service' }, 'was escalated to a senior.'],
  ])('%s reads as one line', (type, overrides, ending) => {
    // Act
    const [slack] = notificationsFor(anEvent(type, overrides), withPreferences({}), options());

    // Assess
    expect(slack?.summary).toBe(`Session for "Story one" (Junior one) ${ending}`);
  });
});
