export { parseScript, parseSeriesLine, parseValues, ScriptError } from './script';
export type { ClearCommand, Command, EvalCommand, Expectations, LoadCommand, ScriptValue, SeriesDef } from './script';
