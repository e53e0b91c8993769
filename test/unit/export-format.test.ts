import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import {
  CONTENT_TYPES,
  type Column,
  DEFAULT_FLUSH_AT,
  EXPORT_FORMATS,
  type ExportFormat,
  FILE_EXTENSIONS,
  neutralizeFormula,
  serialize,
} from '../../shared/domain/export-format';

interface Row {
  id: string;
  note: string | undefined;
  score: number;
  active: boolean;
}

const COLUMNS: readonly Column<Row>[] = [
  { header: 'id', value: (row) => row.id },
  { header: 'note', value: (row) => row.note },
  { header: 'score', value: (row) => row.score },
  { header: 'active', value: (row) => row.active },
];

const toJson = (row: Row): unknown => ({ ...row });

const aRow = (overrides: Partial<Row> = {}): Row => ({ id: 'r-1', note: 'hello', score: 7, active: true, ...overrides });

async function* streamOf<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function chunksOf(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function textOf(chunks: AsyncIterable<string>): Promise<string> {
  return (await chunksOf(chunks)).join('');
}

const csvOf = (rows: readonly Row[]): Promise<string> => textOf(serialize('csv', COLUMNS, streamOf(rows), toJson));

/** csv-parse with its defaults: arrays of strings, header row included. */
const parseCsv = (text: string): string[][] => parse(text) as string[][];

describe('format metadata', () => {
  it('has a content type and an extension for every format', () => {
    // Assess
    expect(CONTENT_TYPES).toEqual({
      csv: 'text/csv; charset=utf-8',
      json: 'application/json; charset=utf-8',
      ndjson: 'application/x-ndjson',
    });
    expect(FILE_EXTENSIONS).toEqual({ csv: 'csv', json: 'json', ndjson: 'ndjson' });
    expect([...EXPORT_FORMATS].sort()).toEqual(Object.keys(CONTENT_TYPES).sort());
  });
});

describe('serialize csv', () => {
  it('writes the header row alone for zero rows', async () => {
    // Act
    const text = await csvOf([]);

    // Assess
    expect(text).toBe('id,note,score,active\r\n');
  });

  it('writes one row after the header, every record ending in CRLF', async () => {
    // Act
    const text = await csvOf([aRow()]);

    // Assess
    expect(text).toBe('id,note,score,active\r\nr-1,hello,7,true\r\n');
  });

  it('writes many rows that parse back in order', async () => {
    // Prepare
    const rows = Array.from({ length: 1000 }, (_, i) => aRow({ id: `r-${i}`, note: `note ${i}, with comma`, score: i, active: i % 3 === 0 }));

    // Act
    const text = await csvOf(rows);

    // Assess
    expect(parseCsv(text)).toEqual([['id', 'note', 'score', 'active'], ...rows.map((row) => [row.id, row.note, String(row.score), String(row.active)])]);
  });

  it.each([
    ['a comma', 'a,b', '"a,b"'],
    ['a double quote, doubled', 'say "hi"', '"say ""hi"""'],
    ['a lone quote', '"', '""""'],
    ['a CR', 'line\rbreak', '"line\rbreak"'],
    ['an LF', 'line\nbreak', '"line\nbreak"'],
    ['a CRLF', 'line\r\nbreak', '"line\r\nbreak"'],
    ['a trailing CR', 'ends\r', '"ends\r"'],
    ['leading and trailing spaces, unquoted', '  padded  ', '  padded  '],
    ['accents, unquoted', 'Crème brûlée à Zürich', 'Crème brûlée à Zürich'],
    ['emoji, unquoted', 'ship it 🚀👩‍💻', 'ship it 🚀👩‍💻'],
    ['a tab, unquoted', 'a\tb', 'a\tb'],
    ['a formula in the middle, not prefixed', 'x =HYPERLINK("x")', '"x =HYPERLINK(""x"")"'],
    ['a minus in the middle, not prefixed', '1-2', '1-2'],
  ])('writes a field holding %s as RFC 4180 and reads it back unchanged', async (_name, note, field) => {
    // Act
    const text = await csvOf([aRow({ note })]);

    // Assess
    expect(text).toBe(`id,note,score,active\r\nr-1,${field},7,true\r\n`);
    expect(parseCsv(text)[1]).toEqual(['r-1', note, '7', 'true']);
  });

  it('writes undefined and the empty string alike, as an empty field that reads back as the empty string', async () => {
    // Act
    const text = await csvOf([aRow({ id: 'a', note: undefined }), aRow({ id: 'b', note: '' })]);

    // Assess
    expect(text).toBe('id,note,score,active\r\na,,7,true\r\nb,,7,true\r\n');
    expect(parseCsv(text).map((record) => record[1])).toEqual(['note', '', '']);
  });

  it('writes numbers with String(n) and booleans as true/false', async () => {
    // Prepare
    const rows = [0, -1.5, 1e21, 0.1 + 0.2].map((score, i) => aRow({ id: `r-${i}`, score, active: i % 2 === 0 }));

    // Act
    const records = parseCsv(await csvOf(rows)).slice(1);

    // Assess
    expect(records.map((record) => [record[2], record[3]])).toEqual([
      ['0', 'true'],
      ['-1.5', 'false'],
      ['1e+21', 'true'],
      ['0.30000000000000004', 'false'],
    ]);
    expect(records.map((record) => Number(record[2]))).toEqual([0, -1.5, 1e21, 0.1 + 0.2]);
  });

  it('quotes headers like any field', async () => {
    // Prepare
    const columns: Column<Row>[] = [{ header: 'score, out of "100"', value: (row) => row.score }];

    // Act
    const text = await textOf(serialize('csv', columns, streamOf([aRow()]), toJson));

    // Assess
    expect(text).toBe('"score, out of ""100"""\r\n7\r\n');
  });

  it('quotes an empty field when there is a single column, so no record is a blank line', async () => {
    // Prepare
    const columns: Column<Row>[] = [{ header: 'note', value: (row) => row.note }];

    // Act
    const text = await textOf(serialize('csv', columns, streamOf([aRow({ note: undefined }), aRow({ note: '' }), aRow({ note: 'x' })]), toJson));

    // Assess
    expect(text).toBe('note\r\n""\r\n""\r\nx\r\n');
    expect(parse(text, { skip_empty_lines: true })).toEqual([['note'], [''], [''], ['x']]);
  });

  it('reads back as objects keyed by header with csv-parse columns: true', async () => {
    // Prepare
    const rows = [aRow({ note: 'a, "b"\r\nc' }), aRow({ id: 'r-2', note: undefined, active: false })];

    // Act
    const records: unknown = parse(await csvOf(rows), { columns: true });

    // Assess
    expect(records).toEqual([
      { id: 'r-1', note: 'a, "b"\r\nc', score: '7', active: 'true' },
      { id: 'r-2', note: '', score: '7', active: 'false' },
    ]);
  });
});

describe('serialize json', () => {
  it('writes [] for zero rows', async () => {
    // Act
    const text = await textOf(serialize('json', COLUMNS, streamOf([]), toJson));

    // Assess
    expect(text).toBe('[]');
    expect(JSON.parse(text)).toEqual([]);
  });

  it('writes one row as a one-element array', async () => {
    // Act
    const text = await textOf(serialize('json', COLUMNS, streamOf([aRow()]), toJson));

    // Assess
    expect(text).toBe('[{"id":"r-1","note":"hello","score":7,"active":true}]');
  });

  it('writes many rows as one array that parses back equal', async () => {
    // Prepare
    const rows = Array.from({ length: 5000 }, (_, i) => aRow({ id: `r-${i}`, note: `"quoted"\n🚀 ${i}`, score: i / 7 }));

    // Act
    const chunks = await chunksOf(serialize('json', COLUMNS, streamOf(rows), toJson));

    // Assess
    expect(chunks.length).toBeGreaterThan(1);
    expect(JSON.parse(chunks.join(''))).toEqual(rows.map(toJson));
  });

  it('uses toJson, not the columns, and writes null where toJson gives undefined', async () => {
    // Act
    const text = await textOf(
      serialize('json', COLUMNS, streamOf([aRow({ id: 'keep' }), aRow({ id: 'drop' })]), (row) => (row.id === 'keep' ? { id: row.id } : undefined)),
    );

    // Assess
    expect(text).toBe('[{"id":"keep"},null]');
  });
});

describe('serialize ndjson', () => {
  it('writes nothing for zero rows', async () => {
    // Act
    const chunks = await chunksOf(serialize('ndjson', COLUMNS, streamOf([]), toJson));

    // Assess
    expect(chunks.join('')).toBe('');
  });

  it('writes one row as one line ending in LF', async () => {
    // Act
    const text = await textOf(serialize('ndjson', COLUMNS, streamOf([aRow()]), toJson));

    // Assess
    expect(text).toBe('{"id":"r-1","note":"hello","score":7,"active":true}\n');
  });

  it('writes many rows, one JSON value per line, that parse back equal', async () => {
    // Prepare
    const rows = Array.from({ length: 5000 }, (_, i) => aRow({ id: `r-${i}`, note: `line\nbreak\u2028${i}`, active: i % 2 === 0 }));

    // Act
    const text = await textOf(serialize('ndjson', COLUMNS, streamOf(rows), toJson));

    // Assess
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(rows.length);
    expect(lines.map((line) => JSON.parse(line))).toEqual(rows.map(toJson));
  });
});

describe('serialize: chunking and laziness', () => {
  /** Rows whose serialized form holds exactly one '~' in every format, so a chunk tells how many rows it carries. */
  const markedRow = (i: number): Row => aRow({ id: `~${i}`, note: 'lorem ipsum, dolor sit amet', score: i, active: i % 2 === 0 });
  const rowsIn = (chunk: string): number => chunk.split('~').length - 1;

  it('flushes after every row with flushAt 1', async () => {
    // Act
    const chunks = await chunksOf(serialize('ndjson', COLUMNS, streamOf([1, 2, 3].map(markedRow)), toJson, { flushAt: 1 }));

    // Assess
    expect(chunks.map(rowsIn)).toEqual([1, 1, 1]);
  });

  it('batches rows into chunks of about DEFAULT_FLUSH_AT characters', async () => {
    // Act
    const chunks = await chunksOf(serialize('csv', COLUMNS, streamOf(Array.from({ length: 20_000 }, (_, i) => markedRow(i))), toJson));

    // Assess
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(DEFAULT_FLUSH_AT);
      expect(chunk.length).toBeLessThan(DEFAULT_FLUSH_AT + 200);
    }
  });

  it.each(EXPORT_FORMATS.map((format) => [format]))(
    '%s: 200,000 generated rows are pulled lazily, never more than one row ahead of the consumer',
    async (format: ExportFormat) => {
      // Prepare
      const total = 200_000;
      let produced = 0;
      async function* generate(): AsyncGenerator<Row> {
        for (let i = 0; i < total; i++) {
          produced++;
          yield markedRow(i);
        }
      }

      // Act: consume and discard, recording how far the producer ran ahead at each chunk.
      let received = 0;
      let chunkCount = 0;
      let maxLead = 0;
      let maxChunk = 0;
      for await (const chunk of serialize(format, COLUMNS, generate(), toJson)) {
        received += rowsIn(chunk);
        chunkCount++;
        maxLead = Math.max(maxLead, produced - received);
        maxChunk = Math.max(maxChunk, chunk.length);
      }

      // Assess
      expect(received).toBe(total);
      expect(produced).toBe(total);
      expect(maxLead).toBeLessThanOrEqual(1);
      expect(chunkCount).toBeGreaterThan(100);
      expect(maxChunk).toBeLessThan(DEFAULT_FLUSH_AT + 200);
    },
  );

  it('stops pulling and closes the rows when the consumer stops early', async () => {
    // Prepare
    let produced = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<Row> {
      try {
        for (let i = 0; ; i++) {
          produced++;
          yield markedRow(i);
        }
      } finally {
        closed = true;
      }
    }

    // Act
    let first = '';
    for await (const chunk of serialize('csv', COLUMNS, endless(), toJson)) {
      first = chunk;
      break;
    }

    // Assess
    expect(closed).toBe(true);
    expect(produced).toBe(rowsIn(first));
  });

  it('passes an error from the rows on to the consumer', async () => {
    // Prepare
    async function* failing(): AsyncGenerator<Row> {
      yield aRow();
      throw new Error('scan failed');
    }

    // Act
    const consuming = chunksOf(serialize('json', COLUMNS, failing(), toJson));

    // Assess
    await expect(consuming).rejects.toThrow('scan failed');
  });
});

