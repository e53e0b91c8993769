import type {
  CancelSessionRequest,
  CompleteSessionRequest,
  ConfigTemplates,
  EngineSide,
  ErrorResponse,
  ExportJob,
  ExportJobRequest,
  FailSessionRequest,
  HoldRequest,
  HoldView,
  Junior,
  JuniorInput,
  JuniorPage,
  Mentor,
  MentorChangeResult,
  MentorHistory,
  MentorInput,
  MentorPage,
  MentorWorkload,
  PauseSessionRequest,
  PutMentorResult,
  QueuePosition,
  QueueStatus,
  ReassignMentorRequest,
  ResumeSessionRequest,
  RetentionReport,
  SessionComparison,
  SessionConfigPatch,
  SessionConfigView,
  SessionDetails,
  SessionEvent,
  SessionEvents,
  SessionExportRow,
  SessionListQueryInput,
  SessionPage,
  SessionReportInput,
  SessionResult,
  SessionStartResult,
  SessionTimeline,
  StartSessionRequest,
  Story,
  StoryInput,
  StoryPage,
  WorkflowEventRequest,
  WorkflowEventResult,
} from '../http/schemas';

/** The earlier names of some types, kept for callers written before they took the document's names. */
export type {
  ExportJobDto,
  HoldViewDto,
  JuniorDto,
  MentorDto,
  ReassignMentorInput,
  RetentionReportDto,
  SessionComparisonDto,
  SessionConfigPatchInput,
  SessionEventDto,
  SessionExportRowDto,
  SessionPageDto,
  SessionTimelineDto,
  StoryDto,
  WorkflowEventInput,
} from '../http/schemas';
export type {
  CancelSessionRequest,
  CompleteSessionRequest,
  ConfigTemplates,
  ExportJob,
  ExportJobRequest,
  FailSessionRequest,
  HoldRequest,
  HoldView,
  Junior,
  JuniorInput,
  JuniorPage,
  Mentor,
  MentorChangeResult,
  MentorHistory,
  MentorInput,
  MentorPage,
  MentorWorkload,
  PauseSessionRequest,
  PutMentorResult,
  QueuePosition,
  QueueStatus,
  ReassignMentorRequest,
  ResumeSessionRequest,
  RetentionReport,
  SessionComparison,
  SessionConfigPatch,
  SessionConfigView,
  SessionDetails,
  SessionEvent,
  SessionEvents,
  SessionExportRow,
  SessionListQueryInput,
  SessionPage,
  SessionReportInput,
  SessionResult,
  SessionStartResult,
  SessionTimeline,
  StartSessionRequest,
  Story,
  StoryInput,
  StoryPage,
  WorkflowEventRequest,
  WorkflowEventResult,
};

/** A non-2xx answer, with the error envelope's code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ApiError';
  }
}

export interface ClientOptions {
  readonly baseUrl: string;
  /** A bearer token, or a function that returns one (for refresh). */
  readonly token?: string | (() => string | Promise<string>);
  readonly fetch?: typeof fetch;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

type Method = 'GET' | 'POST' | 'PUT';

