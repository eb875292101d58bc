import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DecodeError, type PreparedWrite, type PrepareOptions, WritePreparer } from '@myelin/remote-write';

/** Where the bundled worker script lives, next to the binaries in dist/. */
export function workerScriptPath(): string {
  return path.resolve(__dirname, '../../workers/prepare-worker.js');
}

/** A prepared write with each series' key string, looked up in the table of its preparer. */
export type KeyedWrite = PreparedWrite & { keys: string[] };

/**
 * The key strings a preparer gave ids to, in the order of the ids. Every request reuses the same
 * string objects, so the head's map lookups hash each key once, not once per request.
 */
class KeyTable {
  private keys: string[] = [];
  private epoch = 0;

  resolve(w: PreparedWrite): KeyedWrite {
    if (w.epoch !== this.epoch) {
      this.keys = [];
      this.epoch = w.epoch;
    }
    for (let i = 0; i < w.newKeys.length; i++) this.keys[w.firstNewId + i] = w.newKeys[i];
    const keys = new Array<string>(w.ids.length);
    for (let i = 0; i < w.ids.length; i++) keys[i] = this.keys[w.ids[i]];
    return Object.assign(w, { keys });
  }
}

/**
 * Runs WritePreparer in worker threads (-distributor.decode-workers), so decoding a push does not
 * hold up the event loop that serves HTTP and the ingester. Requests go to the worker with the
 * fewest in flight. With no workers (0, or no worker bundle, as in unit tests) it prepares inline.
 */
export class PrepareWorkers {
  private readonly workers: Array<{ worker: Worker; table: KeyTable; pending: Map<number, { resolve: (r: KeyedWrite) => void; reject: (e: Error) => void }> }> = [];
  private readonly inline: WritePreparer | undefined;
  private readonly inlineTable = new KeyTable();
  private nextId = 1;

  constructor(opts: PrepareOptions, count: number, script = workerScriptPath()) {
    if (count <= 0 || !existsSync(script)) {
      this.inline = new WritePreparer(opts);
      return;
    }
    for (let i = 0; i < count; i++) {
      const worker = new Worker(script, { workerData: opts });
      const entry = { worker, table: new KeyTable(), pending: new Map<number, { resolve: (r: KeyedWrite) => void; reject: (e: Error) => void }>() };
      worker.on('message', (m: { id: number; ok: boolean; result?: PreparedWrite; decodeError?: boolean; message?: string }) => {
        const p = entry.pending.get(m.id);
        if (!p) return;
        entry.pending.delete(m.id);
        if (m.ok) p.resolve(entry.table.resolve(m.result!));
        else p.reject(m.decodeError ? new DecodeError(m.message!) : new Error(m.message));
      });
      worker.on('error', (e) => {
        for (const p of entry.pending.values()) p.reject(e);
        entry.pending.clear();
      });
      worker.unref();
      this.workers.push(entry);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  prepare(body: Uint8Array, version: 1 | 2, tenant: string, now: number): Promise<KeyedWrite> {
    if (this.inline) {
      try {
        return Promise.resolve(this.inlineTable.resolve(this.inline.prepare(body, version, tenant, now)));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const entry = this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    // The body's memory goes to the worker: copy it out of Node's shared buffer pool first.
    const own = new Uint8Array(body.length);
    own.set(body);
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.worker.postMessage({ id, body: own, version, tenant, now }, [own.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