describe('serialize: round-trip properties', () => {
  /** Any code point, plus a biased alphabet so commas, quotes and line breaks are frequent. */
  const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', ' ', 'a', 'é', '🚀', '=', '\u2028') }));

  it('csv parses back to the same cells, undefined reading back as the empty string', async () => {
    const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
      fc.record({
        headers: fc.array(anyText, { minLength: width, maxLength: width }),
        rows: fc.array(fc.array(fc.option(anyText, { nil: undefined }), { minLength: width, maxLength: width }), { maxLength: 20 }),
        flushAt: fc.integer({ min: 1, max: 300 }),
      }),
    );

    await fc.assert(
      fc.asyncProperty(table, async ({ headers, rows, flushAt }) => {
        // Prepare
        const columns: Column<readonly (string | undefined)[]>[] = headers.map((header, i) => ({ header, value: (row) => row[i] }));

        // Act
        const text = await textOf(serialize('csv', columns, streamOf(rows), (row) => row, { flushAt }));

        // Assess
        // Text that starts like a formula reads back with its `'` (see the formula injection tests).
        expect(parseCsv(text)).toEqual([headers.map(neutralizeFormula), ...rows.map((row) => row.map((cell) => neutralizeFormula(cell ?? '')))]);
      }),
      { numRuns: 300 },
    );
  });

  it.each([['json'], ['ndjson']] as const)('%s parses back to the same records', async (format) => {
    const records = fc.array(fc.dictionary(anyText, anyText, { noNullPrototype: true }), { maxLength: 20 });

    await fc.assert(
      fc.asyncProperty(records, fc.integer({ min: 1, max: 300 }), async (rows, flushAt) => {
        // Act
        const text = await textOf(serialize(format, [], streamOf(rows), (row) => row, { flushAt }));

        // Assess
        const parsed: unknown =
          format === 'json'
            ? JSON.parse(text)
            : text
                .split('\n')
                .slice(0, -1)
                .map((line) => JSON.parse(line));
        expect(parsed).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});

describe('csv: formula injection (OWASP CSV injection)', () => {
  it.each([
    ['=', '=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+', "+cmd|' /C calc'!A0", `'+cmd|' /C calc'!A0`],
    ['-', '-2+3', `'-2+3`],
    ['@', '@SUM(1)', `'@SUM(1)`],
    ['a tab', '\t=1', `'\t=1`],
    ['a carriage return', '\r=1', `"'\r=1"`],
  ])('a text cell starting with %s is prefixed with a single quote, inside the quoting', async (_start, note, field) => {
    // Act
    const text = await csvOf([aRow({ note })]);

    // Assess
    expect(text).toBe(`id,note,score,active\r\nr-1,${field},7,true\r\n`);
    expect(parseCsv(text)[1]).toEqual(['r-1', `'${note}`, '7', 'true']);
  });

  it('a negative number cell stays a number; the same text as a string is prefixed', async () => {
    // Act
    const text = await csvOf([aRow({ score: -5, note: '-5' })]);

    // Assess
    expect(parseCsv(text)[1]).toEqual(['r-1', "'-5", '-5', 'true']);
  });

  it('a dangerous character that does not start the cell is left alone', async () => {
    // Act
    const text = await csvOf([aRow({ note: 'a=b, c+d -e @f' })]);

    // Assess
    expect(parseCsv(text)[1]).toEqual(['r-1', 'a=b, c+d -e @f', '7', 'true']);
  });

  it('json and ndjson keep the raw text', async () => {
    // Act
    const json = await textOf(serialize('json', COLUMNS, streamOf([aRow({ note: '=1+1' })]), toJson));

    // Assess
    expect(JSON.parse(json)).toEqual([aRow({ note: '=1+1' })]);
  });
});
