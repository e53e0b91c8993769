import { type SessionAction as ConsoleAction, type ConsoleRole, sessionActions } from '../../console/src/permissions';
import { type SessionAction, sessionAccess } from '../../shared/domain/access';
import { SESSION_STATUSES } from '../../shared/domain/status';
import { allowedOperations, OPERATIONS, type Operation } from '../../shared/domain/transitions';

/**
 * The console hides what a role may not do (console/src/permissions.ts); the API decides (shared/domain). This
 * checks the two tables against each other for every role, status and ownership: the console offers no lifecycle
 * button the domain would refuse, and hides none it would allow; the other actions are ones the role may take.
 */

const DOMAIN_ACTION: Record<ConsoleAction, SessionAction> = {
  pause: 'pause',
  resume: 'resume',
  cancel: 'cancel',
  complete: 'complete',
  fail: 'fail',
  reassign: 'reassign',
  hold: 'hold',
  editConfig: 'configure',
};
const ROLES: ConsoleRole[] = ['coordinator', 'mentor', 'junior'];
const session = { juniorId: 'junior-1', mentorId: 'mentor-1' };
/** Each role as a party to the session, and (mentor, junior) as someone else. */
const CALLERS = ROLES.flatMap((role) => [
  { role, id: role === 'mentor' ? 'mentor-1' : role === 'junior' ? 'junior-1' : 'coordinator-1' },
  ...(role === 'coordinator' ? [] : [{ role, id: `${role}-other` }]),
]);

test.each(CALLERS.flatMap((caller) => SESSION_STATUSES.map((status) => ({ ...caller, status }))))(
  '$role $id, session $status: the console offers exactly the lifecycle operations the API allows, and only permitted actions',
  ({ role, id, status }) => {
    const offered = sessionActions(role, id, { ...session, status });
    const caller = { id, roles: [role] };
    for (const action of offered) expect([action, sessionAccess(caller, session, DOMAIN_ACTION[action])]).toEqual([action, 'allowed']);
    const lifecycle = offered.filter((action): action is Operation => (OPERATIONS as string[]).includes(action));
    const allowed = allowedOperations(status).filter((op) => sessionAccess(caller, session, op) === 'allowed');
    expect(lifecycle.sort()).toEqual(allowed.sort());
  },
);

test('a junior is offered nothing, and a mentor nothing on a session of another mentor', () => {
  for (const status of SESSION_STATUSES) {
    expect(sessionActions('junior', 'junior-1', { ...session, status })).toEqual([]);
    expect(sessionActions('mentor', 'mentor-2', { ...session, status })).toEqual([]);
  }
  expect(sessionActions('mentor', 'mentor-1', { ...session, status: 'Active' })).toEqual(['pause']);
  expect(sessionActions('coordinator', 'c', { ...session, status: 'Completed' })).toEqual(['hold']);
});
