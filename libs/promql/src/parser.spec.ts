import { parseDurationMs, parseExpr, ParseError } from './parser';

const sel = (q: string) => {
  const e = parseExpr(q);
  if (e.type !== 'VectorSelector') throw new Error(`not a selector: ${e.type}`);
  return e;
};

describe('parseExpr: valid expressions', () => {
  it('parses a selector with every matcher type', () => {
    const e = sel('http_requests_total{job="api", code=~"5..", path!="/", method!~"GET|HEAD"}');
    expect(e.name).toBe('http_requests_total');
    expect(e.matchers.map((m) => m.toString())).toEqual(['__name__="http_requests_total"', 'job="api"', 'code=~"5.."', 'path!="/"', 'method!~"GET|HEAD"']);
  });

  it('parses offset and @ on selectors, matrices and subqueries', () => {
    expect(parseExpr('x offset 5m @ 100')).toMatchObject({ type: 'VectorSelector', offset: 300_000, at: { kind: 'time', ms: 100_000 } });
    expect(parseExpr('x offset -1h')).toMatchObject({ offset: -3_600_000 });
    expect(parseExpr('rate(x[5m] offset 1m)')).toMatchObject({ type: 'Call', func: 'rate', args: [{ type: 'MatrixSelector', range: 300_000, vector: { offset: 60_000 } }] });
    expect(parseExpr('max_over_time(x[1h:5m] @ end())')).toMatchObject({ args: [{ type: 'SubqueryExpr', range: 3_600_000, step: 300_000, at: { kind: 'end' } }] });
    expect(parseExpr('x[10m:]')).toMatchObject({ type: 'SubqueryExpr', range: 600_000, step: undefined });
  });

  it('parses aggregations with grouping before or after, and parameters', () => {
    expect(parseExpr('sum by (job, instance) (x)')).toMatchObject({ type: 'AggregateExpr', op: 'sum', grouping: ['job', 'instance'], without: false });
    expect(parseExpr('avg(x) without (cpu)')).toMatchObject({ op: 'avg', grouping: ['cpu'], without: true });
    expect(parseExpr('topk(3, x)')).toMatchObject({ op: 'topk', param: { type: 'NumberLiteral', value: 3 }, expr: { type: 'VectorSelector' } });
    expect(parseExpr('count_values("value", x)')).toMatchObject({ param: { type: 'StringLiteral', value: 'value' } });
  });

  it('parses binary operators with bool, matching and grouping', () => {
    expect(parseExpr('a / on(job) group_left(team) b')).toMatchObject({
      type: 'BinaryExpr',
      op: '/',
      matching: { card: 'many-to-one', on: true, labels: ['job'], include: ['team'] },
    });
    expect(parseExpr('a > bool 1')).toMatchObject({ op: '>', returnBool: true, matching: undefined });
    expect(parseExpr('a and ignoring(x) b')).toMatchObject({ op: 'and', matching: { card: 'many-to-many', on: false, labels: ['x'] } });
    expect(parseExpr('a + b')).toMatchObject({ matching: { card: 'one-to-one', on: false, labels: [] } });
    expect(parseExpr('1 + 2 * 3')).toMatchObject({ op: '+', rhs: { op: '*' } });
    expect(parseExpr('2 ^ 3 ^ 2')).toMatchObject({ op: '^', lhs: { value: 2 }, rhs: { op: '^' } });
  });

  it.each([
    ['1', 1],
    ['-1.5e3', -1500],
    ['0x1F', 31],
    ['Inf', Infinity],
    ['-inf', -Infinity],
    ['5m', 300],
  ])('reads the number %s', (q, value) => {
    const e = parseExpr(q);
    const v = e.type === 'NumberLiteral' ? e.value : e.type === 'UnaryExpr' && e.expr.type === 'NumberLiteral' ? -e.expr.value : NaN;
    expect(v).toBe(value);
  });

  it('reads numbers with a trailing dot, as Go does', () => {
    expect(parseExpr('2.')).toEqual({ type: 'NumberLiteral', value: 2 });
    expect(parseExpr('histogram_quantile(1./6., x)')).toMatchObject({ args: [{ type: 'BinaryExpr', op: '/', lhs: { value: 1 }, rhs: { value: 6 } }, {}] });
    expect(parseExpr('x{a="1."}')).toMatchObject({ matchers: [{}, { value: '1.' }] });
  });

  it('reads NaN', () => {
    expect(parseExpr('NaN')).toMatchObject({ type: 'NumberLiteral', value: NaN });
  });

  it.each([
    ['"a\\nb"', 'a\nb'],
    ["'it\\'s'", "it's"],
    ['`raw\\n`', 'raw\\n'],
    ['"\\u00e9\\x41"', 'éA'],
    // \x and octal escapes are bytes, as in Go: two of them make one UTF-8 character.
    ['"\\xc3\\xa9\\303\\251"', 'éé'],
    ['"\\xff"', '\uDCFF'],
  ])('reads the string %s', (q, value) => {
    expect(parseExpr(q)).toEqual({ type: 'StringLiteral', value });
  });

  it('accepts empty braces after a metric name', () => {
    expect(sel('foo{}').matchers.map(String)).toEqual(['__name__="foo"']);
  });

  it('accepts a quoted metric name and selectors without a name', () => {
    expect(sel('{"my.metric", env="prod"}').name).toBe('my.metric');
    expect(sel('{__name__=~"node_.*"}').name).toBeUndefined();
  });
});

describe('parseExpr: errors read like Prometheus', () => {
  it.each([
    ['', '1:1: parse error: no expression found in input'],
    ['1 +', '1:4: parse error: unexpected end of input'],
    ['{job=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['rate(x)', '1:1: parse error: expected type range vector in call to function "rate", got instant vector'],
    ['abs(x, y)', '1:1: parse error: expected 1 argument(s) in call to "abs", got 2'],
    ['frobnicate(x)', '1:1: parse error: unknown function with name "frobnicate"'],
    ['sum(x[5m])', '1:1: parse error: expected type instant vector in aggregation expression, got range vector'],
    ['x[5m] + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
    ['1 > 2', '1:1: parse error: comparisons between scalars must use BOOL modifier'],
    ['x + bool y', '1:1: parse error: bool modifier can only be used on comparison operators'],
    ['1 and x', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
    ['topk(x)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1'],
    ['x{a=~"("}', expect.stringMatching(/^1:6: parse error: invalid regular expression "\(" for label a: /)],
    ['foo{__name__="bar"}', '1:5: parse error: metric name must not be set twice: "foo" or "bar"'],
    ['(x + y)[5m]', expect.stringMatching(/^1:\d+: parse error: /)],
    ['x offset 1m offset 2m', '1:1: parse error: offset may not be set multiple times'],
  ])('%j', (q, message) => {
    let err: unknown;
    try {
      parseExpr(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as Error).message).toEqual(message);
  });

  it('gives line and column on multi-line queries', () => {
    expect(() => parseExpr('sum(\n  rate(x)\n)')).toThrow(/^1:1: parse error: expected type range vector/);
    expect(() => parseExpr('x +\n  ')).toThrow('2:3: parse error: unexpected end of input');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1y2w', 365 * 86_400_000 + 14 * 86_400_000],
    ['90', 90_000],
    ['1.5', 1500],
    ['100ms', 100],
    ['5x', undefined],
  ])('%s', (t, ms) => {
    expect(parseDurationMs(t)).toBe(ms);
  });
});
