/** A byte range to read from an object. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** One read covering several wanted ranges (`members`: their indexes in the input). */
export interface MergedRange extends ByteRange {
  members: number[];
}

/**
 * Plans the reads for many small ranges of one object (series entries, chunks): ranges sorted by
 * offset are merged while the gap to the next is at most `maxGap` bytes and the merged read stays
 * within `maxLength`, as Thanos's store gateway partitions its reads. Each object-store request
 * costs a round trip; reading a few unwanted bytes between wanted ones costs almost nothing.
 */
export function coalesceRanges(ranges: readonly ByteRange[], maxGap: number, maxLength: number): MergedRange[] {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a].offset - ranges[b].offset);
  const out: MergedRange[] = [];
  let cur: MergedRange | undefined;
  for (const i of order) {
    const r = ranges[i];
    const end = r.offset + r.length;
    if (cur && r.offset <= cur.offset + cur.length + maxGap && Math.max(end, cur.offset + cur.length) - cur.offset <= maxLength) {
      cur.length = Math.max(end, cur.offset + cur.length) - cur.offset;
      cur.members.push(i);
      continue;
    }
    cur = { offset: r.offset, length: r.length, members: [i] };
    out.push(cur);
  }
  return out;
}
