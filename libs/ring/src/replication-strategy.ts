import type { InstanceDesc } from './desc';
import type { Operation } from './operation';

/** The instances to use for one key, and how many of them may fail. */
export interface ReplicationSet {
  readonly instances: readonly InstanceDesc[];
  /** Acknowledgements needed: floor(RF/2)+1. */
  readonly minSuccess: number;
  /** instances.length - minSuccess. */
  readonly maxErrors: number;
}

export class ReplicationError extends Error {
  override readonly name = 'ReplicationError';
}

export function quorum(replicationFactor: number): number {
  return Math.floor(replicationFactor / 2) + 1;
}

export function isHealthy(instance: InstanceDesc, op: Operation, heartbeatTimeoutMs: number, now: number): boolean {
  if (!op.isHealthyState(instance.state)) return false;
  return heartbeatTimeoutMs <= 0 || now - instance.heartbeatTimestamp <= heartbeatTimeoutMs;
}

/**
 * Drops the instances that are unhealthy for the operation (wrong state, or heartbeat older than
 * the timeout) and checks that enough remain for a quorum. The quorum is floor(RF/2)+1 of the
 * configured replication factor, even when the set was extended past RF
 * (../shared/spec/ring-and-readonly.md; Cortex counts the extended set instead).
 */
export function filterReplicas(
  collected: readonly InstanceDesc[],
  op: Operation,
  replicationFactor: number,
  heartbeatTimeoutMs: number,
  now: number,
  zoneAwarenessEnabled: boolean,
): ReplicationSet {
  const minSuccess = quorum(replicationFactor);
  const healthy: InstanceDesc[] = [];
  const unhealthy: string[] = [];
  for (const instance of collected) {
    if (isHealthy(instance, op, heartbeatTimeoutMs, now)) healthy.push(instance);
    else unhealthy.push(instance.id);
  }
  if (healthy.length < minSuccess) {
    throw new ReplicationError(
      zoneAwarenessEnabled
        ? `at least ${minSuccess} live replicas required across different availability zones, could only find ${healthy.length}`
        : `at least ${minSuccess} live replicas required, could only find ${healthy.length}` +
          (unhealthy.length > 0 ? ` - unhealthy instances: ${unhealthy.join(',')}` : ''),
    );
  }
  return { instances: healthy, minSuccess, maxErrors: healthy.length - minSuccess };
}
