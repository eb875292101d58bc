import { goRegexToJs } from './go-regex';
import { getLabel, type Labels } from './labels';

export type MatchType = '=' | '!=' | '=~' | '!~';

/**
 * A label matcher with Prometheus semantics: a missing label matches as the empty string, and
 * regular expressions are anchored at both ends (`=~"a|b"` means the whole value is a or b).
 */
export class Matcher {
  private readonly re: RegExp | undefined;

  constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
  ) {
    if (type === '=~' || type === '!~') {
      try {
        this.re = new RegExp(`^(?:${goRegexToJs(value)})$`, 's');
      } catch (e) {
        throw new Error(`invalid regular expression ${JSON.stringify(value)} for label ${name}: ${(e as Error).message}`);
      }
    }
  }

  matches(value: string): boolean {
    switch (this.type) {
      case '=':
        return value === this.value;
      case '!=':
        return value !== this.value;
      case '=~':
        return this.re!.test(value);
      case '!~':
        return !this.re!.test(value);
    }
  }

  matchesLabels(labels: Labels): boolean {
    return this.matches(getLabel(labels, this.name) ?? '');
  }

  /** Whether the matcher accepts a series that lacks the label. */
  get matchesEmpty(): boolean {
    return this.matches('');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}
