import type { KVClient } from '@myelin/kv';
import { type InstanceDesc, type RingDesc, withInstance, withoutInstance } from './desc';
import { InstanceState, stateName } from './instance-state';
import { generateTokens, mathRandomUint32, type RandomUint32 } from './tokens';
import { transition } from './transition';

export interface LifecyclerConfig {
  readonly id: string;
  readonly addr: string;
  readonly zone: string;
  readonly numTokens: number;
  readonly heartbeatPeriodMs: number;
  /** The ring's key in the KV store. */
  readonly ringKey: string;
}

/** What survives a restart: the tokens, and whether the instance was READONLY. */
export interface PersistedInstance {
  readonly tokens: readonly number[];
  readonly state: InstanceState.ACTIVE | InstanceState.READONLY;
}

/** Where the instance's tokens and state are kept between runs (a file on the ingester's disk). */
export interface TokensStore {
  load(): Promise<PersistedInstance | undefined>;
  save(instance: PersistedInstance): Promise<void>;
}

export interface LifecyclerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type StateChange = { ok: true; changed: boolean; state: InstanceState } | { ok: false; error: string };

/**
 * One instance's membership in the ring. It joins with its tokens (made once, kept in the
 * TokensStore and reused on restart), heartbeats every period, changes state only through the
 * allowed transitions, and on stop leaves the ring, unless it is READONLY, which it stays
 * (../shared/spec/ring-and-readonly.md). Every KV update of the instance goes through one queue,
 * so a heartbeat never writes back a state that a state change has just replaced. While the KV
 * store is down the heartbeats fail, are counted, and are retried on the next period.
 */
export class Lifecycler {
  private current: InstanceState = InstanceState.PENDING;
  private tokens: readonly number[] = [];
  private registeredTimestamp = 0;
  private registered = false;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private heartbeatPending = false;
  private stopped = false;
  /** Heartbeats that failed since start; exported as a metric by the Nest module. */
  heartbeatFailures = 0;
  lastHeartbeatOk = 0;

  constructor(
    private readonly config: LifecyclerConfig,
    private readonly kv: Pick<KVClient<RingDesc>, 'cas'>,
    private readonly store: TokensStore,
    private readonly clock: { now(): number },
    private readonly logger: LifecyclerLogger,
    private readonly random: RandomUint32 = mathRandomUint32,
  ) {}

  get id(): string {
    return this.config.id;
  }

  get state(): InstanceState {
    return this.current;
  }

  get instanceTokens(): readonly number[] {
    return this.tokens;
  }

  /** Undefined when the instance is in the ring as ACTIVE or READONLY, else why not. */
  readinessProblem(): string | undefined {
    if (!this.registered) return 'not yet registered in the ring';
    if (this.current !== InstanceState.ACTIVE && this.current !== InstanceState.READONLY) {
      return `instance state is ${stateName(this.current)}`;
    }
    return undefined;
  }

  /**
   * Restores tokens and state, registers, and starts heartbeating. A failed registration (KV
   * down) is logged and retried by the heartbeat loop; start itself does not fail for it.
   */
  async start(): Promise<void> {
    const persisted = await this.store.load();
    this.tokens = persisted?.tokens ?? [];
    this.current = persisted?.state === InstanceState.READONLY ? InstanceState.READONLY : InstanceState.ACTIVE;
    this.registeredTimestamp = this.clock.now();
    try {
      await this.enqueue(() => this.upsert());
      this.logger.info({ instance: this.config.id, state: stateName(this.current), tokens: this.tokens.length }, 'joined the ring');
    } catch (err) {
      this.heartbeatFailures++;
      this.logger.warn({ instance: this.config.id, err: (err as Error).message }, 'could not join the ring yet; retrying every heartbeat');
    }
    this.timer = setInterval(() => void this.heartbeat(), this.config.heartbeatPeriodMs);
    this.timer.unref();
  }

