import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { InstanceState, type PersistedInstance, type TokensStore } from '@myelin/ring';

/**
 * The tokens file: `{"tokens": [...], "state": "ACTIVE" | "READONLY"}` (docs/format/ring.md).
 * Written to a temporary file, fsynced and renamed, so a crash leaves the old file or the new one.
 * A corrupt file stops the start with an error naming it: silently making new tokens would also
 * forget a READONLY state.
 */
export class FileTokensStore implements TokensStore {
  constructor(readonly file: string) {}

  async load(): Promise<PersistedInstance | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const fail = (why: string) => new Error(`tokens file ${this.file} is corrupt (${why}); delete it to start with new tokens`);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw fail('not JSON');
    }
    const v = raw as { tokens?: unknown; state?: unknown };
    if (!Array.isArray(v.tokens) || !v.tokens.every((t) => Number.isInteger(t) && t >= 0 && t <= 0xffffffff)) throw fail('bad "tokens"');
    const state = v.state === undefined || v.state === 'ACTIVE' ? InstanceState.ACTIVE : v.state === 'READONLY' ? InstanceState.READONLY : undefined;
    if (state === undefined) throw fail('bad "state"');
    return { tokens: [...(v.tokens as number[])].sort((a, b) => a - b), state };
  }

  async save(instance: PersistedInstance): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const body = JSON.stringify({ tokens: instance.tokens, state: instance.state === InstanceState.READONLY ? 'READONLY' : 'ACTIVE' });
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
  }
}
