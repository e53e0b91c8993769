import {
  applyConfigPatch,
  type ConfigTemplate,
  configIssues,
  DEFAULT_NOTIFICATIONS,
  diffConfig,
  type NotificationPreferences,
  recipientKind,
  resolveConfig,
  type SessionConfig,
} from '../../shared/domain/session-config';
import { aConfig } from '../support/builders';

const withNotifications = (notifications: Partial<NotificationPreferences>, overrides: Partial<SessionConfig> = {}): SessionConfig =>
  aConfig({ ...overrides, notifications: { ...DEFAULT_NOTIFICATIONS, ...notifications } });

/** The issue paths only: each rule's test asserts exactly which field it flags. */
const paths = (config: SessionConfig) => configIssues(config).map((issue) => issue.path);

const QUICK_FIX: ConfigTemplate = { id: 'quick-fix', name: 'Quick fix', maxDurationHours: 2, checkInIntervalMinutes: 15, escalationPolicy: 'immediate' };
const STANDARD: ConfigTemplate = { id: 'standard', name: 'Standard', maxDurationHours: 8, checkInIntervalMinutes: 30, escalationPolicy: 'progressive' };
const COMPLEX: ConfigTemplate = {
  id: 'complex-feature',
  name: 'Complex feature',
  maxDurationHours: 16,
  checkInIntervalMinutes: 60,
  escalationPolicy: 'relaxed',
};

describe('configIssues: valid configs', () => {
  test('the default config has no issues', () => {
    // Act
    const issues = configIssues(aConfig());

    // Assess
    expect(issues).toEqual([]);
  });

  test.each([QUICK_FIX, STANDARD, COMPLEX])('the $id template ($maxDurationHours h, $checkInIntervalMinutes min, $escalationPolicy) has no issues', (template) => {
    // Prepare
    const config = resolveConfig(aConfig(), template);

    // Act
    const issues = configIssues(config);

    // Assess
    expect(issues).toEqual([]);
  });

  test('a config at every bound, with recipients of every kind, has no issues', () => {
    // Prepare
    const config = withNotifications(
      { emailEnabled: true, slackEnabled: true, additionalRecipients: ['lead@example.com', '#mentors', 'U01ABCDEF23', 'W12345678'] },
      { maxDurationHours: 168, checkInIntervalMinutes: 1440, qualityTierOverride: 5 },
    );

    // Act
    const issues = configIssues(config);

    // Assess
    expect(issues).toEqual([]);
  });
});

describe('configIssues: maxDurationHours', () => {
  test.each([0.25, 1.5, 0.3, 168])('%s hours is within bounds and a whole number of minutes', (hours) => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: hours, checkInIntervalMinutes: 5 }));

    // Assess
    expect(issuePaths).toEqual([]);
  });

  test.each([0.24, 168.5, 169, Number.NaN])('%s hours is out of bounds', (hours) => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: hours, checkInIntervalMinutes: 5 }));

    // Assess
    expect(issuePaths).toEqual(['maxDurationHours']);
  });

  test.each([0, -1])('%s hours is out of bounds (and no interval is shorter than it)', (hours) => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: hours, checkInIntervalMinutes: 5 }));

    // Assess
    expect(issuePaths).toEqual(['maxDurationHours', 'checkInIntervalMinutes']);
  });

  test.each([1.01, 2.001, 0.2501])('%s hours is not a whole number of minutes', (hours) => {
    // Act
    const issues = configIssues(aConfig({ maxDurationHours: hours, checkInIntervalMinutes: 5 }));

    // Assess
    expect(issues).toEqual([{ path: 'maxDurationHours', message: expect.stringContaining('whole number of minutes') }]);
  });
});

describe('configIssues: checkInIntervalMinutes', () => {
  test.each([5, 30, 1440])('%s minutes is allowed (with a long enough max duration)', (minutes) => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: 48, checkInIntervalMinutes: minutes }));

    // Assess
    expect(issuePaths).toEqual([]);
  });

  test.each([4, 0, -5, 1441, 30.5])('%s minutes is not a whole number from 5 to 1440', (minutes) => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: 48, checkInIntervalMinutes: minutes }));

    // Assess
    expect(issuePaths).toEqual(['checkInIntervalMinutes']);
  });

  test('an interval equal to the max duration is not shorter than it', () => {
    // Act
    const issues = configIssues(aConfig({ maxDurationHours: 2, checkInIntervalMinutes: 120 }));

    // Assess
    expect(issues).toEqual([{ path: 'checkInIntervalMinutes', message: expect.stringContaining('shorter than maxDurationHours') }]);
  });

  test('an interval longer than the max duration is flagged', () => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: 0.5, checkInIntervalMinutes: 45 }));

    // Assess
    expect(issuePaths).toEqual(['checkInIntervalMinutes']);
  });

  test('an interval one minute shorter than the max duration is fine', () => {
    // Act
    const issuePaths = paths(aConfig({ maxDurationHours: 2, checkInIntervalMinutes: 119 }));

    // Assess
    expect(issuePaths).toEqual([]);
  });
});

