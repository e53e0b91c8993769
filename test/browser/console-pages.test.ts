import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { LOCAL_SIGN_IN_PATH } from '../../infra/local/console-host';
import {
  anotherTab,
  type BrowserGlobals,
  type ConsolePage,
  type ConsoleRig,
  choose,
  PEOPLE,
  SCREENSHOT_DIR,
  screenshot,
  seriousViolations,
  signIn,
  startConsoleRig,
  TOKEN_KEY,
} from '../support/console-browser';

/**
 * Every page of the console for each role, in a real browser against the real local server: what each role sees
 * (and does not), axe-core on every page, live refresh of the lists and the queue, an export from start to download,
 * a screenshot of each page, and the first load measured.
 */

let rig: ConsoleRig;
/** Sessions made through the API before the pages are opened: something on every page. */
const made = { adaActive: '', brookQueued: '', cydCompleted: '', adaCompletedEarlier: '' };

beforeAll(async () => {
  rig = await startConsoleRig();
  const c = rig.coordinator;
  // junior-ada: one completed (for Compare), then one running with mentor-grace; a second start for her waits (1 per junior).
  const early = await c.startSession({ storyId: PEOPLE.story, juniorId: 'junior-ada', mentorId: 'mentor-grace' });
  await c.pauseSession(early.sessionId, { reason: 'a break' });
  await c.resumeSession(early.sessionId);
  await rig.service.completeSession(early.sessionId, { report: { summary: 'merged', overallScore: 88, metrics: {} } });
  made.adaCompletedEarlier = early.sessionId;
  made.adaActive = (await c.startSession({ storyId: PEOPLE.story, juniorId: 'junior-ada', mentorId: 'mentor-grace' })).sessionId;
  made.brookQueued = (await c.startSession({ storyId: PEOPLE.story, juniorId: 'junior-ada' })).sessionId;
  const cyd = await c.startSession({ storyId: PEOPLE.story, juniorId: 'junior-cyd', mentorId: 'mentor-linus' });
  await c.cancelSession(cyd.sessionId, { reason: 'story dropped' });
  made.cydCompleted = cyd.sessionId;
}, 120_000);
afterAll(async () => {
  await rig?.close();
  process.stdout.write(`Console screenshots: ${SCREENSHOT_DIR}\n`);
});

const NAV = (page: Page) => page.getByRole('navigation').getByRole('listitem').getByRole('link');
/** The side navigation's entries, once it has rendered (it appears after the sign-in's redirect). */
async function navEntries(page: Page): Promise<string[]> {
  await NAV(page).first().waitFor();
  return NAV(page).allTextContents();
}

