import type { ConsoleConfig } from './config';
import { CONSOLE_ROLES, type ConsoleRole } from './permissions';

/** The signed-in user: the access token the API takes, and the role and user id the console shapes itself by. */
export interface SignedIn {
  readonly token: string;
  readonly role: ConsoleRole;
  readonly sub: string;
  readonly expiresAt: number;
}

const STORE_KEY = 'mentorship-console-session';

/** The claims of a JWT, read (not verified: the API verifies) to learn the role and the user id. */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(
    payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '='),
  );
  return JSON.parse(json) as Record<string, unknown>;
}

/** The strongest console role among the token's groups (a user in several groups acts with the widest view). */
export function fromToken(token: string): SignedIn | undefined {
  const claims = claimsOf(token);
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.replace(/^\[|\]$/g, '').split(/[ ,]+/) : [];
  const role = CONSOLE_ROLES.find((r) => groups.includes(r));
  if (role === undefined || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
  return { token, role, sub: claims.sub, expiresAt: claims.exp * 1000 };
}

export function storedSession(): SignedIn | undefined {
  const token = sessionStorage.getItem(STORE_KEY);
  if (token === null) return undefined;
  const signedIn = fromToken(token);
  return signedIn !== undefined && signedIn.expiresAt > Date.now() ? signedIn : undefined;
}

/** Local only: the local server mints a token for the chosen role and user id (never in a deployed stack). */
export async function localSignIn(config: Extract<ConsoleConfig, { auth: 'local' }>, role: ConsoleRole, sub: string): Promise<SignedIn> {
  const response = await fetch(config.signInPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, sub }),
  });
  const body = (await response.json()) as { token?: string; error?: { message?: string; details?: { issues?: { message: string }[] } } };
  if (!response.ok || body.token === undefined) {
    const detail = body.error?.details?.issues?.map((issue) => issue.message).join('; ');
    throw new Error(`${body.error?.message ?? `Sign-in failed (HTTP ${response.status}).`}${detail ? ` ${detail}` : ''}`);
  }
  const signedIn = fromToken(body.token);
  if (signedIn === undefined) throw new Error('The local server answered a token without a role.');
  sessionStorage.setItem(STORE_KEY, body.token);
  return signedIn;
}

/** Cognito's hosted UI with the authorization code grant and PKCE (oidc-client-ts, loaded only on AWS). */
async function userManager(config: Extract<ConsoleConfig, { auth: 'cognito' }>) {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  const home = `${window.location.origin}${window.location.pathname}`;
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: home,
    post_logout_redirect_uri: home,
    response_type: 'code',
    scope: 'openid email profile',
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

/** On AWS: finish a sign-in redirect if this page load is one; then the stored user, if any. */
export async function cognitoSession(config: Extract<ConsoleConfig, { auth: 'cognito' }>): Promise<SignedIn | undefined> {
  const manager = await userManager(config);
  const params = new URLSearchParams(window.location.search);
  if (params.has('code') && params.has('state')) {
    const user = await manager.signinRedirectCallback();
    window.history.replaceState(null, '', window.location.pathname);
    sessionStorage.setItem(STORE_KEY, user.access_token);
  }
  return storedSession();
}

export async function cognitoSignIn(config: Extract<ConsoleConfig, { auth: 'cognito' }>): Promise<void> {
  await (await userManager(config)).signinRedirect();
}

export function signOut(config: ConsoleConfig): void {
  sessionStorage.removeItem(STORE_KEY);
  if (config.auth === 'cognito') {
    const back = encodeURIComponent(`${window.location.origin}${window.location.pathname}`);
    window.location.assign(`${config.domain}/logout?client_id=${encodeURIComponent(config.clientId)}&logout_uri=${back}`);
  } else {
    window.location.hash = '';
    window.location.reload();
  }
}
