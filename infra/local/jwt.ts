import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
    kid: `local-${Date.now().toString(36)}`,
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

export interface LocalJwt {
  sign(claims: TokenClaims): Promise<string>;
  /** The verified claims, or undefined for a missing, expired or forged token. */
  verify(token: string): Promise<JWTPayload | undefined>;
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
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: [ALG] });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}
