#!/usr/bin/env node
// `npm test`: everything CI checks, in order, stopping at the first failing step:
// system packages, lint, type-check, build, unit tests, integration tests. Ends with one summary
// line `tests: N passed, N failed, N skipped` over both jest runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const reports = path.join(root, 'tmp', 'test-reports');
mkdirSync(reports, { recursive: true });
const jest = path.join(root, 'node_modules', '.bin', 'jest');

const steps = [
  ['system packages', 'bash', ['tools/scripts/ensure-system-deps.sh']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['type-check', 'npm', ['run', '--silent', 'typecheck']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['unit tests', jest, ['--ci', '--json', `--outputFile=${path.join(reports, 'unit.json')}`]],
  ['integration tests', jest, ['--ci', '-c', 'apps/e2e/jest.config.js', '--json', `--outputFile=${path.join(reports, 'e2e.json')}`]],
];

const totals = { passed: 0, failed: 0, skipped: 0 };
function count(report) {
  try {
    const r = JSON.parse(readFileSync(path.join(reports, report), 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
    return r.numTotalTests;
  } catch {
    return undefined;
  }
}

let failedStep;
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (name === 'unit tests') count('unit.json');
  if (name === 'integration tests') count('e2e.json');
  if (result.status !== 0) {
    failedStep = name;
    console.log(`=== ${name}: FAILED after ${seconds}s`);
    break;
  }
  console.log(`=== ${name}: ok in ${seconds}s`);
}

console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (failedStep) {
  console.log(`npm test failed at: ${failedStep}`);
  process.exit(1);
}
