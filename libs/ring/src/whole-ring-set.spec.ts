import type { InstanceDesc } from './desc';
import { InstanceState } from './instance-state';
import { Read } from './operation';
import { wholeRingSet } from './whole-ring-set';

const { ACTIVE, LEAVING, PENDING, LEFT, READONLY } = InstanceState;
const NOW = 1_000_000;
const TIMEOUT = 60_000;

type Spec = { state?: InstanceState; stale?: boolean; zone?: string };

function members(specs: Spec[]): InstanceDesc[] {
  return specs.map((s, i) => ({
    id: `ing-${i + 1}`,
    addr: `10.0.0.${i + 1}:9095`,
    zone: s.zone ?? '',
    state: s.state ?? ACTIVE,
    tokens: s.state === LEFT ? [] : [(i + 1) * 100],
    heartbeatTimestamp: s.stale ? NOW - TIMEOUT - 1 : NOW - 1_000,
    registeredTimestamp: 0,
  }));
}

function read(specs: Spec[], rf = 3, zones = false) {
  try {
    const set = wholeRingSet(members(specs), Read, { replicationFactor: rf, heartbeatTimeoutMs: TIMEOUT, zoneAwarenessEnabled: zones }, NOW);
    return { ids: set.instances.map((i) => i.id), maxErrors: set.maxErrors, maxUnavailableZones: set.maxUnavailableZones };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('wholeRingSet (reads ask every ingester)', () => {
  it.each<[string, Spec[], number, ReturnType<typeof read>]>([
    ['3 healthy of RF 3: one may fail', [{}, {}, {}], 3, { ids: ['ing-1', 'ing-2', 'ing-3'], maxErrors: 1, maxUnavailableZones: 0 }],
    ['READONLY and LEAVING still answer reads', [{ state: READONLY }, { state: LEAVING }, {}], 3, { ids: ['ing-1', 'ing-2', 'ing-3'], maxErrors: 1, maxUnavailableZones: 0 }],
    ['one stale heartbeat: the rest must all answer', [{ stale: true }, {}, {}], 3, { ids: ['ing-2', 'ing-3'], maxErrors: 0, maxUnavailableZones: 0 }],
    ['two stale of 3', [{ stale: true }, { stale: true }, {}], 3, { error: 'too many unhealthy instances in the ring: 1 healthy, 2 needed' }],
    ['5 ingesters: 4 needed', [{}, {}, {}, {}, {}], 3, { ids: ['ing-1', 'ing-2', 'ing-3', 'ing-4', 'ing-5'], maxErrors: 1, maxUnavailableZones: 0 }],
    ['fewer ingesters than RF: counted as RF', [{}, {}], 3, { ids: ['ing-1', 'ing-2'], maxErrors: 0, maxUnavailableZones: 0 }],
    ['a LEFT instance is not asked', [{}, {}, {}, { state: LEFT }], 3, { ids: ['ing-1', 'ing-2', 'ing-3'], maxErrors: 1, maxUnavailableZones: 0 }],
    ['RF 1: nothing may fail', [{}], 1, { ids: ['ing-1'], maxErrors: 0, maxUnavailableZones: 0 }],
    ['PENDING is healthy for reads', [{ state: PENDING }, {}, {}], 3, { ids: ['ing-1', 'ing-2', 'ing-3'], maxErrors: 1, maxUnavailableZones: 0 }],
  ])('%s', (_, specs, rf, want) => {
    expect(read(specs, rf)).toEqual(want);
  });

  it.each<[string, Spec[], ReturnType<typeof read>]>([
    ['three zones healthy: one zone may go', [{ zone: 'a' }, { zone: 'b' }, { zone: 'c' }, { zone: 'a' }], { ids: ['ing-1', 'ing-2', 'ing-3', 'ing-4'], maxErrors: 0, maxUnavailableZones: 1 }],
    ['a zone with a stale instance is dropped whole', [{ zone: 'a', stale: true }, { zone: 'b' }, { zone: 'c' }, { zone: 'a' }], { ids: ['ing-2', 'ing-3'], maxErrors: 0, maxUnavailableZones: 0 }],
    ['two zones unhealthy', [{ zone: 'a', stale: true }, { zone: 'b', stale: true }, { zone: 'c' }], { error: 'too many unhealthy instances in the ring: 2 zones have unhealthy instances, at most 1 may' }],
  ])('zone-aware: %s', (_, specs, want) => {
    expect(read(specs, 3, true)).toEqual(want);
  });
});
