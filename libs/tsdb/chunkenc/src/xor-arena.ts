import { XORChunk } from './xor';

/** Bytes of a block in size class 0; class c holds blocks of MIN_BLOCK << c. */
const MIN_BLOCK = 32;
/** Bytes per page of blocks (a class whose blocks are bigger gets one block per page). */
const PAGE = 64 * 1024;

/**
 * Blocks of MIN_BLOCK << c bytes in shared pages, one size class per c, freed blocks reused. A
 * block is named by its class and its index in that class.
 */
class BlockPool {
  private readonly pages: Uint8Array[][] = [];
  private readonly freeBlocks: number[][] = [];
  private readonly used: number[] = [];

  alloc(cls: number): number {
    while (this.pages.length <= cls) {
      this.pages.push([]);
      this.freeBlocks.push([]);
      this.used.push(0);
    }
    const reused = this.freeBlocks[cls].pop();
    if (reused !== undefined) return reused;
    const block = this.used[cls]++;
    const perPage = this.perPage(cls);
    if (block % perPage === 0) this.pages[cls].push(new Uint8Array(perPage * (MIN_BLOCK << cls)));
    return block;
  }

  release(cls: number, block: number): void {
    this.freeBlocks[cls].push(block);
  }

  page(cls: number, block: number): Uint8Array {
    return this.pages[cls][Math.floor(block / this.perPage(cls))];
  }

  offset(cls: number, block: number): number {
    return (block % this.perPage(cls)) * (MIN_BLOCK << cls);
  }

  private perPage(cls: number): number {
    return Math.max(1, Math.floor(PAGE / (MIN_BLOCK << cls)));
  }
}

/** Per-slot state in typed arrays, grown by doubling. */
class SlotState {
  t = new Float64Array(0);
  firstT = new Float64Array(0);
  tDelta = new Float64Array(0);
  vHi = new Uint32Array(0);
  vLo = new Uint32Array(0);
  count = new Int32Array(0);
  length = new Int32Array(0);
  block = new Int32Array(0);
  free = new Uint8Array(0);
  leading = new Uint8Array(0);
  trailing = new Uint8Array(0);
  cls = new Uint8Array(0);

  get size(): number {
    return this.count.length;
  }

  grow(size: number): void {
    this.t = copied(this.t, new Float64Array(size));
    this.firstT = copied(this.firstT, new Float64Array(size));
    this.tDelta = copied(this.tDelta, new Float64Array(size));
    this.vHi = copied(this.vHi, new Uint32Array(size));
    this.vLo = copied(this.vLo, new Uint32Array(size));
    this.count = copied(this.count, new Int32Array(size));
    this.length = copied(this.length, new Int32Array(size));
    this.block = copied(this.block, new Int32Array(size));
    this.free = copied(this.free, new Uint8Array(size));
    this.leading = copied(this.leading, new Uint8Array(size));
    this.trailing = copied(this.trailing, new Uint8Array(size));
    this.cls = copied(this.cls, new Uint8Array(size));
  }
}

function copied<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

/**
 * The XOR encoder working on one slot at a time: loads the slot's state, appends with
 * XORChunk's own code (so the bytes are XORChunk's, bit for bit), stores the state back. Its
 * stream lives in the slot's block; growing moves it to a block of the next size class.
 */
class SlotCursor extends XORChunk {
  private slot = -1;

  constructor(
    private readonly state: SlotState,
    private readonly pool: BlockPool,
  ) {
    super();
  }

  load(slot: number): void {
    const s = this.state;
    this.slot = slot;
    this.count = s.count[slot];
    this.t = s.t[slot];
    this.firstT = s.firstT[slot];
    this.tDelta = s.tDelta[slot];
    this.vHi = s.vHi[slot];
    this.vLo = s.vLo[slot];
    this.leading = s.leading[slot];
    this.trailing = s.trailing[slot];
    this.length = s.length[slot];
    this.free = s.free[slot];
    this.point(s.cls[slot], s.block[slot]);
  }

