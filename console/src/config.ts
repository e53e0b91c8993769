/** What the console learns at run time from `config.json` next to index.html (local server, or written at deploy time). */
export type ConsoleConfig =
  | { readonly auth: 'local'; readonly apiUrl: string; readonly signInPath: string }
  | {
      readonly auth: 'cognito';
      readonly apiUrl: string;
      /** https://cognito-idp.<region>.amazonaws.com/<userPoolId> */
      readonly authority: string;
      readonly clientId: string;
      /** The hosted UI's domain (https://<prefix>.auth.<region>.amazoncognito.com), for sign-out. */
      readonly domain: string;
    };

const isText = (value: unknown): value is string => typeof value === 'string';

/** Reads and checks config.json: a broken deployment says what is wrong instead of half-working. */
export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('./config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be read (HTTP ${response.status}).`);
  const raw = (await response.json()) as Record<string, unknown>;
  if (raw.auth === 'local' && isText(raw.apiUrl) && isText(raw.signInPath)) return { auth: 'local', apiUrl: raw.apiUrl, signInPath: raw.signInPath };
  if (raw.auth === 'cognito' && isText(raw.apiUrl) && isText(raw.authority) && isText(raw.clientId) && isText(raw.domain)) {
    return { auth: 'cognito', apiUrl: raw.apiUrl, authority: raw.authority, clientId: raw.clientId, domain: raw.domain };
  }
  throw new Error('config.json is not a console configuration (auth must be "local" or "cognito" with its settings).');
}
