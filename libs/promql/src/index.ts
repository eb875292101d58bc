export { parseExpr, parseDurationMs, ParseError } from './parser';
export type * from './ast';
export { FUNCTIONS, PARAM_AGGREGATIONS } from './functions';
export type { FunctionSignature } from './functions';
export { Engine, EvalError, NotImplementedError } from './engine';
export type { EvalRange, StepValue } from './engine';
