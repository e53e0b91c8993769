import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { HANDLERS } from '../../functions/http';
import { ROUTES, type RouteName } from '../../functions/http/routes';
import type { AppDeps } from '../../shared/compose';
import { consoleHost } from './console-host';
import { type LocalJwt, REJECTION_MESSAGES } from './jwt';

/** The local server refuses bodies above this before reading further (API Gateway's own cap is 10 MB). */
const MAX_READ_BYTES = 1024 * 1024;

/** Paths whose `{id}` is a session id (as the handlers' correlation keys). */
const SESSION_PATH = /^\/api\/mentorship\/sessions\/\{id\}(\/|$)/;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

interface MountedRoute {
  readonly name: RouteName;
  readonly method: string;
  readonly pattern: RegExp;
  readonly paramNames: string[];
  readonly routeKey: string;
  readonly auth: boolean;
  /** The route's `{id}` is a session id (named on the access log line). */
  readonly sessionScoped: boolean;
  readonly handler: Handler;
}

function mount(deps: AppDeps): MountedRoute[] {
  return (Object.keys(ROUTES) as RouteName[]).map((name) => {
    const spec = ROUTES[name];
    const paramNames: string[] = [];
    const source = spec.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a, b) => {
      paramNames.push(a ?? b);
      return '([^/]+)';
    });
    return {
      name,
      method: spec.method,
      pattern: new RegExp(`^${source}$`),
      paramNames,
      routeKey: `${spec.method} ${spec.path}`,
      auth: spec.auth,
      sessionScoped: SESSION_PATH.test(spec.path),
      handler: HANDLERS[name].makeHandler(deps) as unknown as Handler,
    };
  });
}

/** The request target's path, without the query (it may hold cursors and filters nobody needs in a log). */
function pathOf(target: string | undefined): string {
  const raw = (target ?? '/').split('?')[0]!;
  return raw.length > 512 ? `${raw.slice(0, 512)}...` : raw;
}

