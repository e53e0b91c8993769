import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, WebhookRefusedError, type WebhookUrlPolicy, webhookUrlIssues } from '../../domain/webhooks';
import type { WebhookResponse, WebhookSender, WebhookUrlCheck } from '../../ports/webhooks';
import { hostRefusal, type Resolve, systemResolve } from './guarded-lookup';

export interface HttpWebhookOptions {
  readonly policy: WebhookUrlPolicy;
  /** Per attempt, connect to answer (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly resolve?: Resolve;
}

/**
 * Posts deliveries with Node's own HTTP client. The host is resolved by the
 * connection's own lookup, which refuses any forbidden address: the address
 * checked is the address connected to, so a DNS answer that changed since
 * registration (rebinding) cannot point a delivery inside. Redirects are not
 * followed (a 3xx is a failed attempt). The answer's body is not read beyond a
 * drain.
 */
export class HttpWebhookSender implements WebhookSender, WebhookUrlCheck {
  private readonly resolve: Resolve;

  constructor(private readonly options: HttpWebhookOptions) {
    this.resolve = options.resolve ?? systemResolve;
  }

  async refusal(url: string): Promise<string | undefined> {
    const issue = webhookUrlIssues(url, this.options.policy)[0];
    if (issue !== undefined) return issue.message;
    try {
      return (await hostRefusal(hostOf(url), this.options.policy, this.resolve)).refusal;
    } catch (error) {
      return `${hostOf(url)} does not resolve (${(error as { code?: string }).code ?? 'lookup failed'})`;
    }
  }

  async post(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<WebhookResponse> {
    const issue = webhookUrlIssues(url, this.options.policy)[0];
    if (issue !== undefined) throw new WebhookRefusedError(`The webhook URL ${issue.message}.`);
    // An IP literal never reaches the connection's lookup: it is checked here.
    if (isIP(hostOf(url)) !== 0) {
      const { refusal } = await hostRefusal(hostOf(url), this.options.policy, this.resolve);
      if (refusal !== undefined) throw new WebhookRefusedError(refusal);
    }
    return this.send(new URL(url), body, headers);
  }

  private send(target: URL, body: string, headers: Readonly<Record<string, string>>): Promise<WebhookResponse> {
    // Node's CommonJS modules, not an ESM import: Node 22 builds an ESM import of node:http by reading every
    // export, and its WebSocket getter loads undici and ~60 more internal modules (~20 ms of a cold start).
    const { request } = target.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    return new Promise<WebhookResponse>((resolve, reject) => {
      const outgoing = request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'mentorship-sessions-webhooks/1' },
          lookup: this.guardedLookup(),
          timeout: this.options.timeoutMs ?? 5000,
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ statusCode: response.statusCode ?? 0 }));
          response.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${this.options.timeoutMs ?? 5000} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** A `lookup` for the connection that resolves, checks every address, and hands over only checked ones. */
  private guardedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      const host = hostname.replace(/^\[(.*)\]$/, '$1');
      hostRefusal(host, this.options.policy, this.resolve).then(
        ({ refusal, addresses }) => {
          if (refusal !== undefined) return callback(new WebhookRefusedError(refusal), '', 4);
          const chosen: LookupAddress[] = addresses;
          if ((options as { all?: boolean }).all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, chosen);
          return callback(null, chosen[0]!.address, chosen[0]!.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 4),
      );
    };
  }
}
