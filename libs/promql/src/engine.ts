import type { Queryable } from '@myelin/storage';
import type { BinaryExpr, Expr } from './ast';
import { parseExpr } from './parser';

/** Raised for a construct the engine does not evaluate yet (the conformance runner skips these). */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}

/** An evaluation error, as Prometheus reports it (HTTP 422 "execution" errors). */
export class EvalError extends Error {
  override readonly name = 'EvalError';
}

/**
 * A value over the steps of an evaluation: a scalar has one value per step (typed array); a
 * string is the same at every step. Vectors and matrices come with the selectors.
 */
export type StepValue = { type: 'scalar'; values: Float64Array } | { type: 'string'; value: string };

export interface EvalRange {
  /** Milliseconds. An instant query has start === end. */
  start: number;
  end: number;
  step: number;
}

/** Evaluates PromQL over a Queryable, step by step in typed arrays (no object per sample). */
export class Engine {
  constructor(private readonly queryable: Queryable | undefined = undefined) {}

  async evaluate(query: string | Expr, range: EvalRange): Promise<StepValue> {
    const expr = typeof query === 'string' ? parseExpr(query) : query;
    const steps = range.step > 0 ? Math.floor((range.end - range.start) / range.step) + 1 : 1;
    void this.queryable;
    return this.eval(expr, steps);
  }

  private eval(e: Expr, steps: number): StepValue {
    switch (e.type) {
      case 'NumberLiteral':
        return { type: 'scalar', values: new Float64Array(steps).fill(e.value) };
      case 'StringLiteral':
        return { type: 'string', value: e.value };
      case 'ParenExpr':
        return this.eval(e.expr, steps);
      case 'UnaryExpr': {
        const v = this.eval(e.expr, steps);
        if (v.type !== 'scalar') throw new NotImplementedError(`unary ${e.op} on ${v.type}`);
        if (e.op === '+') return v;
        return { type: 'scalar', values: v.values.map((x) => -x) };
      }
      case 'BinaryExpr':
        return this.binary(e, steps);
      default:
        throw new NotImplementedError(`${e.type} is not evaluated yet`);
    }
  }

  private binary(e: BinaryExpr, steps: number): StepValue {
    const l = this.eval(e.lhs, steps);
    const r = this.eval(e.rhs, steps);
    if (l.type !== 'scalar' || r.type !== 'scalar') throw new NotImplementedError('binary operations on vectors are not evaluated yet');
    const op = scalarOp(e.op, e.returnBool);
    const out = new Float64Array(steps);
    for (let i = 0; i < steps; i++) out[i] = op(l.values[i], r.values[i]);
    return { type: 'scalar', values: out };
  }
}

/** Prometheus's scalar arithmetic and comparisons (comparisons between scalars need `bool`). */
function scalarOp(op: string, returnBool: boolean): (a: number, b: number) => number {
  const bool = (f: (a: number, b: number) => boolean) => (a: number, b: number) => (f(a, b) ? 1 : 0);
  switch (op) {
    case '+':
      return (a, b) => a + b;
    case '-':
      return (a, b) => a - b;
    case '*':
      return (a, b) => a * b;
    case '/':
      return (a, b) => a / b;
    case '%':
      // Go's math.Mod: the result has the sign of the dividend, as JS's %.
      return (a, b) => a % b;
    case '^':
      return (a, b) => Math.pow(a, b);
    case 'atan2':
      return (a, b) => Math.atan2(a, b);
    case '==':
      return bool((a, b) => a === b);
    case '!=':
      return bool((a, b) => a !== b);
    case '>':
      return bool((a, b) => a > b);
    case '<':
      return bool((a, b) => a < b);
    case '>=':
      return bool((a, b) => a >= b);
    case '<=':
      return bool((a, b) => a <= b);
    default:
      void returnBool;
      throw new EvalError(`operator ${JSON.stringify(op)} not allowed between scalars`);
  }
}
