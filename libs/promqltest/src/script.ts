import type { Label, Labels } from '@myelin/model';
import { parseDurationMs } from '@myelin/promql';

/**
 * Prometheus's promqltest script language (promql/promqltest in prometheus/prometheus), parsed:
 * `load <interval>` with series in expanding notation, `clear`, `eval instant at <t> <expr>`,
 * `eval range from <t> to <t> step <d> <expr>`, `expect` lines, and the expected results.
 */
export type ScriptValue = { kind: 'float'; value: number } | { kind: 'missing' } | { kind: 'stale' } | { kind: 'histogram'; text: string };

export interface SeriesDef {
  labels: Labels;
  values: ScriptValue[];
}

export interface LoadCommand {
  type: 'load';
  line: number;
  intervalMs: number;
  series: SeriesDef[];
  /** `load_with_nhcb`: classic histograms are also loaded as native ones with custom buckets. */
  withNhcb: boolean;
}

export interface ClearCommand {
  type: 'clear';
  line: number;
}

export interface Expectations {
  fail?: { msg?: string; regex?: string };
  /** true: at least one warning; false: none (`no_warn`); undefined: not checked. */
  warn?: boolean;
  info?: boolean;
  /** `expect warn msg:|regex:`: the warnings there must be exactly those matching these. */
  warnings?: AnnotationPattern[];
  infos?: AnnotationPattern[];
  ordered: boolean;
  string?: string;
  rangeVector?: { startMs: number; endMs: number; stepMs: number };
}

export type AnnotationPattern = { msg: string } | { regex: string };

export interface EvalCommand {
  type: 'eval';
  line: number;
  kind: 'instant' | 'range';
  /** Instant evals: the time; range evals: start, end and step. Milliseconds. */
  atMs: number;
  startMs: number;
  endMs: number;
  stepMs: number;
  expr: string;
  expect: Expectations;
  /** Expected series (labels and values), or one scalar (labels empty, `scalar` true). */
  results: Array<SeriesDef & { scalar?: boolean }>;
}

export type Command = LoadCommand | ClearCommand | EvalCommand;

export class ScriptError extends Error {
  override readonly name = 'ScriptError';
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

function time(text: string, line: number): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new ScriptError(line, `bad time or duration ${JSON.stringify(text)}`);
  return ms;
}

const NUM = String.raw`[-+]?(?:inf|nan|0x[0-9a-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)`;
const EXPAND = new RegExp(String.raw`^(${NUM})(?:([-+])((?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|inf|nan))?x(\d+)$`, 'i');
const SINGLE = new RegExp(String.raw`^${NUM}$`, 'i');

function number(text: string): number {
  const t = text.toLowerCase();
  if (/^[-+]?inf$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[-+]?nan$/.test(t)) return NaN;
  if (/^[-+]?0x/.test(t)) return (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[-+]/, ''), 16);
  return Number(t);
}

/** Expands a values text: `1 2 _ stale 1+2x3 5x2 _x2 {{...}}`. */
export function parseValues(text: string, line: number): ScriptValue[] {
  const out: ScriptValue[] = [];
  const tokens: string[] = [];
  const re = /\{\{.*?\}\}(?:[+-]\{\{.*?\}\})?(?:x\d+)?|\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) tokens.push(m[0]);
  for (const tok of tokens) {
    if (tok.startsWith('{{')) {
      // Native histograms (not supported yet): kept as text, expanded to the right count.
      const times = /\}\}x(\d+)$/.exec(tok);
      for (let i = 0; i <= (times ? Number(times[1]) : 0); i++) out.push({ kind: 'histogram', text: tok });
      continue;
    }
    if (tok === '_') {
      out.push({ kind: 'missing' });
      continue;
    }
    const missing = /^_x(\d+)$/.exec(tok);
    if (missing) {
      for (let i = 0; i < Number(missing[1]); i++) out.push({ kind: 'missing' });
      continue;
    }
    if (tok === 'stale') {
      out.push({ kind: 'stale' });
      continue;
    }
    // In series values `0x59` is "0 repeated", not hex (Prometheus's own scripts rely on it).
    if (SINGLE.test(tok) && !/^[-+]?0x\d+$/i.test(tok)) {
      out.push({ kind: 'float', value: number(tok) });
      continue;
    }
    const m = EXPAND.exec(tok);
    if (!m) throw new ScriptError(line, `bad value ${JSON.stringify(tok)}`);
    const start = number(m[1]);
    const delta = m[2] ? (m[2] === '-' ? -1 : 1) * number(m[3]) : 0;
    for (let i = 0; i <= Number(m[4]); i++) out.push({ kind: 'float', value: start + i * delta });
  }
  return out;
}

/** `metric{a="b", c="d"} rest`, `{a="b"} rest` or `metric rest`: the labels and the rest. */
export function parseSeriesLine(text: string, line: number): { labels: Labels; rest: string } {
  let i = 0;
  const s = text.trim();
  const labels: Label[] = [];
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (name) {
    labels.push({ name: '__name__', value: name[0] });
    i = name[0].length;
  }
  if (s[i] === '{') {
    i++;
    for (;;) {
      while (s[i] === ' ' || s[i] === ',' || s[i] === '\t') i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      let labelName: string;
      if (s[i] === '"') {
        const r = readQuoted(s, i, line);
        labelName = r.value;
        i = r.end;
      } else {
        const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
        if (!m) throw new ScriptError(line, `bad label name at ${JSON.stringify(s.slice(i, i + 20))}`);
        labelName = m[0];
        i += m[0].length;
      }
      while (s[i] === ' ') i++;
      if (s[i] !== '=') {
        // {"metric"}: a quoted metric name.
        labels.push({ name: '__name__', value: labelName });
        continue;
      }
      i++;
      while (s[i] === ' ') i++;
      const v = readQuoted(s, i, line);
      labels.push({ name: labelName, value: v.value });
      i = v.end;
    }
  }
  if (labels.length === 0 && !name && s[0] !== '{') throw new ScriptError(line, `bad series ${JSON.stringify(s)}`);
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { labels, rest: s.slice(i).trim() };
}