/** Opens a page of the console by its hash and waits for its heading. */
async function visit(page: Page, hash: string, heading: string | RegExp) {
  await page.goto(`${rig.consoleUrl}${hash}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

async function checkPage(cp: ConsolePage, name: string) {
  await expect(seriousViolations(cp.page)).resolves.toEqual([]);
  await screenshot(cp.page, name);
  expect(cp.problems).toEqual([]);
}

test('the sign-in page passes axe-core and refuses a bad user id in words', async () => {
  const context = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(rig.consoleUrl);
  await page.getByRole('heading', { name: 'Local sign-in' }).waitFor();
  await expect(seriousViolations(page)).resolves.toEqual([]);
  await screenshot(page, 'sign-in');
  await page.getByLabel('User id').fill('not a valid id!');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('must be 1-128 characters of A-Za-z0-9_.@-').waitFor();
  await context.close();
});

test('a coordinator sees every page: sessions, session, queue, mentors, compare and exports; each passes axe-core', async () => {
  const cp = await signIn(rig, 'coordinator', 'coordinator-1');
  const { page } = cp;
  await expect(navEntries(page)).resolves.toEqual(['Sessions', 'Queue', 'Mentors', 'Compare', 'Exports']);

  // Sessions: all four; then a status filter, then a junior filter with another page size.
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor();
  await expect(page.getByRole('link', { name: /^Session [0-9a-f-]{36}$/ }).count()).resolves.toBe(4);
  await checkPage(cp, 'sessions-coordinator');
  await choose(page, 'Status', 'Cancelled');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: `Session ${made.cydCompleted}` }).waitFor();
  await expect(page.getByRole('link', { name: /^Session [0-9a-f-]{36}$/ }).allTextContents()).resolves.toEqual([made.cydCompleted.slice(-8)]);
  await page.getByRole('button', { name: 'Clear' }).click();
  await choose(page, 'Page size', '10');
  await page.getByLabel('Junior id').fill('junior-ada');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('link', { name: `Session ${made.cydCompleted}` }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor();
  await expect(page.getByRole('link', { name: /^Session [0-9a-f-]{36}$/ }).count()).resolves.toBe(3);

  // Session: the running one, with every coordinator action offered.
  await visit(page, `#/sessions/${made.adaActive}`, /^Session /);
  await page.getByTestId('session-status').filter({ hasText: 'Active' }).waitFor();
  for (const name of ['Pause', 'Cancel session', 'Complete', 'Fail', 'Reassign', 'Set legal hold', 'Save config']) {
    await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(1);
  }
  await checkPage(cp, 'session-coordinator');

  // The queued one: its place and what holds it.
  await visit(page, `#/sessions/${made.brookQueued}`, /^Session /);
  await page.getByTestId('queue-position').filter({ hasText: '1' }).waitFor();
  await page.getByText('the junior limit').waitFor();
  await checkPage(cp, 'session-queued');

  // Queue: who waits, in order, blocked by which limit; the limits used / max.
  await visit(page, '#/queue', 'Queue');
  await page.getByRole('link', { name: `Session ${made.brookQueued}` }).waitFor();
  await page.getByText('junior limit', { exact: true }).waitFor();
  await expect(page.getByTestId('limit-system').textContent()).resolves.toBe('1 / 50');
  await expect(page.getByTestId('limit-queue').textContent()).resolves.toBe('1 / 100');
  await checkPage(cp, 'queue');

  // Mentors: load against capacity; mark one unavailable and see where the session went.
  await visit(page, '#/mentors', 'Mentors');
  await page.getByText('1 of 3 open sessions').waitFor();
  await checkPage(cp, 'mentors');
  await page.getByRole('checkbox', { name: 'mentor-grace available' }).click();
  await page.getByTestId('mentor-moved').filter({ hasText: 'mentor-grace is unavailable' }).waitFor();
  await expect(page.getByTestId('mentor-moved').textContent()).resolves.toContain(made.adaActive.slice(-8));
  const moved = await rig.coordinator.getSession(made.adaActive);
  expect(moved.mentorId).not.toBe('mentor-grace');
  await page.getByRole('checkbox', { name: 'mentor-grace available' }).click();
  await page.getByTestId('mentor-moved').filter({ hasText: 'mentor-grace is available again' }).waitFor();

  // Compare: two sessions picked from the latest ones, the API's comparison drawn.
  await visit(page, '#/compare', 'Compare');
  await choose(page, 'Pick session A', new RegExp(made.adaCompletedEarlier.slice(-8)));
  await choose(page, 'Pick session B', new RegExp(made.cydCompleted.slice(-8)));
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await page.getByTestId('compare-chart').waitFor();
  expect(page.url()).toContain(`#/compare?a=${made.adaCompletedEarlier}&b=${made.cydCompleted}`);
  await page.getByText('Completed').first().waitFor();
  await checkPage(cp, 'compare');

  // Exports: start a CSV job, watch it succeed (the stream runs it), download the file.
  await visit(page, '#/exports', 'Exports');
  await page.getByRole('button', { name: 'Start export' }).click();
  const download = page.getByRole('button', { name: /^Download export / });
  await download.waitFor({ timeout: 30_000 });
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  const csv = readFileSync((await file.path())!, 'utf8');
  expect(csv.split('\n')[0]).toContain('id');
  for (const id of Object.values(made)) expect(csv).toContain(id);
  await checkPage(cp, 'exports');
  await cp.context.close();
});

test('a junior sees only their own sessions and no action; the pages they may not use are not offered', async () => {
  const cp = await signIn(rig, 'junior', 'junior-ada');
  const { page } = cp;
  await expect(navEntries(page)).resolves.toEqual(['Sessions', 'Queue', 'Compare']);
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor();
  const theirs = await rig.coordinator.listSessions({ juniorId: 'junior-ada' });
  await expect(page.getByRole('link', { name: /^Session [0-9a-f-]{36}$/ }).count()).resolves.toBe(theirs.totalCount);
  await expect(page.getByRole('link', { name: `Session ${made.cydCompleted}` }).count()).resolves.toBe(0);
  await expect(page.getByRole('heading', { name: 'Start a session' }).count()).resolves.toBe(0);
  await checkPage(cp, 'sessions-junior');

  await visit(page, `#/sessions/${made.adaActive}`, /^Session /);
  await page.getByTestId('session-status').filter({ hasText: 'Active' }).waitFor();
  for (const name of ['Pause', 'Resume', 'Cancel session', 'Complete', 'Fail', 'Reassign', 'Set legal hold', 'Save config']) {
    await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(0);
  }
  await checkPage(cp, 'session-junior');

  // Another junior's session is not theirs: the API answers 404, the page says so and stops asking (in a tab of its own).
  const other = await anotherTab(cp);
  await visit(other.page, `#/sessions/${made.cydCompleted}`, /^Session /);
  await other.page.getByTestId('api-error').filter({ hasText: '404 not_found' }).waitFor();
  const requests: string[] = [];
  other.page.on('request', (request) => requests.push(request.url()));
  await other.page.waitForTimeout(5_000);
  expect(requests).toEqual([]);
  await other.page.close();

  await visit(page, '#/queue', 'Queue');
  await checkPage(cp, 'queue-junior');
  await cp.context.close();
});

