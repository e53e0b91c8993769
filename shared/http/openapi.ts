import * as z from 'zod';
import { ERROR_CODES, type ErrorCode } from '../domain/errors';
import { HTTP_ERRORS } from './errors';
import { API_TAGS, type ApiTag, type RouteSpec, type SchemaRef } from './route';
import { ErrorResponse, IntegrationEventSchema } from './schemas';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** Where the named wire types live; every body and answer refers to one of them. */
const COMPONENTS = '#/components/schemas/';
const ref = (id: string) => ({ $ref: `${COMPONENTS}${id}` });
const CONVERSION = { unrepresentable: 'any', target: 'draft-2020-12' } as const;

const TAG_TEXT: Record<ApiTag, string> = {
  Sessions: 'Start, read and list sessions.',
  Lifecycle: 'Pause, resume, cancel, complete and fail a session (the transition table decides).',
  'Engine callbacks': 'What the workflow engine reports: MentorshipState changes and progress events.',
  Queue: 'The queue, the limits that hold it and where a queued session stands.',
  Assignment: "Mentor changes, a session's mentor history and a mentor's workload.",
  Config: "A session's config, live config changes and the templates a start may name.",
  History: 'Audit logs, timelines, comparisons, legal holds and retention.',
  Exports: 'Synchronous exports and export jobs for exports of any size.',
  Directory: 'Juniors, mentors and stories.',
  Webhooks: 'Webhook subscriptions to integration events (coordinators), and their deliveries.',
  Meta: 'Liveness and this document.',
};

/** What the service posts to a webhook subscription (OpenAPI 3.1 `webhooks`): one integration event, signed. */
const INTEGRATION_WEBHOOKS = {
  integrationEvent: {
    post: {
      operationId: 'receiveIntegrationEvent',
      summary: 'One integration event, posted to a subscription',
      description:
        'Posted to each subscription that wants the event type (docs/integration-events.md): at least once, in order per session; de-duplicate by `id`. ' +
        'Verify `X-Mentorship-Signature` before trusting the body. Any 2xx settles it; anything else is retried with backoff, then dead-lettered.',
      tags: ['Webhooks'],
      security: [],
      parameters: [
        {
          name: 'X-Mentorship-Signature',
          in: 'header',
          required: true,
          description: '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the subscription secret>`',
          schema: { type: 'string' },
        },
        { name: 'X-Mentorship-Event-Id', in: 'header', required: true, description: 'The event id (as in the body)', schema: { type: 'string' } },
        { name: 'X-Mentorship-Event-Type', in: 'header', required: true, description: 'The event type (as in the body)', schema: { type: 'string' } },
        { name: 'X-Mentorship-Delivery-Attempt', in: 'header', required: true, description: 'This attempt, from 1', schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: `${COMPONENTS}IntegrationEvent` } } } },
      responses: { '200': { description: 'Accepted (any 2xx settles the delivery)' } },
    },
  },
};

/** The error answers, by status: the title of the response, the named schema of its body. */
const ERROR_STATUSES: Record<number, { name: string; text: string }> = {
  400: { name: 'BadRequestError', text: 'Invalid request: `details.issues` names each offending field; or a body that is not JSON.' },
  401: { name: 'UnauthenticatedError', text: 'Missing or invalid bearer token.' },
  403: { name: 'ForbiddenError', text: 'Your role may not do this.' },
  404: { name: 'NotFoundError', text: 'Unknown, or not yours.' },
  409: {
    name: 'ConflictError',
    text: 'Not in a status that allows this: a session (`details.currentStatus`, `details.allowedOperations`), an export job (`details.status`).',
  },
  413: { name: 'PayloadTooLargeError', text: 'Body over 64 KB, or a synchronous export over 5 MB.' },
  415: { name: 'UnsupportedMediaTypeError', text: 'Body is not sent as application/json.' },
  422: {
    name: 'UnprocessableContentError',
    text: 'A referenced story, junior, mentor or template does not exist (`details.field`, `details.id`), or an Idempotency-Key was reused with another request.',
  },
  429: { name: 'QueueFullError', text: 'The queue is full (code queue_full).' },
  500: { name: 'InternalServerError', text: 'Internal error (`details.requestId` names the request in the logs).' },
  502: { name: 'BadGatewayError', text: 'The workflow engine failed (`details.failure` says how); the session is left consistent.' },
};

