import { parse as parseYaml } from 'yaml';
import { envNameOf, type Option, yamlPathOf } from './option';
import { CROSS_CHECKS, type DefaultOverrides, type MyelinConfig, type OptionName, OPTIONS } from './options';
import { formatHelp } from './help';

export interface ConfigSources {
  /** Command-line arguments after the script name. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): string;
  /** Defaults this binary ships with, over the table's. */
  defaults?: DefaultOverrides;
  /** Program name used in --help. */
  program?: string;
}

export type Origin = 'default' | 'config file' | 'env' | 'flag';

export type LoadResult =
  | { kind: 'config'; config: MyelinConfig; origins: Record<OptionName, Origin> }
  | { kind: 'help'; text: string }
  | { kind: 'error'; errors: string[] };

const CONFIG_FILE_FLAG = 'config.file';
const CONFIG_FILE_ENV = envNameOf(CONFIG_FILE_FLAG);

const optionEntries = Object.entries(OPTIONS) as Array<[OptionName, Option<unknown>]>;
const flagByYamlPath = new Map(optionEntries.map(([flag]) => [yamlPathOf(flag), flag]));

/**
 * Builds the effective configuration. Precedence, lowest first: the table's defaults, the binary's
 * default overrides, the YAML file (`-config.file`), environment variables (`MYELIN_*`), flags.
 * Every problem is reported, each naming the option and where its value came from.
 */
export function loadConfig(sources: ConfigSources): LoadResult {
  const errors: string[] = [];
  const flags = parseArgv(sources.argv, errors);
  if (flags === 'help') {
    return { kind: 'help', text: formatHelp(sources.program ?? 'myelin', sources.defaults ?? {}) };
  }

  const values = new Map<OptionName, unknown>();
  const origins = {} as Record<OptionName, Origin>;
  for (const [flag, option] of optionEntries) {
    values.set(flag, flag in (sources.defaults ?? {}) ? sources.defaults![flag] : option.default);
    origins[flag] = 'default';
  }
  const set = (flag: OptionName, raw: unknown, origin: Origin, where: string) => {
    const parsed = OPTIONS[flag].parse(raw);
    if (!parsed.ok) {
      errors.push(`invalid value ${JSON.stringify(raw)} for ${flag} (${where}): ${parsed.reason}`);
      return;
    }
    values.set(flag, parsed.value);
    origins[flag] = origin;
  };

  const configFile = flags.get(CONFIG_FILE_FLAG) ?? sources.env[CONFIG_FILE_ENV];
  if (configFile !== undefined && configFile !== '') {
    for (const [flag, raw, key] of readYamlOptions(configFile, sources.readFile, errors)) {
      set(flag, raw, 'config file', `config file ${configFile}, key ${key}`);
    }
  }
  for (const [flag] of optionEntries) {
    const name = envNameOf(flag);
    const raw = sources.env[name];
    if (raw !== undefined) set(flag, raw, 'env', `env ${name}`);
  }
  for (const [flag, raw] of flags) {
    if (flag === CONFIG_FILE_FLAG) continue;
    if (!(flag in OPTIONS)) {
      errors.push(`unknown flag -${flag} (see --help)`);
      continue;
    }
    set(flag as OptionName, raw, 'flag', `flag -${flag}`);
  }
  if (errors.length > 0) return { kind: 'error', errors };

  const config = Object.fromEntries(values) as MyelinConfig;
  const crossErrors = CROSS_CHECKS.map((check) => check(config)).filter((e): e is string => e !== undefined);
  if (crossErrors.length > 0) return { kind: 'error', errors: crossErrors };
  return { kind: 'config', config, origins };
}

/**
 * Go-flag style arguments: `-name=value`, `--name=value`, `-name value`; a boolean may stand alone
 * (`-auth.enabled`). Returns 'help' for -h/-help/--help.
 */
function parseArgv(argv: readonly string[], errors: string[]): Map<string, string> | 'help' {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      errors.push(`unexpected argument ${JSON.stringify(arg)}: flags look like -name=value`);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    if (body === 'h' || body === 'help') return 'help';
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags.set(body.slice(0, eq), body.slice(eq + 1));
      continue;
    }
    const isBool = (OPTIONS as Record<string, Option<unknown>>)[body]?.kind === 'bool';
    const next = argv[i + 1];
    if (isBool) {
      flags.set(body, 'true');
    } else if (next !== undefined && !next.startsWith('-')) {
      flags.set(body, next);
      i++;
    } else {
      errors.push(`flag -${body} needs a value`);
    }
  }
  return flags;
}

/** Reads the YAML file into (flag, raw value, YAML key) triples, reporting unknown keys. */
function readYamlOptions(
  path: string,
  readFile: (path: string) => string,
  errors: string[],
): Array<[OptionName, unknown, string]> {
  let doc: unknown;
  try {
    doc = parseYaml(readFile(path));
  } catch (e) {
    errors.push(`config file ${path}: ${(e as Error).message.split('\n')[0]}`);
    return [];
  }
  if (doc === null || doc === undefined) return [];
  const out: Array<[OptionName, unknown, string]> = [];
  const walk = (node: unknown, prefix: string) => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      const flag = flagByYamlPath.get(prefix);
      if (flag) out.push([flag, node, prefix]);
      else errors.push(`config file ${path}: unknown key ${prefix}`);
      return;
    }
    if (flagByYamlPath.has(prefix)) {
      errors.push(`config file ${path}: key ${prefix} must be a single value, not a map`);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, prefix ? `${prefix}.${key}` : key);
  };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    errors.push(`config file ${path}: must be a YAML map at the top level`);
    return [];
  }
  walk(doc, '');
  return out;
}
