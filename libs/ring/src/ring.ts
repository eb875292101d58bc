import type { InstanceDesc, RingDesc } from './desc';
import type { InstanceState } from './instance-state';
import type { Operation } from './operation';
import { filterReplicas, isHealthy, ReplicationError, type ReplicationSet } from './replication-strategy';

export interface RingConfig {
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  readonly zoneAwarenessEnabled: boolean;
}

const TOKEN_SPACE = 0x1_0000_0000;

/**
 * An immutable, query-ready view of one ring descriptor: every token sorted in a Uint32Array
 * with the index of its owner beside it. Built once per descriptor change; lookups allocate only
 * the replica set they return.
 */
export class Ring {
  private constructor(
    readonly desc: RingDesc,
    readonly config: RingConfig,
    private readonly members: InstanceDesc[],
    private readonly tokens: Uint32Array,
    private readonly owners: Int32Array,
  ) {}

  static build(desc: RingDesc, config: RingConfig): Ring {
    const members = Object.values(desc.instances).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let count = 0;
    for (const m of members) count += m.tokens.length;
    const pairs = new Float64Array(count);
    // Sort (token, owner) pairs by packing both into one float: token * 2^16 + owner index.
    let k = 0;
    members.forEach((m, i) => {
      for (const t of m.tokens) pairs[k++] = t * 65536 + i;
    });
    pairs.sort();
    const tokens = new Uint32Array(count);
    const owners = new Int32Array(count);
    for (let j = 0; j < count; j++) {
      tokens[j] = Math.floor(pairs[j] / 65536);
      owners[j] = pairs[j] % 65536;
    }
    return new Ring(desc, config, members, tokens, owners);
  }

  get instances(): readonly InstanceDesc[] {
    return this.members;
  }

  get tokenCount(): number {
    return this.tokens.length;
  }

  /** Index of the first token strictly greater than `key`, wrapping to 0. */
  tokenIndexFor(key: number): number {
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tokens[mid] > key) hi = mid;
      else lo = mid + 1;
    }
    return lo === this.tokens.length ? 0 : lo;
  }

  /** The replica set for a key under an operation, or a ReplicationError saying what is missing. */
  get(key: number, op: Operation, now: number): ReplicationSet {
    if (this.tokens.length === 0) throw new ReplicationError('empty ring: no instance owns any token');
    return this.getAt(this.tokenIndexFor(key), op, now);
  }

  /** As get, from a token index (the distributor caches sets per index). */
  getAt(start: number, op: Operation, now: number): ReplicationSet {
    return filterReplicas(this.collect(start, op), op, this.config.replicationFactor, this.config.heartbeatTimeoutMs, now, this.config.zoneAwarenessEnabled);
  }

  /**
   * Walks clockwise from `start` collecting distinct instances (one per zone with zone awareness);
   * an instance whose state extends the set for `op` adds one more to collect, from its own zone.
   */
  private collect(start: number, op: Operation): InstanceDesc[] {
    const zoneAware = this.config.zoneAwarenessEnabled;
    let wanted = this.config.replicationFactor;
    const picked: number[] = [];
    const usedZones: string[] = [];
    const n = this.tokens.length;
    for (let step = 0; step < n && picked.length < wanted; step++) {
      const owner = this.owners[(start + step) % n];
      if (picked.includes(owner)) continue;
      const instance = this.members[owner];
      if (zoneAware && instance.zone !== '' && usedZones.includes(instance.zone)) continue;
      picked.push(owner);
      if (op.extendsReplicaSet(instance.state)) wanted++;
      else if (zoneAware && instance.zone !== '') usedZones.push(instance.zone);
    }
    return picked.map((i) => this.members[i]);
  }

  /** Instances healthy for `op` now (Cortex's healthyInstancesCount for Write: ACTIVE and heartbeating). */
  healthyInstancesCount(op: Operation, now: number): number {
    let count = 0;
    for (const m of this.members) if (isHealthy(m, op, this.config.heartbeatTimeoutMs, now)) count++;
    return count;
  }

  instancesInState(state: InstanceState): InstanceDesc[] {
    return this.members.filter((m) => m.state === state);
  }

  /** Fraction of the token space each instance owns: the ranges (previous token, own token]. */
  ownership(): Map<string, number> {
    const owned = new Map<string, number>(this.members.map((m) => [m.id, 0]));
    const n = this.tokens.length;
    for (let i = 0; i < n; i++) {
      const prev = i === 0 ? this.tokens[n - 1] - TOKEN_SPACE : this.tokens[i - 1];
      const id = this.members[this.owners[i]].id;
      owned.set(id, owned.get(id)! + (this.tokens[i] - prev) / TOKEN_SPACE);
    }
    return owned;
  }
}

export { ReplicationError };
