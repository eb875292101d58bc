import { seededRandom as seeded } from '@myelin/model/testing';
import { type InstanceDesc, type RingDesc } from './desc';
import { shardByMetricName } from './hash';
import { InstanceState } from './instance-state';
import { Read, Reporting, Write, type Operation } from './operation';
import { Ring } from './ring';
import { generateTokens } from './tokens';

const { ACTIVE, LEAVING, PENDING, JOINING, LEFT, READONLY } = InstanceState;
const NOW = 1_000_000_000;
const TIMEOUT = 60_000;
const STALE = 'stale';

type Spec = { state?: InstanceState; stale?: boolean; zone?: string };

/** Six instances ing-1..ing-6 owning tokens 100..600; key 150 walks ing-2, ing-3, ..., ing-6, ing-1. */
function ringOf(specs: Record<number, Spec | InstanceState | typeof STALE> = {}, rf = 3, zones = false, zoneOf?: (i: number) => string): Ring {
  const instances: Record<string, InstanceDesc> = {};
  for (let i = 1; i <= 6; i++) {
    const raw = specs[i];
    const spec: Spec = raw === STALE ? { stale: true } : typeof raw === 'number' ? { state: raw } : (raw ?? {});
    instances[`ing-${i}`] = {
      id: `ing-${i}`,
      addr: `10.0.0.${i}:9095`,
      zone: spec.zone ?? zoneOf?.(i) ?? '',
      state: spec.state ?? ACTIVE,
      tokens: [i * 100],
      heartbeatTimestamp: spec.stale ? NOW - TIMEOUT - 1 : NOW - 1000,
      registeredTimestamp: 0,
    };
  }
  return Ring.build({ instances }, { replicationFactor: rf, heartbeatTimeoutMs: TIMEOUT, zoneAwarenessEnabled: zones });
}

