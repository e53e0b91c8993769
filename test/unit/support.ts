import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { NewSessionInput } from '../../shared/domain/lifecycle';
import type { Actor, Session, SessionReport } from '../../shared/domain/session';
import type { SessionStatus } from '../../shared/domain/status';
import type { Command, Operation, TransitionContext } from '../../shared/domain/transitions';
import { aConfig, aSession } from '../support/builders';
import httpApiEventFixture from './fixtures/http-api-v2-event.json';

/** Instants used across the unit tests, in the normalized form the HTTP edge produces (`toISOString`). */
export const T0 = '2026-01-05T09:00:00.000Z';
export const T1 = '2026-01-05T09:15:00.000Z';
export const T2 = '2026-01-05T09:30:00.000Z';

export const coordinatorActor: Actor = { id: 'coord-1', role: 'coordinator' };

export function ctxAt(now: string, actor: Actor = coordinatorActor): TransitionContext {
  return { actor, now };
}

export const aReport = (overrides: Partial<SessionReport> = {}): SessionReport => ({
  summary: 'Merged after one review round.',
  overallScore: 87,
  metrics: { hints: 2, reviewRounds: 1 },
  ...overrides,
});

export const aStartInput = (overrides: Partial<NewSessionInput> = {}): NewSessionInput => ({
  id: '00000000-0000-4000-8000-0000000000aa',
  storyId: 'story-1',
  juniorId: 'junior-1',
  storyTitle: 'Story one',
  juniorName: 'Junior one',
  skillArea: 'typescript',
  config: aConfig(),
  ...overrides,
});

/** A fully populated command for an operation, so tests can check every field is carried. */
export function aCommand(operation: Operation): Command {
  switch (operation) {
    case 'pause':
      return { operation, reason: 'junior is at a workshop', notes: 'back tomorrow' };
    case 'resume':
      return { operation, notes: 'workshop over' };
    case 'cancel':
      return { operation, reason: 'story withdrawn', notes: 'product changed its mind' };
    case 'complete':
      return { operation, report: aReport(), notes: 'merged' };
    case 'fail':
      return { operation, error: 'workflow faulted in QUALITY_GATE_CHECK', notes: 'engine crash' };
  }
}

/** A session as it would be stored in the given status (fields each status carries, none it cannot). */
export function aSessionIn(status: SessionStatus, overrides: Partial<Session> = {}): Session {
  const active = aSession({ status: 'Active', currentState: 'PLAN_DECOMPOSITION', version: 3, eventCount: 2 });
  switch (status) {
    case 'Queued': {
      const { currentState: _s, stateChangedAt: _c, workflowInstanceId: _w, startedAt: _a, ...queued } = active;
      return { ...queued, status, version: 1, eventCount: 0, ...overrides };
    }
    case 'Active':
      return { ...active, ...overrides };
    case 'Paused':
      return {
        ...active,
        status,
        currentState: 'PAUSED',
        pausedFromState: 'PLAN_DECOMPOSITION',
        pausedAt: '2026-01-05T09:05:00.000Z',
        pauseReason: 'lunch',
        ...overrides,
      };
    case 'Completed':
      return { ...active, status, currentState: 'COMPLETED', endedAt: '2026-01-05T09:05:00.000Z', report: aReport(), ...overrides };
    case 'Failed':
      return { ...active, status, currentState: 'FAILED', endedAt: '2026-01-05T09:05:00.000Z', error: 'boom', ...overrides };
    case 'Cancelled':
      return { ...active, status, currentState: 'CANCELLED', endedAt: '2026-01-05T09:05:00.000Z', cancelReason: 'dropped', ...overrides };
  }
}

/**
 * An API Gateway HTTP API (payload 2.0) event from the JSON fixture, with the
 * JWT authorizer's claims replaced (`token_use: access` unless given); `undefined` removes the authorizer entirely.
 */
export function httpApiEvent(claims: Record<string, unknown> | undefined): APIGatewayProxyEventV2 {
  const { authorizer: _authorizer, ...requestContext } = structuredClone(httpApiEventFixture.requestContext);
  // Cognito access tokens carry token_use: access (the only kind callerFrom accepts); a case may override it.
  const withAuthorizer = { ...requestContext, authorizer: { jwt: { claims: { token_use: 'access', ...claims }, scopes: null } } };
  return { ...structuredClone(httpApiEventFixture), requestContext: claims === undefined ? requestContext : withAuthorizer };
}
