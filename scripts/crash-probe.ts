/**
 * A bounded kill probe (not issue 13's crash test, which is still to build):
 * runs the local server (node and DynamoDB Local in one process group), sends a
 * mixed concurrent load, SIGKILLs the whole group at a random moment, restarts
 * on the same DATA_DIR and checks the table's invariants (the stress test's
 * checkSnapshot: limits and counters, every log replays, indexes) and counts
 * the sessions issue 13 is about (open without an instance). Prints figures.
 *
 *   npx tsx scripts/crash-probe.ts [rounds=3] [seed=1]
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localJwt } from '../infra/local/jwt';
import { createDynamoClients, localDynamoConfig } from '../shared/adapters/dynamodb/client';
import { loadSettings } from '../shared/settings/settings';
import { checkSnapshot, scanTable } from '../test/support/invariants';
import { mulberry32 } from '../test/support/random';

const rounds = Number(process.argv[2] ?? 3);
const seed0 = Number(process.argv[3] ?? 1);
const PORT = 3400 + Math.floor(Math.random() * 400);

interface Running {
  child: ChildProcess;
  url: string;
  dynamodb: string;
  table: string;
}

async function boot(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: { ...process.env, PORT: String(PORT), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line: ${out.slice(-500)}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('"ready"')) continue;
        const ready = JSON.parse(line) as { url: string; dynamodb: string; table: string };
        clearTimeout(timer);
        resolve({ child, url: ready.url, dynamodb: ready.dynamodb, table: ready.table });
        return;
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  });
}

function killGroup(running: Running): Promise<void> {
  return new Promise((resolve) => {
    running.child.once('exit', () => resolve());
    process.kill(-running.child.pid!, 'SIGKILL');
  });
}

async function main() {
  const settings = loadSettings();
  let violationsTotal = 0;
  for (let round = 0; round < rounds; round += 1) {
    const seed = seed0 + round;
    const rng = mulberry32(seed);
    const dataDir = mkdtempSync(join(tmpdir(), 'crash-probe-'));
    const jwt = await localJwt(dataDir);
    const coordinator = await jwt.sign({ sub: 'probe-coordinator', roles: ['coordinator'] });
    const engine = await jwt.sign({ sub: 'probe-engine', roles: ['service'] });
    let running = await boot(dataDir);
    const api = `${running.url}/api/mentorship`;
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const juniors = Array.from({ length: 12 }, (_, i) => `probe-j${i}`);
    for (const id of juniors) await call(coordinator, 'PUT', `/juniors/${id}`, { name: id, skills: [] });

    const acknowledged = new Map<string, string>();
    const ids: string[] = [];
    let stop = false;
    let sent = 0;
    const worker = async () => {
      while (!stop) {
        const pick = rng();
        const id = ids[Math.floor(rng() * ids.length)];
        sent += 1;
        try {
          if (pick < 0.35 || id === undefined) {
            const junior = juniors[Math.floor(rng() * juniors.length)];
            const r = await call(coordinator, 'POST', '/sessions', { storyId: 'story-101', juniorId: junior });
            if (r.status === 201 && typeof r.json.sessionId === 'string') {
              ids.push(r.json.sessionId);
              acknowledged.set(r.json.sessionId, String(r.json.status));
            }
          } else if (pick < 0.5) await call(coordinator, 'POST', `/sessions/${id}/pause`, {});
          else if (pick < 0.65) await call(coordinator, 'POST', `/sessions/${id}/resume`, {});
          else if (pick < 0.75) await call(coordinator, 'POST', `/sessions/${id}/cancel`, { reason: 'probe' });
          else if (pick < 0.85) await call(engine, 'POST', `/sessions/${id}/complete`, { report: { summary: 'p', overallScore: 1, metrics: {} } });
          else await call(coordinator, 'POST', `/sessions/${id}/fail`, { error: 'probe' });
        } catch {
          // The server died under us: expected.
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    await new Promise((resolve) => setTimeout(resolve, 1500 + Math.floor(rng() * 3000)));
    await killGroup(running);
    stop = true;
    await Promise.allSettled(workers);

    running = await boot(dataDir);
    // Let the boot's timers (drain, sweep, reconcile, stream) run once.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const dynamo = createDynamoClients(localDynamoConfig(running.dynamodb));
    const snapshot = await scanTable(dynamo.document, running.table);
    const lost = [...acknowledged.keys()].filter((id) => !snapshot.sessions.has(id));
    const violations = checkSnapshot(snapshot, {
      limits: { junior: settings.limits.perJunior, mentor: settings.limits.perMentor, system: settings.limits.system },
      timeouts: settings.timeouts,
      // Starts in flight at the kill may be stored without an answer: every stored session counts as started.
      startedIds: [...new Set([...acknowledged.keys(), ...snapshot.sessions.keys()])],
      now: new Date(),
      quiescent: false,
      swept: false,
    });
    const sessions = [...snapshot.sessions.values()];
    const openWithoutInstance = sessions.filter((s) => (s.status === 'Active' || s.status === 'Paused') && s.workflowInstanceId === undefined);
    const byStatus: Record<string, number> = {};
    for (const s of sessions) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    console.log(
      `round ${round + 1} seed ${seed}: requests ${sent}, acknowledged starts ${acknowledged.size}, lost ${lost.length}, ` +
        `sessions ${JSON.stringify(byStatus)}, invariant violations ${violations.length}, open without an instance ${openWithoutInstance.length} (issue 13)`,
    );
    for (const v of violations.slice(0, 5)) console.log(`  ${v}`);
    violationsTotal += violations.length + lost.length;
    dynamo.client.destroy();
    await killGroup(running);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`total: ${rounds} rounds, ${violationsTotal} violations or lost acknowledged starts`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
