import { type InstanceState, STATE_NAMES } from './instance-state';

/** One member of the ring. Timestamps are milliseconds since the Unix epoch. */
export interface InstanceDesc {
  readonly id: string;
  /** host:port other services use to reach the instance. */
  readonly addr: string;
  /** Availability zone; '' when none. */
  readonly zone: string;
  readonly state: InstanceState;
  /** Sorted ascending, distinct uint32 values. Empty for LEFT instances. */
  readonly tokens: readonly number[];
  readonly heartbeatTimestamp: number;
  readonly registeredTimestamp: number;
}

/** The ring as stored in the KV store: every instance by ID (docs/format/ring.md). */
export interface RingDesc {
  readonly instances: Readonly<Record<string, InstanceDesc>>;
}

export function emptyRingDesc(): RingDesc {
  return { instances: {} };
}

export function withInstance(desc: RingDesc | undefined, instance: InstanceDesc): RingDesc {
  return { instances: { ...(desc?.instances ?? {}), [instance.id]: instance } };
}

export function withoutInstance(desc: RingDesc | undefined, id: string): RingDesc {
  const instances = { ...(desc?.instances ?? {}) };
  delete instances[id];
  return { instances };
}

/** JSON encoding of the ring descriptor, validated on the way in so a bad value never spreads. */
export const ringDescCodec = {
  encode(desc: RingDesc): string {
    return JSON.stringify(desc);
  },
  decode(text: string): RingDesc {
    const raw = JSON.parse(text) as unknown;
    if (!isObject(raw) || !isObject(raw.instances)) throw new Error('ring descriptor: missing "instances" map');
    const instances: Record<string, InstanceDesc> = {};
    for (const [id, value] of Object.entries(raw.instances)) instances[id] = decodeInstance(id, value);
    return { instances };
  },
};

function decodeInstance(id: string, v: unknown): InstanceDesc {
  const bad = (field: string) => new Error(`ring descriptor: instance ${JSON.stringify(id)}: bad field ${field}`);
  if (!isObject(v)) throw bad('(not an object)');
  if (v.id !== id) throw bad('id');
  if (typeof v.addr !== 'string') throw bad('addr');
  if (typeof v.zone !== 'string') throw bad('zone');
  if (typeof v.state !== 'number' || STATE_NAMES[v.state] === undefined) throw bad('state');
  if (!Array.isArray(v.tokens) || !v.tokens.every((t) => Number.isInteger(t) && t >= 0 && t <= 0xffffffff)) throw bad('tokens');
  if (typeof v.heartbeatTimestamp !== 'number') throw bad('heartbeatTimestamp');
  if (typeof v.registeredTimestamp !== 'number') throw bad('registeredTimestamp');
  return {
    id,
    addr: v.addr,
    zone: v.zone,
    state: v.state as InstanceState,
    tokens: v.tokens as number[],
    heartbeatTimestamp: v.heartbeatTimestamp,
    registeredTimestamp: v.registeredTimestamp,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
