/** Instance states, numbered as in Cortex's ring.proto so ring dumps read the same. */
export enum InstanceState {
  ACTIVE = 0,
  LEAVING = 1,
  PENDING = 2,
  JOINING = 3,
  LEFT = 4,
  READONLY = 5,
}

export const STATE_NAMES: readonly string[] = ['ACTIVE', 'LEAVING', 'PENDING', 'JOINING', 'LEFT', 'READONLY'];

export function stateName(state: InstanceState): string {
  return STATE_NAMES[state] ?? `UNKNOWN(${state})`;
}

/** Parses a state name, case-insensitive (`readonly`, `READONLY`); undefined when unknown. */
export function parseState(name: string): InstanceState | undefined {
  const i = STATE_NAMES.indexOf(name.trim().toUpperCase());
  return i < 0 ? undefined : (i as InstanceState);
}
