import { Engine, type EvalRange, NotImplementedError, type StepValue } from '@myelin/promql';
import { type Command, type EvalCommand, parseScript } from './script';

/** The outcome of one eval of a script. */
export type EvalOutcome = { line: number; expr: string } & ({ result: 'passed' } | { result: 'failed'; reason: string } | { result: 'skipped'; reason: string });

const TOLERANCE = 1e-6;

/** Prometheus's comparison of expected and actual floats: relative 1e-6, NaN equals NaN. */
export function almostEqual(expected: number, actual: number): boolean {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
  if (expected === actual) return true;
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return false;
  return Math.abs(expected - actual) <= TOLERANCE * Math.max(Math.abs(expected), Math.abs(actual));
}

/**
 * Runs a promqltest script against Myelin's engine. Constructs the engine does not evaluate yet
 * are skipped with the reason; everything else must match Prometheus's expectations. Instant
 * evals also run as range queries over a single step, as Prometheus's harness does.
 */
export async function runScript(text: string): Promise<EvalOutcome[]> {
  const commands: Command[] = parseScript(text);
  const out: EvalOutcome[] = [];
  for (const cmd of commands) {
    // Loaded series become a Queryable with the selectors; until then selectors are not evaluated.
    if (cmd.type !== 'eval') continue;
    const first = await runEval(cmd, cmd.kind === 'instant' ? { start: cmd.atMs, end: cmd.atMs, step: 0 } : { start: cmd.startMs, end: cmd.endMs, step: cmd.stepMs });
    // An instant eval is also run as a range query of one step, as Prometheus's harness does.
    const again = first.result === 'passed' && cmd.kind === 'instant' ? await runEval(cmd, { start: cmd.atMs, end: cmd.atMs, step: 60_000 }) : first;
    out.push(again.result === 'failed' ? { ...again, reason: `as a range query: ${again.reason}` } : first);
  }
  return out;
}

async function runEval(cmd: EvalCommand, range: EvalRange): Promise<EvalOutcome> {
  const base = { line: cmd.line, expr: cmd.expr };
  const engine = new Engine();
  let value: StepValue;
  try {
    value = await engine.evaluate(cmd.expr, range);
  } catch (e) {
    if (e instanceof NotImplementedError) return { ...base, result: 'skipped', reason: e.message };
    if (cmd.expect.fail) {
      const msg = (e as Error).message;
      if (cmd.expect.fail.msg !== undefined && !msg.includes(cmd.expect.fail.msg)) return { ...base, result: 'failed', reason: `error ${JSON.stringify(msg)}, expected ${JSON.stringify(cmd.expect.fail.msg)}` };
      if (cmd.expect.fail.regex !== undefined && !new RegExp(cmd.expect.fail.regex).test(msg)) return { ...base, result: 'failed', reason: `error ${JSON.stringify(msg)} does not match ${cmd.expect.fail.regex}` };
      return { ...base, result: 'passed' };
    }
    return { ...base, result: 'failed', reason: `unexpected error: ${(e as Error).message}` };
  }
  if (cmd.expect.fail) return { ...base, result: 'failed', reason: 'expected an error, got a result' };
  if (cmd.expect.string !== undefined) {
    return value.type === 'string' && value.value === cmd.expect.string
      ? { ...base, result: 'passed' }
      : { ...base, result: 'failed', reason: `expected string ${JSON.stringify(cmd.expect.string)}, got ${JSON.stringify(value)}` };
  }
  if (value.type === 'scalar') {
    const expected = cmd.results.filter((r) => r.scalar);
    if (expected.length !== 1 || cmd.results.length !== 1) return { ...base, result: 'failed', reason: 'got a scalar, expected series' };
    const want = expected[0].values[0];
    if (want.kind !== 'float') return { ...base, result: 'skipped', reason: 'non-float expected value' };
    for (const got of value.values) {
      if (!almostEqual(want.value, got)) return { ...base, result: 'failed', reason: `expected ${want.value}, got ${got}` };
    }
    return { ...base, result: 'passed' };
  }
  return { ...base, result: 'failed', reason: `unexpected result type ${value.type}` };
}
