import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';

/** What the console reads from config.json on AWS (console/src/config.ts, auth "cognito"). */
export interface ConsoleRuntimeConfig {
  readonly apiUrl: string;
  /** https://cognito-idp.<region>.amazonaws.com/<userPoolId> */
  readonly authority: string;
  readonly clientId: string;
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  readonly domain: string;
}

export interface ConsoleContentStackProps extends StackProps {
  /** The hosting bucket's ARN export (ConsoleHostingStack.bucketArnExportName). */
  readonly bucketArnExportName: string;
  readonly distribution: IDistribution;
  /** The built console (console/dist); `npm run deploy` builds it first. */
  readonly distDir: string;
  readonly config: ConsoleRuntimeConfig;
}

/** The page a synth without a built console deploys instead of it (never silently an empty bucket). */
export const NOT_BUILT_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head><body><p>The console was not built before this deploy: run npm run deploy (it builds console/dist first).</p></body></html>';

/**
 * The console's files and its config.json (the API URL and the Cognito client settings, known only at deploy time)
 * put into the hosting bucket, and CloudFront's cache cleared. The built files are an asset directory (no Docker,
 * no bundling at synth: `npm run synth` stays offline).
 */
export class ConsoleContentStack extends Stack {
  readonly deployment: BucketDeployment;

  constructor(scope: Construct, id: string, props: ConsoleContentStackProps) {
    super(scope, id, props);
    const built = existsSync(join(props.distDir, 'index.html'));
    const bucket = Bucket.fromBucketArn(this, 'Hosting', Fn.importValue(props.bucketArnExportName));
    this.deployment = new BucketDeployment(this, 'Files', {
      destinationBucket: bucket,
      sources: [built ? Source.asset(props.distDir) : Source.data('index.html', NOT_BUILT_PAGE), Source.jsonData('config.json', { auth: 'cognito', ...props.config })],
      distribution: props.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    // The deployment's handler is CDK's own singleton function: its role, grants and runtime are aws-cdk-lib's.
    const handler = this.node.findAll().filter((child) => child.node.path.includes('Custom::CDKBucketDeployment'));
    const acknowledge = (id: string, reason: string) => {
      for (const child of handler) Validations.of(child).acknowledge({ id, reason });
    };
    acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK’s BucketDeployment handler writes its own logs with the basic execution role.',
    );
    for (const action of ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*']) {
      acknowledge(`AwsSolutions-IAM5[Action::${action}]`, 'CDK’s BucketDeployment grants: read the asset, replace (and prune) the console’s files in its one bucket.');
    }
    acknowledge(`AwsSolutions-IAM5[Resource::${props.bucketArnExportName}/*]`, 'The console’s files are every key of its own bucket (pruned on each deploy).');
    acknowledge(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      'The handler reads the deployment’s asset from the CDK bootstrap bucket (asset keys are content hashes).',
    );
    acknowledge('AwsSolutions-IAM5[Resource::*]', 'CloudFront invalidations (cloudfront:CreateInvalidation/GetInvalidation) take no resource narrower than *.');
    acknowledge('AwsSolutions-L1', 'The runtime of CDK’s BucketDeployment handler is chosen by aws-cdk-lib.');
  }
}
