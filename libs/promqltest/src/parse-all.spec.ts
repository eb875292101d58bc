import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseExpr } from '@myelin/promql';
import { NOT_SUPPORTED_FUNCTION as NOT_SUPPORTED } from './not-supported';

// Every expression Prometheus's own test scripts evaluate in the float-sample files must parse
// (testdata/, copied from Prometheus v3.14.0, Apache-2.0). Skipped on purpose, with the
// reason: experimental functions (behind Prometheus's promql-experimental-functions flag) and
// native-histogram functions, which Myelin does not support yet.
const TESTDATA = path.resolve(__dirname, '../testdata');
const FILES = ['aggregators', 'at_modifier', 'collision', 'functions', 'histograms', 'literals', 'name_label_dropping', 'operators', 'range_queries', 'selectors', 'staleness', 'subquery', 'trig_functions', 'limit'];

describe('parsing the expressions of Prometheus\'s PromQL test scripts', () => {
  it.each(FILES)('%s.test', (file) => {
    const lines = readFileSync(path.join(TESTDATA, `${file}.test`), 'utf8').split('\n');
    const unexpected: string[] = [];
    let parsed = 0;
    lines.forEach((line, i) => {
      const m = /^eval(?:_\w+)? (?:instant at \S+|range from \S+ to \S+ step \S+) (.*)$/.exec(line);
      if (!m) return;
      const expectFail = /^\s*expect fail/.test(lines[i + 1] ?? '');
      try {
        parseExpr(m[1]);
        parsed++;
      } catch (e) {
        const message = (e as Error).message;
        if (!expectFail && !NOT_SUPPORTED.test(message)) unexpected.push(`line ${i + 1}: ${m[1]} -> ${message}`);
      }
    });
    expect(unexpected).toEqual([]);
    expect(parsed).toBeGreaterThan(0);
  });
});