describe('configIssues: qualityTierOverride', () => {
  test.each([1, 3, 5])('tier %s is allowed', (tier) => {
    // Act
    const issuePaths = paths(aConfig({ qualityTierOverride: tier }));

    // Assess
    expect(issuePaths).toEqual([]);
  });

  test.each([0, 6, 2.5, -1])('tier %s is not a whole number from 1 to 5', (tier) => {
    // Act
    const issuePaths = paths(aConfig({ qualityTierOverride: tier }));

    // Assess
    expect(issuePaths).toEqual(['qualityTierOverride']);
  });
});

describe('configIssues: notifications.additionalRecipients', () => {
  const channels = (count: number) => Array.from({ length: count }, (_, i) => `#team-${i + 1}`);

  test('20 recipients are allowed', () => {
    // Act
    const issuePaths = paths(withNotifications({ additionalRecipients: channels(20) }));

    // Assess
    expect(issuePaths).toEqual([]);
  });

  test('21 recipients are too many: one issue on the list itself', () => {
    // Act
    const issues = configIssues(withNotifications({ additionalRecipients: channels(21) }));

    // Assess
    expect(issues).toEqual([{ path: 'notifications.additionalRecipients', message: expect.stringContaining('at most 20') }]);
  });

  test('a recipient that is neither an email nor a Slack channel or member id is flagged at its index', () => {
    // Act
    const issuePaths = paths(withNotifications({ emailEnabled: true, additionalRecipients: ['lead@example.com', 'not an address', '#ok'] }));

    // Assess
    expect(issuePaths).toEqual(['notifications.additionalRecipients.1']);
  });

  test('an email recipient requires emailEnabled', () => {
    // Act
    const issues = configIssues(withNotifications({ emailEnabled: false, slackEnabled: true, additionalRecipients: ['#ok', 'lead@example.com'] }));

    // Assess
    expect(issues).toEqual([{ path: 'notifications.additionalRecipients.1', message: expect.stringContaining('emailEnabled') }]);
  });

  test.each(['#mentors', 'U01ABCDEF23'])('a Slack recipient (%s) requires slackEnabled', (recipient) => {
    // Act
    const issues = configIssues(withNotifications({ emailEnabled: true, slackEnabled: false, additionalRecipients: ['lead@example.com', recipient] }));

    // Assess
    expect(issues).toEqual([{ path: 'notifications.additionalRecipients.1', message: expect.stringContaining('slackEnabled') }]);
  });

  test('a duplicate, compared case-insensitively, is flagged at its second position', () => {
    // Act
    const issues = configIssues(withNotifications({ emailEnabled: true, additionalRecipients: ['lead@example.com', '#mentors', 'Lead@Example.COM'] }));

    // Assess
    expect(issues).toEqual([{ path: 'notifications.additionalRecipients.2', message: expect.stringContaining('twice') }]);
  });

  test('several broken recipients are each flagged at their own index', () => {
    // Act
    const issuePaths = paths(withNotifications({ emailEnabled: false, slackEnabled: true, additionalRecipients: ['#ok', 'x@example.com', '??', '#ok'] }));

    // Assess
    expect(issuePaths).toEqual(['notifications.additionalRecipients.1', 'notifications.additionalRecipients.2', 'notifications.additionalRecipients.3']);
  });
});

