import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest directory above `from` holding nx.json. */
export function workspaceRoot(from = __dirname): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
}
