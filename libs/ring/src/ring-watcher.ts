import type { KVClient } from '@myelin/kv';
import { emptyRingDesc, type RingDesc } from './desc';
import { Ring, type RingConfig } from './ring';

/**
 * A live view of a ring: watches the descriptor in the KV store and rebuilds the Ring on every
 * change. Readers call ring() for the current snapshot; it never blocks and is never undefined
 * (an empty ring before the first value arrives). If the KV store goes away, the last ring stays.
 */
export class RingWatcher {
  private current: Ring;
  private unwatch: (() => void) | undefined;
  private readonly listeners = new Set<(ring: Ring) => void>();
  /** When the ring last changed (clock ms); 0 before the first value. */
  lastUpdate = 0;

  constructor(
    private readonly kv: Pick<KVClient<RingDesc>, 'get' | 'watchKey'>,
    private readonly key: string,
    private readonly config: RingConfig,
    private readonly clock: { now(): number },
  ) {
    this.current = Ring.build(emptyRingDesc(), config);
  }

  start(): void {
    if (this.unwatch) return;
    this.unwatch = this.kv.watchKey(this.key, (desc) => this.apply(desc));
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  ring(): Ring {
    return this.current;
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  onChange(listener: (ring: Ring) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the descriptor now, not waiting for a notification (e.g. after an instance refused a write). */
  async refresh(): Promise<Ring> {
    this.apply(await this.kv.get(this.key));
    return this.current;
  }

  private apply(desc: RingDesc | undefined): void {
    this.current = Ring.build(desc ?? emptyRingDesc(), this.config);
    this.lastUpdate = this.clock.now();
    for (const listener of this.listeners) listener(this.current);
  }
}