  store(): void {
    const s = this.state;
    const slot = this.slot;
    s.count[slot] = this.count;
    s.t[slot] = this.t;
    s.firstT[slot] = this.firstT;
    s.tDelta[slot] = this.tDelta;
    s.vHi[slot] = this.vHi;
    s.vLo[slot] = this.vLo;
    s.leading[slot] = this.leading;
    s.trailing[slot] = this.trailing;
    s.length[slot] = this.length;
    s.free[slot] = this.free;
  }

  private point(cls: number, block: number): void {
    this.buf = this.pool.page(cls, block);
    this.base = this.pool.offset(cls, block);
    this.capacity = MIN_BLOCK << cls;
  }

  /** Moves the stream to a block twice the size. */
  protected override grow(): void {
    const s = this.state;
    const slot = this.slot;
    const cls = s.cls[slot] + 1;
    const block = this.pool.alloc(cls);
    const from = this.buf.subarray(this.base, this.base + this.length);
    this.pool.page(cls, block).set(from, this.pool.offset(cls, block));
    this.pool.release(s.cls[slot], s.block[slot]);
    s.cls[slot] = cls;
    s.block[slot] = block;
    this.point(cls, block);
  }
}

/**
 * The open XOR chunks of many series in a few shared typed arrays, one slot per series. A head
 * has an open chunk for every active series; as objects (the chunk, its byte array and buffer,
 * boxed doubles) each cost about 500 bytes before its first sample, here about 50 bytes of state
 * plus its bytes in a block of 32, 64, 128, ... bytes from shared pages. Chunks are XORChunk's
 * bytes, bit for bit.
 */
export class XORChunkArena {
  private readonly state = new SlotState();
  private readonly pool = new BlockPool();
  private readonly cursor = new SlotCursor(this.state, this.pool);
  private readonly freeSlots: number[] = [];
  private slots = 0;

  /** A slot holding an empty chunk. */
  alloc(): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slots++;
      if (slot >= this.state.size) this.state.grow(Math.max(1024, this.state.size * 2));
    }
    this.state.cls[slot] = 0;
    this.state.block[slot] = this.pool.alloc(0);
    this.clear(slot);
    return slot;
  }

  /** Gives the slot and its block back; the slot number may be handed out again. */
  release(slot: number): void {
    this.pool.release(this.state.cls[slot], this.state.block[slot]);
    this.freeSlots.push(slot);
  }

  /** Empties the slot's chunk (its block shrinks back to the smallest class). */
  reset(slot: number): void {
    const s = this.state;
    if (s.cls[slot] !== 0) {
      this.pool.release(s.cls[slot], s.block[slot]);
      s.cls[slot] = 0;
      s.block[slot] = this.pool.alloc(0);
    }
    this.clear(slot);
  }

  private clear(slot: number): void {
    const s = this.state;
    s.count[slot] = 0;
    s.t[slot] = 0;
    s.firstT[slot] = 0;
    s.tDelta[slot] = 0;
    s.vHi[slot] = 0;
    s.vLo[slot] = 0;
    s.leading[slot] = 0xff;
    s.trailing[slot] = 0;
    // The 2-byte sample count leads the chunk; bytes() fills it in.
    s.length[slot] = 2;
    s.free[slot] = 0;
    const page = this.pool.page(0, s.block[slot]);
    const at = this.pool.offset(0, s.block[slot]);
    page[at] = 0;
    page[at + 1] = 0;
  }

  /** Appends a sample; t must not be below the slot's last one. */
  append(slot: number, t: number, v: number): void {
    const c = this.cursor;
    c.load(slot);
    c.append(t, v);
    c.store();
  }

  numSamples(slot: number): number {
    return this.state.count[slot];
  }

  minTime(slot: number): number {
    return this.state.firstT[slot];
  }

  maxTime(slot: number): number {
    return this.state.t[slot];
  }

  /** Whether `v` has the same bits as the slot's last value (Prometheus's duplicate test). */
  lastValueIs(slot: number, v: number): boolean {
    this.cursor.load(slot);
    return this.cursor.lastValueIs(v);
  }

  /** The slot's chunk as Prometheus stores it (a copy). */
  bytes(slot: number): Uint8Array {
    this.cursor.load(slot);
    return this.cursor.bytes();
  }
}
