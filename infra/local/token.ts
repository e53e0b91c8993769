/**
 * `npm run token -- --role coordinator --sub alice` prints a JWT the local
 * server accepts (same DATA_DIR). `--role` may repeat or take a comma list;
 * `--ttl` is the lifetime in seconds.
 */
import { parseArgs } from 'node:util';
import { ROLES } from '../../shared/domain/session';
import { localJwt } from './jwt';
import { loadLocalSettings } from './settings';

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['coordinator'] },
      sub: { type: 'string', default: 'local-coordinator' },
      ttl: { type: 'string', default: String(12 * 3600) },
    },
    strict: true,
  });
  const roles = values.role.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new Error(`Unknown role(s): ${unknown.join(', ')}. Roles: ${ROLES.join(', ')}.`);
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error('--ttl must be a positive number of seconds.');
  if (!/^[\w.@-]{1,128}$/.test(values.sub)) throw new Error('--sub must be 1-128 characters of A-Za-z0-9_.@-');
  const jwt = await localJwt(loadLocalSettings().dataDir);
  process.stdout.write(`${await jwt.sign({ sub: values.sub, roles, ttlSeconds })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
