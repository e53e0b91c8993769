import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { SessionTimeline } from '../../shared/client';
import {
  anotherTab,
  type ConsolePage,
  type ConsoleRig,
  choose,
  PEOPLE,
  SCREENSHOT_DIR,
  screenshot,
  seriousViolations,
  signIn,
  startConsoleRig,
} from '../support/console-browser';

/**
 * Issue 15's acceptance, in a real browser against the real local server: the whole lifecycle by clicks, an engine
 * completion seen by the open page within 5 s, an API refusal shown in words, and the timeline picture read back
 * against the API's timeline.
 */

let rig: ConsoleRig;
let coordinator: ConsolePage;

beforeAll(async () => {
  rig = await startConsoleRig();
  coordinator = await signIn(rig, 'coordinator', 'coordinator-1');
}, 120_000);
afterAll(async () => {
  await coordinator?.context.close();
  await rig?.close();
  process.stdout.write(`Console screenshots: ${SCREENSHOT_DIR}\n`);
});
afterEach(() => {
  // Console errors include CSP violations and failed loads: none is expected on any page.
  expect(coordinator.problems).toEqual([]);
});

const statusOf = (page: Page) => page.getByTestId('session-status');

async function openSession(page: Page, id: string) {
  await page.goto(`${rig.consoleUrl}#/sessions/${id}`);
  await page.getByTestId('session-id').filter({ hasText: id }).waitFor();
}

/** Wall-clock time passing between two API calls, so the picture's bands have a width worth measuring (not a wait for anything). */
const elapse = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a coordinator starts, pauses, resumes, reassigns, edits the config of and cancels a session, all by clicks', async () => {
  const { page } = coordinator;
  await page.goto(`${rig.consoleUrl}#/sessions`);

  await choose(page, 'Story', /Add pagination/);
  await choose(page, 'Junior', /junior-ada/);
  await page.getByRole('button', { name: 'Start session' }).click();

  const result = page.getByTestId('start-result');
  await result.waitFor();
  const id = /Open session ([0-9a-f-]{36})/.exec((await result.textContent()) ?? '')?.[1];
  expect(id).toBeDefined();
  // The assignment explained: the best-skilled free mentor, chosen automatically, with the candidates ranked.
  await expect(page.getByTestId('assignment-explanation').textContent()).resolves.toMatch(
    /Mentor mentor-grace, chosen automatically .* for skill area typescript, among 3 mentor/,
  );
  await screenshot(page, 'sessions-start-result');

  await page.getByRole('link', { name: `Open session ${id}` }).click();
  await statusOf(page).filter({ hasText: 'Active' }).waitFor();
  // The engine side (coordinators): the instance runs, as the session asks, confirmed.
  await page.getByTestId('engine-desired').filter({ hasText: 'running' }).waitFor();
  await page.getByTestId('engine-confirmed').filter({ hasText: 'confirmed' }).waitFor();

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await statusOf(page).filter({ hasText: 'Paused' }).waitFor();
  await page.getByRole('button', { name: 'Resume' }).click();
  await statusOf(page).filter({ hasText: 'Active' }).waitFor();

  await page.getByLabel('Reason or notes').fill('rebalancing the load');
  await page.getByLabel('New mentor id').fill('mentor-linus');
  await page.getByRole('button', { name: 'Reassign' }).click();
  await page.getByTestId('session-mentor').filter({ hasText: 'mentor-linus' }).waitFor();

  await page.getByLabel('New check-in interval minutes').fill('45');
  await page.getByRole('button', { name: 'Save config' }).click();
  await page.getByText('Config changed: checkInIntervalMinutes: 30 to 45').waitFor();
  await page.getByTestId('config-check-in').filter({ hasText: '45 min' }).waitFor();

  await page.getByLabel('Reason or notes').fill('the story was dropped');
  await page.getByRole('button', { name: 'Cancel session' }).click();
  await statusOf(page).filter({ hasText: 'Cancelled' }).waitFor();
  // The instance must stop; a re-drive confirms it at once instead of on the next minute.
  await page.getByTestId('engine-desired').filter({ hasText: 'stopped' }).waitFor();
  await page.getByRole('button', { name: 'Re-drive engine' }).click();
  await page.getByTestId('engine-confirmed').filter({ hasText: 'confirmed' }).waitFor();

  // The API agrees with what the page shows, and its log holds each click.
  const session = await rig.coordinator.getSession(id!);
  expect(session).toMatchObject({ status: 'Cancelled', mentorId: 'mentor-linus', cancelReason: 'the story was dropped' });
  expect(session.config.checkInIntervalMinutes).toBe(45);
  const types = session.events.map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['session_started', 'session_paused', 'session_resumed', 'mentor_reassigned', 'config_updated', 'session_cancelled']));
  for (const type of ['session_paused', 'session_resumed', 'mentor_reassigned', 'config_updated', 'session_cancelled']) {
    await expect(page.locator(`[data-event-type="${type}"]`).count()).resolves.toBeGreaterThan(0);
  }
  // A cancelled session offers no lifecycle action any more.
  await expect(page.getByRole('button', { name: 'Pause', exact: true }).count()).resolves.toBe(0);
  await expect(page.getByRole('button', { name: 'Cancel session' }).count()).resolves.toBe(0);
  await screenshot(page, 'session-cancelled');
});

