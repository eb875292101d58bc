import { decodeGoBytes } from './go-format';
import { parser as lezer } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { Matcher, type MatchType, METRIC_NAME } from '@myelin/model';
import type { AggregateExpr, AtModifier, BinaryExpr, Expr, ValueType, VectorMatching, VectorSelector } from './ast';
import { FUNCTIONS, PARAM_AGGREGATIONS } from './functions';

/** A parse or type error, with its position as Prometheus reports it (`line:col: parse error: ...`). */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: parse error: ${reason}`);
  }
}

const TYPE_NAMES: Record<ValueType, string> = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };

const BINARY_OPS: Record<string, string> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Atan2: 'atan2',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};
const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);
const MATCH_OPS: Record<string, MatchType> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Parses a PromQL expression into Myelin's AST, checking types as Prometheus does. */
export function parseExpr(query: string): Expr {
  return new Parser(completeTrailingDots(query)).parse();
}

/**
 * Go's lexer reads `2.` and `1./6.` as numbers; the lezer grammar does not. Outside string
 * literals, a digit followed by a dot that no digit follows gets a 0 (`2.` -> `2.0`). Columns in
 * error messages after such a number are then one further right per added 0.
 */
export function completeTrailingDots(q: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    out += c;
    if (quote) {
      if (c === '\\' && quote !== '`') out += q[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '.' && /[0-9]/.test(q[i - 1] ?? '') && !/[0-9a-zA-Z_]/.test(q[i + 1] ?? '') && !/[a-zA-Z_:]/.test(wordBefore(q, i))) out += '0';
  }
  return out;
}

/** The identifier characters right before position i, if the token there is a name, not a number. */
function wordBefore(q: string, i: number): string {
  let j = i - 1;
  while (j >= 0 && /[0-9a-zA-Z_:]/.test(q[j])) j--;
  const token = q.slice(j + 1, i);
  return /^[0-9]/.test(token) ? '' : token;
}

