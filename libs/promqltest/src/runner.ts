import { formatLabels, labelsKey } from '@myelin/model';
import { Engine, type EvalRange, NotImplementedError, type QueryValue, type RangeSeries, type StepSeries } from '@myelin/promql';
import { LoadedSeries } from './loaded-series';
import { NOT_SUPPORTED_FUNCTION } from './not-supported';
import { type AnnotationPattern, type Command, type EvalCommand, parseScript, type SeriesDef } from './script';

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
  const data = new LoadedSeries();
  const out: EvalOutcome[] = [];
  for (const cmd of commands) {
    if (cmd.type === 'load') data.load(cmd);
    if (cmd.type === 'clear') data.clear();
    if (cmd.type !== 'eval') continue;
    const skip = skipReason(cmd);
    if (skip) {
      out.push({ line: cmd.line, expr: cmd.expr, result: 'skipped', reason: skip });
      continue;
    }
    const engine = new Engine(data);
    const first = await runEval(engine, cmd, cmd.kind === 'instant' ? { start: cmd.atMs, end: cmd.atMs, step: 0 } : { start: cmd.startMs, end: cmd.endMs, step: cmd.stepMs });
    // An instant eval is also run as a range query of one step, as Prometheus's harness does
    // (not when it returns a range vector, which a range query cannot).
    const again = first.result === 'passed' && cmd.kind === 'instant' && !cmd.expect.rangeVector ? await runEval(engine, cmd, { start: cmd.atMs, end: cmd.atMs, step: 60_000 }) : first;
    out.push(again !== first && again.result === 'failed' ? { ...again, reason: `as a range query: ${again.reason}` } : first);
  }
  return out;
}

/** Evals whose expectations the engine cannot meet yet, by design of this increment. */
function skipReason(cmd: EvalCommand): string | undefined {
  if (cmd.results.some((r) => r.values.some((v) => v.kind === 'histogram'))) return 'native histograms are not evaluated yet';
  return undefined;
}

async function runEval(engine: Engine, cmd: EvalCommand, range: EvalRange): Promise<EvalOutcome> {
  const base = { line: cmd.line, expr: cmd.expr };
  let value: QueryValue;
  let annotations: { warnings: string[]; infos: string[] };
  try {
    const result = await engine.query(cmd.expr, range);
    value = result.value;
    annotations = result;
  } catch (e) {
    if (e instanceof NotImplementedError) return { ...base, result: 'skipped', reason: e.message };
    if (NOT_SUPPORTED_FUNCTION.test((e as Error).message)) return { ...base, result: 'skipped', reason: `not supported on purpose: ${(e as Error).message}` };
    if (cmd.expect.fail) {
      const msg = (e as Error).message;
      if (cmd.expect.fail.msg !== undefined && !msg.includes(cmd.expect.fail.msg)) return { ...base, result: 'failed', reason: `error ${JSON.stringify(msg)}, expected ${JSON.stringify(cmd.expect.fail.msg)}` };
      if (cmd.expect.fail.regex !== undefined && !new RegExp(cmd.expect.fail.regex).test(msg)) return { ...base, result: 'failed', reason: `error ${JSON.stringify(msg)} does not match ${cmd.expect.fail.regex}` };
      return { ...base, result: 'passed' };
    }
    return { ...base, result: 'failed', reason: `unexpected error: ${(e as Error).message}` };
  }
  if (cmd.expect.fail) return { ...base, result: 'failed', reason: 'expected an error, got a result' };
  const annotationProblem = checkAnnotations(cmd, annotations);
  if (annotationProblem) return { ...base, result: 'failed', reason: annotationProblem };
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
  if (value.type === 'matrix') {
    const reason = cmd.expect.rangeVector ? compareMatrix(cmd, value.series) : 'got a range vector, expected no `expect range vector`';
    return reason ? { ...base, result: 'failed', reason } : { ...base, result: 'passed' };
  }
  if (cmd.expect.rangeVector) return { ...base, result: 'failed', reason: `expected a range vector, got a ${value.type}` };
  if (value.type === 'vector') {
    const reason = compareVector(cmd, value.series, range.step > 0 && cmd.kind === 'range');
    return reason ? { ...base, result: 'failed', reason } : { ...base, result: 'passed' };
  }
  return { ...base, result: 'failed', reason: `unexpected result type ${value.type}` };
}

/**
 * Compares a vector result with the expected series: the same label sets, and per series the same
 * value at every step (`_` where no sample). Instant evals (run at one step, even as a range query)
 * expect one value per series. `expect ordered` also requires the expected order.
 */
