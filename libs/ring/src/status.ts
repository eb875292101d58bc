import { InstanceState, stateName } from './instance-state';
import type { Ring } from './ring';

/** One row of the ring status page (/ring): what an operator needs to see per instance. */
export interface InstanceStatus {
  id: string;
  zone: string;
  state: string;
  address: string;
  registeredTimestamp: number;
  heartbeatTimestamp: number;
  /** Milliseconds since the last heartbeat. */
  heartbeatAgeMs: number;
  /** Heartbeat older than the ring's heartbeat timeout. */
  unhealthy: boolean;
  tokens: number;
  /** Share of the token space owned, in percent. */
  ownershipPercent: number;
}

export function ringStatus(ring: Ring, now: number): InstanceStatus[] {
  const ownership = ring.ownership();
  const timeout = ring.config.heartbeatTimeoutMs;
  return ring.instances.map((inst) => {
    const age = now - inst.heartbeatTimestamp;
    return {
      id: inst.id,
      zone: inst.zone,
      state: stateName(inst.state),
      address: inst.addr,
      registeredTimestamp: inst.registeredTimestamp,
      heartbeatTimestamp: inst.heartbeatTimestamp,
      heartbeatAgeMs: age,
      unhealthy: inst.state === InstanceState.LEFT || (timeout > 0 && age > timeout),
      tokens: inst.tokens.length,
      ownershipPercent: (ownership.get(inst.id) ?? 0) * 100,
    };
  });
}
