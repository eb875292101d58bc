import { type Option } from './option';
import { type MyelinConfig, type OptionName, OPTIONS } from './options';

export const REDACTED = '********';

/**
 * The configuration as a nested document (the shape of the YAML file), values formatted as they
 * would be written (durations as `5m`), secrets replaced by REDACTED. This is what /config shows.
 */
export function configDocument(config: MyelinConfig): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(OPTIONS) as Array<[OptionName, Option<unknown>]>) {
    const value = config[flag];
    const shown = option.secret
      ? value === ''
        ? ''
        : REDACTED
      : option.kind === 'duration'
        ? option.format(value)
        : value;
    const path = flag.replace(/-/g, '_').split('.');
    let node = doc;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = shown;
  }
  return doc;
}