function readQuoted(s: string, i: number, line: number): { value: string; end: number } {
  const q = s[i];
  if (q !== '"' && q !== "'" && q !== '`') throw new ScriptError(line, `expected a quoted string at ${JSON.stringify(s.slice(i, i + 20))}`);
  let j = i + 1;
  let out = '';
  for (; j < s.length && s[j] !== q; j++) {
    if (s[j] === '\\' && q !== '`') {
      const e = s[++j];
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
    } else out += s[j];
  }
  if (j >= s.length) throw new ScriptError(line, 'unterminated string');
  return { value: out, end: j + 1 };
}

/** Parses a whole script into commands; every problem names its line. */
export function parseScript(text: string): Command[] {
  const lines = text.split('\n');
  const commands: Command[] = [];
  let i = 0;
  const indented = (l: string) => /^\s+\S/.test(l) && !/^\s*#/.test(l);
  while (i < lines.length) {
    const raw = lines[i];
    const lineNo = i + 1;
    const l = raw.trim();
    i++;
    if (l === '' || l.startsWith('#')) continue;
    const load = /^load(_with_nhcb)?\s+(\S+)$/.exec(l);
    if (load) {
      const cmd: LoadCommand = { type: 'load', line: lineNo, intervalMs: time(load[2], lineNo), series: [], withNhcb: load[1] !== undefined };
      while (i < lines.length && indented(lines[i])) {
        const { labels, rest } = parseSeriesLine(lines[i], i + 1);
        cmd.series.push({ labels, values: parseValues(rest, i + 1) });
        i++;
      }
      commands.push(cmd);
      continue;
    }
    if (l === 'clear') {
      commands.push({ type: 'clear', line: lineNo });
      continue;
    }
    const ev = /^eval(?:_(fail|warn|info|ordered))?\s+(instant at (\S+)|range from (\S+) to (\S+) step (\S+))\s+(.+)$/.exec(l);
    if (ev) {
      const cmd: EvalCommand = {
        type: 'eval',
        line: lineNo,
        kind: ev[3] !== undefined ? 'instant' : 'range',
        atMs: ev[3] !== undefined ? time(ev[3], lineNo) : 0,
        startMs: ev[4] !== undefined ? time(ev[4], lineNo) : 0,
        endMs: ev[5] !== undefined ? time(ev[5], lineNo) : 0,
        stepMs: ev[6] !== undefined ? time(ev[6], lineNo) : 0,
        expr: ev[7],
        expect: { ordered: ev[1] === 'ordered' },
        results: [],
      };
      if (ev[1] === 'fail') cmd.expect.fail = {};
      if (ev[1] === 'warn') cmd.expect.warn = true;
      if (ev[1] === 'info') cmd.expect.info = true;
      while (i < lines.length && indented(lines[i])) {
        const t = lines[i].trim();
        const n = i + 1;
        i++;
        const ex = /^expect\s+(\w+)(.*)$/.exec(t);
        if (ex) {
          const arg = ex[2].trim();
          switch (ex[1]) {
            case 'fail': {
              const m = /^(msg|regex):\s?(.*)$/.exec(arg);
              cmd.expect.fail = m ? (m[1] === 'msg' ? { msg: m[2] } : { regex: m[2] }) : {};
              break;
            }
            case 'warn':
            case 'info': {
              cmd.expect[ex[1]] = true;
              const m = /^(msg|regex):(.*)$/.exec(arg);
              const list = ex[1] === 'warn' ? (cmd.expect.warnings ??= []) : (cmd.expect.infos ??= []);
              if (m) list.push(m[1] === 'msg' ? { msg: m[2].trim() } : { regex: m[2].trim() });
              break;
            }
            case 'no_warn':
              cmd.expect.warn = false;
              break;
            case 'no_info':
              cmd.expect.info = false;
              break;
            case 'ordered':
              cmd.expect.ordered = true;
              break;
            case 'string':
              cmd.expect.string = readQuoted(arg, 0, n).value;
              break;
            case 'range': {
              const m = /^vector from (\S+) to (\S+) step (\S+)$/.exec(arg);
              if (!m) throw new ScriptError(n, `bad expect range ${JSON.stringify(arg)}`);
              cmd.expect.rangeVector = { startMs: time(m[1], n), endMs: time(m[2], n), stepMs: time(m[3], n) };
              break;
            }
            default:
              throw new ScriptError(n, `unknown expectation ${JSON.stringify(ex[1])}`);
          }
          continue;
        }
        if (SINGLE.test(t)) {
          cmd.results.push({ labels: [], values: [{ kind: 'float', value: number(t) }], scalar: true });
          continue;
        }
        const { labels, rest } = parseSeriesLine(t, n);
        cmd.results.push({ labels, values: parseValues(rest, n) });
      }
      commands.push(cmd);
      continue;
    }
    throw new ScriptError(lineNo, `unknown command ${JSON.stringify(l)}`);
  }
  return commands;
}
