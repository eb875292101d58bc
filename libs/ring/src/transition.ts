import { InstanceState, stateName } from './instance-state';

const { ACTIVE, LEAVING, PENDING, JOINING, READONLY } = InstanceState;

/** The allowed state changes of a running instance (../shared/spec/ring-and-readonly.md). */
const ALLOWED: ReadonlyMap<InstanceState, readonly InstanceState[]> = new Map([
  [PENDING, [JOINING, ACTIVE, READONLY]],
  [JOINING, [PENDING, ACTIVE, READONLY]],
  [ACTIVE, [LEAVING, READONLY]],
  [READONLY, [ACTIVE, LEAVING]],
]);

export type TransitionResult = { ok: true; changed: boolean } | { ok: false; error: string };

/**
 * Whether an instance may go from `from` to `to`. Asking for the state it is already in is
 * allowed and changes nothing (the admin API answers it as a no-op).
 */
export function transition(from: InstanceState, to: InstanceState): TransitionResult {
  if (from === to) return { ok: true, changed: false };
  const allowed = ALLOWED.get(from) ?? [];
  if (allowed.includes(to)) return { ok: true, changed: true };
  const options = allowed.length > 0 ? allowed.map(stateName).join(', ') : 'none';
  return {
    ok: false,
    error: `cannot change instance state from ${stateName(from)} to ${stateName(to)} (allowed from ${stateName(from)}: ${options})`,
  };
}
