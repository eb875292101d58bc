import { envNameOf, type Option } from './option';
import { type DefaultOverrides, OPTIONS } from './options';

/** The `--help` text: every flag with its type, default (this binary's) and meaning. */
export function formatHelp(program: string, defaults: DefaultOverrides): string {
  const lines = [
    `Usage: ${program} [-config.file=FILE] [-flag=value ...]`,
    '',
    'Values come from, lowest precedence first: defaults, the YAML file, environment variables, flags.',
    'A flag a.b-c is the YAML key a: {b_c: ...} and the environment variable MYELIN_A_B_C.',
    '',
    '  -config.file string',
    `        YAML configuration file (env ${envNameOf('config.file')}).`,
  ];
  for (const [flag, option] of Object.entries(OPTIONS) as Array<[keyof typeof OPTIONS, Option<unknown>]>) {
    const value = flag in defaults ? defaults[flag] : option.default;
    const shown = option.secret && value !== '' ? '********' : option.format(value);
    lines.push(`  -${flag} ${option.kind}`);
    lines.push(`        ${option.help} (default ${JSON.stringify(shown)})`);
  }
  return lines.join('\n') + '\n';
}
