import { overlappingGroups } from './plan';

const b = (ulid: string, minTime: number, maxTime: number, deletionTime?: number) => ({ ulid, minTime, maxTime, deletionTime });

describe('overlappingGroups', () => {
  it.each<[string, ReturnType<typeof b>[], string[][]]>([
    ['three replicas of one range', [b('A', 0, 100), b('B', 0, 100), b('C', 0, 100)], [['A', 'B', 'C']]],
    ['neighbours that only touch stay apart', [b('A', 0, 100), b('B', 100, 200)], []],
    ['overlaps chain transitively', [b('A', 0, 100), b('B', 50, 150), b('C', 140, 200), b('D', 300, 400)], [['A', 'B', 'C']]],
    ['two separate groups', [b('A', 0, 100), b('B', 0, 100), b('C', 200, 300), b('D', 250, 300)], [['A', 'B'], ['C', 'D']]],
    ['blocks marked for deletion are left out', [b('A', 0, 100), b('B', 0, 100, 5)], []],
    ['a single block has nothing to merge with', [b('A', 0, 100)], []],
  ])('%s', (_, blocks, want) => {
    expect(overlappingGroups(blocks).map((g) => g.map((x) => x.ulid))).toEqual(want);
  });
});
