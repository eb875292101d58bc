import { intersectSorted, type Matcher, unionSorted } from '@myelin/model';

/**
 * Inverted index: label name -> value -> series refs, ascending (refs only grow, so appending
 * keeps each list sorted).
 */
export class Postings {
  private readonly index = new Map<string, Map<string, number[]>>();

  add(name: string, value: string, ref: number): void {
    let values = this.index.get(name);
    if (!values) this.index.set(name, (values = new Map()));
    const list = values.get(value);
    if (list) list.push(ref);
    else values.set(value, [ref]);
  }

  clear(): void {
    this.index.clear();
  }

  names(): string[] {
    return [...this.index.keys()].sort();
  }

  values(name: string): string[] {
    return [...(this.index.get(name)?.keys() ?? [])].sort();
  }

  /**
   * Candidate refs for the matchers: the intersection of the postings of every matcher that
   * cannot match a missing label. Undefined when no matcher narrows (every series is a
   * candidate). The caller still checks every matcher on each candidate.
   */
  select(matchers: readonly Matcher[]): number[] | undefined {
    let result: number[] | undefined;
    for (const m of matchers) {
      if (m.matchesEmpty) continue;
      const list = this.postingsFor(m);
      result = result === undefined ? list : intersectSorted(result, list);
      if (result.length === 0) return result;
    }
    return result;
  }

  private postingsFor(m: Matcher): number[] {
    const values = this.index.get(m.name);
    if (!values) return [];
    if (m.type === '=') return values.get(m.value) ?? [];
    const lists: number[][] = [];
    for (const [value, list] of values) if (m.matches(value)) lists.push(list);
    return lists.length === 1 ? lists[0] : unionSorted(lists);
  }
}
