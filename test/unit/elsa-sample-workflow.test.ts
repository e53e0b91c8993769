import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { ROUTES } from '../../functions/http/routes';
import { DEFAULT_ELSA_EVENTS } from '../../shared/adapters/elsa/elsa-workflow-engine';

const root = join(__dirname, '..', '..');
const text = readFileSync(join(root, 'docs', 'elsa', 'mentorship-workflow.json'), 'utf8');

/** The part of an Elsa 3 workflow definition the service depends on. */
const Activity = z.looseObject({ id: z.string(), type: z.string() });
const Definition = z.looseObject({
  definitionId: z.string(),
  root: z.looseObject({
    type: z.literal('Elsa.Flowchart'),
    activities: z.array(Activity).min(1),
    connections: z.array(z.looseObject({ source: z.looseObject({ activity: z.string() }), target: z.looseObject({ activity: z.string() }) })),
  }),
});

const Settings = z.looseObject({
  session_management: z.looseObject({
    workflow_engine: z.looseObject({
      elsa_definition_id: z.string(),
      elsa_pause_event: z.string(),
      elsa_resume_event: z.string(),
      elsa_config_event: z.string(),
    }),
  }),
});
const engineSettings = Settings.parse(parse(readFileSync(join(root, 'config', 'settings.yaml'), 'utf8'))).session_management.workflow_engine;

describe('docs/elsa/mentorship-workflow.json (the sample Elsa 3 workflow)', () => {
  test('is JSON shaped like an Elsa 3 flowchart definition whose connections join its own activities', () => {
    // Act
    const definition = Definition.parse(JSON.parse(text));

    // Assess
    const ids = new Set(definition.root.activities.map((activity) => activity.id));
    expect(ids.size).toBe(definition.root.activities.length);
    for (const { source, target } of definition.root.connections) {
      expect(ids).toContain(source.activity);
      expect(ids).toContain(target.activity);
    }
  });

  test('is the definition the settings dispatch, and waits on the event names the settings and the adapter trigger', () => {
    // Prepare
    const definition = Definition.parse(JSON.parse(text));
    const eventNames = definition.root.activities
      .filter((activity) => activity.type === 'Elsa.Event')
      .map((activity) => z.object({ eventName: z.object({ expression: z.object({ value: z.string() }) }) }).parse(activity).eventName.expression.value);

    // Assess
    expect(definition.definitionId).toBe(engineSettings.elsa_definition_id);
    expect(eventNames).toEqual(expect.arrayContaining([engineSettings.elsa_pause_event, engineSettings.elsa_resume_event, engineSettings.elsa_config_event]));
    expect(eventNames).toEqual(expect.arrayContaining([DEFAULT_ELSA_EVENTS.pause, DEFAULT_ELSA_EVENTS.resume, DEFAULT_ELSA_EVENTS.config]));
  });

  test("calls back the service's workflow-events, complete and fail routes", () => {
    // Prepare: the last path segment of each engine callback route, and the URLs the HTTP activities build
    const callbacks = [ROUTES.recordWorkflowEvent, ROUTES.completeSession, ROUTES.failSession].map((route) => route.path.split('/').pop()!);
    const urls = Definition.parse(JSON.parse(text))
      .root.activities.filter((activity) => activity.type === 'Elsa.FlowSendHttpRequest')
      .map((activity) => z.object({ url: z.object({ expression: z.object({ value: z.string() }) }) }).parse(activity).url.expression.value);

    // Assess
    expect(callbacks).toEqual(['workflow-events', 'complete', 'fail']);
    for (const segment of callbacks) expect(urls.some((url) => url.includes('/api/mentorship/sessions/') && url.endsWith(`"/${segment}"`))).toBe(true);
  });
});