test('a mentor sees the sessions they mentor, may pause and resume them and nothing else', async () => {
  const mentor = (await rig.coordinator.getSession(made.adaActive)).mentorId!;
  const cp = await signIn(rig, 'mentor', mentor);
  const { page } = cp;
  await expect(navEntries(page)).resolves.toEqual(['Sessions', 'Queue', 'My workload', 'Compare']);
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor();
  const theirs = await rig.coordinator.listSessions({ mentorId: mentor });
  await expect(page.getByRole('link', { name: /^Session [0-9a-f-]{36}$/ }).count()).resolves.toBe(theirs.totalCount);
  await checkPage(cp, 'sessions-mentor');

  await visit(page, `#/sessions/${made.adaActive}`, /^Session /);
  await page.getByTestId('session-status').filter({ hasText: 'Active' }).waitFor();
  for (const name of ['Cancel session', 'Complete', 'Fail', 'Reassign', 'Set legal hold', 'Save config']) {
    await expect(page.getByRole('button', { name, exact: true }).count()).resolves.toBe(0);
  }
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByTestId('session-status').filter({ hasText: 'Paused' }).waitFor();
  await checkPage(cp, 'session-mentor');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByTestId('session-status').filter({ hasText: 'Active' }).waitFor();

  await visit(page, '#/mentors', 'My workload');
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor();
  await checkPage(cp, 'my-workload-mentor');
  await cp.context.close();
});

test('the sessions list and the queue show a change made elsewhere within 5 s, without a reload', async () => {
  const cp = await signIn(rig, 'coordinator', 'coordinator-1');
  const { page } = cp;
  await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor();
  const started = await rig.coordinator.startSession({ storyId: PEOPLE.story, juniorId: 'junior-dee' });
  const t0 = Date.now();
  await page.getByRole('link', { name: `Session ${started.sessionId}` }).waitFor({ timeout: 5_000 });
  const listMs = Date.now() - t0;

  await visit(page, '#/queue', 'Queue');
  await page.getByRole('link', { name: `Session ${made.brookQueued}` }).waitFor();
  const queued = await rig.coordinator.startSession({ storyId: PEOPLE.story, juniorId: 'junior-dee' });
  expect(queued.status).toBe('queued');
  const t1 = Date.now();
  await page.getByRole('link', { name: `Session ${queued.sessionId}` }).waitFor({ timeout: 5_000 });
  const queueMs = Date.now() - t1;
  expect(listMs).toBeLessThan(5_000);
  expect(queueMs).toBeLessThan(5_000);
  process.stdout.write(`Live refresh: the list showed a new session after ${listMs} ms, the queue after ${queueMs} ms\n`);
  expect(cp.problems).toEqual([]);
  await cp.context.close();
});

test('first load: the time from opening the console to the sessions list (printed, not asserted)', async () => {
  const response = await fetch(`${rig.app.url}${LOCAL_SIGN_IN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'coordinator', sub: 'coordinator-1' }),
  });
  const { token } = (await response.json()) as { token: string };
  const times: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    // A new context each time: an empty HTTP cache, as a first visit.
    const context = await rig.browser.newContext();
    await context.addInitScript(([key, value]) => (globalThis as unknown as BrowserGlobals).sessionStorage.setItem(key, value), [TOKEN_KEY, token] as const);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${rig.consoleUrl}#/sessions`);
    await page.getByRole('link', { name: `Session ${made.adaActive}` }).waitFor({ timeout: 30_000 });
    times.push(Date.now() - t0);
    await context.close();
  }
  const line = `First load to the sessions list (cold cache, local server): ${times.join(' ms, ')} ms`;
  process.stdout.write(`${line}\n`);
  writeFileSync(join(SCREENSHOT_DIR, 'first-load.txt'), `${line}\n`);
  expect(times).toHaveLength(3);
});
