import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DOWNLOAD_URL_SECONDS, S3ExportSink } from '../../shared/adapters/exports/s3-export-sink';

/** The S3 export sink against a mocked S3 (no local stand-in): multipart parts, completion, abort. */
const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });

beforeEach(() => {
  s3.reset();
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
  let part = 0;
  s3.on(UploadPartCommand).callsFake(() => ({ ETag: `"etag-${(part += 1)}"` }));
  s3.on(CompleteMultipartUploadCommand).resolves({});
  s3.on(AbortMultipartUploadCommand).resolves({});
});

const bodies = () => s3.commandCalls(UploadPartCommand).map((call) => Buffer.from(call.args[0].input.Body as Buffer).toString('utf8'));

test('chunks are sent as parts of the configured size, the rest at close; the upload completes with every part in order', async () => {
  const sink = new S3ExportSink({ bucket: 'exports-bucket', client, partBytes: 10 });
  const writer = await sink.open('job-1.csv', 'text/csv');
  for (const chunk of ['id,name\r\n', 'a,Ada\r\n', 'b,Brook\r\n', 'c,"Cy, d"\r\n']) await writer.write(chunk);
  const stored = await writer.close();

  expect(s3.commandCalls(CreateMultipartUploadCommand)[0]!.args[0].input).toEqual({ Bucket: 'exports-bucket', Key: 'exports/job-1.csv', ContentType: 'text/csv' });
  expect(bodies().join('')).toBe('id,name\r\na,Ada\r\nb,Brook\r\nc,"Cy, d"\r\n');
  // Every part but the last holds at least partBytes.
  expect(
    bodies()
      .slice(0, -1)
      .every((body) => Buffer.byteLength(body) >= 10),
  ).toBe(true);
  // 9 + 7 bytes fill part 1, 9 + 11 part 2; nothing is left for close.
  expect(s3.commandCalls(UploadPartCommand).map((call) => call.args[0].input.PartNumber)).toEqual([1, 2]);
  expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
    Parts: [
      { ETag: '"etag-1"', PartNumber: 1 },
      { ETag: '"etag-2"', PartNumber: 2 },
    ],
  });
  expect(stored).toEqual({ location: 's3://exports-bucket/exports/job-1.csv', bytes: Buffer.byteLength('id,name\r\na,Ada\r\nb,Brook\r\nc,"Cy, d"\r\n') });
});

test('an empty export is one empty part; bytes count UTF-8', async () => {
  const sink = new S3ExportSink({ bucket: 'b', client, prefix: 'x/' });
  const empty = await sink.open('empty.ndjson', 'application/x-ndjson');
  expect(await empty.close()).toEqual({ location: 's3://b/x/empty.ndjson', bytes: 0 });
  expect(bodies()).toEqual(['']);

  const writer = await sink.open('emoji.json', 'application/json');
  await writer.write('["🎉"]');
  expect((await writer.close()).bytes).toBe(8);
});

test('abort aborts the upload (nothing completes) and the writer refuses further use', async () => {
  const sink = new S3ExportSink({ bucket: 'b', client, partBytes: 4 });
  const writer = await sink.open('job.csv', 'text/csv');
  await writer.write('12345');
  await writer.abort();
  await writer.abort();
  expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({ Bucket: 'b', Key: 'exports/job.csv', UploadId: 'up-1' });
  expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  await expect(writer.write('x')).rejects.toThrow(/aborted/);
  await expect(writer.close()).rejects.toThrow(/aborted/);
});

test('a failed part reaches the caller; names with a path are refused', async () => {
  s3.on(UploadPartCommand).rejects(new Error('SlowDown'));
  const sink = new S3ExportSink({ bucket: 'b', client, partBytes: 1 });
  const writer = await sink.open('job.csv', 'text/csv');
  await expect(writer.write('ab')).rejects.toThrow('SlowDown');
  await expect(sink.open('../etc/passwd', 'text/csv')).rejects.toThrow(RangeError);
  await expect(sink.open('a/b.csv', 'text/csv')).rejects.toThrow(RangeError);
});

test('download: a presigned GetObject URL for the job key, valid DOWNLOAD_URL_SECONDS, answering the content type and an attachment name', async () => {
  // Prepare: presigning signs locally with these (fake) credentials; nothing is sent.
  const signer = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLEEXAMPLE', secretAccessKey: 'not-a-secret' } });
  const sink = new S3ExportSink({ bucket: 'exports-bucket', client: signer });

  // Act
  const download = await sink.download('job-1.csv', 'text/csv', 'sessions-job-1.csv');

  // Assess
  expect(download.kind).toBe('redirect');
  const url = new URL(download.kind === 'redirect' ? download.url : '');
  expect(url.hostname).toBe('exports-bucket.s3.eu-west-1.amazonaws.com');
  expect(url.pathname).toBe('/exports/job-1.csv');
  expect(url.searchParams.get('X-Amz-Expires')).toBe(String(DOWNLOAD_URL_SECONDS));
  expect(url.searchParams.get('response-content-type')).toBe('text/csv');
  expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="sessions-job-1.csv"');
  expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  await expect(sink.download('../other.csv', 'text/csv', 'x.csv')).rejects.toThrow(RangeError);
});
