import type { Role, Session } from './model';
import type { Operation } from './transitions';

/** The authenticated caller: user id (`sub`) and roles (identity-provider groups). */
export interface Caller {
  readonly id: string;
  readonly roles: readonly Role[];
}

/** `reassign`: change the mentor; `configure`: change the config; `hold`: set or clear a legal hold. */
export type SessionAction = 'read' | 'report' | 'reassign' | 'configure' | 'hold' | Operation;

/** What each role may do on a session it can see. */
const SESSION_PERMISSIONS: Record<Role, readonly SessionAction[]> = {
  coordinator: ['read', 'report', 'reassign', 'configure', 'hold', 'pause', 'resume', 'cancel', 'complete', 'fail'],
  mentor: ['read', 'pause', 'resume'],
  junior: ['read'],
  service: ['read', 'report', 'complete', 'fail'],
};

function sees(role: Role, caller: Caller, session: Pick<Session, 'juniorId' | 'mentorId'>): boolean {
  switch (role) {
    case 'coordinator':
    case 'service':
      return true;
    case 'mentor':
      return session.mentorId === caller.id;
    case 'junior':
      return session.juniorId === caller.id;
  }
}

/**
 * Object-level check. `hidden` when no role of the caller can see the session
 * (answered as 404, so ids of other people's sessions leak nothing); `forbidden`
 * when it can see it but not act.
 */
export function sessionAccess(caller: Caller, session: Pick<Session, 'juniorId' | 'mentorId'>, action: SessionAction): 'allowed' | 'forbidden' | 'hidden' {
  const visibleAs = caller.roles.filter((role) => sees(role, caller, session));
  if (visibleAs.length === 0) return 'hidden';
  return visibleAs.some((role) => SESSION_PERMISSIONS[role].includes(action)) ? 'allowed' : 'forbidden';
}

/** Actions that are not about one session. */
export type ServiceAction =
  | 'start_session'
  | 'write_directory'
  | 'read_directory'
  | 'read_queue'
  | 'read_workload'
  | 'read_config_templates'
  | 'list_sessions'
  | 'export_sessions'
  | 'read_retention'
  | 'redrive_engine';

const SERVICE_PERMISSIONS: Record<ServiceAction, readonly Role[]> = {
  start_session: ['coordinator'],
  write_directory: ['coordinator'],
  read_directory: ['coordinator', 'service'],
  read_queue: ['coordinator', 'service', 'mentor', 'junior'],
  /** Any mentor's workload; a mentor may also read their own (checked by the service). */
  read_workload: ['coordinator', 'service'],
  read_config_templates: ['coordinator', 'service', 'mentor', 'junior'],
  /** Everyone lists; a mentor or junior only their own sessions (scopeFilter). */
  list_sessions: ['coordinator', 'service', 'mentor', 'junior'],
  /** Export jobs (files of any size); a synchronous export is a listing (list_sessions, scoped). */
  export_sessions: ['coordinator', 'service'],
  read_retention: ['coordinator'],
  /** Ask for an immediate re-drive of one session's engine command (operations). */
  redrive_engine: ['coordinator'],
};

export function mayPerform(caller: Caller, action: ServiceAction): boolean {
  return caller.roles.some((role) => SERVICE_PERMISSIONS[action].includes(role));
}

/**
 * Whether the caller may see every mentor an assignment weighed (`candidates`:
 * other mentors' skill levels, loads, capacities, last assignment times). The
 * same people who may read the mentor directory (coordinators, the service);
 * a junior or a mentor sees only the chosen mentor.
 */
export function seesAssignmentCandidates(caller: Caller): boolean {
  return mayPerform(caller, 'read_directory');
}

/** The role a caller acts in for the audit log: the most privileged one that allows the action. */
export function actingRole(caller: Caller, action: SessionAction, session: Pick<Session, 'juniorId' | 'mentorId'>): Role {
  const order: Role[] = ['coordinator', 'service', 'mentor', 'junior'];
  return order.find((role) => caller.roles.includes(role) && sees(role, caller, session) && SESSION_PERMISSIONS[role].includes(action)) ?? caller.roles[0] ?? 'junior';
}
