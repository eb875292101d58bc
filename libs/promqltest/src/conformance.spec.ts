import { readFileSync } from 'node:fs';
import path from 'node:path';
import { almostEqual, runScript } from './runner';

// Prometheus's own PromQL test scripts (testdata/, copied from v3.14.0, Apache-2.0) against Myelin's
// engine. A file listed here runs every eval: each must pass or be skipped with the reason the
// engine gave (a construct not evaluated yet, a native histogram). Files not listed yet:
// docs/promql-conformance.md says why.
const TESTDATA = path.resolve(__dirname, '../testdata');
const RUNNING = ['literals', 'at_modifier', 'name_label_dropping', 'operators', 'range_queries', 'selectors', 'staleness', 'functions', 'trig_functions', 'collision', 'aggregators', 'subquery', 'histograms', 'limit'];

describe('PromQL conformance with Prometheus\'s test scripts', () => {
  it.each(RUNNING)('%s.test', async (file) => {
    const outcomes = await runScript(readFileSync(path.join(TESTDATA, `${file}.test`), 'utf8'));
    const failed = outcomes.filter((o) => o.result === 'failed');
    const passed = outcomes.filter((o) => o.result === 'passed').length;
    const skipped = outcomes.filter((o) => o.result === 'skipped');
    console.log(`${file}.test: ${passed}/${outcomes.length} evals passed, ${skipped.length} skipped${skipped.map((s) => `\n  line ${s.line} ${s.expr}: ${'reason' in s ? s.reason : ''}`).join('')}`);
    expect(failed).toEqual([]);
    expect(passed).toBeGreaterThan(0);
  });
});

describe('almostEqual', () => {
  it.each([
    [1, 1 + 1e-7, true],
    [1, 1.01, false],
    [NaN, NaN, true],
    [Infinity, Infinity, true],
    [Infinity, -Infinity, false],
    [0, 1e-300, false],
  ])('%d ~ %d -> %s', (a, b, expected) => {
    expect(almostEqual(a, b)).toBe(expected);
  });
});
