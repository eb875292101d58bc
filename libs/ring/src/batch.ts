import type { InstanceDesc } from './desc';
import type { Operation } from './operation';
import type { ReplicationSet } from './replication-strategy';
import type { Ring } from './ring';

/**
 * How one push fans out: the distinct instances involved, the series each gets (indexes into the
 * caller's key array), and each series' quorum. Computed in one pass over the keys; replica sets
 * are cached per ring position since every key between two tokens gets the same set.
 */
export interface BatchPlan {
  readonly instances: readonly InstanceDesc[];
  readonly seriesByInstance: readonly Int32Array[];
  readonly minSuccess: Uint8Array;
  readonly maxErrors: Uint8Array;
}

/** Groups series keys per instance; throws the ReplicationError of the first key without a quorum. */
export function planBatch(ring: Ring, keys: Uint32Array, op: Operation, now: number): BatchPlan {
  const setsByToken = new Map<number, { set: ReplicationSet; slots: number[] }>();
  const instances: InstanceDesc[] = [];
  const slotById = new Map<string, number>();
  const lists: number[][] = [];
  const minSuccess = new Uint8Array(keys.length);
  const maxErrors = new Uint8Array(keys.length);

  for (let s = 0; s < keys.length; s++) {
    if (ring.tokenCount === 0) ring.get(keys[s], op, now); // throws the empty-ring error
    const at = ring.tokenIndexFor(keys[s]);
    let entry = setsByToken.get(at);
    if (!entry) {
      const set = ring.getAt(at, op, now);
      const slots = set.instances.map((inst) => {
        let slot = slotById.get(inst.id);
        if (slot === undefined) {
          slot = instances.length;
          slotById.set(inst.id, slot);
          instances.push(inst);
          lists.push([]);
        }
        return slot;
      });
      entry = { set, slots };
      setsByToken.set(at, entry);
    }
    for (const slot of entry.slots) lists[slot].push(s);
    minSuccess[s] = entry.set.minSuccess;
    maxErrors[s] = entry.set.maxErrors;
  }
  return { instances, seriesByInstance: lists.map((l) => Int32Array.from(l)), minSuccess, maxErrors };
}

/** Why a request to one instance failed; 4xx means the data is bad, anything else is retryable. */
export interface InstanceFailure {
  readonly status: number;
  readonly message: string;
}

export type BatchOutcome = { ok: true } | { ok: false; failure: InstanceFailure };

/**
 * Tracks a push's per-series acknowledgements as instance responses arrive, Cortex-style: a series
 * succeeds once minSuccess replicas acknowledged it; it fails once more than maxErrors replicas
 * failed with errors of one family (4xx or 5xx), or once every replica answered without a quorum.
 * The batch succeeds when every series succeeded and fails at the first failed series, with the
 * error that decided it.
 */
export class BatchTracker {
  private readonly succeeded: Uint8Array;
  private readonly failed4xx: Uint8Array;
  private readonly failed5xx: Uint8Array;
  private readonly answered: Uint8Array;
  private readonly replicas: Uint8Array;
  private pendingSeries: number;
  private outcome: BatchOutcome | undefined;
  private last4xx: InstanceFailure | undefined;
  private last5xx: InstanceFailure | undefined;

  constructor(private readonly plan: BatchPlan) {
    const n = plan.minSuccess.length;
    this.succeeded = new Uint8Array(n);
    this.failed4xx = new Uint8Array(n);
    this.failed5xx = new Uint8Array(n);
    this.answered = new Uint8Array(n);
    this.replicas = new Uint8Array(n);
    for (const list of plan.seriesByInstance) for (let i = 0; i < list.length; i++) this.replicas[list[i]]++;
    this.pendingSeries = n;
    if (n === 0) this.outcome = { ok: true };
  }

  get result(): BatchOutcome | undefined {
    return this.outcome;
  }

  /** Records the answer of plan.instances[slot]; returns the outcome once it is decided. */
  record(slot: number, failure?: InstanceFailure): BatchOutcome | undefined {
    return this.recordSeries(this.plan.seriesByInstance[slot], failure);
  }

  /**
   * Records one replica's answer for the given series (indexes into the planned keys). Used
   * directly when a refused request was re-sent to another instance for its series: the
   * replacement's answer stands for the refused replica's.
   */
  recordSeries(series: Int32Array, failure?: InstanceFailure): BatchOutcome | undefined {
    if (this.outcome) return this.outcome;
    const is4xx = failure !== undefined && failure.status >= 400 && failure.status < 500;
    if (failure && is4xx) this.last4xx = failure;
    else if (failure) this.last5xx = failure;
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      const wasDone = this.succeeded[s] >= this.plan.minSuccess[s];
      this.answered[s]++;
      if (wasDone) continue;
      if (!failure) {
        this.succeeded[s]++;
        if (this.succeeded[s] === this.plan.minSuccess[s]) {
          if (--this.pendingSeries === 0) return (this.outcome = { ok: true });
          continue;
        }
      } else {
        const count = is4xx ? ++this.failed4xx[s] : ++this.failed5xx[s];
        if (count > this.plan.maxErrors[s]) return (this.outcome = { ok: false, failure });
      }
      if (this.answered[s] === this.replicas[s]) {
        // Every replica answered without a quorum of either kind: prefer the retryable error,
        // so the sender tries again rather than dropping data.
        return (this.outcome = { ok: false, failure: (this.last5xx ?? this.last4xx)! });
      }
    }
    return undefined;
  }
}
