import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Caller } from '../domain/access';
import { UnauthenticatedError } from '../domain/errors';
import { ROLES, type Role } from '../domain/session';

type Claims = Record<string, unknown>;

/** The claims API Gateway's JWT authorizer (or the local server, the same way) put on the event. */
function claimsOf(event: APIGatewayProxyEventV2): Claims | undefined {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: { jwt?: { claims?: Claims } };
  };
  return context.authorizer?.jwt?.claims;
}

/**
 * `cognito:groups` arrives as a JSON array from the local server, and flattened
 * by API Gateway into a string such as `[coordinator mentor]`; both are read.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value !== 'string') return [];
  const trimmed = value.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const inner = trimmed.slice(1, -1);
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.filter((g): g is string => typeof g === 'string');
    } catch {
      // Not JSON: API Gateway's space-separated form.
    }
    return inner.split(/[\s,]+/).filter(Boolean);
  }
  return trimmed.split(/[\s,]+/).filter(Boolean);
}

/**
 * The OAuth scope a machine client (Cognito client credentials: scheduled
 * automations, the workflow engine) asks for; it grants the `service` role.
 * Such tokens carry no groups. The CDK stack's resource server defines it.
 */
export const SERVICE_SCOPE = 'mentorship/service';

/** The caller of an access token (`token_use: access`, else 401): user id from `sub`, roles from `cognito:groups` (unknown groups ignored), `service` from the machine scope. */
export function callerFrom(event: APIGatewayProxyEventV2): Caller {
  const claims = claimsOf(event);
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0) throw new UnauthenticatedError('A valid bearer token is required.');
  // API Gateway's JWT authorizer checks signature, issuer, expiry and audience (the app client ids),
  // but an ID token of the same client passes those too: only access tokens are API credentials.
  if (claims?.token_use !== 'access') {
    throw new UnauthenticatedError('Only access tokens (token_use: access) are accepted; an ID token is not an API credential.');
  }
  const roles = parseGroups(claims?.['cognito:groups']).filter((g): g is Role => (ROLES as readonly string[]).includes(g));
  const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];
  if (scopes.includes(SERVICE_SCOPE)) roles.push('service');
  return { id: sub, roles: [...new Set(roles)] };
}
