/** The intersection of two ascending lists of numbers (postings, series IDs). */
export function intersectSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]);
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return out;
}

/** The union of ascending lists, ascending, without repeats. */
export function unionSorted(lists: ReadonlyArray<readonly number[]>): number[] {
  const all: number[] = [];
  for (const l of lists) for (const x of l) all.push(x);
  all.sort((x, y) => x - y);
  return all.filter((x, i) => i === 0 || x !== all[i - 1]);
}