test('a session the engine completes through its callbacks shows as Completed on the open page within 5 s', async () => {
  const { page } = coordinator;
  const started = await rig.coordinator.startSession({ storyId: PEOPLE.story, juniorId: 'junior-brook' });
  await openSession(page, started.sessionId);
  await statusOf(page).filter({ hasText: 'Active' }).waitFor();

  await rig.service.recordWorkflowEvent(started.sessionId, {
    type: 'state_changed',
    toState: 'MERGE_AND_COMPLETE',
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
  });
  await rig.service.completeSession(started.sessionId, { report: { summary: 'merged', overallScore: 91, metrics: { reviews: 2 } } });
  const completedAt = Date.now();

  await statusOf(page).filter({ hasText: 'Completed' }).waitFor({ timeout: 5_000 });
  const seenAfterMs = Date.now() - completedAt;
  expect(seenAfterMs).toBeLessThan(5_000);
  const after = await rig.coordinator.getSession(started.sessionId);
  expect(after.report?.overallScore).toBe(91);
  await page.getByTestId('session-state').filter({ hasText: after.currentState! }).waitFor();
  process.stdout.write(`Engine completion seen by the open page after ${seenAfterMs} ms\n`);
  await screenshot(page, 'session-completed-by-engine');
});

test('an action the API refuses is shown in words, with the status and the operations it still allows', async () => {
  const started = await rig.coordinator.startSession({ storyId: PEOPLE.story, juniorId: 'junior-cyd' });
  // A tab whose timers stand still: it keeps showing the session as it was when it loaded (a stale page).
  const stale = await anotherTab(coordinator);
  const { page } = stale;
  await page.clock.install();
  await openSession(page, started.sessionId);
  await statusOf(page).filter({ hasText: 'Active' }).waitFor();

  await rig.coordinator.cancelSession(started.sessionId, { reason: 'cancelled elsewhere' });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();

  const refusal = page.getByTestId('api-error');
  await refusal.waitFor();
  const text = await refusal.textContent();
  expect(text).toContain('409 transition_forbidden');
  expect(text).toContain('The session is Cancelled.');
  expect(text).toContain('No operation is allowed now.');
  // The refusal makes the page read the session again at once (its timers still stand still), and stays in view.
  await statusOf(page).filter({ hasText: 'Cancelled' }).waitFor();
  await expect(page.getByRole('button', { name: 'Pause', exact: true }).count()).resolves.toBe(0);
  await expect(refusal.textContent()).resolves.toBe(text);
  await screenshot(page, 'session-refusal');
  // The browser logs the refused request itself; nothing else went wrong on the page.
  expect(stale.problems).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
  await page.close();
});

