import type { BlockRef } from '@myelin/bucket-store';

/**
 * Which blocks to merge: blocks whose time ranges overlap, transitively (the RF replicas of a
 * range that each ingester shipped, and ingesters' blocks cut at different times). Each group of
 * two or more becomes one block. Blocks marked for deletion are already replaced and left out.
 */
export function overlappingGroups(blocks: readonly BlockRef[]): BlockRef[][] {
  const live = blocks.filter((b) => b.deletionTime === undefined).sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime || (a.ulid < b.ulid ? -1 : 1));
  const groups: BlockRef[][] = [];
  let current: BlockRef[] = [];
  let currentMax = -Infinity;
  for (const b of live) {
    if (current.length > 0 && b.minTime < currentMax) {
      current.push(b);
      currentMax = Math.max(currentMax, b.maxTime);
      continue;
    }
    if (current.length > 1) groups.push(current);
    current = [b];
    currentMax = b.maxTime;
  }
  if (current.length > 1) groups.push(current);
  return groups;
}
