import { loadConfig } from '@myelin/platform';
import { rpcError, RpcCallError } from '@myelin/rpc';
import type { IngesterService } from './ingester.service';
import { LocalIngesterAdapter } from './local-ingester';

function config() {
  const r = loadConfig({ argv: ['-ring.instance-addr=127.0.0.1', '-server.grpc-listen-port=9999'], env: {}, readFile: () => '' });
  if (r.kind !== 'config') throw new Error('bad config');
  return r.config;
}

const batch = { tenant: 't', seriesCount: 0, keyOf: () => '', labelsOf: () => [], offsets: Int32Array.of(0), timestamps: new Float64Array(0), values: new Float64Array(0) };

describe('LocalIngesterAdapter', () => {
  it('advertises the ring address and passes pushes through', async () => {
    const seen: unknown[] = [];
    const local = new LocalIngesterAdapter({ pushBatch: async (b: unknown) => void seen.push(b) } as unknown as IngesterService, config());
    expect(local.address).toBe('127.0.0.1:9999');
    await local.push(batch);
    expect(seen).toEqual([batch]);
  });

  it.each([
    [503, 'instance not writable: ingester x is READONLY and takes no writes'],
    [400, 'user=t: out of order sample for series up{}'],
  ])('answers a refusal as the RPC would: status %d', async (code, message) => {
    const local = new LocalIngesterAdapter({ pushBatch: async () => { throw rpcError(code, message); } } as unknown as IngesterService, config());
    await expect(local.push(batch)).rejects.toEqual(new RpcCallError(code, message));
  });
});
