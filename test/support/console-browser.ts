import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { makeHandler as makeTableStream } from '../../functions/streams/table-stream';
import { startStreamPoller } from '../../infra/local/stream-poller';
import type { SessionClient } from '../../shared/client';
import { createLogger } from '../../shared/observability/logger';
import { type LocalApp, startLocalApp } from './local-app';
import { settingsWith } from './settings';

/** Where the browser tests write their screenshots (git-ignored); printed by each file. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-results', 'console-screenshots');
const CONSOLE_DIST = join(__dirname, '..', '..', 'console', 'dist');
/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. Never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The console's demo-like directory, written through the API (made-up names, no personal data). */
export const PEOPLE = {
  story: 'story-101',
  juniors: ['junior-ada', 'junior-brook', 'junior-cyd', 'junior-dee', 'junior-eli', 'junior-fay'],
  mentors: ['mentor-grace', 'mentor-linus', 'mentor-margaret'],
} as const;

export interface ConsoleRig {
  readonly app: LocalApp;
  readonly browser: Browser;
  readonly coordinator: SessionClient;
  /** The workflow engine's callbacks (role service). */
  readonly service: SessionClient;
  readonly consoleUrl: string;
  close(): Promise<void>;
}

/**
 * The real local server (DynamoDB Local, real HTTP, the same handlers) serving the built console, with the stream
 * consumer running as under `npm start` (export jobs run from the stream), the spec's default limits (1 session per
 * junior, 3 per mentor), a seeded directory and one headless Chromium.
 */
export async function startConsoleRig(): Promise<ConsoleRig> {
  const app = await startLocalApp({ consoleDir: CONSOLE_DIST, settings: settingsWith({}) });
  const endpoint = process.env.DYNAMODB_ENDPOINT!;
  const poller = await startStreamPoller({
    client: app.table.dynamo.client,
    endpoint,
    tableName: app.table.tableName,
    onBatch: makeTableStream(app.deps),
    logger: createLogger('console-browser-test'),
    intervalMs: 250,
  });
  let browser: Browser | undefined;
  try {
    const coordinator = await app.as('coordinator-1', 'coordinator');
    const service = await app.as('engine', 'service');
    await coordinator.putStory(PEOPLE.story, { title: 'Add pagination to the orders API', skillArea: 'typescript' });
    for (const id of PEOPLE.juniors) await coordinator.putJunior(id, { name: `Junior ${id.slice(7)}`, skills: [{ area: 'typescript', level: 2 }] });
    for (const [i, id] of PEOPLE.mentors.entries()) {
      await coordinator.putMentor(id, { name: `Mentor ${id.slice(7)}`, skills: [{ area: 'typescript', level: 5 - i }], maxConcurrentSessions: 3 });
    }
    browser = await chromium.launch({ executablePath: CHROMIUM });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const opened = browser;
    return {
      app,
      browser: opened,
      coordinator,
      service,
      consoleUrl: `${app.url}/console/`,
      close: async () => {
        await opened.close();
        poller.stop();
        await app.close();
      },
    };
  } catch (error) {
    await browser?.close();
    poller.stop();
    await app.close();
    throw error;
  }
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and failed requests the page reported (CSP violations included). */
  readonly problems: string[];
}

/** A fresh browser context signed in through the local sign-in page, by clicks: role, user id, Sign in. */
export async function signIn(rig: ConsoleRig, role: 'coordinator' | 'mentor' | 'junior', sub: string): Promise<ConsolePage> {
  const context = await rig.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(rig.consoleUrl);
  await page.getByRole('heading', { name: 'Local sign-in' }).waitFor();
  if (role !== 'coordinator') {
    await page.getByRole('button', { name: /Role/ }).click();
    await page.getByRole('option', { name: role, exact: true }).click();
  }
  await page.getByLabel('User id').fill(sub);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
  return { context, page, problems };
}

/** The key the console keeps its token under in sessionStorage (console/src/auth.ts). */
export const TOKEN_KEY = 'mentorship-console-session';

/** The page's sessionStorage, typed for code that runs in the browser (this project compiles with Node's types, not the DOM's). */
export type BrowserGlobals = { sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void } };

/**
 * Another tab of the same signed-in user: sessionStorage is per tab, so the token the first tab got from the sign-in
 * page is handed to the new one before its scripts run.
 */
export async function anotherTab(signedIn: ConsolePage): Promise<ConsolePage> {
  const token = await signedIn.page.evaluate((key) => (globalThis as unknown as BrowserGlobals).sessionStorage.getItem(key), TOKEN_KEY);
  if (token === null) throw new Error('The first tab holds no token: sign in first.');
  const page = await signedIn.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.addInitScript(([key, value]) => (globalThis as unknown as BrowserGlobals).sessionStorage.setItem(key, value), [TOKEN_KEY, token] as const);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context: signedIn.context, page, problems };
}

/** axe-core over the page (WCAG 2.0/2.1 A and AA): the serious and critical violations, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Chooses an option of a Cloudscape Select named `label`. */
export async function choose(page: Page, label: string, option: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option }).first().click();
}
