import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader, errors, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

/** The local stand-in for Cognito: tokens are signed and verified with a key kept in DATA_DIR. */
export const LOCAL_ISSUER = 'mentorship-local';
export const LOCAL_AUDIENCE = 'mentorship-api';
const ALG = 'ES256';
const KEY_FILE = 'jwt-signing-key.json';

interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

async function loadOrCreateKey(dataDir: string): Promise<StoredKey> {
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredKey;
  mkdirSync(dataDir, { recursive: true });
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const stored: StoredKey = {
    // Unique per DATA_DIR, so a token from another DATA_DIR's key is recognised as such.
    kid: `local-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
    privateJwk: await exportJWK(privateKey),
    publicJwk: await exportJWK(publicKey),
  };
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  chmodSync(file, 0o600);
  return stored;
}

export interface TokenClaims {
  readonly sub: string;
  readonly roles: readonly string[];
  /** Lifetime in seconds (default 12 h). */
  readonly ttlSeconds?: number;
}

/**
 * Why a token was refused: `unknown_key` when it is well signed by a key this
 * DATA_DIR does not hold (made by `npm run token` with another DATA_DIR);
 * `missing_exp` (it would never expire) and `missing_sub` (no caller);
 * `issued_in_future` (`iat` more than MAX_IAT_SKEW_SECONDS ahead);
 * `not_access_token` (`token_use` is not `access`: an ID token is no API
 * credential, as on AWS); `invalid` for everything else (expired, forged,
 * malformed, wrong issuer or audience), which says nothing more.
 */
export type TokenRejection = 'unknown_key' | 'missing_exp' | 'missing_sub' | 'issued_in_future' | 'not_access_token' | 'invalid';

export type TokenCheck = { readonly ok: true; readonly claims: JWTPayload } | { readonly ok: false; readonly reason: TokenRejection };

/** How far ahead of this clock a token's `iat` may be (clock skew between issuer and server). */
export const MAX_IAT_SKEW_SECONDS = 60;

/** The 401's message for each refusal: it names the rule broken, never a claim's value. */
export const REJECTION_MESSAGES: Readonly<Record<TokenRejection, string>> = {
  unknown_key: 'The token was signed by an unknown key.',
  missing_exp: 'The token has no "exp" claim; tokens must expire.',
  missing_sub: 'The token has no "sub" claim; tokens must name their subject.',
  issued_in_future: `The token's "iat" is in the future (more than ${MAX_IAT_SKEW_SECONDS} s ahead of the server's clock).`,
  not_access_token: 'Only access tokens (token_use: access) are accepted; an ID token is not an API credential.',
  invalid: 'A valid bearer token is required.',
};

const REQUIRED_CLAIMS = ['exp', 'sub'] as const;

/** How long a verified token is taken on trust before it is verified again (at most until it expires), and how many are kept. */
const VERIFIED_KEEP_MS = 60_000;
const VERIFIED_MAX = 1_000;

export interface LocalJwt {
  sign(claims: TokenClaims): Promise<string>;
  /** Signs exactly these claims with the local key, adding nothing (no `exp`, `iat`, `iss`, `aud` unless given): for testing the checks. */
  signPayload(payload: JWTPayload): Promise<string>;
  /** The verified claims, or undefined for a missing, expired or forged token. */
  verify(token: string): Promise<JWTPayload | undefined>;
  /** As `verify`, but says why a token was refused (the local server's 401 message). */
  check(token: string): Promise<TokenCheck>;
}

export async function localJwt(dataDir: string): Promise<LocalJwt> {
  const stored = await loadOrCreateKey(dataDir);
  const privateKey = await importJWK(stored.privateJwk, ALG);
  const publicKey = await importJWK(stored.publicJwk, ALG);
  /**
   * Tokens already verified, so a caller's every request does not pay for an ES256 verification again (~0.2 ms
   * of the local server's CPU; on AWS the API Gateway authorizer verifies, outside the Lambda): each kept until
   * it expires, VERIFIED_KEEP_MS at most, VERIFIED_MAX of them (the oldest dropped first). Refusals are never kept.
   */
  const verified = new Map<string, { readonly claims: JWTPayload; readonly until: number }>();

  return {
    sign: ({ sub, roles, ttlSeconds = 12 * 3600 }) =>
      new SignJWT({ 'cognito:groups': [...roles], token_use: 'access' })
        .setProtectedHeader({ alg: ALG, kid: stored.kid })
        .setSubject(sub)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(privateKey),
    signPayload: (payload) => new SignJWT(payload).setProtectedHeader({ alg: ALG, kid: stored.kid }).sign(privateKey),
    verify: async (token) => {
      const result = await check(token);
      return result.ok ? result.claims : undefined;
    },
    check,
  };

  async function check(token: string): Promise<TokenCheck> {
    const now = Date.now();
    const known = verified.get(token);
    if (known !== undefined && known.until > now) return { ok: true, claims: known.claims };
    verified.delete(token);
    const result = await verifyToken(token);
    if (result.ok) {
      if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      // Frozen: the next request with this token gets the same claims, whatever a handler did with them.
      for (const value of Object.values(result.claims)) if (Array.isArray(value)) Object.freeze(value);
      verified.set(token, { claims: Object.freeze(result.claims), until: Math.min(now + VERIFIED_KEEP_MS, Number(result.claims.exp) * 1000) });
    }
    return result;
  }

  async function verifyToken(token: string): Promise<TokenCheck> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: [ALG],
        requiredClaims: [...REQUIRED_CLAIMS],
      }));
    } catch (error) {
      if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing' && error.claim === 'exp') return refuse('missing_exp');
      if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing' && error.claim === 'sub') return refuse('missing_sub');
      // A bad signature under another key id is a token from another DATA_DIR's key;
      // under our own key id it is a forgery (edited claims), which stays a plain refusal.
      const kid = keyIdOf(token);
      const signedElsewhere = error instanceof errors.JWSSignatureVerificationFailed && kid !== undefined && kid !== stored.kid;
      return refuse(signedElsewhere ? 'unknown_key' : 'invalid');
    }
    // jose checks iat only against a maximum age; a token from the future would outlive its stated lifetime.
    if (typeof claims.iat === 'number' && claims.iat > Math.floor(Date.now() / 1000) + MAX_IAT_SKEW_SECONDS) {
      return refuse('issued_in_future');
    }
    if (claims.token_use !== 'access') return refuse('not_access_token');
    return { ok: true, claims };
  }
}

function refuse(reason: TokenRejection): TokenCheck {
  return { ok: false, reason };
}

function keyIdOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' && kid !== '' ? kid : undefined;
  } catch {
    return undefined;
  }
}