/** The codes an answer of this status can carry (HTTP_ERRORS; a 500 is always `internal_error`). */
export function errorCodesFor(status: number): string[] {
  if (status === 500) return ['internal_error'];
  return (ERROR_CODES as readonly ErrorCode[]).filter((code) => HTTP_ERRORS[code].status === status);
}

/** The body of one error status: the envelope with `error.code` narrowed to that status's codes. */
function errorSchema(status: number): JsonSchema {
  return {
    description: `The error envelope of a ${status}.`,
    allOf: [ref('Error')],
    properties: { error: { properties: { code: { enum: errorCodesFor(status) } } } },
  };
}

/**
 * The error statuses a route can answer: its own, plus those the shared stack
 * gives every route of its kind (a missing token: 401; a body that is not JSON,
 * too large or not an object: 400, 413, 415), so no answer goes undocumented.
 */
export function errorStatuses(route: RouteSpec): number[] {
  const implied = [...(route.auth ? [401] : []), ...(route.body ? [400, 413, 415] : [])];
  return [...new Set([...route.errors, ...implied])].sort((a, b) => a - b);
}

/** The id a wire schema is named by (`.meta({ id })`); bodies and answers must have one. Builds the schema (and those it holds), which registers their ids. */
function idOf(schema: SchemaRef, what: string): string {
  const id = z.globalRegistry.get(schema())?.id;
  if (id === undefined) throw new Error(`${what} has no name: give its schema .meta({ id: 'Name' }) in shared/http/schemas`);
  return id;
}

/** Every `$ref` to a component inside a JSON value. */
function refsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENTS)) into.add(inner.slice(COMPONENTS.length));
      else refsIn(inner, into);
    }
  }
  return into;
}

/** The ids reachable from `roots` through `schemas`' references. */
function reachable(roots: Iterable<string>, schemas: Record<string, JsonSchema>): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of refsIn(schemas[id])) pending.push(next);
  }
  return seen;
}

/** A JSON value with its component references renamed. */
function renameRefs<T>(value: T, rename: (id: string) => string): T {
  return JSON.parse(JSON.stringify(value), (key, inner) =>
    key === '$ref' && typeof inner === 'string' && inner.startsWith(COMPONENTS) ? `${COMPONENTS}${rename(inner.slice(COMPONENTS.length))}` : inner,
  ) as T;
}

/**
 * The named wire types as `components.schemas`. Answers use a type's output
 * shape, request bodies its input shape (defaults make fields optional, a
 * transform may widen them); a type used both ways whose two shapes differ is
 * named twice, the input one `<Name>Input`.
 */
function namedSchemas(outputRoots: Set<string>, inputRoots: Set<string>) {
  const convert = (io: 'input' | 'output') => {
    const { schemas } = z.toJSONSchema(z.globalRegistry, { ...CONVERSION, io, uri: (id) => `${COMPONENTS}${id}` });
    return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema as JsonSchema]));
  };
  const output = convert('output');
  const input = convert('input');
  const usedOut = reachable(outputRoots, output);
  const usedIn = reachable(inputRoots, input);

  // A type differs when its own shape does, or when a type it refers to differs (until nothing changes).
  const differs = new Set([...usedIn].filter((id) => usedOut.has(id) && JSON.stringify(input[id]) !== JSON.stringify(output[id])));
  for (let grew = true; grew; ) {
    grew = false;
    for (const id of usedIn) {
      if (differs.has(id) || !usedOut.has(id)) continue;
      if ([...refsIn(input[id])].some((inner) => differs.has(inner))) {
        differs.add(id);
        grew = true;
      }
    }
  }
  const inputName = (id: string) => (differs.has(id) ? `${id}Input` : id);
  const schemas: Record<string, JsonSchema> = {};
  for (const id of [...usedOut].sort()) schemas[id] = output[id] as JsonSchema;
  for (const id of [...usedIn].sort()) {
    if (!usedOut.has(id) || differs.has(id)) schemas[inputName(id)] = renameRefs(input[id] as JsonSchema, inputName);
  }
  return { schemas, inputName };
}

