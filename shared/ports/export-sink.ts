/** Where a finished export ends up, and how big it is. */
export interface StoredExport {
  /** Sink-specific address of the export (a `file://` URL for the file sink). */
  location: string;
  /** Bytes written (UTF-8). */
  bytes: number;
}

/**
 * One export being written. Call `write` in order, awaiting each (the promise
 * is the backpressure), then exactly one of `close` or `abort`. Until `close`
 * resolves, nothing is visible under the export's name.
 */
export interface ExportWriter {
  write(chunk: string): Promise<void>;
  close(): Promise<StoredExport>;
  abort(): Promise<void>;
}

/**
 * How a caller gets a stored export: its bytes (the file sink, local runs), or
 * a short-lived URL to fetch them from (S3: API Gateway cannot stream, and a
 * Lambda answer stops at 6 MB, so the API redirects to a presigned URL).
 */
export type ExportDownload = { readonly kind: 'content'; readonly body: string } | { readonly kind: 'redirect'; readonly url: string };

/** Stores exports. The sink decides where a name lives; `name` is a plain file name such as `<jobId>.csv`. */
export interface ExportSink {
  open(name: string, contentType: string): Promise<ExportWriter>;
  /** A finished export, to hand to a caller as `filename` with `contentType`. */
  download(name: string, contentType: string, filename: string): Promise<ExportDownload>;
}
