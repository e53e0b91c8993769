import type * as z from 'zod';
import type { RouteSpec } from '../../../shared/http/route';
import {
  DirectoryIdParams,
  JuniorInput,
  JuniorPage,
  JuniorSchema,
  ListQuery,
  MentorChangeResultSchema,
  MentorHistorySchema,
  MentorInput,
  MentorPage,
  MentorSchema,
  MentorWorkloadSchema,
  PutMentorResultSchema,
  ReassignMentorRequest,
  SessionIdParams,
  StoryInput,
  StoryPage,
  StorySchema,
} from '../../../shared/http/schemas';
import { AUTH, S } from './common';

const directory = <I extends z.ZodType, T extends z.ZodType, P extends z.ZodType, R extends z.ZodType = T>(
  kind: string,
  plural: string,
  input: I,
  item: T,
  page: P,
  putResult?: R,
) => {
  const Kind = kind.charAt(0).toUpperCase() + kind.slice(1);
  return {
    put: {
      operationId: `put${Kind}`,
      method: 'PUT',
      path: `/api/mentorship/${plural}/{id}`,
      summary: `Create or replace a ${kind} (coordinators).`,
      tag: 'Directory',
      auth: true,
      entry: `put-${kind}`,
      params: DirectoryIdParams,
      body: input,
      successStatus: 200,
      response: (putResult ?? item) as R,
      errors: [400, 401, 403, 413],
    },
    get: {
      operationId: `get${Kind}`,
      method: 'GET',
      path: `/api/mentorship/${plural}/{id}`,
      summary: `Read a ${kind}.`,
      tag: 'Directory',
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
      tag: 'Directory',
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
const mentors = directory('mentor', 'mentors', MentorInput, MentorSchema, MentorPage, PutMentorResultSchema);
const stories = directory('story', 'stories', StoryInput, StorySchema, StoryPage);

/** Mentor changes and workloads, and the directory of juniors, mentors and stories. */
export const ASSIGNMENT_AND_DIRECTORY_ROUTES = {
  reassignMentor: {
    operationId: 'reassignMentor',
    method: 'PUT',
    path: `${S}/{id}/mentor`,
    summary: "Move an Active or Paused session to another mentor (coordinators); both mentors' slots move in one transaction.",
    tag: 'Assignment',
    auth: true,
    entry: 'reassign-mentor',
    params: SessionIdParams,
    body: ReassignMentorRequest,
    successStatus: 200,
    response: MentorChangeResultSchema,
    errors: [...AUTH, 409, 413, 422],
  },
  getMentorHistory: {
    operationId: 'getMentorHistory',
    method: 'GET',
    path: `${S}/{id}/mentor-history`,
    summary: 'Every mentor assignment and reassignment of the session, with who, why and how.',
    tag: 'Assignment',
    auth: true,
    entry: 'get-mentor-history',
    params: SessionIdParams,
    successStatus: 200,
    response: MentorHistorySchema,
    errors: [...AUTH],
  },
  getMentorWorkload: {
    operationId: 'getMentorWorkload',
    method: 'GET',
    path: '/api/mentorship/mentors/{id}/workload',
    summary: "A mentor's open sessions, capacity, and the queued sessions that asked for them (coordinators, the engine, the mentor).",
    tag: 'Assignment',
    auth: true,
    entry: 'get-mentor-workload',
    params: DirectoryIdParams,
    successStatus: 200,
    response: MentorWorkloadSchema,
    errors: [...AUTH],
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
