import { InstanceState, parseState, stateName } from './instance-state';
import { transition } from './transition';

const { ACTIVE, LEAVING, PENDING, JOINING, LEFT, READONLY } = InstanceState;

describe('transition', () => {
  it.each([
    [PENDING, JOINING],
    [PENDING, ACTIVE],
    [PENDING, READONLY],
    [JOINING, PENDING],
    [JOINING, ACTIVE],
    [JOINING, READONLY],
    [ACTIVE, LEAVING],
    [ACTIVE, READONLY],
    [READONLY, ACTIVE],
    [READONLY, LEAVING],
  ])('allows %s -> %s', (from, to) => {
    expect(transition(from, to)).toEqual({ ok: true, changed: true });
  });

  it.each([ACTIVE, LEAVING, PENDING, JOINING, LEFT, READONLY])('treats %s -> itself as a no-op', (s) => {
    expect(transition(s, s)).toEqual({ ok: true, changed: false });
  });

  it.each([
    [ACTIVE, PENDING, 'cannot change instance state from ACTIVE to PENDING (allowed from ACTIVE: LEAVING, READONLY)'],
    [ACTIVE, JOINING, 'cannot change instance state from ACTIVE to JOINING (allowed from ACTIVE: LEAVING, READONLY)'],
    [ACTIVE, LEFT, 'cannot change instance state from ACTIVE to LEFT (allowed from ACTIVE: LEAVING, READONLY)'],
    [READONLY, PENDING, 'cannot change instance state from READONLY to PENDING (allowed from READONLY: ACTIVE, LEAVING)'],
    [READONLY, JOINING, 'cannot change instance state from READONLY to JOINING (allowed from READONLY: ACTIVE, LEAVING)'],
    [LEAVING, ACTIVE, 'cannot change instance state from LEAVING to ACTIVE (allowed from LEAVING: none)'],
    [LEAVING, READONLY, 'cannot change instance state from LEAVING to READONLY (allowed from LEAVING: none)'],
    [LEFT, ACTIVE, 'cannot change instance state from LEFT to ACTIVE (allowed from LEFT: none)'],
    [PENDING, LEAVING, 'cannot change instance state from PENDING to LEAVING (allowed from PENDING: JOINING, ACTIVE, READONLY)'],
    [JOINING, LEAVING, 'cannot change instance state from JOINING to LEAVING (allowed from JOINING: PENDING, ACTIVE, READONLY)'],
  ])('refuses %s -> %s', (from, to, error) => {
    expect(transition(from, to)).toEqual({ ok: false, error });
  });
});

describe('state names', () => {
  it.each([
    ['ACTIVE', ACTIVE],
    ['readonly', READONLY],
    [' ReadOnly ', READONLY],
    ['LEFT', LEFT],
    ['bogus', undefined],
  ])('parses %j', (name, state) => {
    expect(parseState(name)).toBe(state);
  });

  it('numbers states as Cortex does', () => {
    expect([ACTIVE, LEAVING, PENDING, JOINING, LEFT, READONLY]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(stateName(READONLY)).toBe('READONLY');
  });
});
