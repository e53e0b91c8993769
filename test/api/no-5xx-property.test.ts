import fc from 'fast-check';
import type { SessionClient } from '../../shared/client';
import { SessionStartResultSchema } from '../../shared/http/schemas';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';
import { API, DIRECTORY, expectEventsReplay, expectNoServerError, REPORT, SESSIONS, sendJson, startSession } from './helpers';

jest.setTimeout(60_000);

/**
 * "No input of any shape gets a 5xx" (issue 2, Acceptance), as properties over
 * real HTTP: arbitrary JSON and arbitrary text to every body route, bodies that
 * are valid but for arbitrary values in some fields, and arbitrary paths and
 * query strings. 150 runs in all.
 */

let app: LocalApp;
let coordinator: SessionClient;
let service: SessionClient;
const touched = new Set<string>();

/** Sessions in each running and ended status, for the runs that do not start their own. */
const pool: string[] = [];

beforeAll(async () => {
  ({ app, coordinator, service } = await startApiFixture());
  for (let i = 0; i < 4; i += 1) pool.push(await startSession(coordinator));
  await coordinator.pauseSession(pool[1]!);
  await service.completeSession(pool[2]!, { report: REPORT });
  await coordinator.cancelSession(pool[3]!, { reason: 'pool' });
  for (const id of pool) touched.add(id);
});
afterAll(() => app.close());

// Strings: printable ASCII, any code point, and raw UTF-16 units (lone surrogates included).
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 24 });
const anyString = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: 'binary', maxLength: 24 }), utf16);
const anyJson = fc.jsonValue({ maxDepth: 3 });
/** A slot that is usually a plausible value and sometimes any JSON at all. */
const slot = <T>(plausible: fc.Arbitrary<T>) => fc.oneof({ arbitrary: plausible, weight: 5 }, { arbitrary: anyJson as fc.Arbitrary<unknown>, weight: 1 });
const optional = { requiredKeys: [] as never[] };

const iso = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const skills = fc.array(fc.record({ area: slot(anyString), level: slot(fc.integer({ min: 0, max: 6 })) }), { maxLength: 3 });

type Target = 'start' | 'pause' | 'resume' | 'cancel' | 'complete' | 'fail' | 'workflow-events' | 'juniors' | 'mentors' | 'stories';
const SESSION_TARGETS = ['pause', 'resume', 'cancel', 'complete', 'fail', 'workflow-events'] as const;
const DIRECTORY_TARGETS = ['juniors', 'mentors', 'stories'] as const;

/** Bodies of each route's shape whose fields may hold anything. */
const nearlyValid: Record<Target, fc.Arbitrary<unknown>> = {
  start: fc.record(
    {
      storyId: slot(fc.constantFrom(DIRECTORY.story, 'no-such-story')),
      juniorId: slot(fc.constantFrom('junior-a', 'junior-b')),
      mentorId: slot(fc.constantFrom('mentor-a', 'no-such-mentor')),
    },
    { requiredKeys: ['storyId', 'juniorId'] },
  ),
  pause: fc.record({ reason: slot(anyString), notes: slot(anyString) }, optional),
  resume: fc.record({ notes: slot(anyString) }, optional),
  cancel: fc.record({ reason: slot(anyString), notes: slot(anyString) }, { requiredKeys: ['reason'] }),
  complete: fc.record(
    {
      report: slot(
        fc.record(
          {
            summary: slot(anyString),
            overallScore: slot(fc.double({ min: -10, max: 110 })),
            metrics: slot(fc.dictionary(anyString, slot(fc.double()), { maxKeys: 3 })),
          },
          { requiredKeys: ['summary', 'overallScore'] },
        ),
      ),
      notes: slot(anyString),
    },
    { requiredKeys: ['report'] },
  ),
  fail: fc.record({ error: slot(anyString), notes: slot(anyString) }, { requiredKeys: ['error'] }),
  'workflow-events': fc.record(
    {
      type: slot(fc.constantFrom('state_changed', 'info', 'hint_provided', 'blocker_detected')),
      toState: slot(fc.constantFrom('PLAN_DECOMPOSITION', 'REVIEW_PLAN', 'COMPLETED', 'PAUSED')),
      eventId: slot(anyString),
      occurredAt: slot(iso),
      message: slot(anyString),
      data: slot(fc.dictionary(anyString, anyJson, { maxKeys: 3 })),
    },
    { requiredKeys: ['type', 'eventId', 'occurredAt'] },
  ),
  juniors: fc.record({ name: slot(anyString), skills: slot(skills) }, { requiredKeys: ['name'] }),
  mentors: fc.record(
    {
      name: slot(anyString),
      skills: slot(skills),
      maxConcurrentSessions: slot(fc.integer({ min: -1, max: 60 })),
      available: slot(fc.boolean()),
    },
    { requiredKeys: ['name'] },
  ),
  stories: fc.record({ title: slot(anyString), skillArea: slot(anyString) }, { requiredKeys: ['title', 'skillArea'] }),
};

