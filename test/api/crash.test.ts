import { crashRound } from '../support/crash-run';

/**
 * Issue 13: the local server SIGKILLed (node and DynamoDB Local, one process
 * group) under a mixed load and restarted on the same DATA_DIR, two rounds
 * with fixed seeds; `npm run test:crash` runs many more. What is checked after
 * recovery: test/support/crash-run.ts.
 */

jest.setTimeout(240_000);

test.each([101, 202])('seed %i: killed under load, restarted, nothing lost, engine and table agree after the boot pass', async (seed) => {
  const round = await crashRound(seed, { port: 0, loadMs: [4_000, 8_000] });

  console.log(`crash round: ${JSON.stringify({ ...round, violations: round.violations.length })}`);
  expect(round.violations).toEqual([]);
  // The round exercised something: sessions were written before the kill.
  expect(Object.values(round.sessions).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
});
