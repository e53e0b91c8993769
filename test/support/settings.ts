import { parseSettings, type SessionManagementSettings, type Settings } from '../../shared/settings/settings';

/** Settings from a partial `session_management` block (the spec's defaults fill the rest). */
export function settingsWith(block: Partial<Record<keyof SessionManagementSettings, unknown>> = {}): Settings {
  return parseSettings(JSON.stringify({ session_management: block }));
}

/**
 * Limits high enough that they never bind: for tests of the lifecycle, roles
 * and input handling, where every start should run at once.
 */
export const ROOMY_SETTINGS = settingsWith({
  max_concurrent_sessions_per_junior: 1000,
  max_concurrent_sessions_per_mentor: 1000,
  max_concurrent_sessions_system: 100_000,
  max_queue_size: 1000,
});
