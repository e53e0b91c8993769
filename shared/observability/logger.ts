/** Structured logs, one JSON object a line. Never pass tokens, headers or bodies in `fields`. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * Correlation fields (request id, session id) on every line until
   * `resetKeys`: one invocation's. Optional: a logger without them (the local
   * one, test doubles) logs only the fields each call passes.
   */
  appendKeys?(keys: Record<string, string>): void;
  resetKeys?(): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  return { error: { name: error.name, message: error.message, stack: error.stack } };
}

/**
 * A JSON logger on stdout (local server, scripts, tests; Lambda uses
 * Powertools, see powertools.ts); LOG_LEVEL (debug, info, warn, error,
 * silent) sets the threshold. It keeps no correlation keys: one local process
 * serves requests concurrently, so per-request keys would land on other
 * requests' lines (the error lines name their request id themselves).
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const threshold = LEVELS[(level in LEVELS ? level : 'info') as Level];
  const write = (lvl: Exclude<Level, 'silent'>, message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[lvl] < threshold) return;
    const { error, ...rest } = fields;
    const line = { level: lvl.toUpperCase(), timestamp: new Date().toISOString(), service, message, ...rest, ...(error === undefined ? {} : describe(error)) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
