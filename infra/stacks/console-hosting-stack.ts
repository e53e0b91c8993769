import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../console-csp';

export interface ConsoleHostingStackProps extends StackProps {
  /** The Cognito hosted UI's domain prefix (the console exchanges its code for tokens there). */
  readonly authDomainPrefix: string;
}

/**
 * Where the console lives on AWS: a private S3 bucket read only by CloudFront (origin access control), served over
 * HTTPS with security headers and the console's content security policy. Its files and its config.json are put in
 * by ConsoleContentStack, after the service stack (which needs this distribution's URL for Cognito and CORS).
 */
export class ConsoleHostingStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>/ : the console's address, a Cognito callback URL and the API's CORS origin. */
  readonly url: string;
  readonly origin: string;
  /** The export of the bucket's ARN, imported by ConsoleContentStack (a stable name its IAM acknowledgment can cite). */
  readonly bucketArnExportName: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingStackProps) {
    super(scope, id, props);
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with ACLs: the log bucket is the one place they stay enabled.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it into itself would loop.' });

    this.bucket = new Bucket(this, 'Files', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Only built files, replaced by every deploy: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Only CloudFront reads this bucket (origin access control); every request is in the distribution access logs.',
    });

    const region = Stack.of(this).region;
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Mentorship console: CSP and security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          // The API (API Gateway in this region), Cognito's discovery/keys and the hosted UI's token endpoint.
          contentSecurityPolicy: consoleContentSecurityPolicy([
            `https://*.execute-api.${region}.amazonaws.com`,
            `https://cognito-idp.${region}.amazonaws.com`,
            `https://${props.authDomainPrefix}.auth.${region}.amazoncognito.com`,
          ]),
        },
        strictTransportSecurity: { override: true, accessControlMaxAge: Duration.days(365), includeSubdomains: true },
        contentTypeOptions: { override: true },
        frameOptions: { override: true, frameOption: HeadersFrameOption.DENY },
        referrerPolicy: { override: true, referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Mentorship sessions console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'console/',
    });
    const acknowledge = (id: string, reason: string) => Validations.of(this.distribution).acknowledge({ id, reason });
    acknowledge('AwsSolutions-CFR1', 'The program runs in several countries; the console is static files and every API call needs a Cognito token.');
    acknowledge('AwsSolutions-CFR2', 'Static files only; the API behind it has its own throttling and JWT authorizer. A WAF web ACL is the infra team’s opt-in cost.');
    acknowledge(
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate fixes the security policy at TLSv1; a custom domain with its own certificate (and TLS_V1_2_2021) is the infra team’s choice.',
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.bucketArnExportName = `${this.stackName}-ConsoleBucketArn`;
    new CfnOutput(this, 'ConsoleBucketArn', { value: this.bucket.bucketArn, exportName: this.bucketArnExportName });
    new CfnOutput(this, 'ConsoleUrl', { value: this.url, description: 'Open the console here (sign in with the Cognito hosted UI).' });
  }
}
