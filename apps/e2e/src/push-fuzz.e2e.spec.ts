import { seededRandom as rng } from '@myelin/model/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeWriteRequestV1, encodeWriteRequestV2, snappyEncode } from '@myelin/remote-write';
import { httpStatus, MyelinProcess, postRaw } from '@myelin/test-services';

// Thousands of random and mutated remote-write bodies against a real process: no 5xx, no crash,
// no stall. Bodies that decode by chance may be accepted; everything else gets a 4xx.

describe('remote-write receiver fuzz', () => {
  let myelin: MyelinProcess;
  beforeAll(async () => {
    myelin = await MyelinProcess.start({ binary: 'myelin', cwd: mkdtempSync(path.join(tmpdir(), 'myelin-fuzz-')), args: ['-distributor.max-recv-msg-size=1000000'] });
  });
  afterAll(() => myelin?.stop());

  it('answers 3,000 random and mutated bodies with 2xx or 4xx only, and stays ready', async () => {
    const r = rng(2026);
    const t = Date.now();
    const series = Array.from({ length: 20 }, (_, i) => ({
      labels: [{ name: '__name__', value: `m${i}` }, { name: 'job', value: 'fuzz' }],
      timestamps: [t, t + 1000],
      values: [i, i + 1],
    }));
    const valid = [encodeWriteRequestV1(series), encodeWriteRequestV2(series)];
    const statuses = new Map<number, number>();
    const makeBody = (i: number): { body: Uint8Array; v2: boolean } => {
      const v2 = i % 2 === 1;
      const kind = i % 5;
      if (kind === 0) return { body: Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)), v2 };
      const raw = valid[v2 ? 1 : 0].slice();
      for (let f = 0; f < 1 + Math.floor(r() * 6); f++) raw[Math.floor(r() * raw.length)] = Math.floor(r() * 256);
      const cut = r() < 0.3 ? raw.subarray(0, Math.floor(r() * raw.length)) : raw;
      const compressed = snappyEncode(cut);
      if (kind === 1) compressed[Math.floor(r() * compressed.length)] ^= 0xff; // damage the snappy stream itself
      return { body: compressed, v2 };
    };
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < 3000) {
        const i = next++;
        const { body, v2 } = makeBody(i);
        const res = await postRaw(`${myelin.url}/api/v1/push`, body, {
          'content-type': v2 ? 'application/x-protobuf;proto=io.prometheus.write.v2.Request' : 'application/x-protobuf',
          'content-encoding': 'snappy',
        }, 5000);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`body ${i} (${Buffer.from(body).toString('hex')}) got ${res.status}: ${res.body}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const fourXX = [...statuses].filter(([s]) => s >= 400 && s < 500).reduce((n, [, c]) => n + c, 0);
    expect(fourXX).toBeGreaterThan(2000);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(await httpStatus(`${myelin.url}/ready`)).toBe(200);
    expect(myelin.child.hasExited).toBe(false);
    console.log(`fuzz: ${JSON.stringify(Object.fromEntries(statuses))} in ${Date.now() - started} ms`);
  }, 120_000);
});
