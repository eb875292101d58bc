import { InMemoryKV } from '@myelin/kv';
import { ringDescCodec, type RingDesc } from './desc';
import { InstanceState } from './instance-state';
import { Lifecycler, type PersistedInstance, type TokensStore } from './lifecycler';
import { RingWatcher } from './ring-watcher';

const { ACTIVE, LEAVING, READONLY, PENDING } = InstanceState;
const KEY = 'ring';

class MemoryTokensStore implements TokensStore {
  saved: PersistedInstance[] = [];
  constructor(public value?: PersistedInstance) {}
  async load() {
    return this.value;
  }
  async save(v: PersistedInstance) {
    this.value = v;
    this.saved.push(v);
  }
}

const silent = { info: () => undefined, warn: () => undefined };

function setup(opts: { store?: MemoryTokensStore; kv?: InMemoryKV<RingDesc>; id?: string; now?: { t: number } } = {}) {
  const kv = opts.kv ?? new InMemoryKV(ringDescCodec);
  const store = opts.store ?? new MemoryTokensStore();
  const clock = opts.now ?? { t: 1000 };
  const lc = new Lifecycler(
    { id: opts.id ?? 'ing-1', addr: '127.0.0.1:9095', zone: 'z1', numTokens: 16, heartbeatPeriodMs: 60_000, ringKey: KEY },
    kv,
    store,
    { now: () => clock.t },
    silent,
  );
  return { kv, store, clock, lc };
}

