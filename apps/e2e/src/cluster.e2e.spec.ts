import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpStatus, spawnManaged, waitFor, workspaceRoot } from '@myelin/test-services';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// `npm run cluster`: the launcher brings up redis, S3 and the six Myelin services, reports them
// ready, and on Ctrl-C (SIGINT) stops every one of them.
describe('npm run cluster (tools/cluster)', () => {
  it('starts all eight processes, reports them ready, and leaves none behind on SIGINT', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'myelin-cluster-'));
    const launcher = spawnManaged('cluster', process.execPath, [
      path.join(workspaceRoot(), 'dist/tools/cluster/main.js'),
      '--base-port=0',
      `--data-dir=${dataDir}`,
    ]);
    const summary = await waitFor('the cluster summary', () => {
      if (launcher.hasExited) throw new Error(`launcher exited:\n${launcher.logs()}`);
      const logs = launcher.logs();
      const at = logs.indexOf('cluster ready: 8 processes');
      return at >= 0 && logs.includes('Ctrl-C stops everything.') ? logs.slice(at) : undefined;
    }, 60_000);

    const rows = [...summary.matchAll(/^ {2}(\S+) +pid (\d+) +(\S+)/gm)].map((m) => ({ name: m[1], pid: Number(m[2]), url: m[3] }));
    expect(rows.map((r) => r.name)).toEqual(['redis', 's3', 'distributor', 'ingester-1', 'ingester-2', 'ingester-3', 'querier', 'compactor']);
    for (const row of rows) expect(alive(row.pid)).toBe(true);
    for (const row of rows.filter((r) => r.url.startsWith('http') && r.name !== 's3')) {
      expect(await httpStatus(`${row.url}/ready`)).toBe(200);
    }
    // Logs arrive prefixed with the process name.
    expect(launcher.logs()).toMatch(/^\[ingester-2\] +\{.*"service":"ingester"/m);

    launcher.proc.kill('SIGINT');
    const exit = await launcher.exited;
    expect(exit.code).toBe(0);
    expect(launcher.logs()).toContain('cluster: stopped all 8 processes');
    for (const row of rows) expect({ name: row.name, alive: alive(row.pid) }).toEqual({ name: row.name, alive: false });
  });
});
