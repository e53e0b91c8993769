import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../shared/adapters/dynamodb/table-definition';

/** Export files are fetched soon after a job finishes; they are copies of table data, so they need not outlive this. */
export const EXPORT_EXPIRY = Duration.days(30);

/**
 * What must outlive a deployment: the single table, built from the same
 * definition the store, the local server and the tests use (PITR, deletion
 * protection and retain-on-delete guard the audit log), and the bucket export
 * jobs write to.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly exportBucket: Bucket;
  /** The export name of the bucket's ARN: the service stack imports it by name, so its grant (and the grant's review note) names it. */
  readonly exportBucketArnExportName: string;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DEFINITION.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType[TABLE_DEFINITION.streamViewType],
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(index.include !== undefined && { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] }),
      })),
    });

    const secure = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;
    const accessLogs = new Bucket(this, 'ExportAccessLogs', {
      ...secure,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the export bucket; logging it to itself would loop and to another bucket would only move the finding.',
    });
    this.exportBucket = new Bucket(this, 'ExportBucket', {
      ...secure,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'exports/',
      lifecycleRules: [{ prefix: 'exports/', expiration: EXPORT_EXPIRY, abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    this.exportBucketArnExportName = `${this.stackName}-ExportBucketArn`;
    new CfnOutput(this, 'ExportBucketArn', { value: this.exportBucket.bucketArn, exportName: this.exportBucketArnExportName });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
