import { connect, type Socket } from 'node:net';
import { startLocalServer } from '../../infra/local/server';
import { startApiFixture } from '../support/api-fixture';
import type { LocalApp } from '../support/local-app';

/** Issue 14 finding 8: a client that stops half-way through its request is dropped, not held for minutes. */

jest.setTimeout(30_000);

let app: LocalApp;
let server: Awaited<ReturnType<typeof startLocalServer>>;

beforeAll(async () => {
  ({ app } = await startApiFixture({ seed: false }));
  server = await startLocalServer({ deps: app.deps, jwt: app.jwt, port: 0, timeouts: { headersMs: 500, requestMs: 1_000, keepAliveMs: 500 } });
});
afterAll(async () => {
  await server.close();
  await app.close();
});

/** Opens a raw TCP connection, writes `text`, and resolves with how long the server took to close it (and what it said). */
function heldFor(text: string): Promise<{ ms: number; answer: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answer = '';
    const socket: Socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ ms: performance.now() - started, answer }));
    // The test's own guard: the server's defaults (60 s, 300 s) would outlast it.
    setTimeout(() => socket.destroy(), 10_000).unref();
  });
}

describe('startLocalServer timeouts', () => {
  test('partial headers and then nothing: disconnected within the headers timeout', async () => {
    // Act
    const { ms, answer } = await heldFor('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');

    // Assess
    expect(ms).toBeLessThan(5_000);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  test('complete headers but half a body: disconnected within the request timeout', async () => {
    // Act
    const { ms } = await heldFor('POST /api/mentorship/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"story');

    // Assess
    expect(ms).toBeLessThan(5_000);
  });

  test('the defaults fit the API: seconds for headers, tens of seconds for a request', async () => {
    // Prepare
    const defaults = await startLocalServer({ deps: app.deps, jwt: app.jwt, port: 0 });

    // Act
    const { headersTimeout, requestTimeout, keepAliveTimeout } = defaults.server;
    await defaults.close();

    // Assess
    expect({ headersTimeout, requestTimeout, keepAliveTimeout }).toEqual({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 });
  });
});
