import type { Context } from 'aws-lambda';
import { makeHandler } from '../../functions/http/download-export-job';
import type { ExportService } from '../../shared/services/export-service';
import { httpApiEvent } from './support';

/** The download route's two answers: the file's bytes (local sink), or a 302 to a presigned URL (S3: API Gateway cannot stream). */
const JOB_ID = '0b9f6a1e-8f2c-4c1e-9a55-3f1d2b7c4e10';
const context = { awsRequestId: 'req-1', functionName: 'download-export-job' } as Context;
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function handlerAnswering(download: Awaited<ReturnType<ExportService['download']>>['download']) {
  const exports: Pick<ExportService, 'download'> = {
    download: async () => ({ download, contentType: 'text/csv; charset=utf-8', filename: `sessions-${JOB_ID}.csv` }),
  };
  return makeHandler({ logger, exports } as unknown as Parameters<typeof makeHandler>[0]);
}

const event = () => ({ ...httpApiEvent({ sub: 'coord-1', 'cognito:groups': '[coordinator]' }), pathParameters: { id: JOB_ID } });

test('an S3 export: 302 to the presigned URL, not cached, no body', async () => {
  // Prepare
  const handler = handlerAnswering({ kind: 'redirect', url: 'https://bucket.s3.eu-west-1.amazonaws.com/exports/x.csv?X-Amz-Signature=abc' });

  // Act
  const response = await handler(event(), context);

  // Assess
  expect(response).toEqual({
    statusCode: 302,
    headers: { location: 'https://bucket.s3.eu-west-1.amazonaws.com/exports/x.csv?X-Amz-Signature=abc', 'cache-control': 'no-store' },
    body: '',
  });
});

test('a local file: 200 with its text, content type and an attachment name', async () => {
  // Prepare
  const handler = handlerAnswering({ kind: 'content', body: 'id\r\na\r\n' });

  // Act
  const response = await handler(event(), context);

  // Assess
  expect(response).toMatchObject({
    statusCode: 200,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="sessions-${JOB_ID}.csv"` },
    body: 'id\r\na\r\n',
  });
});