test('the timeline picture draws two pauses and a mentor change where the API timeline puts them', async () => {
  const { page } = coordinator;
  const c = rig.coordinator;
  const { sessionId: id } = await c.startSession({ storyId: PEOPLE.story, juniorId: 'junior-dee', mentorId: 'mentor-grace' });
  await elapse(400);
  await c.pauseSession(id, { reason: 'first break' });
  await elapse(300);
  await c.resumeSession(id);
  await elapse(300);
  await c.reassignMentor(id, { mentorId: 'mentor-margaret', reason: 'swap' });
  await elapse(300);
  await c.pauseSession(id, { reason: 'second break' });
  await elapse(300);
  await c.resumeSession(id);
  await elapse(300);
  await c.cancelSession(id, { reason: 'done measuring' });
  const timeline = await c.getSessionTimeline(id);

  await openSession(page, id);
  await statusOf(page).filter({ hasText: 'Cancelled' }).waitFor();
  const drawn = await readPicture(page);

  // The scale: the axis runs from creation to the end (a terminal session has no deadline on it).
  expect(drawn.start).toBe(timeline.startTime);
  expect(drawn.end).toBe(timeline.asOf);
  const expected = statusRuns(timeline);
  expect(expected.filter((band) => band.label === 'Paused')).toHaveLength(2);
  expect(drawn.status.map(({ label, from, to }) => ({ label, from, to }))).toEqual(expected);
  const span = Date.parse(drawn.end) - Date.parse(drawn.start);
  const xOf = (iso: string) => drawn.left + ((Date.parse(iso) - Date.parse(drawn.start)) / span) * drawn.width;
  for (const band of drawn.status) {
    expect(band.x).toBeCloseTo(xOf(band.from), 1);
    expect(band.x + band.w).toBeCloseTo(xOf(band.to), 1);
  }
  // The two pauses are each wider than nothing, and the second sits to the right of the first.
  const [first, second] = drawn.status.filter((band) => band.label === 'Paused');
  expect(first!.w).toBeGreaterThan(0);
  expect(second!.x).toBeGreaterThan(first!.x + first!.w);
  // The mentor change: one marker, at the reassignment's time and place, between the two pauses.
  const reassigned = timeline.entries.find((entry) => entry.eventType === 'mentor_reassigned')!;
  expect(drawn.mentorChanges).toEqual([{ at: reassigned.timestamp, x: expect.closeTo(xOf(reassigned.timestamp), 1) }]);
  expect(drawn.mentorChanges[0]!.x).toBeGreaterThan(first!.x + first!.w);
  expect(drawn.mentorChanges[0]!.x).toBeLessThan(second!.x);
  await screenshot(page, 'session-timeline-two-pauses');
});

/** The status bands the API's timeline implies: each status from its entry's timestamp to the next change (the last to asOf). */
function statusRuns(timeline: SessionTimeline): { label: string; from: string; to: string }[] {
  const changes = timeline.entries.filter((e) => e.toStatus !== undefined);
  return changes.map((e, i) => ({ label: e.toStatus!, from: e.timestamp, to: changes[i + 1]?.timestamp ?? timeline.asOf }));
}

/** What the SVG drew: its scale and every status band's rectangle and times, and the mentor-change markers. */
async function readPicture(page: Page) {
  const svg = page.getByTestId('timeline');
  await svg.waitFor();
  return svg.evaluate((el) => {
    const num = (value: string | null) => Number(value);
    return {
      start: el.getAttribute('data-start')!,
      end: el.getAttribute('data-end')!,
      left: num(el.getAttribute('data-plot-left')),
      width: num(el.getAttribute('data-plot-width')),
      status: [...el.querySelectorAll('rect[data-band="status"]')].map((r) => ({
        label: r.getAttribute('data-label')!,
        from: r.getAttribute('data-from')!,
        to: r.getAttribute('data-to')!,
        x: num(r.getAttribute('x')),
        w: num(r.getAttribute('width')),
      })),
      mentorChanges: [...el.querySelectorAll('[data-marker="mentor-change"]')].map((g) => ({ at: g.getAttribute('data-at')!, x: num(g.getAttribute('data-x')) })),
    };
  });
}

test('every session page state checked by axe-core has no serious or critical violation', async () => {
  const { page } = coordinator;
  const started = await rig.coordinator.startSession({ storyId: PEOPLE.story, juniorId: 'junior-fay' });
  await openSession(page, started.sessionId);
  await statusOf(page).filter({ hasText: 'Active' }).waitFor();
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await screenshot(page, 'session-active');
});