  /** One heartbeat now (the timer calls this); skipped if the previous one is still running. */
  async heartbeat(): Promise<void> {
    if (this.heartbeatPending || this.stopped) return;
    this.heartbeatPending = true;
    try {
      const wasRegistered = this.registered;
      await this.enqueue(() => this.upsert());
      if (!wasRegistered) this.logger.info({ instance: this.config.id }, 'joined the ring');
    } catch (err) {
      if (this.heartbeatFailures++ === 0 || this.heartbeatFailures % 12 === 0) {
        this.logger.warn({ instance: this.config.id, err: (err as Error).message, failures: this.heartbeatFailures }, 'heartbeat failed');
      }
    } finally {
      this.heartbeatPending = false;
    }
  }

  /**
   * Moves the instance to `to` if the transition is allowed, in the ring and in the TokensStore.
   * READONLY -> ACTIVE resets the registered timestamp. Rejects when the KV store is unreachable.
   */
  changeState(to: InstanceState): Promise<StateChange> {
    return this.enqueue(async () => {
      const check = transition(this.current, to);
      if (!check.ok) return check;
      if (!check.changed) return { ok: true, changed: false, state: this.current };
      const previous = this.current;
      const previousRegistered = this.registeredTimestamp;
      this.current = to;
      if (previous === InstanceState.READONLY && to === InstanceState.ACTIVE) this.registeredTimestamp = this.clock.now();
      try {
        await this.upsert();
      } catch (err) {
        this.current = previous;
        this.registeredTimestamp = previousRegistered;
        throw err;
      }
      this.logger.info({ instance: this.config.id, from: stateName(previous), to: stateName(to) }, 'instance state changed');
      return { ok: true, changed: true, state: to };
    });
  }

  /**
   * Stops heartbeating. A READONLY instance stays in the ring as READONLY (unless `unregister`,
   * as /ingester/shutdown asks); any other goes LEAVING and is then removed. Its tokens and state
   * stay in the TokensStore for the next start.
   */
  async stop(opts: { unregister?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopped = true;
    await this.enqueue(async () => {
      if (!this.registered) return;
      if (this.current === InstanceState.READONLY && !opts.unregister) {
        this.logger.info({ instance: this.config.id }, 'stopping as READONLY: staying in the ring');
        return;
      }
      this.current = InstanceState.LEAVING;
      await this.upsert();
      await this.kv.cas(this.config.ringKey, (desc) => (desc?.instances[this.config.id] ? withoutInstance(desc, this.config.id) : undefined));
      this.registered = false;
      this.logger.info({ instance: this.config.id }, 'left the ring');
    });
  }

  /** Writes this instance's record (state, tokens, heartbeat now), making tokens on first join. */
  private async upsert(): Promise<void> {
    let chosen: readonly number[] = this.tokens;
    await this.kv.cas(this.config.ringKey, (desc) => {
      chosen = this.tokens.length > 0 ? this.tokens : (desc?.instances[this.config.id]?.tokens ?? []);
      if (chosen.length === 0) chosen = generateTokens(this.config.numTokens, takenTokens(desc, this.config.id), this.random);
      const record: InstanceDesc = {
        id: this.config.id,
        addr: this.config.addr,
        zone: this.config.zone,
        state: this.current,
        tokens: chosen,
        heartbeatTimestamp: this.clock.now(),
        registeredTimestamp: this.registeredTimestamp,
      };
      return withInstance(desc, record);
    });
    const newTokens = chosen !== this.tokens;
    this.tokens = chosen;
    this.registered = true;
    this.lastHeartbeatOk = this.clock.now();
    if (newTokens || this.persistedState() !== this.lastPersisted) await this.persist();
  }

  private lastPersisted: InstanceState | undefined;

  private persistedState(): PersistedInstance['state'] {
    return this.current === InstanceState.READONLY ? InstanceState.READONLY : InstanceState.ACTIVE;
  }

  private async persist(): Promise<void> {
    const state = this.persistedState();
    await this.store.save({ tokens: this.tokens, state });
    this.lastPersisted = state;
  }

  private enqueue<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function takenTokens(desc: RingDesc | undefined, self: string): Set<number> {
  const taken = new Set<number>();
  for (const inst of Object.values(desc?.instances ?? {})) if (inst.id !== self) for (const t of inst.tokens) taken.add(t);
  return taken;
}
