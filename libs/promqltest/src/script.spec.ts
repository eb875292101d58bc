import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScript, parseSeriesLine, parseValues, ScriptError } from './script';

const floats = (text: string) => parseValues(text, 1).map((v) => (v.kind === 'float' ? v.value : v.kind));

describe('series values notation', () => {
  it.each([
    ['1 2 3', [1, 2, 3]],
    ['0+10x3', [0, 10, 20, 30]],
    ['10-2x2', [10, 8, 6]],
    ['5x2', [5, 5, 5]],
    ['1 _ stale 2', [1, 'missing', 'stale', 2]],
    ['_x3 1', ['missing', 'missing', 'missing', 1]],
    ['-1+1x2', [-1, 0, 1]],
    ['1e3 -Inf +Inf', [1000, -Infinity, Infinity]],
    ['1.5+0.5x1', [1.5, 2]],
    ['0x1f', [31]],
    // Digits after 0x make it an expansion ("0 repeated"), as Prometheus's scripts use it.
    ['0x3', [0, 0, 0, 0]],
  ])('%s', (text, expected) => {
    expect(floats(text)).toEqual(expected);
  });

  it('reads NaN and keeps native histograms whole', () => {
    expect(floats('NaN')[0]).toBeNaN();
    expect(parseValues('{{schema:0 sum:1 count:1}} 2', 1).map((v) => v.kind)).toEqual(['histogram', 'float']);
  });

  it('names the line of a bad value', () => {
    expect(() => parseValues('1 two', 7)).toThrow(new ScriptError(7, 'bad value "two"'));
  });
});

describe('series lines', () => {
  it.each([
    ['http_requests{job="api", instance="0"} 1 2', [['__name__', 'http_requests'], ['instance', '0'], ['job', 'api']], '1 2'],
    ['{__name__="m", a="x y"} 1', [['__name__', 'm'], ['a', 'x y']], '1'],
    ['{} 3', [], '3'],
    ['metric 0 1', [['__name__', 'metric']], '0 1'],
    ['{"my.metric", "a.b"="c"} 1', [['__name__', 'my.metric'], ['a.b', 'c']], '1'],
    ['m{a="q\\"uote"} 1', [['__name__', 'm'], ['a', 'q"uote']], '1'],
  ])('%s', (text, labels, rest) => {
    const r = parseSeriesLine(text, 1);
    expect(r.labels.map((l) => [l.name, l.value])).toEqual(labels);
    expect(r.rest).toBe(rest);
  });
});

describe('parseScript', () => {
  it('reads load, clear and both kinds of eval with their expectations and results', () => {
    const script = [
      '# a comment',
      'load 5m',
      '  http_requests{job="api"} 0+10x3',
      '  other 1',
      '',
      'eval instant at 50m sum(http_requests)',
      '  {} 30',
      '',
      'eval range from 0 to 10m step 5m http_requests',
      '  expect ordered',
      '  http_requests{job="api"} 0 10 20',
      '',
      'eval instant at 1m 1 + 1',
      '  2',
      '',
      'eval instant at 0 foo(',
      '  expect fail msg: unexpected end of input',
      '',
      'eval instant at 1m "x"',
      '  expect string "x"',
      '',
      'eval instant at 1m m[1m]',
      '  expect range vector from 10s to 1m step 10s',
      '  expect no_warn',
      '',
      'clear',
    ].join('\n');
    const cmds = parseScript(script);
    expect(cmds.map((c) => c.type)).toEqual(['load', 'eval', 'eval', 'eval', 'eval', 'eval', 'eval', 'clear']);
    expect(cmds[0]).toMatchObject({ type: 'load', line: 2, intervalMs: 300_000 });
    expect(cmds[1]).toMatchObject({ kind: 'instant', atMs: 3_000_000, expr: 'sum(http_requests)', results: [{ labels: [], values: [{ kind: 'float', value: 30 }] }] });
    expect(cmds[2]).toMatchObject({ kind: 'range', startMs: 0, endMs: 600_000, stepMs: 300_000, expect: { ordered: true } });
    expect(cmds[3]).toMatchObject({ results: [{ scalar: true, values: [{ value: 2 }] }] });
    expect(cmds[4]).toMatchObject({ expect: { fail: { msg: 'unexpected end of input' } } });
    expect(cmds[5]).toMatchObject({ expect: { string: 'x' } });
    expect(cmds[6]).toMatchObject({ expect: { rangeVector: { startMs: 10_000, endMs: 60_000, stepMs: 10_000 }, warn: false } });
  });

  it('names the line of an unknown command', () => {
    expect(() => parseScript('load 1m\n  a 1\nfrobnicate')).toThrow(new ScriptError(3, 'unknown command "frobnicate"'));
  });

  it('reads the float-sample scripts of Prometheus\'s test data, and refuses the rest only with ScriptErrors', () => {
    const dir = path.resolve(__dirname, '../testdata');
    const supported = ['aggregators', 'at_modifier', 'collision', 'functions', 'histograms', 'literals', 'name_label_dropping', 'operators', 'range_queries', 'selectors', 'staleness', 'subquery', 'trig_functions', 'limit'];
    const counts: Record<string, number> = {};
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.test'))) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      if (supported.includes(f.replace('.test', ''))) counts[f] = parseScript(text).filter((c) => c.type === 'eval').length;
      else {
        // Newer or experimental notation (start timestamps, ...) may be refused, but only as a ScriptError.
        try {
          parseScript(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ScriptError);
        }
      }
    }
    // Eval counts as Prometheus's own README for these scripts lists them.
    expect(counts).toMatchObject({ 'aggregators.test': 160, 'functions.test': 431, 'operators.test': 213, 'literals.test': 25, 'selectors.test': 31, 'subquery.test': 34 });
  });
});
