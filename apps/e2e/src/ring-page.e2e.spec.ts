import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, MyelinProcess, RedisServer, waitFor, workspaceRoot } from '@myelin/test-services';

// Real processes sharing a ring in a real redis-server: three ingesters join, the distributor's
// /ring shows them; a killed one turns unhealthy and is forgotten from a real browser; a stopped
// ACTIVE one leaves; a READONLY one stays READONLY across a restart.
interface RingRow {
  id: string;
  state: string;
  address: string;
  tokens: number;
  ownershipPercent: number;
  unhealthy: boolean;
}

describe('ring across processes, and the /ring page in a browser', () => {
  let redis: RedisServer;
  let browser: Browser;
  let distributor: MyelinProcess;
  const ingesters = new Map<string, MyelinProcess>();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'myelin-ring-'));
  const ringFlags = () => [
    '-ring.store=redis',
    `-ring.redis.address=${redis.address}`,
    '-ring.heartbeat-period=200ms',
    '-ring.heartbeat-timeout=2s',
    '-ring.redis.resync-period=500ms',
  ];
  const startIngester = async (id: string) => {
    const proc = await MyelinProcess.start({
      binary: 'ingester',
      args: [...ringFlags(), `-ring.instance-id=${id}`, '-ring.instance-addr=127.0.0.1', `-blocks-storage.tsdb.dir=${path.join(dataDir, id)}`],
    });
    ingesters.set(id, proc);
    return proc;
  };
  const ringOf = async (url: string): Promise<RingRow[]> => ((await (await fetch(`${url}?format=json`)).json()) as { instances: RingRow[] }).instances;
  const ring = () => ringOf(`${distributor.url}/ring`);
  const byId = async () => Object.fromEntries((await ring()).map((r) => [r.id, r]));

  beforeAll(async () => {
    redis = await RedisServer.start();
    // ing-c was READONLY before (its tokens file says so): it must come back READONLY.
    mkdirSync(path.join(dataDir, 'ing-c'), { recursive: true });
    writeFileSync(path.join(dataDir, 'ing-c', 'ring-tokens.json'), JSON.stringify({ tokens: [1, 2, 3], state: 'READONLY' }));
    await Promise.all(['ing-a', 'ing-b', 'ing-c'].map(startIngester));
    distributor = await MyelinProcess.start({ binary: 'distributor', args: ringFlags() });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([...ingesters.values(), distributor].filter(Boolean).map((p) => p.stop()));
    await redis?.stop();
  });

  it('lists every ingester with its state, address and tokens; ownership adds up to 100%', async () => {
    await waitFor('three ingesters in the ring', async () => ((await ring()).length === 3 ? true : undefined));
    const rows = await byId();
    expect(Object.keys(rows).sort()).toEqual(['ing-a', 'ing-b', 'ing-c']);
    expect(rows['ing-a']).toMatchObject({ state: 'ACTIVE', address: `127.0.0.1:${ingesters.get('ing-a')!.rpcPort}`, tokens: 128, unhealthy: false });
    expect(rows['ing-c']).toMatchObject({ state: 'READONLY', tokens: 3 });
    const total = Object.values(rows).reduce((s, r) => s + r.ownershipPercent, 0);
    expect(total).toBeCloseTo(100, 6);
    // The ingester's own /ring shows the same ring, and READONLY passes readiness.
    const own = await ringOf(`${ingesters.get('ing-c')!.url}/ingester/ring`);
    expect(own.map((r) => r.id).sort()).toEqual(['ing-a', 'ing-b', 'ing-c']);
    expect((await fetch(`${ingesters.get('ing-c')!.url}/ready`)).status).toBe(200);
  });

  it('refuses to forget a healthy instance', async () => {
    const res = await fetch(`${distributor.url}/ring?format=json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'forget=ing-a',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ status: 'error', error: 'instance ing-a is healthy; only unhealthy instances can be forgotten' });
  });

  it('shows READONLY distinctly and forgets a killed ingester from the browser', async () => {
    await ingesters.get('ing-b')!.stop('SIGKILL');
    await waitFor('ing-b to turn unhealthy', async () => ((await byId())['ing-b']?.unhealthy ? true : undefined), 10_000);

    const page = await browser.newPage();
    await page.goto(`${distributor.url}/ring`);
    expect(await page.locator('tbody tr').count()).toBe(3);
    const readonlyRow = page.locator('tr[data-instance="ing-c"]');
    expect(await readonlyRow.getAttribute('class')).toContain('readonly');
    expect(await readonlyRow.locator('.state').textContent()).toBe('READONLY');
    expect(await readonlyRow.locator('.state').evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).not.toBe(
      await page.locator('tr[data-instance="ing-a"] .state').evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor),
    );
    // Only the unhealthy instance offers Forget.
    expect(await page.locator('button', { hasText: 'Forget' }).count()).toBe(1);
    await page.screenshot({ path: path.join(workspaceRoot(), 'tmp', 'ring-page.png'), fullPage: true });

    await Promise.all([page.waitForLoadState('load'), page.locator('tr[data-instance="ing-b"] button').click()]);
    await page.waitForSelector('p.message');
    expect(await page.locator('p.message').textContent()).toBe('instance ing-b forgotten');
    expect(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance')))).toEqual(['ing-a', 'ing-c']);
    expect(Object.keys(await byId()).sort()).toEqual(['ing-a', 'ing-c']);
    await page.close();
  });

  it('an ACTIVE ingester leaves the ring on SIGTERM and rejoins with the same tokens', async () => {
    expect((await byId())['ing-a']).toMatchObject({ state: 'ACTIVE', tokens: 128 });
    const file = path.join(dataDir, 'ing-a', 'ring-tokens.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.tokens).toHaveLength(128);
    await ingesters.get('ing-a')!.stop('SIGTERM');
    await waitFor('ing-a to leave', async () => ((await byId())['ing-a'] === undefined ? true : undefined));

    await startIngester('ing-a');
    await waitFor('ing-a to rejoin', async () => ((await byId())['ing-a']?.state === 'ACTIVE' ? true : undefined));
    const again = JSON.parse(readFileSync(file, 'utf8'));
    expect(again.tokens).toEqual(saved.tokens);
  });

  it('a READONLY ingester stays READONLY in the ring when stopped', async () => {
    const exit = await ingesters.get('ing-c')!.stop('SIGTERM');
    expect(exit.code).toBe(0);
    await new Promise((r) => setTimeout(r, 600));
    expect((await byId())['ing-c']).toMatchObject({ state: 'READONLY' });
  });
});