/** Path or query parameters from an object schema (named types inside become references). */
function parameters(schema: SchemaRef | undefined, location: 'path' | 'query', inputName: (id: string) => string) {
  if (schema === undefined) return [];
  // Named types inside come out as `#/$defs/<id>`: they are components already.
  const { $schema: _schema, $defs: _defs, ...object } = z.toJSONSchema(schema(), { ...CONVERSION, io: 'input' }) as JsonSchema;
  const converted = renameRefs(JSON.parse(JSON.stringify(object).replaceAll('"#/$defs/', `"${COMPONENTS}`)) as JsonSchema, inputName);
  const required = new Set(converted.required ?? []);
  return Object.entries(converted.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as JsonSchema & { description?: string };
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description !== undefined && { description }),
      schema: rest,
    };
  });
}

/** `startSession` -> `Start session`. */
const titleOf = (operationId: string) => {
  const words = operationId.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** The OpenAPI 3.1 document, generated from the route table's zod schemas. */
export function buildOpenApiDocument(routes: readonly RouteSpec[]): Record<string, unknown> {
  // The integration event is no route's answer (it is what the service sends out), but it is part of the contract.
  const outputRoots = new Set([
    idOf(ErrorResponse, 'the error envelope'),
    idOf(IntegrationEventSchema, 'the integration event'),
    ...routes.map((route) => idOf(route.response, `${route.operationId}'s answer`)),
  ]);
  const inputRoots = new Set(routes.flatMap((route) => (route.body ? [idOf(route.body, `${route.operationId}'s body`)] : [])));
  const { schemas, inputName } = namedSchemas(outputRoots, inputRoots);
  const statuses = new Set(routes.flatMap((route) => [...errorStatuses(route), 500]));
  for (const status of [...statuses].sort()) {
    const named = ERROR_STATUSES[status];
    if (named === undefined) throw new Error(`status ${status} has no error schema in ERROR_STATUSES`);
    schemas[named.name] = errorSchema(status);
  }
  const errorResponse = (status: number) => {
    const named = ERROR_STATUSES[status]!;
    return { description: named.text, content: { 'application/json': { schema: ref(named.name) } } };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const headerParameters = Object.entries(route.headers ?? {}).map(([name, header]) => {
      const { $schema: _schema, ...schema } = z.toJSONSchema(header.schema(), { ...CONVERSION, io: 'input' }) as JsonSchema;
      return { name, in: 'header', required: false, description: header.description, schema };
    });
    const response = route.response;
    const operation = {
      operationId: route.operationId,
      summary: titleOf(route.operationId),
      description: route.summary,
      tags: [route.tag],
      ...(route.auth ? {} : { security: [] }),
      parameters: [...parameters(route.params, 'path', inputName), ...parameters(route.query, 'query', inputName), ...headerParameters],
      ...(route.body && {
        requestBody: {
          // An absent or empty body reads as {}: a body that accepts {} may be left out.
          required: !route.body().safeParse({}).success,
          content: { 'application/json': { schema: ref(inputName(idOf(route.body, `${route.operationId}'s body`))) } },
        },
      }),
      responses: {
        [route.successStatus]: {
          description: 'Success',
          content: {
            'application/json': { schema: ref(idOf(response, `${route.operationId}'s answer`)) },
            ...Object.fromEntries((route.alternateContent ?? []).map((type) => [type, { schema: { type: 'string' } }])),
          },
        },
        ...(route.redirect !== undefined && {
          302: { description: route.redirect, headers: { location: { description: 'where to fetch it', schema: { type: 'string', format: 'uri' } } } },
        }),
        ...Object.fromEntries(errorStatuses(route).map((status) => [status, errorResponse(status)])),
        500: errorResponse(500),
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mentorship session service',
      version: '0.1.0',
      description:
        'Runs and governs mentorship sessions: lifecycle, audit, limits, queue, workflow engine integration. Every error is `{"error":{"code","message","details"?}}` (schema `Error`); each status has its own codes.',
      license: { name: 'Proprietary: all rights reserved (not licensed for use outside its owner)', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'npm start (the port is PORT, 3000 by default)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: "The deployed HTTP API (the service stack's ApiUrl output)",
        variables: {
          apiId: { default: 'abcdef1234', description: "The HTTP API's id" },
          region: { default: 'eu-west-1', description: 'The AWS region it is deployed in' },
        },
      },
    ],
    tags: API_TAGS.map((name) => ({ name, description: TAG_TEXT[name] })),
    security: [{ bearer: [] }],
    paths,
    webhooks: INTEGRATION_WEBHOOKS,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Cognito access token (locally: npm run token).' } },
      schemas,
    },
  };
}
