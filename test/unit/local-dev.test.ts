import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localJwt } from '../../infra/local/jwt';

// Each child process starts tsx (about a second, more on a busy machine).
jest.setTimeout(30_000);

const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** `npm run token -- <args>` without npm: the same script, in a child process, with its own DATA_DIR. */
function token(args: string[], dataDir: string) {
  const result = spawnSync(tsx, [join(root, 'infra', 'local', 'token.ts'), ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mss-local-dev-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run token', () => {
  test('--help prints the usage, exits 0 and makes no key', () => {
    const result = token(['--help'], join(dataDir, 'unused'));

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: npm run token --');
    for (const option of ['--role', '--sub', '--ttl', 'DATA_DIR']) expect(result.stdout).toContain(option);
    expect(existsSync(join(dataDir, 'unused'))).toBe(false);
  });

  test('an unknown option is a clear error with exit code 2', () => {
    const result = token(['--rol', 'mentor'], dataDir);

    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Unknown option --rol.');
    expect(result.stderr).toContain('npm run token -- --help');
  });

  test('prints a token the server with the same DATA_DIR accepts, with the asked roles', async () => {
    const result = token(['--role', 'mentor,junior', '--sub', 'bob'], dataDir);

    expect(result.status).toBe(0);
    const checked = await (await localJwt(dataDir)).check(result.stdout.trim());
    expect(checked).toMatchObject({ ok: true, claims: { sub: 'bob', 'cognito:groups': ['mentor', 'junior'] } });
  });
});

describe('the local JWT check', () => {
  test('a token signed with another DATA_DIR key is refused as signed by an unknown key', async () => {
    // Prepare
    const otherDir = mkdtempSync(join(tmpdir(), 'mss-local-dev-other-'));
    const ours = await localJwt(dataDir);
    const theirs = await localJwt(otherDir);
    rmSync(otherDir, { recursive: true, force: true });

    // Act
    const checked = await ours.check(await theirs.sign({ sub: 'alice', roles: ['coordinator'] }));

    // Assess
    expect(checked).toEqual({ ok: false, reason: 'unknown_key' });
  });

  test('expired, edited and malformed tokens stay plain refusals', async () => {
    // Prepare
    const jwt = await localJwt(dataDir);
    const expired = await jwt.sign({ sub: 'alice', roles: ['coordinator'], ttlSeconds: -60 });
    const [header, , signature] = (await jwt.sign({ sub: 'junior-a', roles: ['junior'] })).split('.');
    const edited = `${header}.${Buffer.from(JSON.stringify({ sub: 'junior-a', 'cognito:groups': ['coordinator'] })).toString('base64url')}.${signature}`;

    // Act
    const results = await Promise.all([expired, edited, 'not-a-jwt'].map((token) => jwt.check(token)));

    // Assess
    expect(results).toEqual([
      { ok: false, reason: 'invalid' },
      { ok: false, reason: 'invalid' },
      { ok: false, reason: 'invalid' },
    ]);
    expect(await jwt.verify(expired)).toBeUndefined();
  });

  test('a verified token is taken on trust until it expires, and never after', async () => {
    // Prepare: the clock faked, promises not (the verification is WebCrypto's).
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'setInterval'] });
    try {
      const jwt = await localJwt(dataDir);
      const token = await jwt.sign({ sub: 'alice', roles: ['coordinator'], ttlSeconds: 30 });
      const first = await jwt.check(token);

      // Act
      jest.setSystemTime(Date.now() + 29_000);
      const before = await jwt.check(token);
      jest.setSystemTime(Date.now() + 2_000);
      const after = await jwt.check(token);

      // Assess
      expect(first).toMatchObject({ ok: true, claims: { sub: 'alice', 'cognito:groups': ['coordinator'] } });
      expect(before).toEqual(first);
      expect(after).toEqual({ ok: false, reason: 'invalid' });
    } finally {
      jest.useRealTimers();
    }
  });

  test("a kept token's claims cannot be changed for the next request", async () => {
    // Prepare
    const jwt = await localJwt(dataDir);
    const token = await jwt.sign({ sub: 'junior-a', roles: ['junior'] });
    const first = await jwt.check(token);
    if (!first.ok) throw new Error('the token should verify');

    // Act
    const edits = [() => Object.assign(first.claims, { sub: 'mallory' }), () => (first.claims['cognito:groups'] as string[]).push('coordinator')];

    // Assess
    for (const edit of edits) expect(edit).toThrow(TypeError);
    expect(await jwt.check(token)).toMatchObject({ ok: true, claims: { sub: 'junior-a', 'cognito:groups': ['junior'] } });
  });
});