const target = fc.constantFrom<Target>('start', ...SESSION_TARGETS, ...DIRECTORY_TARGETS);
/** The routes whose bodies carry free-form values (metrics, data) weigh more. */
const weightedTarget = fc.oneof({ arbitrary: target, weight: 4 }, { arbitrary: fc.constantFrom<Target>('complete', 'workflow-events'), weight: 3 });
// Entries the runs overwrite; not the junior and mentor every run starts its sessions with: a random
// mentor capacity of 1 written over those would (rightly) queue the next start and break the setup.
const directoryId = fc.oneof(fc.constantFrom('prop-entry', 'prop-junior', 'prop-mentor', DIRECTORY.story), fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/));
/** A path segment as a client would send it: any text, percent-encoded, or a few raw oddities. */
const segment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('', '.', '..', '%', '%zz', '%00', '%2F', '%252F', '%E0%A4%A', '~', 'null', 'undefined', '__proto__', 'constructor'),
  fc.uuid(),
);

function pathOf(to: Target, id: string): { method: string; path: string } {
  if (to === 'start') return { method: 'POST', path: SESSIONS };
  if ((DIRECTORY_TARGETS as readonly string[]).includes(to)) return { method: 'PUT', path: `${API}/${to}/${id}` };
  return { method: 'POST', path: `${SESSIONS}/${id}/${to}` };
}

function sessionIdFrom(path: string): string | undefined {
  return /\/sessions\/([0-9a-f-]{36})(?:\/|$)/.exec(path)?.[1];
}

describe('no input of any shape gets a 5xx', () => {
  test('arbitrary JSON values and arbitrary text, to every body route', async () => {
    const body = fc.oneof(
      anyJson.map((value) => JSON.stringify(value)),
      anyString,
      fc.constantFrom('', ' ', '{', '[]', 'null', '{"a":1}{"b":2}'),
    );
    const id = fc.oneof(fc.constantFrom(...pool), segment);

    await fc.assert(
      fc.asyncProperty(target, id, directoryId, body, fc.boolean(), async (to, sessionId, entryId, text, asService) => {
        const { method, path } = pathOf(to, (DIRECTORY_TARGETS as readonly string[]).includes(to) ? entryId : sessionId);

        const response = await sendJson(asService ? service : coordinator, method, path, text);

        expectNoServerError(response);
      }),
      { numRuns: 60 },
    );
  });

  test('bodies of the right shape with arbitrary values in their fields', async () => {
    const run = fc
      .record({ to: weightedTarget, status: fc.constantFrom('Active', 'Paused'), entryId: directoryId, asService: fc.boolean() })
      .chain((r) => nearlyValid[r.to].map((body) => ({ ...r, body })));

    await fc.assert(
      fc.asyncProperty(run, async ({ to, status, entryId, asService, body }) => {
        let id = entryId;
        if ((SESSION_TARGETS as readonly string[]).includes(to)) {
          id = await startSession(coordinator);
          if (status === 'Paused') await coordinator.pauseSession(id);
        }
        const { method, path } = pathOf(to, id);
        const caller = to === 'start' || (DIRECTORY_TARGETS as readonly string[]).includes(to) || !asService ? coordinator : service;

        const response = await sendJson(caller, method, path, body);

        expectNoServerError(response);
        const sessionId = to === 'start' && response.status === 201 ? SessionStartResultSchema().parse(response.json).sessionId : sessionIdFrom(path);
        if (sessionId !== undefined) {
          touched.add(sessionId);
          await expectEventsReplay(coordinator, sessionId);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('arbitrary paths, methods and query strings', async () => {
    const query = fc.oneof(
      fc.constant(''),
      fc.constantFrom('?', '?&&', '?limit', '?=x', '?limit=%', '?cursor=%E0%A4%A', '?limit=1e2', '?limit=-0', '?cursor=', '?cursor=e30'),
      fc
        .array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'cursor'), fc.string({ unit: 'binary', maxLength: 8 })), fc.string({ unit: 'binary', maxLength: 40 })), {
          maxLength: 3,
        })
        .map((pairs) => `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`),
    );
    const path = fc.oneof(
      segment.map((s) => `${SESSIONS}/${s}`),
      segment.map((s) => `${SESSIONS}/${s}/events`),
      fc.tuple(segment, segment).map(([a, b]) => `${SESSIONS}/${a}/${b}`),
      fc.tuple(fc.constantFrom(...DIRECTORY_TARGETS), segment).map(([kind, s]) => `${API}/${kind}/${s}`),
      fc.constantFrom(...DIRECTORY_TARGETS).map((kind) => `${API}/${kind}`),
      fc.constantFrom(...pool).map((id) => `${SESSIONS}/${id}`),
      segment.map((s) => `${API}/${s}`),
      segment.map((s) => `/${s}`),
      fc.constantFrom('/health', `${API}/openapi.json`, '/', '/api', `${API}/`),
    );
    const method = fc.constantFrom('GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

    await fc.assert(
      fc.asyncProperty(method, path, query, fc.boolean(), async (verb, p, q, anonymous) => {
        const client = anonymous ? app.anonymous() : coordinator;

        const response = await client.raw(verb, `${p}${q}`);

        if (verb === 'HEAD') expect(response.status).toBeLessThan(500);
        else expectNoServerError(response);
      }),
      { numRuns: 30 },
    );
  });

  test('every session the runs touched still replays to its status', async () => {
    for (const id of touched) await expectEventsReplay(coordinator, id);
  });
});
