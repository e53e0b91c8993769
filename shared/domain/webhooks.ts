import type { FieldIssue } from './errors';
import type { SessionEventType } from './model';

/** A coordinator's subscription: where integration events of the chosen types are posted. */
export interface WebhookSubscription {
  readonly id: string;
  readonly url: string;
  /** The event types it receives; empty means every type. */
  readonly eventTypes: readonly SessionEventType[];
  readonly description?: string;
  /** A paused subscription receives nothing; the events it missed are not sent later. */
  readonly paused: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

/** A webhook host resolved to an address deliveries may not reach: retrying cannot help, so the delivery is dead-lettered. */
export class WebhookRefusedError extends Error {
  override readonly name = 'WebhookRefusedError';
}

/** Signs its deliveries. A secret: shown once, when the subscription is created, and never logged. */
export type WebhookSecret = string;

/** What became of one event for one subscription. `failing` is still being retried; `delivered` and `dead` are final. */
export type WebhookDeliveryStatus = 'failing' | 'delivered' | 'dead';

/** One event's delivery to one subscription (keyed by both, so a replayed event is never sent twice). */
export interface WebhookDelivery {
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: SessionEventType;
  readonly sessionId: string;
  readonly sequence: number;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  /** The receiver's HTTP status of the last attempt, when it answered. */
  readonly lastStatusCode?: number;
  readonly lastError?: string;
  readonly updatedAt: string;
}

/** Whether a subscription takes events of this type. */
export const wantsEvent = (subscription: WebhookSubscription, type: SessionEventType): boolean =>
  !subscription.paused && (subscription.eventTypes.length === 0 || subscription.eventTypes.includes(type));

/** Where webhook URLs may point: `strict` in AWS (https, public addresses only); `local` also allows plain http to this machine. */
export type WebhookUrlPolicy = 'strict' | 'local';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The problems of a webhook URL by its text alone (the addresses its host
 * resolves to are checked apart, at registration and at every delivery).
 */
export function webhookUrlIssues(raw: string, policy: WebhookUrlPolicy): FieldIssue[] {
  const issue = (message: string): FieldIssue[] => [{ path: 'url', message }];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return issue('must be an absolute URL');
  }
  if (url.username !== '' || url.password !== '') return issue('must not carry credentials');
  if (url.hash !== '') return issue('must not have a fragment');
  const local = LOCAL_HOSTS.has(url.hostname);
  if (url.protocol === 'https:') return [];
  if (url.protocol === 'http:' && policy === 'local' && local) return [];
  return issue(policy === 'local' ? 'must use https (plain http only to localhost or 127.0.0.1)' : 'must use https');
}

/** A URL's host as a resolver takes it (IPv6 literals without brackets). */
export const hostOf = (url: string): string => new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');

/** Whether the host is this machine by name (the `local` policy lets these through). */
export const isLocalHost = (host: string): boolean => LOCAL_HOSTS.has(host) || LOCAL_HOSTS.has(`[${host}]`);

/**
 * Why a webhook may not be sent to this IP address (server-side request
 * forgery: the service's network, the instance metadata endpoint, ...), or
 * undefined for a public address. Covers IPv4 special ranges, and IPv6
 * loopback, unspecified, unique-local, link-local, multicast, documentation
 * and IPv4-mapped/translated forms (judged by the IPv4 inside).
 */
export function forbiddenAddress(ip: string): string | undefined {
  const v4 = parseIpv4(ip);
  if (v4 !== undefined) return forbiddenIpv4(v4);
  const v6 = parseIpv6(ip);
  if (v6 === undefined) return 'not an IP address';
  return forbiddenIpv6(v6);
}

const IPV4_RANGES: readonly [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (instance metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function forbiddenIpv4(address: number): string | undefined {
  for (const [base, bits, why] of IPV4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((address & mask) >>> 0 === (parseIpv4(base)! & mask) >>> 0) return why;
  }
  return undefined;
}

function forbiddenIpv6(words: readonly number[]): string | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const v4 = ((w6 << 16) | w7) >>> 0;
  if (words.slice(0, 7).every((w) => w === 0) && (w7 === 0 || w7 === 1)) return w7 === 1 ? 'loopback' : 'unspecified';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): the IPv4 inside decides.
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0 && (w5 === 0xffff || w5 === 0)) return forbiddenIpv4(v4);
  if (w0 === 0x64 && w1 === 0xff9b) return forbiddenIpv4(v4);
  if ((w0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((w0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((w0 & 0xffc0) === 0xfec0) return 'site-local';
  if ((w0 & 0xff00) === 0xff00) return 'multicast';
  if (w0 === 0x2001 && w1 === 0x0db8) return 'documentation';
  if (w0 === 0x2002) return forbiddenIpv4(((w1 << 16) | w2) >>> 0);
  return undefined;
}

function parseIpv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

function parseIpv6(raw: string): number[] | undefined {
  let ip = raw.replace(/%.*$/, '');
  // A trailing dotted IPv4 (::ffff:10.0.0.1) is two words.
  const tail = ip.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (tail !== null) {
    const v4 = parseIpv4(tail[1]!);
    if (v4 === undefined) return undefined;
    ip = `${ip.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  if (!/^[0-9a-fA-F:]+$/.test(ip)) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string) => (part === '' ? [] : part.split(':').map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? Number.parseInt(w, 16) : Number.NaN)));
  const left = words(halves[0]!);
  const right = halves.length === 2 ? words(halves[1]!) : [];
  if (halves.length === 2 && left.length + right.length > 7) return undefined;
  const all = halves.length === 2 ? [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right] : left;
  return all.length === 8 && all.every((w) => Number.isInteger(w)) ? all : undefined;
}
