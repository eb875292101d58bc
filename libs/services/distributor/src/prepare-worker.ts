// The worker thread of PrepareWorkers: decodes, validates and keys remote-write bodies off the
// main event loop. Bundled on its own (tools/build) to dist/workers/prepare-worker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { DecodeError, type PrepareOptions, WritePreparer } from '@myelin/remote-write';

const preparer = new WritePreparer(workerData as PrepareOptions);

parentPort!.on('message', (m: { id: number; body: Uint8Array; version: 1 | 2; tenant: string; now: number }) => {
  try {
    const r = preparer.prepare(m.body, m.version, m.tenant, m.now);
    parentPort!.postMessage({ id: m.id, ok: true, result: r }, [r.ids.buffer, r.hashes.buffer, r.offsets.buffer, r.timestamps.buffer, r.values.buffer] as ArrayBuffer[]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, decodeError: e instanceof DecodeError, message: (e as Error).message });
  }
});
