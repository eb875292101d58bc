import { InstanceState } from './instance-state';

const { ACTIVE, LEAVING, PENDING, JOINING, LEFT, READONLY } = InstanceState;

/**
 * A ring operation: which states count as healthy for it, and which states make the replica set
 * extend to one more instance (../shared/spec/ring-and-readonly.md, "Ring operations").
 */
export interface Operation {
  readonly name: string;
  isHealthyState(state: InstanceState): boolean;
  extendsReplicaSet(state: InstanceState): boolean;
}

function operation(name: string, healthy: InstanceState[], extend: InstanceState[]): Operation {
  const healthySet = new Set(healthy);
  const extendSet = new Set(extend);
  return {
    name,
    isHealthyState: (s) => healthySet.has(s),
    extendsReplicaSet: (s) => extendSet.has(s),
  };
}

/** Writes go to ACTIVE instances only; any other state hands its share to the next owner. */
export const Write = operation('Write', [ACTIVE], [LEAVING, PENDING, JOINING, LEFT, READONLY]);
/** Reads may use every live state (READONLY included); PENDING and LEFT hold no data yet/any more. */
export const Read = operation('Read', [ACTIVE, PENDING, LEAVING, JOINING, READONLY], [PENDING, LEFT]);
/** Reporting (status pages, counts) sees everything and never extends. */
export const Reporting = operation('Reporting', [ACTIVE, LEAVING, PENDING, JOINING, LEFT, READONLY], []);
