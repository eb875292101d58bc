export { parseScript, parseSeriesLine, parseValues, ScriptError } from './script';
export type { ClearCommand, Command, EvalCommand, Expectations, LoadCommand, ScriptValue, SeriesDef } from './script';
export { almostEqual, runScript } from './runner';
export type { EvalOutcome } from './runner';
