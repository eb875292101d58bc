import type { InstanceDesc } from './desc';
import type { Operation } from './operation';
import { isHealthy, ReplicationError } from './replication-strategy';

/** The instances a query asks, and how many of them may fail before its answer is incomplete. */
export interface WholeRingSet {
  readonly instances: readonly InstanceDesc[];
  /** Instances that may fail (without zone awareness). */
  readonly maxErrors: number;
  /** Zones whose instances may all fail (with zone awareness); 0 otherwise. */
  readonly maxUnavailableZones: number;
}

export interface WholeRingConfig {
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  readonly zoneAwarenessEnabled: boolean;
}

export const TOO_MANY_UNHEALTHY = 'too many unhealthy instances in the ring';

/**
 * Every instance a read must ask (a querier does not know which ingesters hold a series, so it
 * asks all of them), as Cortex's GetReplicationSetForOperation: every series is on RF instances,
 * so floor(RF/2) of them may be unhealthy or fail. Without zone awareness at least
 * max(members, RF) - floor(RF/2) instances must be healthy and the rest of the healthy ones may
 * fail. With zone awareness (data in RF zones) floor(RF/2) zones may be lost: zones with an
 * unhealthy instance are dropped whole and count against that. A LEFT instance holds nothing and
 * is not asked.
 */
export function wholeRingSet(members: readonly InstanceDesc[], op: Operation, config: WholeRingConfig, now: number): WholeRingSet {
  const rf = config.replicationFactor;
  const candidates = members.filter((m) => m.tokens.length > 0 || op.isHealthyState(m.state));
  const healthy: InstanceDesc[] = [];
  const failedZones = new Set<string>();
  for (const m of candidates) {
    if (isHealthy(m, op, config.heartbeatTimeoutMs, now)) healthy.push(m);
    else failedZones.add(m.zone);
  }
  if (config.zoneAwarenessEnabled) {
    const zones = new Set(candidates.map((m) => m.zone)).size;
    const maxUnavailableZones = Math.floor(Math.min(zones, rf) / 2);
    if (failedZones.size > maxUnavailableZones) throw new ReplicationError(`${TOO_MANY_UNHEALTHY}: ${failedZones.size} zones have unhealthy instances, at most ${maxUnavailableZones} may`);
    return { instances: healthy.filter((m) => !failedZones.has(m.zone)), maxErrors: 0, maxUnavailableZones: maxUnavailableZones - failedZones.size };
  }
  const required = Math.max(candidates.length, rf) - Math.floor(rf / 2);
  if (healthy.length < required) throw new ReplicationError(`${TOO_MANY_UNHEALTHY}: ${healthy.length} healthy, ${required} needed`);
  return { instances: healthy, maxErrors: healthy.length - required, maxUnavailableZones: 0 };
}
