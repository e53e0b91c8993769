/**
 * The console's content security policy, written once: the local server sends it with every console file and the
 * CloudFront response headers policy sends the same one on AWS (with the API and Cognito origins in connect-src).
 * Scripts and styles come only from the console's own files (Vite emits no inline script); fonts and the icons
 * Cloudscape inlines are data: URLs.
 */
export function consoleContentSecurityPolicy(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...connectSources].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Where the console lives on the local server (`npm start`): the same origin and port as the API. */
export const CONSOLE_PATH = '/console/';
