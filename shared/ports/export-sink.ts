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

/** Stores exports. The sink decides where a name lives; `name` is a plain file name such as `<jobId>.csv`. */
export interface ExportSink {
  open(name: string, contentType: string): Promise<ExportWriter>;
}
