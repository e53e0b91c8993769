import type { SessionClient } from '../../shared/client';
import { type LocalApp, type LocalAppOptions, startLocalApp } from './local-app';

/** The directory every API test file starts from, written through the API by a coordinator. */
export const DIRECTORY = {
  story: 'story-1',
  juniors: ['junior-a', 'junior-b'],
  mentors: ['mentor-a', 'mentor-b'],
} as const;

/** Writes DIRECTORY (one story, two juniors, two mentors, all typescript) through the API. */
export async function seedDirectory(coordinator: SessionClient): Promise<void> {
  await coordinator.putStory(DIRECTORY.story, { title: 'Add a health check', skillArea: 'typescript' });
  for (const id of DIRECTORY.juniors) await coordinator.putJunior(id, { name: `Junior ${id}`, skills: [{ area: 'typescript', level: 2 }] });
  for (const id of DIRECTORY.mentors) await coordinator.putMentor(id, { name: `Mentor ${id}`, skills: [{ area: 'typescript', level: 5 }] });
}

/** What an API test file acts through: the local app and a client for each of the two roles every file uses. */
export interface ApiFixture {
  readonly app: LocalApp;
  /** Acting as `coordinatorId` (default `coord-1`) with the coordinator role. */
  readonly coordinator: SessionClient;
  /** Acting as `engine` with the service role (the workflow engine's callbacks). */
  readonly service: SessionClient;
}

export interface ApiFixtureOptions extends LocalAppOptions {
  /** The coordinator's user id; a file that runs a second app names a second one. */
  readonly coordinatorId?: string;
  /** Writes DIRECTORY through the API (the default); false for a file that writes a directory of its own. */
  readonly seed?: boolean;
}

/**
 * The preamble of an API test file: the local app (test/support/local-app.ts),
 * the coordinator and service clients, and the seeded directory. Call it in
 * `beforeAll` and close `app` in `afterAll`; if the start fails half-way, the
 * app is closed here and the error goes on.
 */
export async function startApiFixture(options: ApiFixtureOptions = {}): Promise<ApiFixture> {
  const { coordinatorId = 'coord-1', seed = true, ...appOptions } = options;
  const app = await startLocalApp(appOptions);
  try {
    const coordinator = await app.as(coordinatorId, 'coordinator');
    const service = await app.as('engine', 'service');
    if (seed) await seedDirectory(coordinator);
    return { app, coordinator, service };
  } catch (error) {
    await app.close();
    throw error;
  }
}
