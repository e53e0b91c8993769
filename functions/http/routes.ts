import {
  CancelSessionRequest,
  CompleteSessionRequest,
  DirectoryIdParams,

  FailSessionRequest,
  HealthSchema,
  JuniorInput,
  JuniorPage,
  JuniorSchema,
  ListQuery,
  MentorInput,
  MentorPage,
  MentorSchema,
  OpenApiSchema,
  PauseSessionRequest,
  ResumeSessionRequest,
  SessionDetailsSchema,
  SessionEventsSchema,
  SessionIdParams,
  SessionResultSchema,
  SessionStartResultSchema,
  StartSessionRequest,
  StoryInput,
  StoryPage,
  StorySchema,
  WorkflowEventRequest,
  WorkflowEventResultSchema,
} from '../../shared/http/schemas';
import type { z } from 'zod';
import type { RouteSpec } from '../../shared/http/route';

const S = '/api/mentorship/sessions';
const AUTH = [400, 401, 403, 404] as const;
const lifecycle = <B extends z.ZodType>(name: 'pause' | 'resume' | 'cancel' | 'complete' | 'fail', body: B, summary: string) =>
  ({
    operationId: `${name}Session`,
    method: 'POST',
    path: `${S}/{id}/${name}`,
    summary,
    auth: true,
    entry: `${name}-session`,
    params: SessionIdParams,
    body,
    successStatus: 200,
    response: SessionResultSchema,
    errors: [...AUTH, 409, 413, 502],
  }) as const satisfies RouteSpec;

const directory = <I extends z.ZodType, T extends z.ZodType, P extends z.ZodType>(
  kind: string,
  plural: string,
  input: I,
  item: T,
  page: P,
) => {
  const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
  return {
    put: {
      operationId: `put${Kind}`,
      method: 'PUT',
      path: `/api/mentorship/${plural}/{id}`,
      summary: `Create or replace a ${kind} (coordinators).`,
      auth: true,
      entry: `put-${kind}`,
      params: DirectoryIdParams,
      body: input,
      successStatus: 200,
      response: item,
      errors: [400, 401, 403, 413],
    },
    get: {
      operationId: `get${Kind}`,
      method: 'GET',
      path: `/api/mentorship/${plural}/{id}`,
      summary: `Read a ${kind}.`,
      auth: true,
      entry: `get-${kind}`,
      params: DirectoryIdParams,
      successStatus: 200,
      response: item,
      errors: [...AUTH],
    },
    list: {
      operationId: `list${plural.charAt(0).toUpperCase()}${plural.slice(1)}`,
      method: 'GET',
      path: `/api/mentorship/${plural}`,
      summary: `List ${plural}, a page at a time.`,
      auth: true,
      entry: `list-${plural}`,
      query: ListQuery,
      successStatus: 200,
      response: page,
      errors: [400, 401, 403],
    },
  } as const satisfies Record<string, RouteSpec>;
};

const juniors = directory('junior', 'juniors', JuniorInput, JuniorSchema, JuniorPage);
const mentors = directory('mentor', 'mentors', MentorInput, MentorSchema, MentorPage);
const stories = directory('story', 'stories', StoryInput, StorySchema, StoryPage);

/**
 * The route table, shared by the Lambda handlers, the local server, the
 * OpenAPI document and the CDK stack: one entry = one route = one function.
 */
export const ROUTES = {
  health: {
    operationId: 'health',
    method: 'GET',
    path: '/health',
    summary: 'Liveness check (no authentication).',
    auth: false,
    entry: 'health',
    successStatus: 200,
    response: HealthSchema,
    errors: [],
  },
  openApi: {
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/api/mentorship/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document (no authentication).',
    auth: false,
    entry: 'get-openapi',
    successStatus: 200,
    response: OpenApiSchema,
    errors: [],
  },
  startSession: {
    operationId: 'startSession',
    method: 'POST',
    path: S,
    summary: 'Start a session (coordinators). Honours Idempotency-Key.',
    auth: true,
    entry: 'start-session',
    body: StartSessionRequest,
    headers: { 'idempotency-key': 'Optional. A retry with the same key returns the first answer and creates nothing.' },
    successStatus: 201,
    response: SessionStartResultSchema,
    errors: [400, 401, 403, 413, 422, 502],
  },
  getSession: {
    operationId: 'getSession',
    method: 'GET',
    path: `${S}/{id}`,
    summary: 'Session details with its audit log.',
    auth: true,
    entry: 'get-session',
    params: SessionIdParams,
    successStatus: 200,
    response: SessionDetailsSchema,
    errors: [...AUTH],
  },
  listSessionEvents: {
    operationId: 'listSessionEvents',
    method: 'GET',
    path: `${S}/{id}/events`,
    summary: "The session's audit log, oldest first.",
    auth: true,
    entry: 'list-session-events',
    params: SessionIdParams,
    successStatus: 200,
    response: SessionEventsSchema,
    errors: [...AUTH],
  },
  pauseSession: lifecycle('pause', PauseSessionRequest, 'Pause an Active session (coordinator, its mentor).'),
  resumeSession: lifecycle('resume', ResumeSessionRequest, 'Resume a Paused session to the state it left (coordinator, its mentor).'),
  cancelSession: lifecycle('cancel', CancelSessionRequest, 'Cancel a session; a reason is required (coordinators).'),
  completeSession: lifecycle('complete', CompleteSessionRequest, 'Complete an Active session with its report (engine, coordinators).'),
  failSession: lifecycle('fail', FailSessionRequest, 'Fail an Active session with its error context (engine, coordinators).'),
  recordWorkflowEvent: {
    operationId: 'recordWorkflowEvent',
    method: 'POST',
    path: `${S}/{id}/workflow-events`,
    summary: 'Engine callback: a MentorshipState change or a progress event. Repeats (same eventId) are dropped.',
    auth: true,
    entry: 'record-workflow-event',
    params: SessionIdParams,
    body: WorkflowEventRequest,
    successStatus: 200,
    response: WorkflowEventResultSchema,
    errors: [...AUTH, 409, 413],
  },
  putJunior: juniors.put,
  getJunior: juniors.get,
  listJuniors: juniors.list,
  putMentor: mentors.put,
  getMentor: mentors.get,
  listMentors: mentors.list,
  putStory: stories.put,
  getStory: stories.get,
  listStories: stories.list,
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;
