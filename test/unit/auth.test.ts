import { UnauthenticatedError } from '../../shared/domain/errors';
import { callerFrom, parseGroups } from '../../shared/http/auth';
import { httpApiEvent } from './support';

describe('parseGroups', () => {
  test.each([
    ['a JSON array (local server)', ['coordinator', 'mentor'], ['coordinator', 'mentor']],
    ['a JSON array with non-strings', ['coordinator', 3, null, { a: 1 }, 'mentor'], ['coordinator', 'mentor']],
    ["API Gateway's flattened form", '[coordinator mentor]', ['coordinator', 'mentor']],
    ['flattened, one group', '[coordinator]', ['coordinator']],
    ['flattened with commas', '[coordinator, mentor]', ['coordinator', 'mentor']],
    ['flattened with padding', '  [ coordinator   mentor ]  ', ['coordinator', 'mentor']],
    ['a JSON array inside a string', '["coordinator","mentor"]', ['coordinator', 'mentor']],
    ['a JSON array string with non-strings', '[1, "mentor", true]', ['mentor']],
    ['an empty flattened list', '[]', []],
    ['a single group as a plain string', 'junior', ['junior']],
    ['a space-separated plain string', 'junior service', ['junior', 'service']],
    ['an empty string', '', []],
    ['only whitespace', '   ', []],
  ] as const)('%s', (_name, value, expected) => {
    // Prepare: the table row

    // Act
    const groups = parseGroups(value);

    // Assess
    expect(groups).toEqual(expected);
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a boolean', true],
    ['an object', { groups: ['coordinator'] }],
  ])('garbage (%s) gives no groups', (_name, value) => {
    // Prepare: the table row

    // Act
    const groups = parseGroups(value);

    // Assess
    expect(groups).toEqual([]);
  });
});

describe('callerFrom', () => {
  test('reads the user id from sub and the roles from the flattened groups claim', () => {
    // Prepare
    const event = httpApiEvent({ sub: 'user-7', 'cognito:groups': '[coordinator mentor]' });

    // Act
    const caller = callerFrom(event);

    // Assess
    expect(caller).toEqual({ id: 'user-7', roles: ['coordinator', 'mentor'] });
  });

  test('reads the groups claim as a JSON array too', () => {
    // Prepare
    const event = httpApiEvent({ sub: 'engine', 'cognito:groups': ['service'] });

    // Act
    const caller = callerFrom(event);

    // Assess
    expect(caller).toEqual({ id: 'engine', roles: ['service'] });
  });

  test('a machine client (client credentials, no groups) with the service scope is a service caller; other scopes grant nothing', () => {
    expect(callerFrom(httpApiEvent({ sub: 'client-1', scope: 'mentorship/service' }))).toEqual({ id: 'client-1', roles: ['service'] });
    expect(callerFrom(httpApiEvent({ sub: 'client-2', scope: 'openid mentorship/read' }))).toEqual({ id: 'client-2', roles: [] });
    expect(callerFrom(httpApiEvent({ sub: 'client-3', scope: 'mentorship/service-extra' }))).toEqual({ id: 'client-3', roles: [] });
  });

  test('drops unknown groups and duplicates', () => {
    // Prepare
    const event = httpApiEvent({ sub: 'user-8', 'cognito:groups': '[admins junior superuser junior system]' });

    // Act
    const caller = callerFrom(event);

    // Assess
    expect(caller).toEqual({ id: 'user-8', roles: ['junior'] });
  });

  test('no groups claim: authenticated, with no roles', () => {
    // Prepare
    const event = httpApiEvent({ sub: 'user-9' });

    // Act
    const caller = callerFrom(event);

    // Assess
    expect(caller).toEqual({ id: 'user-9', roles: [] });
  });

  test.each([
    ['an ID token (token_use id)', { sub: 'user-7', 'cognito:groups': '[coordinator]', token_use: 'id' }],
    ['no token_use claim', { sub: 'user-7', 'cognito:groups': '[coordinator]', token_use: undefined }],
    ['a refresh-like token_use', { sub: 'user-7', 'cognito:groups': '[coordinator]', token_use: 'refresh' }],
  ])('%s: refused, only access tokens are API credentials', (_name, claims) => {
    // Prepare
    const event = httpApiEvent(claims);

    // Act
    const act = () => callerFrom(event);

    // Assess
    expect(act).toThrow(UnauthenticatedError);
    expect(act).toThrow(/access token/);
  });

  test.each([
    ['no authorizer at all', undefined],
    ['claims without sub', { 'cognito:groups': '[coordinator]' }],
    ['an empty sub', { sub: '', 'cognito:groups': '[coordinator]' }],
    ['a non-string sub', { sub: 12345, 'cognito:groups': '[coordinator]' }],
  ])('%s: UnauthenticatedError', (_name, claims) => {
    // Prepare
    const event = httpApiEvent(claims);

    // Act
    const act = () => callerFrom(event);

    // Assess
    expect(act).toThrow(UnauthenticatedError);
    expect(act).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
  });
});
