import { EvalError } from './errors';

/** The comparison operators: without `bool` they filter, with it they give 0 or 1. */
export const COMPARISON_OPS: ReadonlySet<string> = new Set(['==', '!=', '>', '<', '>=', '<=']);

/** Prometheus's scalar arithmetic and comparisons (comparisons between scalars need `bool`). */
export function scalarOp(op: string, returnBool: boolean): (a: number, b: number) => number {
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
