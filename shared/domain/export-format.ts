/** The formats an export can be written in. */
export type ExportFormat = 'json' | 'ndjson' | 'csv';

/** Every {@link ExportFormat}, for validation at the edges (zod enums, CLI flags). */
export const EXPORT_FORMATS = ['json', 'ndjson', 'csv'] as const satisfies readonly ExportFormat[];

/** The `Content-Type` to store or serve each format with. */
export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

/** The file extension of each format, without the leading dot: `${jobId}.${FILE_EXTENSIONS[format]}`. */
export const FILE_EXTENSIONS: Record<ExportFormat, string> = {
  csv: 'csv',
  json: 'json',
  ndjson: 'ndjson',
};

/** One CSV column: its header and how to read its cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | undefined;
}

/**
 * Output is handed to the consumer once this many characters (UTF-16 code
 * units, so 64-192 KB of UTF-8) have been buffered: big enough that a sink
 * sees few, large writes, small enough that memory stays flat.
 */
export const DEFAULT_FLUSH_AT = 64 * 1024;

/** Tuning for {@link serialize}. */
export interface SerializeOptions {
  /** Flush once the buffer holds at least this many characters; `1` flushes after every row. Default {@link DEFAULT_FLUSH_AT}. */
  flushAt?: number;
}

/** How one format frames its rows: text before the first row, each row, text after the last. */
interface Framing<T> {
  head: string;
  row(row: T, first: boolean): string;
  tail: string;
}

/**
 * Serializes `rows` as text chunks in `format`, pulling one row at a time.
 *
 * Memory stays constant: rows are encoded as they arrive and the buffer is
 * yielded once it reaches `flushAt` characters, right after the row that filled
 * it, so the producer is never more than one row ahead of what the consumer has
 * received. The consumer drives the pace (an async generator runs only when
 * pulled), and stopping early (`break`, `return()`) closes `rows` too.
 *
 * - `csv`: RFC 4180 (see {@link csvField}). A header row always (also for zero rows),
 *   `\r\n` after every record, fields holding a comma, a double quote, CR or LF
 *   are quoted with quotes doubled; `undefined` is an empty field, booleans are
 *   `true`/`false`, numbers use `String(n)`. An empty field reads back as `''`:
 *   CSV cannot tell `''` from `undefined`. With a single column an empty field
 *   is written `""`, so a record is never a blank line (readers skip those).
 *   No byte order mark.
 * - `json`: one array, `[row,row]`; `[]` for zero rows.
 * - `ndjson`: one JSON value per line, each ending in `\n`; nothing for zero rows.
 *
 * For `json` and `ndjson` each row is `JSON.stringify(toJson(row))`; a row whose
 * JSON is `undefined` is written `null`, as `JSON.stringify` does inside arrays.
 *
 * Formula injection (OWASP "CSV Injection"): a text cell starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return is written with a single quote `'`
 * in front (inside the CSV quoting), so a spreadsheet shows it as text rather
 * than running it as a formula; see {@link neutralizeFormula}. A number cell is
 * never prefixed (`-5` stays the number -5): only text can smuggle a formula,
 * and every number the service writes comes from a number field. The prefix is
 * part of the cell: a CSV reader gets `'=1+1` back for the text `=1+1`. JSON and
 * NDJSON keep the raw text.
 */
export async function* serialize<T>(
  format: ExportFormat,
  columns: readonly Column<T>[],
  rows: AsyncIterable<T>,
  toJson: (row: T) => unknown,
  options: SerializeOptions = {},
): AsyncGenerator<string, void, undefined> {
  const flushAt = options.flushAt ?? DEFAULT_FLUSH_AT;
  const framing = framingOf(format, columns, toJson);
  let buffer = framing.head;
  let first = true;
  for await (const row of rows) {
    buffer += framing.row(row, first);
    first = false;
    if (buffer.length >= flushAt) {
      yield buffer;
      buffer = '';
    }
  }
  buffer += framing.tail;
  if (buffer.length > 0) yield buffer;
}

function framingOf<T>(format: ExportFormat, columns: readonly Column<T>[], toJson: (row: T) => unknown): Framing<T> {
  switch (format) {
    case 'csv':
      return csvFraming(columns);
    case 'json':
      return { head: '[', row: (row, first) => (first ? '' : ',') + jsonOf(toJson(row)), tail: ']' };
    case 'ndjson':
      return { head: '', row: (row) => `${jsonOf(toJson(row))}\n`, tail: '' };
    default:
      throw new RangeError(`Unknown export format: ${String(format satisfies never)}`);
  }
}

function csvFraming<T>(columns: readonly Column<T>[]): Framing<T> {
  const quoteEmpty = columns.length === 1;
  const record = (fields: readonly (string | number | boolean | undefined)[]): string => `${fields.map((field) => csvField(field, quoteEmpty)).join(',')}\r\n`;
  return {
    head: record(columns.map((column) => column.header)),
    row: (row) => record(columns.map((column) => column.value(row))),
    tail: '',
  };
}

/** What a spreadsheet reads as the start of a formula (or, tab and CR, as a way to hide one). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text that a spreadsheet would evaluate, prefixed with `'` (OWASP's rule); other text unchanged.
 * Applied to text cells only: a number cell such as -5 stays a number.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * One RFC 4180 field (text cells neutralised first, see {@link neutralizeFormula}): quoted (quotes doubled) when it holds a comma, a double
 * quote, CR or LF; `undefined` is empty, written `""` when `quoteEmpty`.
 * Written here rather than with csv-stringify: these few lines are all the
 * export needs, and every Lambda bundle would carry its 11 KB.
 */
export function csvField(value: string | number | boolean | undefined, quoteEmpty = false): string {
  const text = value === undefined ? '' : typeof value === 'string' ? neutralizeFormula(value) : String(value);
  if (text === '') return quoteEmpty ? '""' : '';
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function jsonOf(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
