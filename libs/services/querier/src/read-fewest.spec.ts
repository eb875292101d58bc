import { IncompleteResultError } from '@myelin/storage';
import { readFewest } from './read-fewest';

/** At most `n` members missing (no zones). */
const upTo = (n: number) => (missing: readonly number[]) => missing.length <= n;
/** At most `n` zones missing; member i is in zone ZONES[i]. */
const ZONES = ['a', 'b', 'c', 'a', 'b', 'c'];
const zonesUpTo = (n: number) => (missing: readonly number[]) => new Set(missing.map((m) => ZONES[m])).size <= n;

/** Runs readFewest with members in `down` failing; `asked` groups the asks by how many calls had settled before them. */
async function run(count: number, canLose: (m: readonly number[]) => boolean, minimize: boolean, first: number, down: number[]) {
  const batches = new Map<number, number[]>();
  let settled = 0;
  const ask = async (m: number) => {
    const batch = batches.get(settled) ?? [];
    batches.set(settled, [...batch, m]);
    await Promise.resolve();
    settled++;
    if (down.includes(m)) throw new Error('connect ECONNREFUSED');
    return `answer ${m}`;
  };
  const asked = () => [...batches.values()].map((b) => b.sort((x, y) => x - y));
  try {
    const answers = await readFewest(count, ask, { canLose, nameOf: (m) => `member ${m}`, minimize, first });
    return { answers, asked: asked() };
  } catch (e) {
    return { error: (e as Error).message, incomplete: e instanceof IncompleteResultError, asked: asked() };
  }
}

describe('readFewest', () => {
  it.each([
    ['RF=3: two of three asked', 3, upTo(1), true, 0, [], [[0, 1]], ['answer 0', 'answer 1']],
    ['the skipped member rotates with first', 3, upTo(1), true, 1, [], [[1, 2]], ['answer 1', 'answer 2']],
    ['first wraps around', 3, upTo(1), true, 2, [], [[0, 2]], ['answer 2', 'answer 0']],
    ['a failure brings in the skipped member', 3, upTo(1), true, 0, [1], [[0, 1], [2]], ['answer 0', 'answer 2']],
    ['not minimized: all at once', 3, upTo(1), false, 0, [], [[0, 1, 2]], ['answer 0', 'answer 1', 'answer 2']],
    ['RF=5 over six members: four asked', 6, upTo(2), true, 0, [], [[0, 1, 2, 3]], ['answer 0', 'answer 1', 'answer 2', 'answer 3']],
    ['zones: one whole zone skipped', 6, zonesUpTo(1), true, 0, [], [[0, 1, 3, 4]], ['answer 0', 'answer 1', 'answer 3', 'answer 4']],
    ['zones: a failure in an asked zone brings in the skipped zone', 6, zonesUpTo(1), true, 0, [4], [[0, 1, 3, 4], [2, 5]], ['answer 0', 'answer 1', 'answer 2', 'answer 3', 'answer 5']],
    ['no member may be missing: all asked', 2, upTo(0), true, 0, [], [[0, 1]], ['answer 0', 'answer 1']],
  ])('%s', async (_name, count, canLose, minimize, first, down, asked, answers) => {
    const got = await run(count, canLose, minimize, first, down);
    expect(got).toEqual({ answers, asked });
  });

  it('asks a skipped member as soon as an asked one fails, not after a slow one answers', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const log: string[] = [];
    const ask = async (m: number) => {
      log.push(`ask ${m}`);
      if (m === 0) {
        await slow;
        return 'answer 0';
      }
      await Promise.resolve();
      if (m === 1) throw new Error('connect ECONNREFUSED');
      return `answer ${m}`;
    };
    const read = readFewest(3, ask, { canLose: upTo(1), nameOf: (m) => `member ${m}`, minimize: true, first: 0 });
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['ask 0', 'ask 1', 'ask 2']); // member 0 has not answered yet
    release();
    expect(await read).toEqual(['answer 0', 'answer 2']);
  });

  it('a failing skipped member fails the read naming every failure', async () => {
    const got = await run(3, upTo(1), true, 0, [1, 2]);
    expect(got).toEqual({ error: '2 of 3 sources failed, too many for a complete answer: member 1: connect ECONNREFUSED; member 2: connect ECONNREFUSED', incomplete: true, asked: [[0, 1], [2]] });
  });

  it.each([
    ['two of three failed', 3, upTo(1), true, [0, 2], [[0, 1], [2]], '2 of 3 sources failed, too many for a complete answer: member 0: connect ECONNREFUSED; member 2: connect ECONNREFUSED'],
    ['both asked failed', 3, upTo(1), true, [0, 1], [[0, 1], [2]], '2 of 3 sources failed, too many for a complete answer: member 0: connect ECONNREFUSED; member 1: connect ECONNREFUSED'],
    ['not minimized, two failed', 3, upTo(1), false, [1, 2], [[0, 1, 2]], '2 of 3 sources failed, too many for a complete answer: member 1: connect ECONNREFUSED; member 2: connect ECONNREFUSED'],
    ['zones: failures in two zones', 6, zonesUpTo(1), true, [0, 1], [[0, 1, 3, 4], [2, 5]], '2 of 6 sources failed, too many for a complete answer: member 0: connect ECONNREFUSED; member 1: connect ECONNREFUSED'],
  ])('fails naming every failed member: %s', async (_name, count, canLose, minimize, down, asked, error) => {
    const got = await run(count, canLose, minimize, 0, down);
    expect(got).toEqual({ error, incomplete: true, asked });
  });
});
