import { actingRole, type Caller, mayPerform, type ServiceAction, type SessionAction, sessionAccess } from '../../shared/domain/access';
import { aSession, coordinator, engineCaller, juniorCaller, mentorCaller } from '../support/builders';

type Access = 'allowed' | 'forbidden' | 'hidden';

/** The session under test: junior-1 with mentor-1. */
const session = aSession({ juniorId: 'junior-1', mentorId: 'mentor-1' });

const ACTIONS: readonly SessionAction[] = ['read', 'report', 'pause', 'resume', 'cancel', 'complete', 'fail'];

const all = (access: Access): Record<SessionAction, Access> => Object.fromEntries(ACTIONS.map((action) => [action, access])) as Record<SessionAction, Access>;
const only = (allowed: readonly SessionAction[]): Record<SessionAction, Access> =>
  Object.fromEntries(ACTIONS.map((action) => [action, allowed.includes(action) ? 'allowed' : 'forbidden'])) as Record<SessionAction, Access>;

/*
 * From ARCHITECTURE "Security": coordinator everything; mentor the sessions where
 * they are the mentor (read, pause, resume); junior their own sessions, read;
 * service the engine's callbacks (read, report, complete, fail). A session the
 * caller cannot see is hidden (404), not forbidden.
 */
const CASES: readonly (readonly [string, Caller, Record<SessionAction, Access>])[] = [
  ['coordinator', coordinator, all('allowed')],
  ['mentor of the session', mentorCaller('mentor-1'), only(['read', 'pause', 'resume'])],
  ['another mentor', mentorCaller('mentor-2'), all('hidden')],
  ['junior of the session', juniorCaller('junior-1'), only(['read'])],
  ['another junior', juniorCaller('junior-2'), all('hidden')],
  ['service (workflow engine)', engineCaller, only(['read', 'report', 'complete', 'fail'])],
  ['no roles, even with the junior id', { id: 'junior-1', roles: [] }, all('hidden')],
  ['no roles, with the mentor id', { id: 'mentor-1', roles: [] }, all('hidden')],
  ['mentor of the session who is also a junior', { id: 'mentor-1', roles: ['junior', 'mentor'] }, only(['read', 'pause', 'resume'])],
  ['junior of the session who is also a mentor elsewhere', { id: 'junior-1', roles: ['mentor', 'junior'] }, only(['read'])],
  ['mentor and junior of neither', { id: 'someone', roles: ['mentor', 'junior'] }, all('hidden')],
  ['junior who is also a coordinator', { id: 'junior-2', roles: ['junior', 'coordinator'] }, all('allowed')],
  ['mentor of the session who is also the service', { id: 'mentor-1', roles: ['mentor', 'service'] }, only(['read', 'report', 'pause', 'resume', 'complete', 'fail'])],
];

const ROWS = CASES.flatMap(([name, caller, expected]) => ACTIONS.map((action) => [name, action, caller, expected[action]] as const));

describe('sessionAccess: every caller x every action', () => {
  test.each(ROWS)('%s, %s', (_name, action, caller, expected) => {
    // Prepare: the table row

    // Act
    const access = sessionAccess(caller, session, action);

    // Assess
    expect(access).toBe(expected);
  });

  test('a session without a mentor is hidden from every mentor', () => {
    // Prepare
    const { mentorId: _mentorId, ...unassigned } = session;

    // Act
    const access = ACTIONS.map((action) => sessionAccess(mentorCaller('mentor-1'), unassigned, action));

    // Assess
    expect(access).toEqual(ACTIONS.map(() => 'hidden'));
  });
});

describe('mayPerform', () => {
  const SERVICE_ACTIONS: readonly ServiceAction[] = ['start_session', 'write_directory', 'read_directory'];
  const EXPECTED: readonly (readonly [string, Caller, readonly ServiceAction[]])[] = [
    ['coordinator', coordinator, ['start_session', 'write_directory', 'read_directory']],
    ['service', engineCaller, ['read_directory']],
    ['mentor', mentorCaller('mentor-1'), []],
    ['junior', juniorCaller('junior-1'), []],
    ['no roles', { id: 'x', roles: [] }, []],
    ['mentor and service', { id: 'x', roles: ['mentor', 'service'] }, ['read_directory']],
  ];
  const rows = EXPECTED.flatMap(([name, caller, allowed]) => SERVICE_ACTIONS.map((action) => [name, action, caller, allowed.includes(action)] as const));

  test.each(rows)('%s, %s', (_name, action, caller, expected) => {
    // Prepare: the table row

    // Act
    const may = mayPerform(caller, action);

    // Assess
    expect(may).toBe(expected);
  });
});

describe('actingRole', () => {
  test.each([
    ['coordinator', coordinator, 'cancel', 'coordinator'],
    ['coordinator listed after mentor still wins', { id: 'mentor-1', roles: ['mentor', 'coordinator'] }, 'pause', 'coordinator'],
    ['mentor+service on pause: only the mentor role allows it', { id: 'mentor-1', roles: ['service', 'mentor'] }, 'pause', 'mentor'],
    ['mentor+service on complete: only the service role allows it', { id: 'mentor-1', roles: ['mentor', 'service'] }, 'complete', 'service'],
    ['mentor+service on read: service outranks mentor', { id: 'mentor-1', roles: ['mentor', 'service'] }, 'read', 'service'],
    ['junior of the session also a mentor elsewhere reads as junior', { id: 'junior-1', roles: ['mentor', 'junior'] }, 'read', 'junior'],
    ['mentor of the session', mentorCaller('mentor-1'), 'resume', 'mentor'],
    ['no role allows it: the first role', { id: 'junior-1', roles: ['junior', 'mentor'] }, 'cancel', 'junior'],
  ] as const)('%s', (_name, caller: Caller, action: SessionAction, expected) => {
    // Prepare: the table row

    // Act
    const role = actingRole(caller, action, session);

    // Assess
    expect(role).toBe(expected);
  });
});
