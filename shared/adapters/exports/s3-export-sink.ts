import type { S3Client } from '@aws-sdk/client-s3';
import type { ExportDownload, ExportSink, ExportWriter, StoredExport } from '../../ports/export-sink';

/** S3's smallest part but the last; parts are sent when this much is buffered (memory stays near one part). */
export const PART_BYTES = 5 * 1024 * 1024;
/** How long a download link stays valid: long enough to start the transfer, short enough that a leaked link soon dies. */
export const DOWNLOAD_URL_SECONDS = 300;

export interface S3ExportSinkOptions {
  readonly bucket: string;
  /** Key prefix, e.g. `exports/` (the bucket's lifecycle rule expires it). */
  readonly prefix?: string;
  /** Injected in tests; otherwise created on first use (the S3 client is loaded only by the functions that export). */
  readonly client?: S3Client;
  readonly partBytes?: number;
}

/**
 * Writes exports to S3 as multipart uploads: chunks are buffered into parts
 * of `partBytes` and sent as they fill, so memory stays flat whatever the
 * export's size. Nothing is visible under the key until `close` completes the
 * upload; `abort` aborts it (S3 drops the parts). The location is the
 * `s3://bucket/key` URL.
 */
export class S3ExportSink implements ExportSink {
  private readonly prefix: string;
  private readonly partBytes: number;
  private client: S3Client | undefined;

  constructor(private readonly options: S3ExportSinkOptions) {
    this.prefix = options.prefix ?? 'exports/';
    this.partBytes = options.partBytes ?? PART_BYTES;
    this.client = options.client;
  }

  async open(name: string, contentType: string): Promise<ExportWriter> {
    if (name === '' || name.includes('/') || name.includes('..')) throw new RangeError(`Invalid export file name: ${JSON.stringify(name)}`);
    const sdk = await import('@aws-sdk/client-s3');
    this.client ??= new sdk.S3Client({});
    const key = `${this.prefix}${name}`;
    const { UploadId } = await this.client.send(new sdk.CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, ContentType: contentType }));
    if (UploadId === undefined) throw new Error(`S3 answered no UploadId for ${key}`);
    return new S3ExportWriter(this.client, sdk, { bucket: this.options.bucket, key, uploadId: UploadId, partBytes: this.partBytes });
  }

  /** A presigned GetObject URL (DOWNLOAD_URL_SECONDS) that answers with the content type and an attachment file name. */
  async download(name: string, contentType: string, filename: string): Promise<ExportDownload> {
    if (name === '' || name.includes('/') || name.includes('..')) throw new RangeError(`Invalid export file name: ${JSON.stringify(name)}`);
    const [sdk, presigner] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]);
    this.client ??= new sdk.S3Client({});
    const command = new sdk.GetObjectCommand({
      Bucket: this.options.bucket,
      Key: `${this.prefix}${name}`,
      ResponseContentType: contentType,
      ResponseContentDisposition: `attachment; filename="${filename}"`,
    });
    return { kind: 'redirect', url: await presigner.getSignedUrl(this.client, command, { expiresIn: DOWNLOAD_URL_SECONDS }) };
  }
}

type Sdk = typeof import('@aws-sdk/client-s3');

class S3ExportWriter implements ExportWriter {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private bytes = 0;
  private readonly parts: { ETag: string; PartNumber: number }[] = [];
  private state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(
    private readonly client: S3Client,
    private readonly sdk: Sdk,
    private readonly upload: { bucket: string; key: string; uploadId: string; partBytes: number },
  ) {}

  async write(chunk: string): Promise<void> {
    this.assertOpen('write');
    const data = Buffer.from(chunk, 'utf8');
    this.buffered.push(data);
    this.bufferedBytes += data.length;
    this.bytes += data.length;
    if (this.bufferedBytes >= this.upload.partBytes) await this.sendPart();
  }

  async close(): Promise<StoredExport> {
    this.assertOpen('close');
    // The last part may be small; an empty export still needs one (empty) part.
    if (this.bufferedBytes > 0 || this.parts.length === 0) await this.sendPart();
    await this.client.send(
      new this.sdk.CompleteMultipartUploadCommand({
        Bucket: this.upload.bucket,
        Key: this.upload.key,
        UploadId: this.upload.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
    this.state = 'closed';
    return { location: `s3://${this.upload.bucket}/${this.upload.key}`, bytes: this.bytes };
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.buffered = [];
    await this.client.send(new this.sdk.AbortMultipartUploadCommand({ Bucket: this.upload.bucket, Key: this.upload.key, UploadId: this.upload.uploadId }));
  }

  private async sendPart(): Promise<void> {
    const body = Buffer.concat(this.buffered, this.bufferedBytes);
    this.buffered = [];
    this.bufferedBytes = 0;
    const PartNumber = this.parts.length + 1;
    const { ETag } = await this.client.send(
      new this.sdk.UploadPartCommand({ Bucket: this.upload.bucket, Key: this.upload.key, UploadId: this.upload.uploadId, PartNumber, Body: body }),
    );
    if (ETag === undefined) throw new Error(`S3 answered no ETag for part ${PartNumber} of ${this.upload.key}`);
    this.parts.push({ ETag, PartNumber });
  }

  private assertOpen(operation: string): void {
    if (this.state !== 'open') throw new Error(`Cannot ${operation} an export that is ${this.state}.`);
  }
}
