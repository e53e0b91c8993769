import type { SessionClient } from './api';
import type { ConsoleRole } from './permissions';

/** What every page acts with: the API client and who is signed in. */
export interface Ctx {
  readonly client: SessionClient;
  readonly role: ConsoleRole;
  readonly sub: string;
}