function compareVector(cmd: EvalCommand, got: StepSeries[], isRange: boolean): string | undefined {
  if (cmd.results.some((r) => r.scalar)) return 'got a vector, expected a scalar';
  const want = new Map<string, SeriesDef>(cmd.results.map((r) => [labelsKey(r.labels), r]));
  if (want.size !== got.length) return `expected ${want.size} series, got ${got.length}: ${got.map((s) => formatLabels(s.labels)).join(', ')}`;
  for (const [i, s] of got.entries()) {
    const key = labelsKey(s.labels);
    const exp = want.get(key);
    if (!exp) return `unexpected series ${formatLabels(s.labels)}`;
    if (cmd.expect.ordered && labelsKey(cmd.results[i].labels) !== key) return `series ${formatLabels(s.labels)} at position ${i}, expected ${formatLabels(cmd.results[i].labels)}`;
    const steps = isRange ? s.values.length : 1;
    for (let j = 0; j < steps; j++) {
      const v = exp.values[j];
      const expected = v === undefined || v.kind === 'missing' ? undefined : v.kind === 'float' ? v.value : NaN;
      if (expected === undefined) {
        if (s.present[j]) return `${formatLabels(s.labels)} step ${j}: expected no value, got ${s.values[j]}`;
        continue;
      }
      if (!s.present[j]) return `${formatLabels(s.labels)} step ${j}: expected ${expected}, got no value`;
      if (!almostEqual(expected, s.values[j])) return `${formatLabels(s.labels)} step ${j}: expected ${expected}, got ${s.values[j]}`;
    }
    if (isRange && exp.values.length > steps && exp.values.slice(steps).some((v) => v.kind !== 'missing')) return `${formatLabels(s.labels)}: expected ${exp.values.length} steps, got ${steps}`;
  }
  return undefined;
}

/**
 * Prometheus's harness rules for annotations: `expect warn|info` needs at least one; with
 * messages (`msg:`/`regex:`) each expected one must be there and every one there must be
 * expected; `expect no_warn|no_info` allows none; without an expect line they are not checked.
 */
export function checkAnnotations(cmd: EvalCommand, got: { warnings: string[]; infos: string[] }): string | undefined {
  const kinds = [
    ['warn', cmd.expect.warn, cmd.expect.warnings ?? [], got.warnings],
    ['info', cmd.expect.info, cmd.expect.infos ?? [], got.infos],
  ] as const;
  for (const [kind, expected, patterns, actual] of kinds) {
    if (expected === true && actual.length === 0) return `expected ${kind} annotations, got none`;
    if (expected === false && actual.length > 0) return `unexpected ${kind} annotations: ${actual.join('; ')}`;
    const matches = (p: AnnotationPattern, a: string) => ('msg' in p ? p.msg === a : new RegExp(p.regex).test(a));
    for (const p of patterns) if (!actual.some((a) => matches(p, a))) return `expected ${kind} annotation ${JSON.stringify(p)}, got: ${actual.join('; ') || 'none'}`;
    if (patterns.length > 0) for (const a of actual) if (!patterns.some((p) => matches(p, a))) return `unexpected ${kind} annotation ${JSON.stringify(a)}`;
  }
  return undefined;
}

/**
 * `expect range vector from A to B step S`: the i-th expected value is the sample at A + i*S
 * (`_` for none); a series must have exactly those samples.
 */
function compareMatrix(cmd: EvalCommand, got: RangeSeries[]): string | undefined {
  const grid = cmd.expect.rangeVector as { startMs: number; endMs: number; stepMs: number };
  const want = new Map<string, SeriesDef>(cmd.results.map((r) => [labelsKey(r.labels), r]));
  if (want.size !== got.length) return `expected ${want.size} series, got ${got.length}: ${got.map((s) => formatLabels(s.labels)).join(', ')}`;
  for (const s of got) {
    const exp = want.get(labelsKey(s.labels));
    if (!exp) return `unexpected series ${formatLabels(s.labels)}`;
    const points: Array<[number, number]> = [];
    exp.values.forEach((v, i) => {
      if (v.kind === 'float') points.push([grid.startMs + i * grid.stepMs, v.value]);
      if (v.kind === 'stale') points.push([grid.startMs + i * grid.stepMs, NaN]);
    });
    const gotPoints = Array.from(s.timestamps, (t, i) => [t, s.values[i]] as [number, number]);
    const same = points.length === gotPoints.length && points.every(([t, v], i) => gotPoints[i][0] === t && almostEqual(v, gotPoints[i][1]));
    if (!same) return `${formatLabels(s.labels)}: expected ${JSON.stringify(points)}, got ${JSON.stringify(gotPoints)}`;
  }
  return undefined;
}
