import { checkAnnotations, runScript } from './runner';
import { type EvalCommand, parseScript } from './script';

function evalWith(expectLines: string): EvalCommand {
  const lines = ['load 1m', '  m 1', '', 'eval instant at 0 m', ...(expectLines ? [expectLines] : []), '  m 1', ''];
  const cmd = parseScript(lines.join('\n')).find((c) => c.type === 'eval');
  return cmd as EvalCommand;
}

describe('checkAnnotations (Prometheus harness rules)', () => {
  const W = 'PromQL warning: x';
  it.each<[string, string[], string | undefined]>([
    ['', [W], undefined], // no expect line: not checked
    ['  expect warn', [], 'expected warn annotations, got none'],
    ['  expect warn', [W], undefined],
    ['  expect no_warn', [W], 'unexpected warn annotations: PromQL warning: x'],
    ['  expect warn msg: PromQL warning: x', [W], undefined],
    ['  expect warn msg: PromQL warning: y', [W], 'expected warn annotation {"msg":"PromQL warning: y"}, got: PromQL warning: x'],
    ['  expect warn msg: PromQL warning: x', [W, 'PromQL warning: z'], 'unexpected warn annotation "PromQL warning: z"'],
    ['  expect warn regex: warning: [xz]$', [W, 'PromQL warning: z'], undefined],
  ])('%j with warnings %j', (lines, warnings, problem) => {
    expect(checkAnnotations(evalWith(lines), { warnings, infos: [] })).toBe(problem);
  });
});

describe('runScript', () => {
  it('fails an eval whose annotations do not match, passes one whose do', async () => {
    const script = `load 1m
  temperature 1 2 3

eval instant at 2m rate(temperature[2m])
  expect no_info
  {} 0.016666666666666666

eval instant at 2m rate(temperature[2m])
  expect info
  {} 0.016666666666666666
`;
    const out = await runScript(script);
    expect(out.map((o) => o.result)).toEqual(['failed', 'passed']);
  });

  it('compares a range-vector result sample by sample', async () => {
    const script = `load 10s
  m 1 2 3

eval instant at 20s m[15s]
  expect range vector from 10s to 20s step 10s
  m 2 3

eval instant at 20s m[15s]
  expect range vector from 10s to 20s step 10s
  m 2 4
`;
    const out = await runScript(script);
    expect(out.map((o) => o.result)).toEqual(['passed', 'failed']);
  });
});
