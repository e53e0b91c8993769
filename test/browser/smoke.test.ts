import { type ConsoleRig, seriousViolations, signIn, startConsoleRig } from '../support/console-browser';

let rig: ConsoleRig;
beforeAll(async () => {
  rig = await startConsoleRig();
}, 120_000);
afterAll(() => rig?.close());

test('smoke', async () => {
  const { page, problems, context } = await signIn(rig, 'coordinator', 'coordinator-1');
  await page.screenshot({ path: '/tmp/smoke.png', fullPage: true });
  console.log(await seriousViolations(page), problems);
  await context.close();
});
