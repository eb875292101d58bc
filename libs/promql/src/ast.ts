import type { Matcher } from '@myelin/model';

/** PromQL value types, as the engine and the type checks name them. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** An `@` modifier: a fixed time (ms), or the start or end of the query. */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

export interface NumberLiteral {
  type: 'NumberLiteral';
  value: number;
}

export interface StringLiteral {
  type: 'StringLiteral';
  value: string;
}

export interface VectorSelector {
  type: 'VectorSelector';
  /** The metric name when written outside the braces. */
  name: string | undefined;
  /** Every matcher, the metric name as `__name__="..."` included. */
  matchers: Matcher[];
  /** Milliseconds; positive looks into the past. */
  offset: number;
  at: AtModifier | undefined;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  vector: VectorSelector;
  /** Milliseconds. */
  range: number;
}

export interface SubqueryExpr {
  type: 'SubqueryExpr';
  expr: Expr;
  range: number;
  /** Milliseconds; undefined means the evaluation's default step. */
  step: number | undefined;
  offset: number;
  at: AtModifier | undefined;
}

export interface Call {
  type: 'Call';
  func: string;
  args: Expr[];
}

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: string;
  expr: Expr;
  /** The parameter of topk, bottomk, quantile, count_values, limitk, limit_ratio. */
  param: Expr | undefined;
  grouping: string[];
  without: boolean;
}

export interface VectorMatching {
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** on(...) when true, ignoring(...) when false. */
  on: boolean;
  labels: string[];
  /** Labels named in group_left(...)/group_right(...). */
  include: string[];
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: string;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Set when both sides are vectors. */
  matching: VectorMatching | undefined;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '-' | '+';
  expr: Expr;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | Call
  | AggregateExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr;
