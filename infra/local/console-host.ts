import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { ROLES } from '../../shared/domain/session';
import { CONSOLE_PATH, consoleContentSecurityPolicy } from '../console-csp';
import type { LocalJwt } from './jwt';

/** The local-only sign-in endpoint: it mints a local token for a chosen role and user id. Never part of a deployed stack (not in ROUTES). */
export const LOCAL_SIGN_IN_PATH = '/local/sign-in';

/** How long a token the local sign-in mints lives (a working day). */
const SIGN_IN_TTL_SECONDS = 8 * 3600;

const SignInRequest = z.strictObject({
  role: z.enum(ROLES.filter((role) => role !== 'service') as [string, ...string[]]),
  sub: z.string().regex(/^[\w.@-]{1,128}$/, 'must be 1-128 characters of A-Za-z0-9_.@-'),
});

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Security headers the console's files go out with (the same set CloudFront adds on AWS). */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': consoleContentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

export interface ConsoleHostOptions {
  /** The built console (console/dist). */
  readonly dir: string;
  readonly jwt: LocalJwt;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};
const refuse = (res: ServerResponse, status: number, code: string, message: string, details?: unknown) =>
  json(res, status, { error: { code, message, ...(details !== undefined && { details }) } });

async function readSmallBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The console on the local server: its built files under /console/ (with the CSP), the runtime config it reads
 * (`config.json`: local sign-in, the API on the same origin), and the local sign-in endpoint. Answers true when it
 * handled the request.
 */
export function consoleHost(options: ConsoleHostOptions) {
  const root = normalize(options.dir);
  return async (req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<boolean> => {
    if (path === LOCAL_SIGN_IN_PATH) {
      if (method !== 'POST') {
        refuse(res, 405, 'method_not_allowed', `Use POST ${LOCAL_SIGN_IN_PATH}.`);
        return true;
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
        refuse(res, 415, 'unsupported_media_type', 'Send the body as application/json.');
        return true;
      }
      const text = await readSmallBody(req, 4096);
      if (text === undefined) {
        refuse(res, 413, 'payload_too_large', 'The sign-in body is at most 4096 bytes.');
        return true;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        refuse(res, 400, 'malformed_json', 'The body is not JSON.');
        return true;
      }
      const parsed = SignInRequest.safeParse(body);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => ({ path: ['body', ...issue.path].join('.'), message: issue.message }));
        refuse(res, 400, 'invalid_request', 'Name a role (coordinator, mentor or junior) and a user id.', { issues });
        return true;
      }
      const token = await options.jwt.sign({ sub: parsed.data.sub, roles: [parsed.data.role], ttlSeconds: SIGN_IN_TTL_SECONDS });
      json(res, 200, { token, role: parsed.data.role, sub: parsed.data.sub, expiresAt: new Date(Date.now() + SIGN_IN_TTL_SECONDS * 1000).toISOString() });
      return true;
    }
    if (path === CONSOLE_PATH.slice(0, -1)) {
      res.writeHead(302, { location: CONSOLE_PATH });
      res.end();
      return true;
    }
    if (!path.startsWith(CONSOLE_PATH)) return false;
    if (method !== 'GET' && method !== 'HEAD') {
      refuse(res, 405, 'method_not_allowed', 'The console is read with GET.');
      return true;
    }
    const relative = path.slice(CONSOLE_PATH.length);
    if (relative === 'config.json') {
      json(res, 200, { auth: 'local', apiUrl: '', signInPath: LOCAL_SIGN_IN_PATH });
      return true;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(relative === '' ? 'index.html' : relative);
    } catch {
      refuse(res, 400, 'invalid_request', 'The path is not valid.');
      return true;
    }
    const file = normalize(join(root, decoded));
    if (!file.startsWith(root + sep) || decoded.includes('\0')) {
      refuse(res, 404, 'not_found', 'No such console file.');
      return true;
    }
    if (!existsSync(join(root, 'index.html'))) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('The console is not built: run `npm run console:build` (npm start builds it when it is missing or stale).\n');
      return true;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      refuse(res, 404, 'not_found', 'No such console file.');
      return true;
    }
    const hashed = decoded.startsWith('assets/');
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // Vite names assets by content hash: they never change; index.html must be re-read to find new ones.
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...CONSOLE_HEADERS,
    });
    res.end(method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };
}
