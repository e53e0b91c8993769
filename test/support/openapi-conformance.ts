import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * Checks every answer the api tier's clients receive against the service's own
 * OpenAPI document (`GET /api/mentorship/openapi.json`): the operation exists,
 * the status code is documented for it, the content type is one it names and
 * a JSON body validates against its schema (OpenAPI 3.1 = JSON Schema 2020-12).
 * Violations are collected; `openapi-conformance-setup.ts` fails the file in
 * `afterAll` when there is any. One collector per test file (jest isolates modules).
 */

export interface Violation {
  readonly operation: string;
  readonly status: number;
  /** Where in the body (JSON pointer), or what part of the answer (`status`, `content-type`). */
  readonly where: string;
  readonly message: string;
}

interface Operation {
  readonly id: string;
  readonly method: string;
  readonly pattern: RegExp;
  /** Literal characters of the template: a literal path segment wins over `{id}`. */
  readonly literal: number;
  readonly responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  /** The document's named types, which the schemas refer to (`#/components/schemas/...`). */
  readonly components: unknown;
}

const state = {
  validated: 0,
  /** Answers to paths or methods the document has no operation for (the gateway's own 404/405): counted, not judged. */
  unmatched: 0,
  violations: [] as Violation[],
  documents: new Map<string, Promise<Operation[]>>(),
  validators: new Map<string, ValidateFunction>(),
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** How many answers were validated, how many matched no operation, and what failed. */
export function conformanceReport() {
  return { validated: state.validated, unmatched: state.unmatched, violations: [...state.violations] };
}

async function operationsOf(baseUrl: string, underlying: typeof fetch): Promise<Operation[]> {
  let loaded = state.documents.get(baseUrl);
  if (loaded === undefined) {
    loaded = underlying(`${baseUrl}/api/mentorship/openapi.json`).then(async (response) => {
      const document = (await response.json()) as {
        paths: Record<string, Record<string, { operationId: string; responses: Operation['responses'] }>>;
        components?: unknown;
      };
      const operations: Operation[] = [];
      for (const [template, methods] of Object.entries(document.paths)) {
        const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+');
        for (const [method, operation] of Object.entries(methods)) {
          operations.push({
            id: operation.operationId,
            method: method.toUpperCase(),
            pattern: new RegExp(`^${source}$`),
            literal: template.replace(/\{\w+\}/g, '').length,
            responses: operation.responses,
            components: document.components,
          });
        }
      }
      return operations.sort((a, b) => b.literal - a.literal);
    });
    state.documents.set(baseUrl, loaded);
  }
  return loaded;
}

function validatorFor(key: string, schema: unknown): ValidateFunction {
  let validate = state.validators.get(key);
  if (validate === undefined) {
    validate = ajv.compile(schema as object);
    state.validators.set(key, validate);
  }
  return validate;
}

async function check(baseUrl: string, underlying: typeof fetch, method: string, url: URL, response: Response): Promise<void> {
  const operations = await operationsOf(baseUrl, underlying);
  const operation = operations.find((candidate) => candidate.method === method && candidate.pattern.test(url.pathname));
  if (operation === undefined) {
    state.unmatched += 1;
    return;
  }
  state.validated += 1;
  const status = response.status;
  const violation = (where: string, message: string) => state.violations.push({ operation: operation.id, status, where, message });
  const documented = operation.responses[String(status)] ?? operation.responses.default;
  if (documented === undefined) {
    violation('status', `status ${status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
    return;
  }
  const text = await response.text();
  if (documented.content === undefined) {
    if (text.length > 0) violation('body', 'the document describes no body, the answer has one');
    return;
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const media = documented.content[contentType];
  if (media === undefined) {
    violation('content-type', `content type "${contentType}" is not documented (documented: ${Object.keys(documented.content).join(', ')})`);
    return;
  }
  if (media.schema === undefined) return;
  let body: unknown = text;
  if (contentType === 'application/json' || contentType.endsWith('+json')) {
    try {
      body = JSON.parse(text);
    } catch {
      violation('body', 'the body is not JSON');
      return;
    }
  }
  // The schema's references resolve against the document's root: the components go along with it.
  const validate = validatorFor(`${operation.id} ${status} ${contentType}`, { ...(media.schema as object), components: operation.components });
  if (!validate(body)) {
    for (const error of validate.errors ?? []) violation(error.instancePath || '/', `${error.message ?? 'invalid'} ${JSON.stringify(error.params)}`);
  }
}

/**
 * A fetch that checks every answer from `baseUrl` against the document before
 * handing it back. `underlying` does the requests (a test of the check itself
 * hands in a fake server).
 */
export function conformingFetch(baseUrl: string, underlying: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await underlying(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (url.origin === new URL(baseUrl).origin) await check(baseUrl, underlying, method, url, response.clone());
    return response;
  };
}