function pick(ring: Ring, op: Operation, key = 150) {
  try {
    const set = ring.get(key, op, NOW);
    return { ids: set.instances.map((i) => i.id), minSuccess: set.minSuccess, maxErrors: set.maxErrors };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

const ids = (...n: number[]) => n.map((i) => `ing-${i}`);

describe('Ring.get: replica selection without zones', () => {
  it.each([
    ['RF1 all ACTIVE', {}, 1, Write, { ids: ids(2), minSuccess: 1, maxErrors: 0 }],
    ['RF3 all ACTIVE', {}, 3, Write, { ids: ids(2, 3, 4), minSuccess: 2, maxErrors: 1 }],
    ['RF5 all ACTIVE', {}, 5, Write, { ids: ids(2, 3, 4, 5, 6), minSuccess: 3, maxErrors: 2 }],
    ['RF3 READONLY write: extends, READONLY dropped', { 3: READONLY }, 3, Write, { ids: ids(2, 4, 5), minSuccess: 2, maxErrors: 1 }],
    ['RF3 READONLY read: kept, no extension', { 3: READONLY }, 3, Read, { ids: ids(2, 3, 4), minSuccess: 2, maxErrors: 1 }],
    ['RF3 LEAVING write', { 3: LEAVING }, 3, Write, { ids: ids(2, 4, 5), minSuccess: 2, maxErrors: 1 }],
    ['RF3 LEAVING read', { 3: LEAVING }, 3, Read, { ids: ids(2, 3, 4), minSuccess: 2, maxErrors: 1 }],
    ['RF3 PENDING write', { 3: PENDING }, 3, Write, { ids: ids(2, 4, 5), minSuccess: 2, maxErrors: 1 }],
    ['RF3 PENDING read: extends and is kept', { 3: PENDING }, 3, Read, { ids: ids(2, 3, 4, 5), minSuccess: 2, maxErrors: 2 }],
    ['RF3 JOINING write', { 3: JOINING }, 3, Write, { ids: ids(2, 4, 5), minSuccess: 2, maxErrors: 1 }],
    ['RF3 JOINING read', { 3: JOINING }, 3, Read, { ids: ids(2, 3, 4), minSuccess: 2, maxErrors: 1 }],
    ['RF3 LEFT with tokens read: extends, dropped', { 3: LEFT }, 3, Read, { ids: ids(2, 4, 5), minSuccess: 2, maxErrors: 1 }],
    ['RF3 two READONLY in a row', { 2: READONLY, 3: READONLY }, 3, Write, { ids: ids(4, 5, 6), minSuccess: 2, maxErrors: 1 }],
    ['RF3 READONLY and LEAVING', { 2: READONLY, 4: LEAVING }, 3, Write, { ids: ids(3, 5, 6), minSuccess: 2, maxErrors: 1 }],
    ['RF3 stale heartbeat', { 3: STALE }, 3, Write, { ids: ids(2, 4), minSuccess: 2, maxErrors: 0 }],
    ['RF3 stale heartbeat on read', { 3: STALE }, 3, Read, { ids: ids(2, 4), minSuccess: 2, maxErrors: 0 }],
    ['RF3 two stale', { 3: STALE, 4: STALE }, 3, Write, { error: 'at least 2 live replicas required, could only find 1 - unhealthy instances: ing-3,ing-4' }],
    ['RF3 READONLY and stale', { 2: READONLY, 4: STALE }, 3, Write, { ids: ids(3, 5), minSuccess: 2, maxErrors: 0 }],
    ['RF5 two stale', { 3: STALE, 5: STALE }, 5, Write, { ids: ids(2, 4, 6), minSuccess: 3, maxErrors: 0 }],
    ['RF5 three stale', { 3: STALE, 5: STALE, 6: STALE }, 5, Write, { error: 'at least 3 live replicas required, could only find 2 - unhealthy instances: ing-3,ing-5,ing-6' }],
    ['RF5 READONLY extends', { 4: READONLY }, 5, Write, { ids: ids(2, 3, 5, 6, 1), minSuccess: 3, maxErrors: 2 }],
    ['RF1 READONLY', { 2: READONLY }, 1, Write, { ids: ids(3), minSuccess: 1, maxErrors: 0 }],
    ['RF1 stale', { 2: STALE }, 1, Write, { error: 'at least 1 live replicas required, could only find 0 - unhealthy instances: ing-2' }],
    [
      'RF3 all READONLY',
      { 1: READONLY, 2: READONLY, 3: READONLY, 4: READONLY, 5: READONLY, 6: READONLY },
      3,
      Write,
      { error: 'at least 2 live replicas required, could only find 0 - unhealthy instances: ing-2,ing-3,ing-4,ing-5,ing-6,ing-1' },
    ],
    ['Reporting sees LEAVING without extension', { 3: LEAVING }, 3, Reporting, { ids: ids(2, 3, 4), minSuccess: 2, maxErrors: 1 }],
  ] as const)('%s', (_name, specs, rf, op, expected) => {
    expect(pick(ringOf(specs as Record<number, Spec | InstanceState | typeof STALE>, rf), op)).toEqual(expected);
  });

  it.each([
    [650, ids(1, 2, 3)],
    [200, ids(3, 4, 5)],
    [199, ids(2, 3, 4)],
    [0, ids(1, 2, 3)],
    [0xffffffff, ids(1, 2, 3)],
  ])('key %d starts at the first token strictly greater, wrapping', (key, expected) => {
    expect(pick(ringOf(), Write, key)).toMatchObject({ ids: expected });
  });

  it('says so on an empty ring', () => {
    const ring = Ring.build({ instances: {} }, { replicationFactor: 3, heartbeatTimeoutMs: TIMEOUT, zoneAwarenessEnabled: false });
    expect(pick(ring, Write)).toEqual({ error: 'empty ring: no instance owns any token' });
  });
});

describe('Ring.get: zone awareness', () => {
  // zone-a: ing-1, ing-2; zone-b: ing-3, ing-4; zone-c: ing-5, ing-6.
  const zoneOf = (i: number) => ['zone-a', 'zone-b', 'zone-c'][Math.floor((i - 1) / 2)];
  const zoned = (specs: Record<number, Spec | InstanceState | typeof STALE> = {}, rf = 3) => ringOf(specs, rf, true, zoneOf);

  it.each([
    ['one per zone', {}, 3, Write, { ids: ids(2, 3, 5), minSuccess: 2, maxErrors: 1 }],
    ['READONLY extends within its own zone', { 3: READONLY }, 3, Write, { ids: ids(2, 4, 5), minSuccess: 2, maxErrors: 1 }],
    ['READONLY kept for reads', { 3: READONLY }, 3, Read, { ids: ids(2, 3, 5), minSuccess: 2, maxErrors: 1 }],
    ['stale instance dropped', { 3: STALE }, 3, Write, { ids: ids(2, 5), minSuccess: 2, maxErrors: 0 }],
    ['two zones down', { 3: STALE, 5: STALE }, 3, Write, { error: 'at least 2 live replicas required across different availability zones, could only find 1' }],
    ['RF1', {}, 1, Write, { ids: ids(2), minSuccess: 1, maxErrors: 0 }],
    ['RF5 over three zones: one per zone, quorum of 5', {}, 5, Write, { ids: ids(2, 3, 5), minSuccess: 3, maxErrors: 0 }],
    ['RF5 over three zones, one down', { 5: STALE }, 5, Write, { error: 'at least 3 live replicas required across different availability zones, could only find 2' }],
  ] as const)('%s', (_name, specs, rf, op, expected) => {
    expect(pick(zoned(specs as Record<number, Spec | InstanceState | typeof STALE>, rf), op)).toEqual(expected);
  });

  it('without zone awareness the same ring ignores zones', () => {
    expect(pick(ringOf({}, 3, false, zoneOf), Write)).toMatchObject({ ids: ids(2, 3, 4) });
  });
});

describe('Ring counts', () => {
  it('counts write-healthy instances: ACTIVE with a fresh heartbeat', () => {
    const ring = ringOf({ 1: READONLY, 2: STALE, 3: LEAVING });
    expect(ring.healthyInstancesCount(Write, NOW)).toBe(3);
    expect(ring.healthyInstancesCount(Read, NOW)).toBe(5);
    expect(ring.healthyInstancesCount(Reporting, NOW)).toBe(5);
    expect(ring.instancesInState(READONLY).map((i) => i.id)).toEqual(['ing-1']);
  });
});


describe('spread with random tokens (property)', () => {
  // With 128 random tokens per instance, an instance's share has a relative standard deviation
  // of about 1/sqrt(128) = 9%; the tolerance is 35% of the fair share (about 4 sigma).
  const TOLERANCE = 0.35;

  it.each([1, 2, 3, 4, 5])('seed %d: ten ACTIVE instances each own 10%% of the token space and of the series, within 35%%', (seed) => {
    const r = seeded(seed);
    const random = () => Math.floor(r() * 0x1_0000_0000);
    const taken = new Set<number>();
    const instances: Record<string, InstanceDesc> = {};
    for (let i = 0; i < 10; i++) {
      const tokens = generateTokens(128, taken, random);
      tokens.forEach((t) => taken.add(t));
      instances[`ing-${i}`] = { id: `ing-${i}`, addr: '', zone: '', state: ACTIVE, tokens, heartbeatTimestamp: NOW, registeredTimestamp: 0 };
    }
    const desc: RingDesc = { instances };
    const ring = Ring.build(desc, { replicationFactor: 3, heartbeatTimeoutMs: TIMEOUT, zoneAwarenessEnabled: false });

    const ownership = ring.ownership();
    expect([...ownership.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    for (const share of ownership.values()) expect(Math.abs(share - 0.1)).toBeLessThan(0.1 * TOLERANCE);

    const held = new Map<string, number>();
    const series = 20_000;
    for (let s = 0; s < series; s++) {
      for (const inst of ring.get(shardByMetricName(`tenant-${s % 7}`, `metric_${s}`), Write, NOW).instances) {
        held.set(inst.id, (held.get(inst.id) ?? 0) + 1);
      }
    }
    // RF=3: each instance holds about 30% of the series.
    for (const count of held.values()) expect(Math.abs(count / series - 0.3)).toBeLessThan(0.3 * TOLERANCE);
    expect(held.size).toBe(10);
  });
});
