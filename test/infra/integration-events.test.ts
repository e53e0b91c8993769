import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app';
import { INTEGRATION_EVENT_SOURCE } from '../../shared/domain/integration-events';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read by path in assertions.
type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown };

/** The service stack synthesized (bundling skipped, cdk-nag on) with the given context. */
function synth(context: Record<string, string> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], stage: 'test', ...context } });
  const { service } = buildApp(app);
  app.synth();
  const resources = Template.fromStack(service).toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const functionId = (name: string) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === `mentorship-sessions ${name}`)![0];
  const putEvents = ofType('AWS::IAM::Policy').flatMap(([, p]) =>
    (p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => [s.Action].flat().includes('events:PutEvents'))
      .map((s) => ({ roles: (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref), actions: [s.Action].flat(), resource: s.Resource })),
  );
  const roleOf = (name: string) => resources[functionId(name)]!.Properties.Role['Fn::GetAtt'][0];
  return { resources, ofType, functionId, putEvents, roleOf };
}

describe('integration events on AWS', () => {
  const stack = synth();

  test('the stack creates the bus, and the stream function publishes to it by name', () => {
    const buses = stack.ofType('AWS::Events::EventBus');
    expect(buses).toHaveLength(1);
    const [busId] = buses[0]!;
    const env = stack.resources[stack.functionId('table-stream')]!.Properties.Environment.Variables;
    expect(env.INTEGRATION_EVENTS__BUS).toBe('eventbridge');
    expect(env.INTEGRATION_EVENTS__BUS_NAME).toEqual({ Ref: busId });
    expect(env.INTEGRATION_EVENTS__DEAD_LETTER_QUEUE_URL).toBeDefined();
  });

  test('events:PutEvents is granted once: to the stream function only, on that bus only, alone in its statement', () => {
    const [busId] = stack.ofType('AWS::Events::EventBus')[0]!;
    expect(stack.putEvents).toEqual([{ roles: [stack.roleOf('table-stream')], actions: ['events:PutEvents'], resource: { 'Fn::GetAtt': [busId, 'Arn'] } }]);
  });

  test('the example rule: timed-out sessions from mentorship.sessions on the bus, into an encrypted queue that only the rule may send to', () => {
    const [busId] = stack.ofType('AWS::Events::EventBus')[0]!;
    const rules = stack.ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern !== undefined);
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId });
    expect(rule.Properties.EventPattern).toEqual({ source: [INTEGRATION_EVENT_SOURCE], 'detail-type': ['session_timed_out'] });
    const queueId = rule.Properties.Targets[0].Arn['Fn::GetAtt'][0];
    expect(stack.resources[queueId]!.Properties.SqsManagedSseEnabled).toBe(true);
    const policy = stack.ofType('AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties.Queues).includes(queueId))![1];
    const send = (policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Principal?: { Service?: string }; Condition?: unknown }[]).find(
      (s) => s.Principal?.Service !== undefined,
    )!;
    expect([send.Action].flat()).toContain('sqs:SendMessage');
    expect(send.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(send.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } });
  });

  test('with integrationBusName in context, no bus is created and PutEvents names that bus', () => {
    const named = synth({ integrationBusName: 'platform-events' });
    expect(named.ofType('AWS::Events::EventBus')).toHaveLength(0);
    expect(named.putEvents).toHaveLength(1);
    expect(JSON.stringify(named.putEvents[0]!.resource)).toContain(':event-bus/platform-events');
    const rule = named.ofType('AWS::Events::Rule').find(([, r]) => r.Properties.EventPattern !== undefined)![1];
    expect(rule.Properties.EventBusName).toBe('platform-events');
  });
});
