import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import type { ExportDownload, ExportSink, ExportWriter, StoredExport } from '../../ports/export-sink';

/** Longest accepted name in UTF-8 bytes: the temporary name adds 46 bytes and most file systems stop at 255. */
const MAX_NAME_BYTES = 200;

/**
 * Writes exports as files in one directory (local runs and tests).
 *
 * An export is written to a hidden temporary file next to its final name and
 * renamed on `close`, so a reader never sees a half-written file under the
 * final name; the data is flushed to disk (fsync) before the rename. `abort`
 * removes the temporary file. Closing over an existing export replaces it.
 * The location is the final path as a `file://` URL, so locations from every
 * sink are URLs. `contentType` is not recorded: the extension carries it.
 */
export class FileExportSink implements ExportSink {
  private readonly directory: string;

  constructor(directory: string) {
    this.directory = path.resolve(directory);
  }

  async open(name: string, _contentType: string): Promise<ExportWriter> {
    assertPlainFileName(name);
    await mkdir(this.directory, { recursive: true });
    const finalPath = path.join(this.directory, name);
    const tempPath = path.join(this.directory, `.${name}.${randomUUID()}.partial`);
    const stream = createWriteStream(tempPath, { flags: 'wx', encoding: 'utf8', flush: true });
    const writer = new FileExportWriter(stream, tempPath, finalPath);
    await once(stream, 'ready');
    return writer;
  }

  /** The file's text (local runs: the local server answers it as the body). */
  async download(name: string, _contentType: string, _filename: string): Promise<ExportDownload> {
    assertPlainFileName(name);
    return { kind: 'content', body: await readFile(path.join(this.directory, name), 'utf8') };
  }
}

/**
 * Refuses anything but a plain file name: no separators, no `..`, no NUL, no
 * leading dot (hidden, and the temporary files' namespace), not empty or too long.
 */
function assertPlainFileName(name: string): void {
  const bad = name.length === 0 || name.startsWith('.') || name.includes('..') || /[/\\\0]/.test(name) || Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES;
  if (bad) throw new RangeError(`Invalid export file name: ${JSON.stringify(name)}`);
}

type WriterState = 'open' | 'closing' | 'closed' | 'aborted';

class FileExportWriter implements ExportWriter {
  private state: WriterState = 'open';
  private failure: unknown;
  /** Releases a `write` waiting for 'drain' when the export is aborted (a destroyed stream never drains). */
  private readonly aborted = new AbortController();

  constructor(
    private readonly stream: WriteStream,
    private readonly tempPath: string,
    private readonly finalPath: string,
  ) {
    // Without a listener a write error emitted between two calls would crash the process; keep it for the next call.
    stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  async write(chunk: string): Promise<void> {
    this.assertOpen('write');
    if (this.failure !== undefined) throw this.failure;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain', { signal: this.aborted.signal });
  }

  async close(): Promise<StoredExport> {
    this.assertOpen('close');
    this.state = 'closing';
    try {
      this.stream.end();
      // Resolves after 'close', once the data is flushed and the descriptor released; rejects if the stream failed.
      await finished(this.stream);
      await rename(this.tempPath, this.finalPath);
    } catch (error) {
      this.state = 'aborted';
      await rm(this.tempPath, { force: true });
      throw error;
    }
    this.state = 'closed';
    return { location: pathToFileURL(this.finalPath).href, bytes: this.stream.bytesWritten };
  }

  /** Discards the export. A no-op once closed or aborted, so it is safe in a `finally`. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.aborted.abort();
    this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }

  private assertOpen(operation: string): void {
    if (this.state !== 'open') throw new Error(`Cannot ${operation} export ${path.basename(this.finalPath)}: it is ${this.state}.`);
  }
}
