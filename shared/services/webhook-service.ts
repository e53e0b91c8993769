import { randomUUID } from 'node:crypto';
import type { Caller } from '../domain/access';
import { ForbiddenError, NotFoundError, ValidationError } from '../domain/errors';
import type { SessionEventType } from '../domain/model';
import { type WebhookSubscription, type WebhookUrlPolicy, webhookUrlIssues } from '../domain/webhooks';
import type { Clock } from '../ports/clock';
import type { WebhookDeliveries, WebhookDeliveryPage, WebhookDeliveryStatus, WebhookSubscriptions, WebhookUrlCheck } from '../ports/webhooks';
import { newWebhookSecret } from './webhook-signature';

export interface WebhookServiceOptions {
  readonly subscriptions: WebhookSubscriptions;
  readonly deliveries: WebhookDeliveries;
  readonly urlCheck: WebhookUrlCheck;
  readonly policy: WebhookUrlPolicy;
  readonly clock: Clock;
  /** Subscriptions at most (each one is read and posted to for every event). */
  readonly maxSubscriptions?: number;
  readonly newId?: () => string;
}

export interface RegisterWebhookInput {
  readonly url: string;
  readonly eventTypes: readonly SessionEventType[];
  readonly description?: string;
}

/** Coordinators manage webhook subscriptions; nobody else sees them. */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceOptions) {}

  /** A new subscription, and its signing secret: the only time the secret is shown. */
  async register(input: RegisterWebhookInput, caller: Caller): Promise<{ subscription: WebhookSubscription; secret: string }> {
    this.authorize(caller);
    const issues = webhookUrlIssues(input.url, this.deps.policy);
    if (issues.length > 0)
      throw new ValidationError(
        `The webhook URL is refused: ${issues[0]!.message}.`,
        issues.map((issue) => ({ ...issue, path: `body.${issue.path}` })),
      );
    // The host's addresses now; every delivery checks them again (the DNS answer may change).
    const refusal = await this.deps.urlCheck.refusal(input.url);
    if (refusal !== undefined) throw new ValidationError(`The webhook URL is refused: ${refusal}.`, [{ path: 'body.url', message: refusal }]);
    const max = this.deps.maxSubscriptions ?? 25;
    if ((await this.deps.subscriptions.list()).length >= max) {
      throw new ValidationError(`At most ${max} webhook subscriptions; delete one first.`, [{ path: 'body.url', message: `at most ${max} subscriptions` }]);
    }
    const now = this.deps.clock.now().toISOString();
    const subscription: WebhookSubscription = {
      id: (this.deps.newId ?? randomUUID)(),
      url: input.url,
      eventTypes: [...new Set(input.eventTypes)],
      ...(input.description !== undefined && { description: input.description }),
      paused: false,
      createdAt: now,
      createdBy: caller.id,
      updatedAt: now,
    };
    const secret = newWebhookSecret();
    await this.deps.subscriptions.create(subscription, secret);
    return { subscription, secret };
  }

  async list(caller: Caller): Promise<WebhookSubscription[]> {
    this.authorize(caller);
    return this.deps.subscriptions.list();
  }

  async get(id: string, caller: Caller): Promise<WebhookSubscription> {
    this.authorize(caller);
    return this.found(id, await this.deps.subscriptions.get(id));
  }

  /** Pauses or unpauses; repeating it changes nothing. Events while paused are not sent later. */
  async setPaused(id: string, paused: boolean, caller: Caller): Promise<WebhookSubscription> {
    this.authorize(caller);
    return this.found(id, await this.deps.subscriptions.setPaused(id, paused, this.deps.clock.now().toISOString()));
  }

  async delete(id: string, caller: Caller): Promise<void> {
    this.authorize(caller);
    if (!(await this.deps.subscriptions.delete(id))) throw new NotFoundError(`Webhook ${id} not found.`);
  }

  /** A subscription's deliveries with their status, by session then sequence. */
  async deliveries(id: string, query: { limit: number; status?: WebhookDeliveryStatus; cursor?: string }, caller: Caller): Promise<WebhookDeliveryPage> {
    await this.get(id, caller);
    return this.deps.deliveries.list(id, query);
  }

  private authorize(caller: Caller): void {
    if (!caller.roles.includes('coordinator')) throw new ForbiddenError('Only coordinators manage webhooks.');
  }

  private found(id: string, subscription: WebhookSubscription | undefined): WebhookSubscription {
    if (subscription === undefined) throw new NotFoundError(`Webhook ${id} not found.`);
    return subscription;
  }
}
