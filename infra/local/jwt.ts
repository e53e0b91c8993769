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
 * `invalid` for everything else (expired, forged, malformed, wrong audience).
 */
export type TokenRejection = 'unknown_key' | 'invalid';

export type TokenCheck = { readonly ok: true; readonly claims: JWTPayload } | { readonly ok: false; readonly reason: TokenRejection };

export interface LocalJwt {
  sign(claims: TokenClaims): Promise<string>;
  /** The verified claims, or undefined for a missing, expired or forged token. */
  verify(token: string): Promise<JWTPayload | undefined>;
  /** As `verify`, but says why a token was refused (the local server's 401 message). */
  check(token: string): Promise<TokenCheck>;
}

export async function localJwt(dataDir: string): Promise<LocalJwt> {
  const stored = await loadOrCreateKey(dataDir);
  const privateKey = await importJWK(stored.privateJwk, ALG);
  const publicKey = await importJWK(stored.publicJwk, ALG);
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
    verify: async (token) => {
      const result = await check(token);
      return result.ok ? result.claims : undefined;
    },
    check,
  };

  async function check(token: string): Promise<TokenCheck> {
    try {
      const { payload } = await jwtVerify(token, publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: [ALG] });
      return { ok: true, claims: payload };
    } catch (error) {
      // A bad signature under another key id is a token from another DATA_DIR's key;
      // under our own key id it is a forgery (edited claims), which stays a plain refusal.
      const kid = keyIdOf(token);
      const signedElsewhere = error instanceof errors.JWSSignatureVerificationFailed && kid !== undefined && kid !== stored.kid;
      return { ok: false, reason: signedElsewhere ? 'unknown_key' : 'invalid' };
    }
  }
}

function keyIdOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' && kid !== '' ? kid : undefined;
  } catch {
    return undefined;
  }
}
