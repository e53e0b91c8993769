import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { FileExportSink } from '../../shared/adapters/exports/file-export-sink';
import { CONTENT_TYPES, type Column, serialize } from '../../shared/domain/export-format';

const CSV = CONTENT_TYPES.csv;

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'file-export-sink-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('FileExportSink', () => {
  it('writes the chunks to <directory>/<name> on close and reports a file URL and the UTF-8 byte count', async () => {
    // Prepare
    const sink = new FileExportSink(directory);
    const writer = await sink.open('job-1.csv', CSV);

    // Act
    await writer.write('id,note\r\n');
    await writer.write('1,crème 🚀\r\n');
    const stored = await writer.close();

    // Assess
    const expected = 'id,note\r\n1,crème 🚀\r\n';
    expect(fileURLToPath(stored.location)).toBe(path.join(directory, 'job-1.csv'));
    expect(stored.location.startsWith('file://')).toBe(true);
    expect(stored.bytes).toBe(Buffer.byteLength(expected, 'utf8'));
    expect(await readFile(path.join(directory, 'job-1.csv'), 'utf8')).toBe(expected);
    expect(await readdir(directory)).toEqual(['job-1.csv']);
  });

  it('keeps the final name absent until close: only a hidden temporary file exists while writing', async () => {
    // Prepare
    const writer = await new FileExportSink(directory).open('job-2.json', CONTENT_TYPES.json);

    // Act
    await writer.write('[1,');
    const whileWriting = await readdir(directory);
    await writer.write('2]');
    await writer.close();

    // Assess
    expect(whileWriting).toHaveLength(1);
    expect(whileWriting[0]).toMatch(/^\.job-2\.json\..+\.partial$/);
    expect(await readdir(directory)).toEqual(['job-2.json']);
  });

  it('writes an empty file when closed without writes', async () => {
    // Act
    const stored = await (await new FileExportSink(directory).open('empty.ndjson', CONTENT_TYPES.ndjson)).close();

    // Assess
    expect(stored.bytes).toBe(0);
    expect(await readFile(path.join(directory, 'empty.ndjson'), 'utf8')).toBe('');
  });

  it('leaves nothing behind on abort, and refuses writes afterwards', async () => {
    // Prepare
    const writer = await new FileExportSink(directory).open('job-3.csv', CSV);
    await writer.write('partial');

    // Act
    await writer.abort();
    await writer.abort();

    // Assess
    expect(await readdir(directory)).toEqual([]);
    await expect(writer.write('more')).rejects.toThrow('aborted');
    await expect(writer.close()).rejects.toThrow('aborted');
  });

  it('releases a write waiting for drain when the export is aborted', async () => {
    // Prepare
    const writer = await new FileExportSink(directory).open('big.csv', CSV);

    // Act
    const pending = writer.write('x'.repeat(8 * 1024 * 1024));
    await writer.abort();

    // Assess
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readdir(directory)).toEqual([]);
  });

  it('treats abort after close as a no-op and refuses a second close', async () => {
    // Prepare
    const writer = await new FileExportSink(directory).open('job-4.csv', CSV);
    await writer.write('kept\r\n');
    await writer.close();

    // Act
    await writer.abort();

    // Assess
    expect(await readFile(path.join(directory, 'job-4.csv'), 'utf8')).toBe('kept\r\n');
    await expect(writer.close()).rejects.toThrow('closed');
  });

  it('replaces an existing export of the same name on close, not before', async () => {
    // Prepare
    const target = path.join(directory, 'job-5.csv');
    await writeFile(target, 'old');
    const writer = await new FileExportSink(directory).open('job-5.csv', CSV);
    await writer.write('new');

    // Act
    const beforeClose = await readFile(target, 'utf8');
    await writer.close();

    // Assess
    expect(beforeClose).toBe('old');
    expect(await readFile(target, 'utf8')).toBe('new');
  });

  it('creates the directory when it is missing', async () => {
    // Prepare
    const nested = path.join(directory, 'exports', 'today');

    // Act
    const writer = await new FileExportSink(nested).open('job-6.csv', CSV);
    await writer.write('a');
    const stored = await writer.close();

    // Assess
    expect(fileURLToPath(stored.location)).toBe(path.join(nested, 'job-6.csv'));
    expect(await readFile(path.join(nested, 'job-6.csv'), 'utf8')).toBe('a');
  });

  it('resolves a relative directory to an absolute location', async () => {
    // Prepare
    const relative = path.relative(process.cwd(), directory);

    // Act
    const writer = await new FileExportSink(relative).open('job-7.csv', CSV);
    const stored = await writer.close();

    // Assess
    expect(path.isAbsolute(fileURLToPath(stored.location))).toBe(true);
    expect(fileURLToPath(stored.location)).toBe(path.join(directory, 'job-7.csv'));
  });

  it.each([
    ['empty', ''],
    ['dot', '.'],
    ['dot dot', '..'],
    ['parent traversal', '../escape.csv'],
    ['a nested path', 'sub/job.csv'],
    ['an absolute path', '/tmp/job.csv'],
    ['a backslash', 'sub\\job.csv'],
    ['dot dot inside', 'job..csv'],
    ['a leading dot', '.hidden.csv'],
    ['a NUL byte', 'job\0.csv'],
    ['a name too long', `${'a'.repeat(201)}.csv`],
  ])('refuses a name that is %s, creating nothing', async (_why, name) => {
    // Prepare
    const sink = new FileExportSink(path.join(directory, 'exports'));

    // Act
    const opening = sink.open(name, CSV);

    // Assess
    await expect(opening).rejects.toThrow(RangeError);
    expect(await readdir(directory)).toEqual([]);
  });

  it('stores a large CSV export written with backpressure, which parses back', async () => {
    // Prepare
    interface Row {
      id: number;
      note: string;
    }
    const columns: Column<Row>[] = [
      { header: 'id', value: (row) => row.id },
      { header: 'note', value: (row) => row.note },
    ];
    const total = 50_000;
    async function* rows(): AsyncGenerator<Row> {
      for (let id = 0; id < total; id++) yield { id, note: `note "${id}",\r\nsecond line é🚀` };
    }
    const writer = await new FileExportSink(directory).open('big.csv', CSV);

    // Act
    try {
      for await (const chunk of serialize('csv', columns, rows(), (row) => row)) await writer.write(chunk);
    } catch (error) {
      await writer.abort();
      throw error;
    }
    const stored = await writer.close();

    // Assess
    const bytes = await readFile(fileURLToPath(stored.location));
    expect(stored.bytes).toBe(bytes.length);
    const records = parse(bytes.toString('utf8')) as string[][];
    expect(records).toHaveLength(total + 1);
    expect(records[0]).toEqual(['id', 'note']);
    expect(records[total]).toEqual([String(total - 1), `note "${total - 1}",\r\nsecond line é🚀`]);
  });
});
