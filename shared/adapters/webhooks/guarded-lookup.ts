import { type LookupAddress, lookup } from 'node:dns';
import { isIP } from 'node:net';
import { forbiddenAddress, isLocalHost, type WebhookUrlPolicy } from '../../domain/webhooks';

export type Resolve = (host: string) => Promise<LookupAddress[]>;

/** The system resolver (what a connection would use), every address. */
export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => lookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * Why the host may not be reached under the policy, or undefined: every
 * address it resolves to must be public (`local` also lets localhost and
 * 127.0.0.1 through by name, for a developer's receiver).
 */
export async function hostRefusal(host: string, policy: WebhookUrlPolicy, resolve: Resolve): Promise<{ refusal?: string; addresses: LookupAddress[] }> {
  if (policy === 'local' && isLocalHost(host)) {
    const family = isIP(host);
    return { addresses: family === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: host, family }] };
  }
  const addresses = isIP(host) === 0 ? await resolve(host) : [{ address: host, family: isIP(host) }];
  if (addresses.length === 0) return { refusal: `${host} resolves to no address`, addresses };
  for (const { address } of addresses) {
    const why = forbiddenAddress(address);
    if (why !== undefined) return { refusal: `${host} resolves to ${address}, a ${why} address`, addresses };
  }
  return { addresses };
}
