import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StatefulStack } from '../../infra/stacks/stateful-stack';
import { createTableInput, TABLE_DEFINITION } from '../../shared/adapters/dynamodb/table-definition';

const template = Template.fromStack(new StatefulStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Stateful'));

describe('stateful stack', () => {
  test('the table is the single definition: keys, attributes, indexes, stream, TTL', () => {
    const local = createTableInput('any');
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    expect(Object.keys(tables)).toHaveLength(1);
    const props = Object.values(tables)[0]!.Properties;
    expect(props.KeySchema).toEqual(local.KeySchema);
    expect([...props.AttributeDefinitions].sort((a: { AttributeName: string }, b: { AttributeName: string }) => a.AttributeName.localeCompare(b.AttributeName))).toEqual(
      [...local.AttributeDefinitions!].sort((a, b) => a.AttributeName!.localeCompare(b.AttributeName!)),
    );
    expect(props.GlobalSecondaryIndexes ?? []).toHaveLength(TABLE_DEFINITION.globalSecondaryIndexes.length);
    type Index = { IndexName?: string; KeySchema?: unknown; Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] } };
    const shape = (indexes: readonly Index[]) =>
      [...indexes]
        .map((index) => ({
          name: index.IndexName,
          keys: index.KeySchema,
          projection: index.Projection?.ProjectionType,
          include: [...(index.Projection?.NonKeyAttributes ?? [])].sort(),
        }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(shape(props.GlobalSecondaryIndexes)).toEqual(shape(local.GlobalSecondaryIndexes ?? []));
    expect(props.StreamSpecification).toEqual({ StreamViewType: TABLE_DEFINITION.streamViewType });
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true });
  });

  test('the audit log is protected: PITR, deletion protection, retained on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        Replicas: [
          {
            Region: { Ref: 'AWS::Region' },
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          },
        ],
      },
    });
  });
});

describe('export bucket', () => {
  test('encrypted, private, TLS only, exports expire, access logged', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const exports = Object.values(buckets).find((b) => b.Properties.LoggingConfiguration !== undefined)!;
    expect(exports.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ Prefix: 'exports/', ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    expect(exports.DeletionPolicy).toBe('Retain');
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const denyInsecure = policies.filter((p) =>
      p.Properties.PolicyDocument.Statement.some(
        (s: { Effect: string; Condition?: { Bool?: Record<string, string> } }) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(denyInsecure).toHaveLength(2);
  });
});
