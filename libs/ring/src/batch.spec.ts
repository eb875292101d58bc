import type { InstanceDesc } from './desc';
import { BatchTracker, planBatch } from './batch';
import { InstanceState } from './instance-state';
import { Write } from './operation';
import { Ring } from './ring';

const NOW = 1_000_000;

/** ing-1..ing-4 owning tokens 100..400. */
function ring(states: Partial<Record<number, InstanceState>> = {}, rf = 3): Ring {
  const instances: Record<string, InstanceDesc> = {};
  for (let i = 1; i <= 4; i++) {
    instances[`ing-${i}`] = {
      id: `ing-${i}`,
      addr: `a${i}`,
      zone: '',
      state: states[i] ?? InstanceState.ACTIVE,
      tokens: [i * 100],
      heartbeatTimestamp: NOW,
      registeredTimestamp: 0,
    };
  }
  return Ring.build({ instances }, { replicationFactor: rf, heartbeatTimeoutMs: 60_000, zoneAwarenessEnabled: false });
}

function grouped(plan: ReturnType<typeof planBatch>) {
  return Object.fromEntries(plan.instances.map((inst, i) => [inst.id, [...plan.seriesByInstance[i]]]));
}

describe('planBatch', () => {
  it('groups series per instance in one pass, each series on its replicas', () => {
    // keys: 150 -> ing-2,3,4; 250 -> ing-3,4,1; 350 -> ing-4,1,2; 160 -> same as 150
    const plan = planBatch(ring(), Uint32Array.from([150, 250, 350, 160]), Write, NOW);
    expect(grouped(plan)).toEqual({
      'ing-2': [0, 2, 3],
      'ing-3': [0, 1, 3],
      'ing-4': [0, 1, 2, 3],
      'ing-1': [1, 2],
    });
    expect([...plan.minSuccess]).toEqual([2, 2, 2, 2]);
    expect([...plan.maxErrors]).toEqual([1, 1, 1, 1]);
  });

  it('sends a READONLY instance nothing: its share goes to the next owner', () => {
    const plan = planBatch(ring({ 3: InstanceState.READONLY }), Uint32Array.from([150]), Write, NOW);
    expect(grouped(plan)).toEqual({ 'ing-2': [0], 'ing-4': [0], 'ing-1': [0] });
  });

  it('fails with the replication error of a key without quorum', () => {
    const r = ring({ 1: InstanceState.READONLY, 2: InstanceState.READONLY, 3: InstanceState.READONLY });
    expect(() => planBatch(r, Uint32Array.from([150]), Write, NOW)).toThrow(
      'at least 2 live replicas required, could only find 1 - unhealthy instances: ing-2,ing-3,ing-1',
    );
  });

  it('plans an empty push as nothing to do', () => {
    const plan = planBatch(ring(), new Uint32Array(0), Write, NOW);
    expect(plan.instances).toEqual([]);
    expect(new BatchTracker(plan).result).toEqual({ ok: true });
  });
});

describe('BatchTracker', () => {
  // One series (key 150) on ing-2, ing-3, ing-4: quorum 2, one failure tolerated.
  const slots = () => {
    const plan = planBatch(ring(), Uint32Array.from([150]), Write, NOW);
    const slot = (id: string) => plan.instances.findIndex((i) => i.id === id);
    return { tracker: new BatchTracker(plan), a: slot('ing-2'), b: slot('ing-3'), c: slot('ing-4') };
  };
  const e5 = { status: 503, message: 'unavailable' };
  const e4 = { status: 400, message: 'out of order sample' };

  it.each([
    ['ok, ok', [undefined, undefined], [undefined, { ok: true }]],
    ['5xx, ok, ok', [e5, undefined, undefined], [undefined, undefined, { ok: true }]],
    ['5xx, 5xx', [e5, e5], [undefined, { ok: false, failure: e5 }]],
    ['4xx, 4xx', [e4, e4], [undefined, { ok: false, failure: e4 }]],
    ['4xx, 5xx, ok: every replica answered without quorum, the 5xx wins', [e4, e5, undefined], [undefined, undefined, { ok: false, failure: e5 }]],
    ['5xx, 4xx, ok', [e5, e4, undefined], [undefined, undefined, { ok: false, failure: e5 }]],
    ['ok, 5xx, 5xx', [undefined, e5, e5], [undefined, undefined, { ok: false, failure: e5 }]],
    ['ok, 4xx, ok', [undefined, e4, undefined], [undefined, undefined, { ok: true }]],
  ])('%s', (_name, answers, expected) => {
    const { tracker, a, b, c } = slots();
    const order = [a, b, c];
    const results = answers.map((failure, i) => tracker.record(order[i], failure));
    expect(results.slice(0, expected.length)).toEqual(expected);
  });

  it('succeeds only when every series reached its quorum', () => {
    // 150 -> ing-2,3,4 ; 350 -> ing-4,1,2
    const plan = planBatch(ring(), Uint32Array.from([150, 350]), Write, NOW);
    const slot = (id: string) => plan.instances.findIndex((i) => i.id === id);
    const t = new BatchTracker(plan);
    expect(t.record(slot('ing-4'))).toBeUndefined(); // both series 1/2
    expect(t.record(slot('ing-3'))).toBeUndefined(); // series 0 done, series 1 still 1/2
    expect(t.record(slot('ing-1'))).toEqual({ ok: true });
  });

  it('keeps the first outcome once decided', () => {
    const { tracker, a, b, c } = slots();
    tracker.record(a, e5);
    tracker.record(b, e5);
    expect(tracker.record(c)).toEqual({ ok: false, failure: e5 });
    expect(tracker.result).toEqual({ ok: false, failure: e5 });
  });
});