describe('Lifecycler', () => {
  it('joins ACTIVE with new tokens, persists them, and is ready', async () => {
    const { kv, store, lc } = setup();
    expect(lc.readinessProblem()).toBe('not yet registered in the ring');
    await lc.start();
    const inst = (await kv.get(KEY))!.instances['ing-1'];
    expect(inst).toMatchObject({ id: 'ing-1', addr: '127.0.0.1:9095', zone: 'z1', state: ACTIVE, heartbeatTimestamp: 1000, registeredTimestamp: 1000 });
    expect(inst.tokens).toHaveLength(16);
    expect(store.value).toEqual({ tokens: inst.tokens, state: ACTIVE });
    expect(lc.readinessProblem()).toBeUndefined();
    await lc.stop();
  });

  it('reuses the persisted tokens and READONLY state on restart', async () => {
    const store = new MemoryTokensStore({ tokens: [5, 10, 15], state: READONLY });
    const { kv, lc } = setup({ store });
    await lc.start();
    expect((await kv.get(KEY))!.instances['ing-1']).toMatchObject({ state: READONLY, tokens: [5, 10, 15] });
    expect(lc.readinessProblem()).toBeUndefined();
    await lc.stop();
  });

  it('avoids tokens other instances own', async () => {
    const kv = new InMemoryKV(ringDescCodec);
    const a = setup({ kv, id: 'a' });
    await a.lc.start();
    const b = setup({ kv, id: 'b' });
    await b.lc.start();
    const desc = (await kv.get(KEY))!;
    const all = [...desc.instances['a'].tokens, ...desc.instances['b'].tokens];
    expect(new Set(all).size).toBe(32);
  });

  it('heartbeats with the clock', async () => {
    const { kv, clock, lc } = setup();
    await lc.start();
    clock.t = 6000;
    await lc.heartbeat();
    expect((await kv.get(KEY))!.instances['ing-1'].heartbeatTimestamp).toBe(6000);
  });

  it.each([
    [ACTIVE, READONLY, { ok: true, changed: true, state: READONLY }],
    [ACTIVE, ACTIVE, { ok: true, changed: false, state: ACTIVE }],
    [ACTIVE, PENDING, { ok: false, error: 'cannot change instance state from ACTIVE to PENDING (allowed from ACTIVE: LEAVING, READONLY)' }],
    [READONLY, ACTIVE, { ok: true, changed: true, state: ACTIVE }],
  ])('changes state %s -> %s through the transition rules', async (from, to, expected) => {
    const { lc, kv } = setup({ store: new MemoryTokensStore({ tokens: [1], state: from as PersistedInstance['state'] }) });
    await lc.start();
    expect(await lc.changeState(to)).toEqual(expected);
    const stored = (await kv.get(KEY))!.instances['ing-1'].state;
    expect(stored).toBe(expected.ok ? to : from);
  });

  it('READONLY -> ACTIVE resets the registered timestamp and persists the state', async () => {
    const { lc, kv, clock, store } = setup();
    await lc.start();
    clock.t = 2000;
    await lc.changeState(READONLY);
    expect(store.value?.state).toBe(READONLY);
    expect((await kv.get(KEY))!.instances['ing-1'].registeredTimestamp).toBe(1000);
    clock.t = 3000;
    await lc.changeState(ACTIVE);
    expect((await kv.get(KEY))!.instances['ing-1']).toMatchObject({ state: ACTIVE, registeredTimestamp: 3000 });
    expect(store.value?.state).toBe(ACTIVE);
  });

  it('leaves the ring on stop when ACTIVE, through LEAVING', async () => {
    const { lc, kv } = setup();
    await lc.start();
    const states: Array<InstanceState | undefined> = [];
    kv.watchKey(KEY, (d) => states.push(d?.instances['ing-1']?.state));
    await new Promise((r) => setImmediate(r));
    await lc.stop();
    await new Promise((r) => setImmediate(r));
    expect(states).toEqual([ACTIVE, LEAVING, undefined]);
    expect((await kv.get(KEY))!.instances['ing-1']).toBeUndefined();
  });

  it('stays in the ring as READONLY on stop, and comes back READONLY', async () => {
    const kv = new InMemoryKV(ringDescCodec);
    const first = setup({ kv });
    await first.lc.start();
    await first.lc.changeState(READONLY);
    await first.lc.stop();
    expect((await kv.get(KEY))!.instances['ing-1'].state).toBe(READONLY);

    const second = setup({ kv, store: first.store });
    await second.lc.start();
    expect(second.lc.state).toBe(READONLY);
    expect((await kv.get(KEY))!.instances['ing-1'].tokens).toEqual(first.lc.instanceTokens);
  });

  it('survives a KV store that is down at start, joining once it answers', async () => {
    const real = new InMemoryKV(ringDescCodec);
    let down = true;
    const flaky = { cas: (k: string, f: Parameters<typeof real.cas>[1]) => (down ? Promise.reject(new Error('connection refused')) : real.cas(k, f)) };
    const lc = new Lifecycler(
      { id: 'x', addr: 'a', zone: '', numTokens: 4, heartbeatPeriodMs: 60_000, ringKey: KEY },
      flaky,
      new MemoryTokensStore(),
      { now: () => 1 },
      silent,
    );
    await lc.start();
    expect(lc.readinessProblem()).toBe('not yet registered in the ring');
    await lc.heartbeat();
    expect(lc.heartbeatFailures).toBe(2);
    down = false;
    await lc.heartbeat();
    expect(lc.readinessProblem()).toBeUndefined();
    expect((await real.get(KEY))!.instances['x'].tokens).toHaveLength(4);
    await expect((down = true, lc.changeState(READONLY))).rejects.toThrow('connection refused');
    expect(lc.state).toBe(ACTIVE);
  });

  it('never writes back an old state when a heartbeat races a state change', async () => {
    const { lc, kv } = setup();
    await lc.start();
    await Promise.all([lc.heartbeat(), lc.changeState(READONLY), lc.heartbeat(), lc.heartbeat()]);
    await lc.heartbeat();
    expect((await kv.get(KEY))!.instances['ing-1'].state).toBe(READONLY);
  });
});

describe('RingWatcher', () => {
  it('rebuilds the ring on every change and keeps the last one', async () => {
    const kv = new InMemoryKV(ringDescCodec);
    const watcher = new RingWatcher(kv, KEY, { replicationFactor: 1, heartbeatTimeoutMs: 60_000, zoneAwarenessEnabled: false }, { now: () => 5 });
    expect(watcher.ring().instances).toHaveLength(0);
    watcher.start();
    const seen: number[] = [];
    watcher.onChange((r) => seen.push(r.instances.length));
    const a = setup({ kv, id: 'a' });
    await a.lc.start();
    const b = setup({ kv, id: 'b' });
    await b.lc.start();
    await new Promise((r) => setImmediate(r));
    expect(watcher.ring().instances.map((i) => i.id)).toEqual(['a', 'b']);
    expect(seen.at(-1)).toBe(2);
    await a.lc.stop();
    expect((await watcher.refresh()).instances.map((i) => i.id)).toEqual(['b']);
    watcher.stop();
  });
});
