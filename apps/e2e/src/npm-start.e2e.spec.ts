import { spawn } from 'node:child_process';
import { httpStatus, waitFor, workspaceRoot } from '@myelin/test-services';

// `npm start` is the README's command for running Myelin: it builds what is needed and serves the
// single-process app with its embedded defaults on :9009.
describe('npm start', () => {
  it('serves /ready 200 on :9009 within 30 s, and stops on SIGTERM', async () => {
    expect(await httpStatus('http://127.0.0.1:9009/ready', 500)).toBeUndefined(); // port 9009 must be free for this test
    const started = Date.now();
    // Own process group, so the whole tree (npm, sh, node) can be signalled at once.
    const child = spawn('npm', ['start', '--silent'], { cwd: workspaceRoot(), detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor('npm start to serve /ready on :9009', async () => ((await httpStatus('http://127.0.0.1:9009/ready')) === 200 ? true : undefined), 30_000);
      expect(Date.now() - started).toBeLessThan(30_000);
      const config = await (await fetch('http://127.0.0.1:9009/config')).text();
      expect(config).toMatch(/target: all\n/);
      expect(config).toMatch(/store: inmemory\n/);
      expect(config).toMatch(/backend: filesystem\n/);
      expect(config).toMatch(/replication_factor: 1\n/);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    await waitFor('port 9009 to close', async () => ((await httpStatus('http://127.0.0.1:9009/ready', 500)) === undefined ? true : undefined), 10_000);
  });
});
