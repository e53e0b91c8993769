import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as ts from 'typescript';
import { ROUTES } from '../../functions/http/routes';
import { buildOpenApiDocument } from '../../shared/http/openapi';

/**
 * What a consumer of the document gets: openapi-typescript generates types from
 * it, and a strict script that walks a session's lifecycle with the named types
 * (`components['schemas']['SessionStartResult']`, ...) type-checks against them.
 * TypeScript cannot express number ranges, so the config bounds are checked the
 * way a consumer's validator would: ajv against the named StartSessionRequest.
 */

const run = promisify(execFile);
/** The package's exports hide its bin: run it by path. */
const GENERATOR = join(__dirname, '..', '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
const document = buildOpenApiDocument(Object.values(ROUTES)) as { components: { schemas: Record<string, unknown> } };

const CONSUMER = `
import type { components } from './api';

type Schemas = components['schemas'];

const start: Schemas['StartSessionRequest'] = {
  storyId: 'story-1',
  juniorId: 'junior-1',
  configTemplateId: 'quick-fix',
  config: { maxDurationHours: 2, checkInIntervalMinutes: 15, qualityTierOverride: 3, notifications: { additionalRecipients: ['#mentoring'] } },
};
const started: Schemas['SessionStartResult'] = { success: true, sessionId: '0190a0b4-0000-7000-8000-000000000000', status: 'started', mentorId: 'mentor-1' };
const pause: Schemas['PauseSessionRequest'] = { reason: 'lunch' };
const resume: Schemas['ResumeSessionRequest'] = {};
const complete: Schemas['CompleteSessionRequest'] = { report: { summary: 'done', overallScore: 90 } };
const paused: Schemas['SessionResult'] = { success: true, sessionId: started.sessionId, status: 'Paused' };

function describeSession(details: Schemas['SessionDetails']): string {
  const last: Schemas['SessionEvent'] | undefined = details.events[details.events.length - 1];
  const config: Schemas['SessionConfig'] = details.config;
  return \`\${details.status} \${details.currentState ?? '-'} \${config.maxDurationHours}h \${last?.type ?? 'no events'} by \${last?.actorRole ?? '-'}\`;
}
function explain(error: Schemas['ConflictError']): string {
  return \`\${error.error.code}: \${error.error.details?.currentStatus ?? '?'} allows \${(error.error.details?.allowedOperations ?? []).join(', ')}\`;
}
function wait(queue: Schemas['QueueStatus'], position: Schemas['QueuePosition']): number {
  return position.estimatedWaitMinutes ?? queue.estimatedWaitMinutes;
}

// @ts-expect-error: a session's status is one of SessionStatus
const wrong: Schemas['SessionResult'] = { success: true, sessionId: started.sessionId, status: 'Sleeping' };
// @ts-expect-error: storyId is required
const incomplete: Schemas['StartSessionRequest'] = { juniorId: 'junior-1' };

export const used = [start, started, pause, resume, complete, paused, describeSession, explain, wait, wrong, incomplete];
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'openapi-types-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('openapi-typescript types from the document type-check a strict lifecycle consumer that uses the named schemas', async () => {
  // Prepare
  const spec = join(dir, 'openapi.json');
  writeFileSync(spec, JSON.stringify(document));
  await run(process.execPath, [GENERATOR, spec, '--output', join(dir, 'api.ts')], { maxBuffer: 16 * 1024 * 1024 });
  const consumer = join(dir, 'consumer.ts');
  writeFileSync(consumer, CONSUMER);

  // Act
  const program = ts.createProgram([consumer], {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    skipLibCheck: true,
    types: [],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

  // Assess
  expect(diagnostics).toEqual([]);
}, 60_000);

describe('the config bounds are schema failures (tsc cannot express number ranges: a validator checks them)', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile({ $ref: '#/components/schemas/StartSessionRequest', components: document.components });
  const start = (config: Record<string, unknown>) => ({ storyId: 'story-1', juniorId: 'junior-1', config });

  test.each([
    ['maxDurationHours 200', { maxDurationHours: 200 }, '/config/maxDurationHours'],
    ['maxDurationHours 0.1', { maxDurationHours: 0.1 }, '/config/maxDurationHours'],
    ['checkInIntervalMinutes 7.5', { checkInIntervalMinutes: 7.5 }, '/config/checkInIntervalMinutes'],
    ['checkInIntervalMinutes 2000', { checkInIntervalMinutes: 2000 }, '/config/checkInIntervalMinutes'],
    ['qualityTierOverride 9', { qualityTierOverride: 9 }, '/config/qualityTierOverride'],
    [
      '21 additionalRecipients',
      { notifications: { additionalRecipients: Array.from({ length: 21 }, (_, i) => `#c${i}`) } },
      '/config/notifications/additionalRecipients',
    ],
  ])('%s is refused', (_name, config, where) => {
    // Act
    const valid = validate(start(config));

    // Assess
    expect(valid).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(where);
  });

  test('values at the bounds pass', () => {
    // Act
    const valid = validate(start({ maxDurationHours: 168, checkInIntervalMinutes: 5, qualityTierOverride: 1 }));

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
