import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import type { Caller } from '../domain/access';
import { type FieldIssue, ValidationError } from '../domain/errors';
import type { Logger } from '../observability/logger';
import { callerFrom } from './auth';
import { MalformedJsonError, PayloadTooLargeError, toErrorResponse, UnsupportedMediaTypeError } from './errors';

/** Request bodies above this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The areas the OpenAPI document groups operations by (its `tags`, described in shared/http/openapi.ts). */
export const API_TAGS = ['Sessions', 'Lifecycle', 'Engine callbacks', 'Queue', 'Assignment', 'Config', 'History', 'Exports', 'Directory', 'Webhooks', 'Meta'] as const;
export type ApiTag = (typeof API_TAGS)[number];

/**
 * A schema as the route table holds it: built on its first call
 * (shared/domain/once.ts), so a function builds only its own route's schemas,
 * and only the request side (the answers are for OpenAPI and tests).
 */
export type SchemaRef = () => z.ZodType;

/** A request header a route reads: what it means and the values it takes. */
export interface HeaderSpec {
  readonly description: string;
  readonly schema: SchemaRef;
}

/** One route: everything the handler, the local server, OpenAPI and CDK need to know. */
export interface RouteSpec {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path template, e.g. `/api/mentorship/sessions/{id}`. */
  readonly path: string;
  /** Who may call it and what it does, in a sentence or two (docs/api.md's route table, the operation's description). */
  readonly summary: string;
  /** The area it belongs to (the operation's tag). */
  readonly tag: ApiTag;
  /** False only for `/health`: every other route needs a verified JWT. */
  readonly auth: boolean;
  /** The handler's file in functions/http (kebab-case, without extension). */
  readonly entry: string;
  readonly params?: SchemaRef;
  readonly query?: SchemaRef;
  readonly body?: SchemaRef;
  /** Headers the route reads (lower-case name -> what it means and takes). */
  readonly headers?: Readonly<Record<string, HeaderSpec>>;
  readonly successStatus: 200 | 201 | 202;
  readonly response: SchemaRef;
  /** Other content types the success answer may take (e.g. `text/csv` for `format=csv`), for OpenAPI. */
  readonly alternateContent?: readonly string[];
  /** Error statuses the route can answer, for the OpenAPI document. */
  readonly errors: readonly number[];
  /** The route may answer 302 to this (a `Redirect` result), for the OpenAPI document. */
  readonly redirect?: string;
}

type Out<S> = S extends SchemaRef ? z.output<ReturnType<S>> : undefined;

export interface RouteRequest<S extends RouteSpec> {
  readonly params: Out<S['params']>;
  readonly query: Out<S['query']>;
  readonly body: Out<S['body']>;
  readonly caller: Caller;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly requestId: string;
}

export interface HttpDeps {
  readonly logger: Logger;
}

const ANONYMOUS: Caller = { id: 'anonymous', roles: [] };

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

type HttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/**
 * Builds a route's Lambda handler: the shared middy stack (errors to the
 * envelope, body limits and JSON parsing) around validation, then the
 * business function. Handlers stay a few lines of intent.
 */
export function httpRoute<S extends RouteSpec>(spec: S, deps: HttpDeps, run: (request: RouteRequest<S>) => Promise<unknown>): HttpHandler {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(correlation(deps.logger, spec))
    .use(errorEnvelope(deps.logger, spec))
    .use(jsonBody(spec))
    .handler(async (event, context) => {
      const request = {
        params: parse(spec.params, event.pathParameters ?? {}, 'params'),
        query: parse(spec.query, event.queryStringParameters ?? {}, 'query'),
        body: parse(spec.body, (event as ParsedEvent).parsedBody, 'body'),
        caller: spec.auth ? callerFrom(event) : ANONYMOUS,
        headers: event.headers ?? {},
        requestId: event.requestContext?.requestId ?? context.awsRequestId,
      } as RouteRequest<S>;
      const result = await run(request);
      if (result instanceof Redirect) {
        return { statusCode: 302, headers: { location: result.url, 'cache-control': 'no-store' }, body: '' };
      }
      if (result instanceof RawBody) {
        return {
          statusCode: spec.successStatus,
          headers: {
            ...JSON_HEADERS,
            'content-type': result.contentType,
            ...(result.filename !== undefined && { 'content-disposition': `attachment; filename="${result.filename}"` }),
          },
          body: result.body,
        };
      }
      return { statusCode: spec.successStatus, headers: JSON_HEADERS, body: JSON.stringify(result) };
    });
}

/** A success body that is not JSON (a CSV or NDJSON export): sent as is with its content type. */
export class RawBody {
  constructor(
    readonly contentType: string,
    readonly body: string,
    /** Suggested file name (Content-Disposition: attachment). Plain ASCII only. */
    readonly filename?: string,
  ) {}
}

/** A success answered as 302 to `url` (a short-lived download link). */
export class Redirect {
  constructor(readonly url: string) {}
}

type ParsedEvent = APIGatewayProxyEventV2 & { parsedBody?: unknown };

function parse(schema: SchemaRef | undefined, value: unknown, where: string): unknown {
  if (schema === undefined) return undefined;
  const result = schema().safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  throw new ValidationError(`Invalid ${where}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}

/** Size limit, content type and JSON parsing. An absent or empty body reads as `{}`. */
function jsonBody(spec: RouteSpec): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const event = request.event as ParsedEvent;
      if (spec.body === undefined) return;
      const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      const bytes = Buffer.byteLength(raw, 'utf8');
      if (bytes > MAX_BODY_BYTES) {
        throw new PayloadTooLargeError(`The request body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}.`, {
          details: { limitBytes: MAX_BODY_BYTES },
        });
      }
      if (raw.trim() === '') {
        event.parsedBody = {};
        return;
      }
      const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
        throw new UnsupportedMediaTypeError(`Send the body as application/json, not ${type}.`);
      }
      try {
        event.parsedBody = JSON.parse(raw);
      } catch {
        throw new MalformedJsonError('The request body is not valid JSON.');
      }
    },
  };
}

/** Routes whose `{id}` is a session id. */
const SESSION_PATH = /^\/api\/mentorship\/sessions\/\{id\}(\/|$)/;

/**
 * Correlation keys on every log line of the request: API Gateway's request id
 * (the one error answers carry) and, on a session's routes, the session id.
 * lambdaEntry clears them after the invocation.
 */
function correlation(logger: Logger, spec: RouteSpec): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      const sessionId = SESSION_PATH.test(spec.path) ? request.event.pathParameters?.id : undefined;
      logger.appendKeys?.({ requestId, ...(sessionId !== undefined && { sessionId }) });
    },
  };
}

/** An error's message and its causes' (`outer <- inner <- ...`), for a log line. */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error && messages.length < 5; current = current.cause) messages.push(current.message);
  return messages.join(' <- ');
}

/** The error handler: every failure becomes the envelope; unexpected ones are logged and hidden. */
function errorEnvelope(logger: Logger, spec: RouteSpec): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      const { statusCode, body, expected } = toErrorResponse(request.error, requestId);
      if (!expected) logger.error('unhandled error', { operationId: spec.operationId, requestId, error: request.error });
      // The answer shows a safe message; the dependency's own words (the error and its causes) go here only.
      else if (statusCode >= 500)
        logger.warn('dependency failure', { operationId: spec.operationId, requestId, code: body.error.code, detail: causeChain(request.error) });
      request.response = { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
    },
  };
}