/** A small fetch-based client for the session API, typed from the same schemas the server validates with. */
export function createClient(options: ClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const api = `${base}/api/mentorship`;
  const enc = encodeURIComponent;

  async function request<T>(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    const response = await doFetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as ErrorResponse | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? (text || response.statusText), error?.details);
    }
    return parsed as T;
  }

  /** Query parameters from an object; undefined values are left out. */
  const queryString = (q: Record<string, string | number | undefined> = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(q)) if (value !== undefined) params.set(key, String(value));
    const s = params.toString();
    return s ? `?${s}` : '';
  };
  /** A non-JSON answer (CSV, NDJSON) as text; errors as ApiError. */
  async function requestText(url: string): Promise<{ contentType: string; text: string }> {
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    const response = await doFetch(url, { method: 'GET', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    const text = await response.text();
    if (!response.ok) {
      let error: ErrorResponse['error'] | undefined;
      try {
        error = (JSON.parse(text) as ErrorResponse).error;
      } catch {
        error = undefined;
      }
      throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? (text || response.statusText), error?.details);
    }
    return { contentType: response.headers.get('content-type') ?? '', text };
  }

  const listQuery = (q: { limit?: number; cursor?: string } = {}) => {
    const params = new URLSearchParams();
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    if (q.cursor !== undefined) params.set('cursor', q.cursor);
    const s = params.toString();
    return s ? `?${s}` : '';
  };

  return {
    health: () => request<{ status: 'ok' }>('GET', `${base}/health`),
    openApi: () => request<Record<string, unknown>>('GET', `${api}/openapi.json`),

    startSession: (input: StartSessionRequest, opts: { idempotencyKey?: string } = {}) =>
      request<SessionStartResult>('POST', `${api}/sessions`, input, opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
    getSession: (id: string) => request<SessionDetails>('GET', `${api}/sessions/${enc(id)}`),
    getSessionEvents: (id: string) => request<SessionEvents>('GET', `${api}/sessions/${enc(id)}/events`),
    /** The audit log as CSV text (one row per event). */
    getSessionEventsCsv: (id: string) => requestText(`${api}/sessions/${enc(id)}/events?format=csv`),
    listSessions: (q: SessionListQueryInput = {}) => request<SessionPage>('GET', `${api}/sessions${queryString(q)}`),
    /** format=json answers the rows; csv and ndjson answer text. */
    exportSessions: (q: Omit<SessionListQueryInput, 'page' | 'pageSize' | 'cursor'> & { format?: 'json' | 'ndjson' | 'csv' } = {}) =>
      requestText(`${api}/sessions/export${queryString(q)}`),
    exportSessionsJson: (q: Omit<SessionListQueryInput, 'page' | 'pageSize' | 'cursor'> = {}) =>
      request<SessionExportRow[]>('GET', `${api}/sessions/export${queryString({ ...q, format: 'json' })}`),
    createExportJob: (body: Omit<SessionListQueryInput, 'page' | 'pageSize' | 'cursor'> & { format?: 'json' | 'ndjson' | 'csv' } = {}) =>
      request<ExportJob>('POST', `${api}/sessions/exports`, body),
    getExportJob: (id: string) => request<ExportJob>('GET', `${api}/sessions/exports/${enc(id)}`),
    /** Runs a failed job again: the answer is the new job (`retryOf`). */
    retryExportJob: (id: string) => request<ExportJob>('POST', `${api}/sessions/exports/${enc(id)}/retry`),
    /** A succeeded job's file as text (on AWS fetch follows the 302 to S3). */
    downloadExportJob: (id: string) => requestText(`${api}/sessions/exports/${enc(id)}/download`),
    compareSessions: (a: string, b: string) => request<SessionComparison>('GET', `${api}/sessions/compare${queryString({ ids: `${a},${b}` })}`),
    getSessionTimeline: (id: string) => request<SessionTimeline>('GET', `${api}/sessions/${enc(id)}/timeline`),
    setSessionHold: (id: string, body: HoldRequest) => request<HoldView>('PUT', `${api}/sessions/${enc(id)}/hold`, body),
    redriveSessionEngine: (id: string) => request<EngineSide>('POST', `${api}/sessions/${enc(id)}/engine/redrive`, {}),
    getRetentionReport: (days?: number) => request<RetentionReport>('GET', `${api}/retention${queryString({ days })}`),
    pauseSession: (id: string, body: PauseSessionRequest = {}) => request<SessionResult>('POST', `${api}/sessions/${enc(id)}/pause`, body),
    resumeSession: (id: string, body: ResumeSessionRequest = {}) => request<SessionResult>('POST', `${api}/sessions/${enc(id)}/resume`, body),
    cancelSession: (id: string, body: CancelSessionRequest) => request<SessionResult>('POST', `${api}/sessions/${enc(id)}/cancel`, body),
    completeSession: (id: string, body: CompleteSessionRequest) => request<SessionResult>('POST', `${api}/sessions/${enc(id)}/complete`, body),
    failSession: (id: string, body: FailSessionRequest) => request<SessionResult>('POST', `${api}/sessions/${enc(id)}/fail`, body),
    getQueueStatus: () => request<QueueStatus>('GET', `${api}/queue`),
    getQueuePosition: (id: string) => request<QueuePosition>('GET', `${api}/sessions/${enc(id)}/queue-position`),
    getSessionConfig: (id: string) => request<SessionConfigView>('GET', `${api}/sessions/${enc(id)}/config`),
    updateSessionConfig: (id: string, body: SessionConfigPatch) => request<SessionConfigView>('PUT', `${api}/sessions/${enc(id)}/config`, body),
    reassignMentor: (id: string, body: ReassignMentorRequest) => request<MentorChangeResult>('PUT', `${api}/sessions/${enc(id)}/mentor`, body),
    getMentorHistory: (id: string) => request<MentorHistory>('GET', `${api}/sessions/${enc(id)}/mentor-history`),
    getMentorWorkload: (id: string) => request<MentorWorkload>('GET', `${api}/mentors/${enc(id)}/workload`),
    listConfigTemplates: () => request<ConfigTemplates>('GET', `${api}/config-templates`),
    recordWorkflowEvent: (id: string, body: WorkflowEventRequest) => request<WorkflowEventResult>('POST', `${api}/sessions/${enc(id)}/workflow-events`, body),

    putJunior: (id: string, body: JuniorInput) => request<Junior>('PUT', `${api}/juniors/${enc(id)}`, body),
    getJunior: (id: string) => request<Junior>('GET', `${api}/juniors/${enc(id)}`),
    listJuniors: (q?: { limit?: number; cursor?: string }) => request<JuniorPage>('GET', `${api}/juniors${listQuery(q)}`),
    putMentor: (id: string, body: MentorInput) => request<PutMentorResult>('PUT', `${api}/mentors/${enc(id)}`, body),
    getMentor: (id: string) => request<Mentor>('GET', `${api}/mentors/${enc(id)}`),
    listMentors: (q?: { limit?: number; cursor?: string }) => request<MentorPage>('GET', `${api}/mentors${listQuery(q)}`),
    putStory: (id: string, body: StoryInput) => request<Story>('PUT', `${api}/stories/${enc(id)}`, body),
    getStory: (id: string) => request<Story>('GET', `${api}/stories/${enc(id)}`),
    listStories: (q?: { limit?: number; cursor?: string }) => request<StoryPage>('GET', `${api}/stories${listQuery(q)}`),

    /** Escape hatch for tests and tools: any method, path (from the base URL) and raw body. */
    raw: async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      const response = await doFetch(`${base}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

export type SessionClient = ReturnType<typeof createClient>;
