/**
 * `npm run token -- --role coordinator --sub alice` prints a JWT the local
 * server accepts. It signs with the key kept in DATA_DIR, so give it the
 * DATA_DIR the server runs with. `--role` may repeat or take a comma list;
 * `--ttl` is the lifetime in seconds. `--help` prints the usage.
 */
import { parseArgs } from 'node:util';
import { ROLES } from '../../shared/domain/session';
import { localJwt } from './jwt';
import { loadLocalSettings } from './settings';

const DEFAULT_TTL_SECONDS = 12 * 3600;

export const USAGE = `Usage: npm run token -- [--role <role>]... [--sub <user id>] [--ttl <seconds>]

Prints a JWT (a bearer token) that the local server (npm start) accepts.

Options:
  --role <role>    ${ROLES.join(', ')}; repeat it or give a comma list
                   (default: coordinator)
  --sub <id>       the user id, the token's "sub" claim: 1-128 characters of
                   A-Za-z0-9_.@- (default: local-coordinator)
  --ttl <seconds>  how long the token lives (default: ${DEFAULT_TTL_SECONDS}, 12 hours)
  -h, --help       print this text and exit

Environment:
  DATA_DIR         where the signing key lives (default: ./.data). The token is
                   signed with the key stored there, so use the same DATA_DIR
                   as the server, e.g. DATA_DIR=/tmp/mss npm run -s token -- --role mentor
`;

/** A mistake on the command line: printed with a hint, exit code 2. */
class UsageError extends Error {}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        role: { type: 'string', multiple: true, default: ['coordinator'] },
        sub: { type: 'string', default: 'local-coordinator' },
        ttl: { type: 'string', default: String(DEFAULT_TTL_SECONDS) },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    // node:util's messages name the option but suggest positionals; ours points at --help.
    const code = (error as { code?: unknown }).code;
    const option = /'([^']+)'/.exec(error instanceof Error ? error.message : '')?.[1];
    const named = option === undefined ? '' : ` ${option}`;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`Unknown option${named}.`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`Unexpected argument${named}: every value follows an option.`);
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(args: string[]) {
  const values = parse(args);
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const roles = values.role
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new UsageError(`Unknown role(s): ${unknown.join(', ')}. Roles: ${ROLES.join(', ')}.`);
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new UsageError('--ttl must be a positive whole number of seconds.');
  if (!/^[\w.@-]{1,128}$/.test(values.sub)) throw new UsageError('--sub must be 1-128 characters of A-Za-z0-9_.@-');
  const jwt = await localJwt(loadLocalSettings().dataDir);
  process.stdout.write(`${await jwt.sign({ sub: values.sub, roles, ttlSeconds })}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(error instanceof UsageError ? `${message}\nRun npm run token -- --help for the usage.\n` : `${message}\n`);
  process.exit(2);
});
