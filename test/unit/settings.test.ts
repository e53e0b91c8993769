import { loadSettings, parseSettings, SettingsError } from '../../shared/settings/settings';

describe('settings', () => {
  test("the repository's file holds the spec's session_management block", () => {
    const settings = loadSettings({});
    expect(settings.raw).toMatchObject({
      max_concurrent_sessions_per_junior: 1,
      max_concurrent_sessions_per_mentor: 3,
      max_concurrent_sessions_system: 50,
      max_queue_size: 100,
      max_session_duration_hours: 8,
      pause_timeout_hours: 24,
      queue_timeout_hours: 4,
      default_check_in_interval_minutes: 30,
      default_escalation_policy: 'progressive',
      mentor_assignment: { strategy: 'workload_balanced', fallback_to_auto: true },
      audit: { retention_days: 365, export_format: 'json' },
    });
    expect(settings.raw.config_templates.map((t) => t.id)).toEqual(['quick-fix', 'standard', 'complex-feature']);
    expect(settings.limits).toEqual({ perJunior: 1, perMentor: 3, system: 50, queueSize: 100 });
    expect(settings.timeouts).toEqual({ maxDurationMs: 8 * 3_600_000, pauseTimeoutMs: 24 * 3_600_000, queueTimeoutMs: 4 * 3_600_000 });
  });

  test('an empty block takes the spec defaults', () => {
    expect(parseSettings('session_management: {}').limits).toEqual({ perJunior: 1, perMentor: 3, system: 50, queueSize: 100 });
  });

  test('environment variables override single values, nested ones with __', () => {
    const settings = loadSettings({ MAX_QUEUE_SIZE: '7', MENTOR_ASSIGNMENT__STRATEGY: 'round_robin', AUDIT__RETENTION_DAYS: '90', PAUSE_TIMEOUT_HOURS: '1.5' });
    expect(settings.limits.queueSize).toBe(7);
    expect(settings.raw.mentor_assignment).toEqual({ strategy: 'round_robin', fallback_to_auto: true, directory_cache_seconds: 5 });
    expect(settings.raw.audit.retention_days).toBe(90);
    expect([settings.drainParallelism, settings.assignment.directoryCacheMs]).toEqual([8, 5_000]);
    expect(settings.timeouts.pauseTimeoutMs).toBe(1.5 * 3_600_000);
  });

  test.each([
    [{ MAX_QUEUE_SIZE: 'lots' }, 'session_management.max_queue_size'],
    [{ MAX_CONCURRENT_SESSIONS_SYSTEM: '0' }, 'session_management.max_concurrent_sessions_system'],
    [{ MENTOR_ASSIGNMENT__STRATEGY: 'coin_flip' }, 'session_management.mentor_assignment.strategy'],
    [{ MAX_SESSION_DURATION_HOURS: '-1' }, 'session_management.max_session_duration_hours'],
    [{ MENTOR_ASSIGNMENT__FALLBACK_TO_AUTO: 'maybe' }, 'session_management.mentor_assignment.fallback_to_auto'],
    [{ QUEUE_DRAIN_PARALLELISM: '0' }, 'session_management.queue_drain_parallelism'],
    [{ MENTOR_ASSIGNMENT__DIRECTORY_CACHE_SECONDS: '-1' }, 'session_management.mentor_assignment.directory_cache_seconds'],
  ])('a bad value stops start-up naming the key: %j', (env, key) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(key);
  });

  test('unknown keys, duplicate template ids and broken YAML are refused', () => {
    expect(() => parseSettings('session_management: { max_queue_sise: 3 }')).toThrow('max_queue_sise');
    const dup =
      'session_management:\n  config_templates:\n' +
      '    - { id: a, name: A, max_duration_hours: 1, check_in_interval_minutes: 5, escalation_policy: relaxed }\n'.repeat(2);
    expect(() => parseSettings(dup)).toThrow('template ids must be unique');
    expect(() => parseSettings('session_management: [')).toThrow('not valid YAML');
  });

  test('a missing settings file is a clear error', () => {
    expect(() => loadSettings({ SETTINGS_FILE: '/nonexistent/settings.yaml' })).toThrow('Cannot read the settings file /nonexistent/settings.yaml');
  });
});
