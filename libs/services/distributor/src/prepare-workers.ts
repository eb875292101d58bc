import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DecodeError, type PreparedWrite, type PrepareOptions, WritePreparer } from '@myelin/remote-write';

/** Where the bundled worker script lives, next to the binaries in dist/. */
export function workerScriptPath(): string {
  return path.resolve(__dirname, '../../workers/prepare-worker.js');
}

/**
 * Runs WritePreparer in worker threads (-distributor.decode-workers), so decoding a push does not
 * hold up the event loop that serves HTTP and the ingester. Requests go to the worker with the
 * fewest in flight. With no workers (0, or no worker bundle, as in unit tests) it prepares inline.
 */
export class PrepareWorkers {
  private readonly workers: Array<{ worker: Worker; pending: Map<number, { resolve: (r: PreparedWrite) => void; reject: (e: Error) => void }> }> = [];
  private readonly inline: WritePreparer | undefined;
  private nextId = 1;

  constructor(opts: PrepareOptions, count: number, script = workerScriptPath()) {
    if (count <= 0 || !existsSync(script)) {
      this.inline = new WritePreparer(opts);
      return;
    }
    for (let i = 0; i < count; i++) {
      const worker = new Worker(script, { workerData: opts });
      const entry = { worker, pending: new Map<number, { resolve: (r: PreparedWrite) => void; reject: (e: Error) => void }>() };
      worker.on('message', (m: { id: number; ok: boolean; result?: PreparedWrite; decodeError?: boolean; message?: string }) => {
        const p = entry.pending.get(m.id);
        if (!p) return;
        entry.pending.delete(m.id);
        if (m.ok) p.resolve(m.result!);
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

  prepare(body: Uint8Array, version: 1 | 2, tenant: string, now: number): Promise<PreparedWrite> {
    if (this.inline) {
      try {
        return Promise.resolve(this.inline.prepare(body, version, tenant, now));
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
