import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InstanceState } from '@myelin/ring';
import { FileTokensStore } from './tokens-file';

describe('FileTokensStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokens-'));

  it('loads nothing when the file does not exist', async () => {
    expect(await new FileTokensStore(path.join(dir, 'none.json')).load()).toBeUndefined();
  });

  it('round-trips tokens and the READONLY state', async () => {
    const store = new FileTokensStore(path.join(dir, 'sub', 'tokens.json'));
    await store.save({ tokens: [3, 7], state: InstanceState.READONLY });
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toEqual({ tokens: [3, 7], state: 'READONLY' });
    expect(await store.load()).toEqual({ tokens: [3, 7], state: InstanceState.READONLY });
  });

  it('reads a Cortex tokens file (no state) as ACTIVE', async () => {
    const file = path.join(dir, 'cortex.json');
    writeFileSync(file, '{"tokens":[9,2]}');
    expect(await new FileTokensStore(file).load()).toEqual({ tokens: [2, 9], state: InstanceState.ACTIVE });
  });

  it.each([
    ['{', 'not JSON'],
    ['{"tokens":"x"}', 'bad "tokens"'],
    ['{"tokens":[-1]}', 'bad "tokens"'],
    ['{"tokens":[1],"state":"LEAVING"}', 'bad "state"'],
  ])('names the file when it is corrupt: %s', async (body, why) => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, body);
    await expect(new FileTokensStore(file).load()).rejects.toThrow(`tokens file ${file} is corrupt (${why}); delete it to start with new tokens`);
  });
});