describe('recipientKind', () => {
  test.each([
    ['lead@example.com', 'email'],
    ['first.last+tag@mail.example.co.uk', 'email'],
    ['#mentors', 'slack'],
    ['#team-1_a.b', 'slack'],
    ['U01ABCDEF23', 'slack'],
    ['W12345678', 'slack'],
  ] as const)('%s is %s', (recipient, kind) => {
    // Act
    const result = recipientKind(recipient);

    // Assess
    expect(result).toBe(kind);
  });

  test.each(['mentors', 'lead@', '@example.com', 'lead@example', '#', 'U123', 'X12345678', '', `${'a'.repeat(250)}@example.com`])('%s is neither', (recipient) => {
    // Act
    const result = recipientKind(recipient);

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('resolveConfig', () => {
  const defaults = withNotifications({}, { maxDurationHours: 8, checkInIntervalMinutes: 30, escalationPolicy: 'progressive', qualityTierOverride: 3 });

  test('without a template or patch it is the defaults', () => {
    // Act
    const config = resolveConfig(defaults, undefined);

    // Assess
    expect(config).toStrictEqual(defaults);
  });

  test('a template replaces the duration, interval and policy; the rest comes from the defaults', () => {
    // Act
    const config = resolveConfig(defaults, QUICK_FIX);

    // Assess
    expect(config).toStrictEqual({
      maxDurationHours: 2,
      checkInIntervalMinutes: 15,
      escalationPolicy: 'immediate',
      qualityTierOverride: 3,
      notifications: DEFAULT_NOTIFICATIONS,
    });
  });

  test('the patch wins over the template and the defaults', () => {
    // Act
    const config = resolveConfig(defaults, COMPLEX, { checkInIntervalMinutes: 45, escalationPolicy: 'immediate', qualityTierOverride: 4 });

    // Assess
    expect(config).toStrictEqual({
      maxDurationHours: 16,
      checkInIntervalMinutes: 45,
      escalationPolicy: 'immediate',
      qualityTierOverride: 4,
      notifications: DEFAULT_NOTIFICATIONS,
    });
  });

  test('notifications are merged field by field', () => {
    // Act
    const config = resolveConfig(defaults, STANDARD, { notifications: { emailEnabled: true, additionalRecipients: ['lead@example.com'] } });

    // Assess
    expect(config.notifications).toStrictEqual({
      slackEnabled: true,
      emailEnabled: true,
      additionalRecipients: ['lead@example.com'],
      notifyOnStateChange: true,
      notifyOnBlocker: true,
      notifyOnEscalation: true,
      notifyOnCompletion: true,
    });
  });

  test('qualityTierOverride: null clears the override', () => {
    // Act
    const config = resolveConfig(defaults, STANDARD, { qualityTierOverride: null });

    // Assess
    expect(config).toStrictEqual({
      maxDurationHours: 8,
      checkInIntervalMinutes: 30,
      escalationPolicy: 'progressive',
      notifications: DEFAULT_NOTIFICATIONS,
    });
    expect('qualityTierOverride' in config).toBe(false);
  });

  test('fields the patch leaves undefined keep their value', () => {
    // Act
    const config = resolveConfig(defaults, undefined, {
      maxDurationHours: undefined,
      qualityTierOverride: undefined,
      notifications: { slackEnabled: undefined, notifyOnBlocker: false },
    });

    // Assess
    expect(config).toStrictEqual({ ...defaults, notifications: { ...DEFAULT_NOTIFICATIONS, notifyOnBlocker: false } });
  });
});

describe('applyConfigPatch', () => {
  test('an empty patch gives the same config', () => {
    // Prepare
    const config = aConfig({ qualityTierOverride: 2 });

    // Act
    const patched = applyConfigPatch(config, {});

    // Assess
    expect(patched).toStrictEqual(config);
  });

  test('sets a quality tier where there was none', () => {
    // Act
    const patched = applyConfigPatch(aConfig(), { qualityTierOverride: 5 });

    // Assess
    expect(patched).toStrictEqual(aConfig({ qualityTierOverride: 5 }));
  });
});

describe('diffConfig', () => {
  test('identical configs have no changes', () => {
    // Act
    const changes = diffConfig(aConfig({ qualityTierOverride: 2 }), aConfig({ qualityTierOverride: 2 }));

    // Assess
    expect(changes).toEqual([]);
  });

  test('lists exactly the changed fields, with dotted paths for notifications', () => {
    // Prepare
    const before = aConfig();
    const after = withNotifications(
      { emailEnabled: true, additionalRecipients: ['lead@example.com'] },
      { maxDurationHours: 4, escalationPolicy: 'relaxed', qualityTierOverride: 3 },
    );

    // Act
    const changes = diffConfig(before, after);

    // Assess
    expect(changes).toEqual([
      { field: 'maxDurationHours', from: 8, to: 4 },
      { field: 'escalationPolicy', from: 'progressive', to: 'relaxed' },
      { field: 'qualityTierOverride', from: null, to: 3 },
      { field: 'notifications.emailEnabled', from: false, to: true },
      { field: 'notifications.additionalRecipients', from: [], to: ['lead@example.com'] },
    ]);
  });

  test('a cleared quality tier changes to null', () => {
    // Act
    const changes = diffConfig(aConfig({ qualityTierOverride: 4 }), aConfig());

    // Assess
    expect(changes).toEqual([{ field: 'qualityTierOverride', from: 4, to: null }]);
  });

  test('recipient lists are compared whole: a reorder is a change, an equal list is not', () => {
    // Prepare
    const a = withNotifications({ additionalRecipients: ['#a', '#b'] });
    const reordered = withNotifications({ additionalRecipients: ['#b', '#a'] });
    const copy = withNotifications({ additionalRecipients: ['#a', '#b'] });

    // Act
    const changed = diffConfig(a, reordered);
    const same = diffConfig(a, copy);

    // Assess
    expect(changed).toEqual([{ field: 'notifications.additionalRecipients', from: ['#a', '#b'], to: ['#b', '#a'] }]);
    expect(same).toEqual([]);
  });
});
