import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localJwt } from '../../infra/local/jwt';
import { createDynamoClients, localDynamoConfig } from '../../shared/adapters/dynamodb/client';
import { keys } from '../../shared/adapters/dynamodb/keys';
import { loadSettings } from '../../shared/settings/settings';
import { checkSnapshot, type Snapshot, scanTable } from './invariants';
import { mulberry32 } from './random';

/**
 * Issue 13's crash test, one round: the local server (`infra/local/main.ts`:
 * node and DynamoDB Local in one process group, the embedded engine) under a
 * concurrent mixed load (starts, drains, pauses, resumes, cancels, completes
 * by the engine and by a coordinator, fails), node SIGKILLed at a random
 * moment (DynamoDB Local then stopped: see `killGroup`), restarted on the same DATA_DIR; once its boot pass has run, the
 * table and the engine's instances are checked (see `engineViolations` and
 * test/support/invariants.ts). Used by test/api/crash.test.ts (a few rounds)
 * and `npm run test:crash` (many).
 */

export interface CrashRound {
  readonly seed: number;
  readonly requests: number;
  readonly acknowledgedStarts: number;
  readonly acknowledgedChanges: number;
  readonly sessions: Record<string, number>;
  /** Commands the boot pass drove that wait out an overlap's lease for the worker's confirming try (not violations). */
  readonly settlingCommands: number;
  /** Milliseconds from the restarted server's ready line to the end of its boot pass. */
  readonly bootPassMs: number;
  readonly violations: readonly string[];
}

export interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dynamodb: string;
  readonly table: string;
  /** Resolves with the first log line (parsed) that matches, from the server's start. */
  line(match: (entry: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
}

const ROOT = join(__dirname, '..', '..');

export async function crashRound(seed: number, options: { port: number; loadMs?: [number, number] }): Promise<CrashRound> {
  const rng = mulberry32(seed);
  const settings = loadSettings();
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-'));
  const jwt = await localJwt(dataDir);
  const coordinator = await jwt.sign({ sub: 'crash-coordinator', roles: ['coordinator'] });
  const engine = await jwt.sign({ sub: 'crash-engine', roles: ['service'] });
  let server = await boot(dataDir, options.port);
  try {
    const dynamo = createDynamoClients(localDynamoConfig(server.dynamodb));
    const api = () => `${server.url}/api/mentorship`;
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api()}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const juniors = Array.from({ length: 12 }, (_, i) => `crash-j${i}`);
    for (const id of juniors) await call(coordinator, 'PUT', `/juniors/${id}`, { name: id, skills: [] });

    const acknowledgedStarts = new Set<string>();
    /** Per session, the statuses acknowledged (200) changes answered: its log must show a move to each. */
    const acknowledged = new Map<string, Set<string>>();
    const ids: string[] = [];
    let stop = false;
    let requests = 0;
    let changes = 0;
    const change = async (token: string, id: string, operation: string, body: unknown) => {
      const r = await call(token, 'POST', `/sessions/${id}/${operation}`, body);
      if (r.status !== 200) return;
      changes += 1;
      acknowledged.set(id, (acknowledged.get(id) ?? new Set()).add(String(r.json.status)));
    };
    const worker = async () => {
      while (!stop) {
        const pick = rng();
        const id = ids[Math.floor(rng() * ids.length)];
        requests += 1;
        try {
          if (pick < 0.32 || id === undefined) {
            const junior = juniors[Math.floor(rng() * juniors.length)];
            const r = await call(coordinator, 'POST', '/sessions', { storyId: 'story-101', juniorId: junior });
            if (r.status === 201 && typeof r.json.sessionId === 'string') {
              ids.push(r.json.sessionId);
              acknowledgedStarts.add(r.json.sessionId);
            }
          } else if (pick < 0.47) await change(coordinator, id, 'pause', {});
          else if (pick < 0.62) await change(coordinator, id, 'resume', {});
          else if (pick < 0.72) await change(coordinator, id, 'cancel', { reason: 'crash test' });
          else if (pick < 0.8) {
            // The workflow finishes, then reports (as Elsa or Step Functions would).
            await dynamo.document.send(
              new UpdateCommand({
                TableName: server.table,
                Key: keys.workflow(`embedded-${id}`),
                UpdateExpression: 'SET #status = :finished',
                ConditionExpression: '#status = :running',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':finished': 'Finished', ':running': 'Running' },
              }),
            );
            await change(engine, id, 'complete', { report: { summary: 'done', overallScore: 80, metrics: {} } });
          } else if (pick < 0.88) await change(coordinator, id, 'complete', { report: { summary: 'closed', overallScore: 50, metrics: {} } });
          else await change(coordinator, id, 'fail', { error: 'crash test' });
        } catch {
          // The server died under us (expected), or the workflow was not running (the conditional update).
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    const [least, most] = options.loadMs ?? [1_500, 4_500];
    await new Promise((resolve) => setTimeout(resolve, least + Math.floor(rng() * (most - least))));
    await killGroup(server);
    stop = true;
    await Promise.allSettled(workers);

    server = await boot(dataDir, options.port);
    const ready = Date.now();
    const pass = await server.line((entry) => entry.message === 'boot pass' || entry.message === 'boot pass failed', 60_000);
    const bootPassMs = Date.now() - ready;
    const after = createDynamoClients(localDynamoConfig(server.dynamodb));
    const snapshot = await scanTable(after.document, server.table);
    after.client.destroy();
    dynamo.client.destroy();

    const violations = [
      ...(pass.message === 'boot pass failed' ? [`boot pass failed: ${JSON.stringify(pass)}`] : []),
      ...[...acknowledgedStarts].filter((id) => !snapshot.sessions.has(id)).map((id) => `acknowledged start ${id} is missing`),
      ...[...acknowledged].flatMap(([id, statuses]) => {
        const reached = new Set<string>((snapshot.events.get(id) ?? []).flatMap((e) => (e.toStatus === undefined ? [] : [e.toStatus])));
        return [...statuses].filter((status) => !reached.has(status)).map((status) => `${id}: a change acknowledged as ${status} is not in its log`);
      }),
      ...checkSnapshot(snapshot, {
        // The demo directory's mentors of story-101's skill area (typescript), for the queue's mentor blocks.
        limits: { junior: settings.limits.perJunior, mentor: settings.limits.perMentor, system: settings.limits.system, mentors: ['mentor-grace', 'mentor-margaret'] },
        timeouts: settings.timeouts,
        // Starts in flight at the kill may be stored without an answer: every stored session counts as started.
        startedIds: [...new Set([...acknowledgedStarts, ...snapshot.sessions.keys()])],
        now: new Date(),
        quiescent: true,
        swept: false,
      }),
      ...engineViolations(snapshot, new Date().toISOString()),
    ];
    const sessions: Record<string, number> = {};
    for (const s of snapshot.sessions.values()) sessions[s.status] = (sessions[s.status] ?? 0) + 1;
    const settlingCommands = [...snapshot.sessions.values()].filter((s) => s.engineCommand !== undefined).length;
    return { seed, requests, acknowledgedStarts: acknowledgedStarts.size, acknowledgedChanges: changes, sessions, settlingCommands, bootPassMs, violations };
  } finally {
    await killGroup(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const LIVE = new Set(['Running', 'Suspended']);

/**
 * After recovery: nothing pending that is failing or overdue (a command the
 * boot pass drove and that overlapped an older one waits out its lease for
 * the worker's confirming try: driven, without an error, due later, and its
 * instance is checked like any other); every open session has exactly one
 * instance, in the state its status needs (Running when Active, Suspended when
 * Paused; Finished is the engine's own end awaiting its report); no ended or
 * queued session has a live instance; no instance belongs to no session.
 */
export function engineViolations(snapshot: Snapshot, now: string): string[] {
  const violations: string[] = [];
  const byCorrelation = new Map<string, { id: string; status: string }[]>();
  for (const [id, workflow] of snapshot.workflows) {
    byCorrelation.set(workflow.correlationId, [...(byCorrelation.get(workflow.correlationId) ?? []), { id, status: workflow.status }]);
    if (!snapshot.sessions.has(workflow.correlationId) && LIVE.has(workflow.status)) violations.push(`instance ${id} (${workflow.status}) belongs to no session`);
  }
  for (const s of snapshot.sessions.values()) {
    const instances = byCorrelation.get(s.id) ?? [];
    const command = s.engineCommand;
    if (command !== undefined && (command.lastError !== undefined || command.dueAt <= now)) {
      violations.push(`${s.id} (${s.status}) still has a failing or overdue engine command ${JSON.stringify(command)}`);
    }
    if (instances.length > 1) violations.push(`${s.id} has ${instances.length} instances`);
    const instance = instances[0];
    if (s.status === 'Active' || s.status === 'Paused') {
      const wanted = s.status === 'Active' ? 'Running' : 'Suspended';
      if (instance === undefined || s.workflowInstanceId !== instance.id) {
        violations.push(`${s.id} is ${s.status} with instance ${String(s.workflowInstanceId)}, the engine holds ${instance?.id ?? 'none'}`);
      } else if (instance.status !== wanted && instance.status !== 'Finished') {
        violations.push(`${s.id} is ${s.status} but its instance is ${instance.status}`);
      }
    } else if (instance !== undefined && LIVE.has(instance.status)) {
      violations.push(`${s.id} is ${s.status} but its instance ${instance.id} is still ${instance.status}`);
    }
  }
  return violations;
}

/** `npm start`'s program as a child process in its own process group, on DATA_DIR; resolves once it logs `ready`. */
export async function boot(dataDir: string, port: number, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entries: Record<string, unknown>[] = [];
  const waiting = new Set<{ match: (entry: Record<string, unknown>) => boolean; resolve: (entry: Record<string, unknown>) => void }>();
  let buffered = '';
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    output = (output + chunk.toString()).slice(-4000);
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      entries.push(entry);
      for (const waiter of waiting) {
        if (!waiter.match(entry)) continue;
        waiting.delete(waiter);
        waiter.resolve(entry);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const line = (match: (entry: Record<string, unknown>) => boolean, timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = entries.find(match);
      if (seen !== undefined) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no such log line within ${timeoutMs} ms; output: ${output.slice(-1500)}`)), timeoutMs);
      waiting.add({ match, resolve: (entry) => (clearTimeout(timer), resolve(entry)) });
    });
  const ready = await line((entry) => entry.message === 'ready', 90_000);
  return { child, url: String(ready.url), dynamodb: String(ready.dynamodb), table: String(ready.table), line };
}

/**
 * The service dies at an instant: SIGKILL to node (as a Lambda killed mid-request). DynamoDB Local, left
 * in the group, stands in for DynamoDB, whose acknowledged writes survive anything; its own SIGKILL can
 * lose a transaction it has already acknowledged (measured: 4 of 20 rounds of a transaction load killed
 * by SIGKILL lost one acknowledged transaction, none of 10 stopped by SIGTERM; docs/testing-and-bench.md). So it gets SIGTERM once
 * node is dead, and the next boot waits until every process of the group is gone.
 */
export async function killGroup(server: Server): Promise<void> {
  const group = server.child.pid!;
  if (server.child.exitCode === null && server.child.signalCode === null) {
    const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
    try {
      process.kill(group, 'SIGKILL');
      await exited;
    } catch {
      // Already gone.
    }
  }
  signalGroup(group, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (groupMembers(group).length > 0) {
    if (Date.now() > deadline) {
      signalGroup(group, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // No process left in the group.
  }
}

/** The live (not zombie) processes of a process group, from /proc. */
function groupMembers(group: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After the command name (which may hold spaces): state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === group && state !== 'Z') members.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}
