/**
 * `npm run test:crash -- [rounds=20] [seed=1]`: issue 13's crash test, many
 * rounds (test/support/crash-run.ts): the local server SIGKILLed as a process
 * group under a mixed load, restarted on the same DATA_DIR, and checked after
 * its boot pass. Prints each round and a total; exits 1 on any violation.
 * `npm test` runs two rounds (test/api/crash.test.ts).
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { crashRound } from '../test/support/crash-run';

const rounds = Number(process.argv[2] ?? 20);
const seed0 = Number(process.argv[3] ?? 1);

async function main() {
  const totals = { sessions: 0, starts: 0, changes: 0, requests: 0, kills: 0, violations: 0 };
  const bootPass: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const result = await crashRound(seed0 + round, { port: 0 });
    const sessions = Object.values(result.sessions).reduce((sum, n) => sum + n, 0);
    totals.sessions += sessions;
    totals.starts += result.acknowledgedStarts;
    totals.changes += result.acknowledgedChanges;
    totals.requests += result.requests;
    totals.kills += 1;
    totals.violations += result.violations.length;
    bootPass.push(result.bootPassMs);
    console.log(
      `round ${round + 1} seed ${result.seed}: requests ${result.requests}, acknowledged starts ${result.acknowledgedStarts}, acknowledged changes ` +
        `${result.acknowledgedChanges}, sessions ${JSON.stringify(result.sessions)}, boot pass ${result.bootPassMs} ms, settling commands ${result.settlingCommands}, ` +
        `violations ${result.violations.length}`,
    );
    for (const violation of result.violations.slice(0, 10)) console.log(`  ${violation}`);
  }
  bootPass.sort((a, b) => a - b);
  console.log(
    `total: ${rounds} rounds (seeds ${seed0}..${seed0 + rounds - 1}), ${totals.kills} kills, ${totals.requests} requests, ${totals.sessions} sessions, ` +
      `${totals.starts} acknowledged starts, ${totals.changes} acknowledged changes, boot pass max ${bootPass.at(-1)} ms, violations ${totals.violations}`,
  );
  if (totals.violations > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
