import { tenantOf, validateTenantId } from './tenant';

describe('validateTenantId', () => {
  it.each([
    ['tenant-1', undefined],
    ["a.b_c!*'()", undefined],
    ['', 'no org id: the X-Scope-OrgID header is required'],
    ['..', 'tenant ID ".." is not allowed'],
    ['a/b', 'tenant ID "a/b" contains unsupported characters: allowed are letters, digits and !-_.*\'()'],
    ['x'.repeat(151), 'tenant ID is too long: 151 characters, max 150'],
  ])('%j', (id, expected) => {
    expect(validateTenantId(id)).toBe(expected);
  });
});

describe('tenantOf', () => {
  it.each<[string | undefined, boolean, ReturnType<typeof tenantOf>]>([
    ['team-a', true, { tenant: 'team-a' }],
    [' team-a ', true, { tenant: 'team-a' }],
    [undefined, true, { status: 401, message: 'no org id: the X-Scope-OrgID header is required' }],
    ['a/b', true, { status: 400, message: 'tenant ID "a/b" contains unsupported characters: allowed are letters, digits and !-_.*\'()' }],
    [undefined, false, { tenant: 'fake' }],
    ['team-a', false, { tenant: 'fake' }],
  ])('%j with auth %s', (header, auth, want) => {
    expect(tenantOf(header, auth)).toEqual(want);
  });
});
