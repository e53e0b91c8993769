import * as z from 'zod';
import type { RouteSpec } from './route';
import { ErrorResponse } from './schemas';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: the error details name each offending field.',
  401: 'Missing or invalid bearer token.',
  403: 'Your role may not do this.',
  404: 'Unknown, or not yours.',
  409: 'Not in a status that allows this: a session (the body names its status and the allowed operations), an export job (its status).',
  413: 'Body over 64 KB.',
  415: 'Body is not JSON.',
  422: 'A referenced story, junior or mentor does not exist, or an Idempotency-Key was reused with another request.',
  429: 'The queue is full (code queue_full).',
  502: 'The workflow engine failed; the session is left consistent.',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (schema === undefined) return [];
  const object = jsonSchema(schema, 'input');
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
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

/** The OpenAPI 3.1 document, generated from the route table's zod schemas. */
export function buildOpenApiDocument(routes: readonly RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = { content: { 'application/json': { schema: jsonSchema(ErrorResponse, 'output') } } };
  for (const route of routes) {
    const headerParameters = Object.entries(route.headers ?? {}).map(([name, description]) => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: { type: 'string' },
    }));
    const operation = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.auth ? {} : { security: [] }),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...headerParameters],
      ...(route.body && {
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
      }),
      responses: {
        [route.successStatus]: {
          description: 'Success',
          content: {
            'application/json': { schema: jsonSchema(route.response, 'output') },
            ...Object.fromEntries((route.alternateContent ?? []).map((type) => [type, { schema: { type: 'string' } }])),
          },
        },
        ...(route.redirect !== undefined && {
          302: { description: route.redirect, headers: { location: { description: 'where to fetch it', schema: { type: 'string', format: 'uri' } } } },
        }),
        ...Object.fromEntries(errorStatuses(route).map((code) => [code, { description: ERROR_TEXT[code] ?? 'Error', ...error }])),
        500: { description: 'Internal error (the body names the request id).', ...error },
      },
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mentorship session service',
      version: '0.1.0',
      description: 'Runs and governs mentorship sessions. Errors: {"error":{"code","message","details"}}.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