/** A Prometheus duration (`5m`, `1h30m`, `1.5` seconds) in milliseconds, or undefined. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (m && text !== '') {
    let ms = 0;
    for (let i = 1; i <= 7; i++) if (m[i]) ms += Number(m[i]) * UNIT_MS[i - 1];
    return ms;
  }
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n * 1000 : undefined;
}

class Parser {
  constructor(private readonly q: string) {}

  parse(): Expr {
    if (this.q.trim() === '') throw this.errorAt(0, 'no expression found in input');
    const tree = lezer.parse(this.q);
    let firstError: SyntaxNode | undefined;
    tree.iterate({
      enter: (n) => {
        if (n.type.isError && !firstError) firstError = n.node;
        return !firstError;
      },
    });
    if (firstError) {
      const at = firstError.from;
      // An unknown function parses as a metric name followed by a stray "(".
      const call = /([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(this.q.slice(0, at));
      if (call && this.q.slice(at).trimStart().startsWith('(')) {
        throw this.errorAt(at - call[0].length, `unknown function with name ${JSON.stringify(call[1])}`);
      }
      const rest = this.q.slice(at).trim();
      throw this.errorAt(at, rest === '' ? 'unexpected end of input' : `unexpected ${JSON.stringify(rest.split(/\s+/)[0])}`);
    }
    const top = tree.topNode.firstChild;
    if (!top) throw this.errorAt(0, 'no expression found in input');
    const expr = this.expr(top);
    this.typeOf(expr, top);
    return expr;
  }

  private text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  private errorAt(offset: number, reason: string): ParseError {
    const before = this.q.slice(0, offset).split('\n');
    return new ParseError(reason, before.length, before[before.length - 1].length + 1);
  }

  private children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
    return out;
  }

  private expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'NumberDurationLiteral':
        return { type: 'NumberLiteral', value: this.number(n) };
      case 'StringLiteral':
        return { type: 'StringLiteral', value: this.string(n) };
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'MatrixSelector': {
        const [vec, dur] = this.children(n);
        const inner = this.expr(vec);
        if (inner.type !== 'VectorSelector' || inner.offset !== 0 || inner.at) throw this.errorAt(n.from, 'ranges only allowed for vector selectors');
        return { type: 'MatrixSelector', vector: inner, range: this.duration(dur) };
      }
      case 'SubqueryExpr': {
        const [inner, range, step] = this.children(n);
        return { type: 'SubqueryExpr', expr: this.expr(inner), range: this.duration(range), step: step ? this.duration(step) : undefined, offset: 0, at: undefined };
      }
      case 'OffsetExpr': {
        const kids = this.children(n);
        const inner = this.expr(kids[0]);
        const offset = this.offsetDuration(kids[kids.length - 1]);
        return this.withModifier(inner, n, { offset });
      }
      case 'StepInvariantExpr': {
        const kids = this.children(n);
        const inner = this.expr(kids[0]);
        return this.withModifier(inner, n, { at: this.at(kids.slice(2)) });
      }
      case 'FunctionCall': {
        const [ident, body] = this.children(n);
        const func = this.text(ident);
        if (!FUNCTIONS[func]) throw this.errorAt(ident.from, `unknown function with name ${JSON.stringify(func)}`);
        return { type: 'Call', func, args: body ? this.children(body).map((c) => this.expr(c)) : [] };
      }
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'BinaryExpr':
        return this.binary(n);
      case 'UnaryExpr': {
        const [op, inner] = this.children(n);
        return { type: 'UnaryExpr', op: this.text(op) === '-' ? '-' : '+', expr: this.expr(inner) };
      }
      case 'ParenExpr':
        return { type: 'ParenExpr', expr: this.expr(this.children(n)[0]) };
      default:
        throw this.errorAt(n.from, `unsupported expression ${JSON.stringify(this.text(n))}`);
    }
  }

  private withModifier(inner: Expr, n: SyntaxNode, mod: { offset?: number; at?: AtModifier }): Expr {
    // A modifier binds to the nearest selector: `-x @ 5` and `a + b @ 5` put it on x and b.
    let node: Expr = inner;
    while (node.type === 'UnaryExpr' || node.type === 'BinaryExpr') node = node.type === 'UnaryExpr' ? node.expr : node.rhs;
    const target = node.type === 'MatrixSelector' ? node.vector : node;
    if (target.type !== 'VectorSelector' && target.type !== 'SubqueryExpr') {
      throw this.errorAt(n.from, `${mod.at ? '@ modifier' : 'offset'} must be preceded by an instant vector selector or range vector selector or a subquery`);
    }
    if (mod.offset !== undefined) {
      if (target.offset !== 0) throw this.errorAt(n.from, 'offset may not be set multiple times');
      target.offset = mod.offset;
    }
    if (mod.at) {
      if (target.at) throw this.errorAt(n.from, '@ <timestamp> may not be set multiple times');
      target.at = mod.at;
    }
    return inner;
  }

  private at(nodes: SyntaxNode[]): AtModifier {
    const t = nodes.map((x) => this.text(x)).join('');
    if (t.startsWith('start')) return { kind: 'start' };
    if (t.startsWith('end')) return { kind: 'end' };
    const value = this.numberText(t.replace(/^\+/, ''), nodes[0]);
    if (!Number.isFinite(value)) throw this.errorAt(nodes[0].from, `timestamp out of bounds for @ modifier: ${value}`);
    return { kind: 'time', ms: Math.round(value * 1000) };
  }

  private vectorSelector(n: SyntaxNode): VectorSelector {
    const kids = this.children(n);
    const matchers: Matcher[] = [];
    let name: string | undefined;
    for (const k of kids) {
      if (k.name === 'Identifier') {
        name = this.text(k);
        matchers.push(new Matcher('=', METRIC_NAME, name));
      } else if (k.name === 'LabelMatchers') {
        for (const m of this.children(k)) {
          const parts = this.children(m);
          if (parts.length === 1 && parts[0].name === 'StringLiteral') {
            // {"metric.name"}: a quoted metric name.
            if (name !== undefined) throw this.errorAt(m.from, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(this.string(parts[0]))}`);
            name = this.string(parts[0]);
            matchers.push(new Matcher('=', METRIC_NAME, name));
            continue;
          }
          const [label, op, value] = parts;
          const labelName = label.name === 'StringLiteral' ? this.string(label) : this.text(label);
          const type = MATCH_OPS[op.firstChild?.name ?? ''];
          if (!type) throw this.errorAt(op.from, `unexpected matcher operator ${JSON.stringify(this.text(op))}`);
          try {
            matchers.push(new Matcher(type, labelName, this.string(value)));
          } catch (e) {
            throw this.errorAt(value.from, (e as Error).message);
          }
          if (labelName === METRIC_NAME && type === '=' && name !== undefined) {
            throw this.errorAt(m.from, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(this.string(value))}`);
          }
        }
      }
    }
    if (!matchers.some((m) => !m.matchesEmpty)) throw this.errorAt(n.from, 'vector selector must contain at least one non-empty matcher');
    return { type: 'VectorSelector', name, matchers, offset: 0, at: undefined };
  }

  private aggregate(n: SyntaxNode): AggregateExpr {
    let op = '';
    let grouping: string[] = [];
    let without = false;
    let args: Expr[] = [];
    for (const k of this.children(n)) {
      if (k.name === 'AggregateOp') op = this.text(k);
      else if (k.name === 'AggregateModifier') {
        const [kind, labels] = this.children(k);
        without = kind.name === 'Without';
        grouping = labels ? this.labelList(labels) : [];
      } else if (k.name === 'FunctionCallBody') args = this.children(k).map((c) => this.expr(c));
    }
    const paramType = PARAM_AGGREGATIONS[op];
    if (paramType && args.length !== 2) throw this.errorAt(n.from, `wrong number of arguments for aggregate expression provided, expected 2, got ${args.length}`);
    if (!paramType && args.length !== 1) throw this.errorAt(n.from, `wrong number of arguments for aggregate expression provided, expected 1, got ${args.length}`);
    return { type: 'AggregateExpr', op, expr: args[args.length - 1], param: paramType ? args[0] : undefined, grouping, without };
  }

  private labelList(n: SyntaxNode): string[] {
    return this.children(n).map((c) => (c.name === 'StringLiteral' || c.name === 'QuotedLabelName' ? this.string(c) : this.text(c)));
  }

  private binary(n: SyntaxNode): BinaryExpr {
    const kids = this.children(n);
    const lhs = this.expr(kids[0]);
    const rhs = this.expr(kids[kids.length - 1]);
    const op = BINARY_OPS[kids[1].name];
    if (!op) throw this.errorAt(kids[1].from, `unsupported binary operator ${JSON.stringify(this.text(kids[1]))}`);
    let returnBool = false;
    let matching: VectorMatching | undefined;
    for (const k of kids.slice(2, -1)) {
      if (k.name === 'BoolModifier') returnBool = true;
      else if (k.name === 'MatchingModifierClause') matching = this.matching(k, op);
    }
    return { type: 'BinaryExpr', op, lhs, rhs, returnBool, matching };
  }

  private matching(n: SyntaxNode, op: string): VectorMatching {
    const m: VectorMatching = { card: SET_OPS.has(op) ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] };
    let seenGroup = false;
    for (const k of this.children(n)) {
      if (k.name === 'On') m.on = true;
      else if (k.name === 'Ignoring') m.on = false;
      else if (k.name === 'GroupLeft' || k.name === 'GroupRight') {
        m.card = k.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
        seenGroup = true;
      } else if (k.name === 'GroupingLabels') {
        if (seenGroup) m.include = this.labelList(k);
        else m.labels = this.labelList(k);
      }
    }
    return m;
  }

  private number(n: SyntaxNode): number {
    return this.numberText(this.text(n), n);
  }

  private numberText(t: string, n: SyntaxNode): number {
    const s = t.trim().toLowerCase().replace(/^([+-])\s+/, '$1');
    if (s === 'inf' || s === '+inf') return Infinity;
    if (s === '-inf') return -Infinity;
    if (s === 'nan') return NaN;
    if (/^[+-]?0x[0-9a-f]+$/.test(s)) return (s.startsWith('-') ? -1 : 1) * parseInt(s.replace(/^[+-]/, ''), 16);
    const v = Number(s.replace(/_/g, ''));
    if (s !== '' && !Number.isNaN(v)) return v;
    const ms = parseDurationMs(s);
    if (ms !== undefined) return ms / 1000;
    throw this.errorAt(n.from, `bad number or duration syntax: ${JSON.stringify(t)}`);
  }

  private duration(n: SyntaxNode): number {
    const t = this.text(n).trim();
    const ms = parseDurationMs(t);
    if (ms === undefined) throw this.errorAt(n.from, `not a valid duration string: ${JSON.stringify(t)}`);
    return ms;
  }

  private offsetDuration(n: SyntaxNode): number {
    const t = this.text(n).replace(/\s+/g, '');
    const negative = t.startsWith('-');
    const ms = parseDurationMs(t.replace(/^[+-]/, ''));
    if (ms === undefined) throw this.errorAt(n.from, `not a valid duration string: ${JSON.stringify(t)}`);
    return negative ? -ms : ms;
  }

  /**
   * Go string literal rules: "..." and '...' with escapes, `...` raw. As in Go, `\x` and octal
   * escapes are bytes, so "\xc3\xa9" is "é"; a byte that is not valid UTF-8 is kept as a lone
   * surrogate (decodeGoBytes), so label-name checks refuse it and messages quote it as Go does.
   */
  private string(n: SyntaxNode): string {
    const t = this.text(n);
    if (t.startsWith('`')) return t.slice(1, -1);
    const body = t.slice(1, -1);
    const bytes: number[] = [];
    const text = (str: string) => bytes.push(...Buffer.from(str, 'utf8'));
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c !== '\\') {
        const cp = body.codePointAt(i) as number;
        text(String.fromCodePoint(cp));
        if (cp > 0xffff) i++;
        continue;
      }
      const e = body[++i];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
      if (e in simple) text(simple[e]);
      else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw this.errorAt(n.from, `invalid escape sequence in string ${t}`);
        if (e === 'x') bytes.push(parseInt(hex, 16));
        else text(String.fromCodePoint(parseInt(hex, 16)));
        i += len;
      } else if (/[0-7]/.test(e)) {
        const oct = body.slice(i, i + 3);
        if (!/^[0-7]{3}$/.test(oct)) throw this.errorAt(n.from, `invalid escape sequence in string ${t}`);
        bytes.push(parseInt(oct, 8));
        i += 2;
      } else throw this.errorAt(n.from, `unknown escape sequence '${e}' in string ${t}`);
    }
    return decodeGoBytes(Uint8Array.from(bytes));
  }

  /** The value type of an expression, or a ParseError saying why its types do not fit. */
  private typeOf(e: Expr, at: SyntaxNode): ValueType {
    const fail = (reason: string) => this.errorAt(at.from, reason);
    switch (e.type) {
      case 'NumberLiteral':
        return 'scalar';
      case 'StringLiteral':
        return 'string';
      case 'VectorSelector':
        return 'vector';
      case 'MatrixSelector':
        return 'matrix';
      case 'SubqueryExpr': {
        const t = this.typeOf(e.expr, at);
        if (t !== 'vector') throw fail(`subquery is only allowed on instant vector, got ${TYPE_NAMES[t]} instead`);
        return 'matrix';
      }
      case 'ParenExpr':
        return this.typeOf(e.expr, at);
      case 'UnaryExpr': {
        const t = this.typeOf(e.expr, at);
        if (t !== 'scalar' && t !== 'vector') throw fail(`unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(TYPE_NAMES[t])}`);
        return t;
      }
      case 'Call': {
        const s = FUNCTIONS[e.func];
        const min = s.args.length - s.optional;
        if (e.args.length < min || (!s.variadic && e.args.length > s.args.length)) {
          const expected = s.optional > 0 ? `at most ${s.args.length}` : `${s.args.length}`;
          throw fail(`expected ${e.args.length < min ? min : expected} argument(s) in call to ${JSON.stringify(e.func)}, got ${e.args.length}`);
        }
        e.args.forEach((arg, i) => {
          const want = s.args[Math.min(i, s.args.length - 1)];
          const got = this.typeOf(arg, at);
          if (got !== want) throw fail(`expected type ${TYPE_NAMES[want]} in call to function ${JSON.stringify(e.func)}, got ${TYPE_NAMES[got]}`);
        });
        return s.returns;
      }
      case 'AggregateExpr': {
        const t = this.typeOf(e.expr, at);
        if (t !== 'vector') throw fail(`expected type instant vector in aggregation expression, got ${TYPE_NAMES[t]}`);
        if (e.param) {
          const want = PARAM_AGGREGATIONS[e.op];
          const got = this.typeOf(e.param, at);
          if (got !== want) throw fail(`expected type ${TYPE_NAMES[want]} in aggregation parameter, got ${TYPE_NAMES[got]}`);
        }
        return 'vector';
      }
      case 'BinaryExpr': {
        const l = this.typeOf(e.lhs, at);
        const r = this.typeOf(e.rhs, at);
        if ((l !== 'scalar' && l !== 'vector') || (r !== 'scalar' && r !== 'vector')) throw fail('binary expression must contain only scalar and instant vector types');
        if (e.returnBool && !COMPARISONS.has(e.op)) throw fail('bool modifier can only be used on comparison operators');
        if (COMPARISONS.has(e.op) && l === 'scalar' && r === 'scalar' && !e.returnBool) throw fail('comparisons between scalars must use BOOL modifier');
        if (SET_OPS.has(e.op) && (l === 'scalar' || r === 'scalar')) throw fail(`set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
        if (e.matching && (l !== 'vector' || r !== 'vector')) throw fail('vector matching only allowed between instant vectors');
        if (l === 'vector' && r === 'vector' && !e.matching) e.matching = { card: SET_OPS.has(e.op) ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] };
        if (e.matching && SET_OPS.has(e.op) && (e.matching.card === 'many-to-one' || e.matching.card === 'one-to-many')) throw fail(`no grouping allowed for ${JSON.stringify(e.op)} operation`);
        return l === 'vector' || r === 'vector' ? 'vector' : 'scalar';
      }
    }
  }
}