function send(res: ServerResponse, statusCode: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(statusCode, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

const envelope = (code: string, message: string) => JSON.stringify({ error: { code, message } });

function readBody(req: IncomingMessage): Promise<string | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_READ_BYTES) {
        resolve('too_large');
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function lambdaContext(name: string, requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface LocalServerOptions {
  readonly deps: AppDeps;
  readonly jwt: LocalJwt;
  readonly port: number;
  /** One `request` log line per answered request (method, path, status, duration, session id). Default false: tests and benches stay quiet. */
  readonly accessLog?: boolean;
  /** How long a client may take; defaults {@link DEFAULT_TIMEOUTS}. */
  readonly timeouts?: Partial<LocalServerTimeouts>;
  /** The rendered API reference, served at {@link DOCS_PATH} (no token needed); rendered once, on the first request. */
  readonly referenceDocs?: () => Promise<string>;
  /** The built console (console/dist), served at /console/ with the local sign-in (infra/local/console-host.ts); absent: neither. */
  readonly consoleDir?: string;
}

/** Where `npm start` serves the API reference (HTML rendered from the OpenAPI document). */
export const DOCS_PATH = '/api/mentorship/docs';

/**
 * How long the server waits on a client before dropping the connection (Node's
 * own defaults, 60 s for headers and 300 s for a request, let a slow or idle
 * client hold a socket for minutes).
 */
export interface LocalServerTimeouts {
  /** The request line and headers must arrive within this (a 408 and close otherwise). */
  readonly headersMs: number;
  /** The whole request, body included, must arrive within this. Bodies are at most 1 MB, handlers answer in seconds. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveMs: number;
}

/** Seconds for headers, tens of seconds for a request (API Gateway gives an integration 30 s), Node's 5 s keep-alive. */
export const DEFAULT_TIMEOUTS: LocalServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

/** What the access log line says about one request, filled in as the request is handled. */
interface RequestFacts {
  requestId?: string;
  sessionId?: string;
}

/** The 401 for a token signed by a key this DATA_DIR does not hold: the usual newcomer's mistake. */
export const UNKNOWN_KEY_MESSAGE =
  'The token was signed by an unknown key: was it made with another DATA_DIR? Make tokens with the DATA_DIR the server uses (npm run token reads DATA_DIR).';

/**
 * The local API Gateway: matches the route table, verifies the bearer token as
 * the JWT authorizer would, builds an HTTP API v2 event and calls the same
 * handler a Lambda runs. Listens on 127.0.0.1 only.
 */
export async function startLocalServer(options: LocalServerOptions): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const routes = mount(options.deps);
  let referencePage: Promise<string> | undefined;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const serveConsole = options.consoleDir === undefined ? undefined : consoleHost({ dir: options.consoleDir, jwt: options.jwt });

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // How often Node looks for connections past those timeouts (default 30 s, longer than a short headers timeout).
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(timeouts.headersMs / 4))),
    },
    (req, res) => {
      const started = performance.now();
      const facts: RequestFacts = {};
      if (options.accessLog === true) {
        res.once('finish', () => {
          options.deps.logger.info('request', {
            method: (req.method ?? 'GET').toUpperCase(),
            path: pathOf(req.url),
            status: res.statusCode,
            durationMs: Math.round((performance.now() - started) * 10) / 10,
            ...(facts.sessionId !== undefined && { sessionId: facts.sessionId }),
            ...(facts.requestId !== undefined && { requestId: facts.requestId }),
          });
        });
      }
      handle(req, res, facts).catch((error: unknown) => {
        options.deps.logger.error('local server failure', { error });
        if (!res.headersSent) send(res, 500, envelope('internal_error', 'Internal error.'));
      });
    },
  );

  async function handle(req: IncomingMessage, res: ServerResponse, facts: RequestFacts) {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      send(res, 400, envelope('invalid_request', 'The request target is not a valid URL path.'));
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    if (path === DOCS_PATH && method === 'GET' && options.referenceDocs !== undefined) {
      referencePage ??= options.referenceDocs().catch((error: unknown) => {
        referencePage = undefined;
        throw error;
      });
      send(res, 200, await referencePage, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff' });
      return;
    }
    if (serveConsole !== undefined && (await serveConsole(req, res, method, path))) return;
    // As API Gateway: a literal segment wins over a {param} (`/sessions/export` before `/sessions/{id}`).
    const candidates = routes.filter((route) => route.pattern.test(path)).sort((a, b) => a.paramNames.length - b.paramNames.length);
    const route = candidates.find((r) => r.method === method);
    if (route === undefined) {
      send(res, 404, envelope('not_found', `No route for ${method} ${path}.`));
      return;
    }

    const requestId = randomUUID();
    facts.requestId = requestId;
    const match = route.pattern.exec(path)!;
    const pathParameters = Object.fromEntries(
      route.paramNames.map((name, i) => {
        const raw = match[i + 1] ?? '';
        try {
          return [name, decodeURIComponent(raw)];
        } catch {
          return [name, raw];
        }
      }),
    );
    if (route.sessionScoped && pathParameters.id !== undefined) facts.sessionId = pathParameters.id.slice(0, 128);

    let claims: Record<string, unknown> | undefined;
    if (route.auth) {
      const header = req.headers.authorization ?? '';
      const bearer = /^Bearer\s+(\S+)$/i.exec(header);
      const checked = bearer ? await options.jwt.check(bearer[1]!) : undefined;
      if (checked?.ok !== true) {
        const message = checked?.reason === 'unknown_key' ? UNKNOWN_KEY_MESSAGE : REJECTION_MESSAGES[checked?.reason ?? 'invalid'];
        send(res, 401, envelope('unauthenticated', message), { 'www-authenticate': 'Bearer' });
        return;
      }
      claims = checked.claims;
    }

    const body = await readBody(req);
    if (body === 'too_large') {
      send(res, 413, envelope('payload_too_large', `The request body exceeds ${MAX_READ_BYTES} bytes.`), { connection: 'close' });
      return;
    }

    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : (value ?? '')]));
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
    const now = new Date();

    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: path,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
      ...(route.paramNames.length > 0 && { pathParameters }),
      requestContext: {
        accountId: 'local',
        apiId: 'local',
        domainName: req.headers.host ?? '127.0.0.1',
        domainPrefix: 'local',
        http: { method, path, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
        requestId,
        routeKey: route.routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
        ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
      } as APIGatewayProxyEventV2['requestContext'],
      ...(body.length > 0 && { body }),
      isBase64Encoded: false,
    };

    const result = await route.handler(event, lambdaContext(route.name, requestId));
    const outHeaders = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    res.writeHead(result.statusCode ?? 200, outHeaders);
    res.end(result.body ?? '');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
