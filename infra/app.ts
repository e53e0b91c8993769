/**
 * The CDK app. `npx cdk synth` works offline with no credentials (agnostic
 * environment, no lookups). Context: `stage` (default `dev`).
 */
import { App } from 'aws-cdk-lib';
import { StatefulStack } from './stacks/stateful-stack';

const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) throw new Error(`context 'stage' must be lower-case letters, digits and dashes: got '${stage}'`);

new StatefulStack(app, `MentorshipSessions-${stage}-stateful`, {
  description: 'Mentorship session service: the table (sessions, events, limits, directory).',
  tags: { service: 'mentorship-sessions', stage },
});
