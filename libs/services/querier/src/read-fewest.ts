import { incompleteResult } from '@myelin/storage';

export interface ReadFewestOptions {
  /** Whether the answer is complete without these members (none asked, or failed). */
  canLose(missing: readonly number[]): boolean;
  nameOf(member: number): string;
  /** Ask only as many members as a complete answer needs (false: ask all at once). */
  minimize: boolean;
  /** The member to start from when choosing whom to ask (rotated per read to spread the load). */
  first: number;
}

/**
 * Reads from the fewest of `count` members that still make a complete answer, as Mimir's
 * -querier.minimize-ingester-requests: every member except those `canLose` allows to miss (taken
 * from the end of the order that starts at `first`), and those only once an asked member fails (as
 * soon as it fails: a slow member beside a failed one does not hold the fallback back).
 * Why that is complete: a write is acknowledged by a quorum of its replicas (floor(RF/2)+1), and
 * canLose allows at most floor(RF/2) members (or that many zones) to be missing, so every
 * acknowledged sample is on a member that answered. Resolves with the answers of the members that
 * answered; rejects naming every failed member when the rest is not enough.
 */
export async function readFewest<T>(count: number, ask: (member: number) => Promise<T>, options: ReadFewestOptions): Promise<T[]> {
  const order = Array.from({ length: count }, (_, k) => (options.first + k) % count);
  const skipped: number[] = [];
  if (options.minimize) {
    for (let k = order.length - 1; k >= 0; k--) if (options.canLose([...skipped, order[k]])) skipped.push(order[k]);
  }
  const answers = new Map<number, T>();
  const failures = new Map<number, unknown>();
  // The skipped members are asked as soon as an asked one fails, not once the slow ones settle.
  let fallback: Promise<void> | undefined;
  const settle = (m: number): Promise<void> =>
    ask(m).then(
      (answer) => void answers.set(m, answer),
      (reason) => {
        failures.set(m, reason);
        fallback ??= Promise.all(skipped.map(settle)).then(() => undefined);
      },
    );
  await Promise.all(order.filter((m) => !skipped.includes(m)).map(settle));
  await fallback;
  const missing = order.filter((m) => !answers.has(m));
  if (!options.canLose(missing)) {
    const failed = order.filter((m) => failures.has(m));
    throw incompleteResult(
      failed.map((m) => ({ name: options.nameOf(m), reason: failures.get(m) })),
      count,
    );
  }
  return order.filter((m) => answers.has(m)).map((m) => answers.get(m) as T);
}
