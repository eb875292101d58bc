#!/usr/bin/env node
// Bundles Myelin's entry points with esbuild: one file per binary (dist/apps/<app>/main.js,
// dist/tools/<tool>/main.js), with @myelin/* libs inlined and npm packages left as requires.
// TypeScript goes through swc first because esbuild cannot emit decorator metadata, and Nest's
// dependency injection reads it.
//
//   node tools/build/build.mjs            every entry point
//   node tools/build/build.mjs myelin ... the named ones
import { build } from 'esbuild';
import { transformFile } from '@swc/core';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const ENTRY_POINTS = {
  myelin: 'apps/myelin/src/main.ts',
  distributor: 'apps/distributor/src/main.ts',
  ingester: 'apps/ingester/src/main.ts',
  querier: 'apps/querier/src/main.ts',
  compactor: 'apps/compactor/src/main.ts',
  cluster: 'tools/cluster/src/main.ts',
  'bench-ingest': 'tools/bench/src/ingest.ts',
  'bench-blocks': 'tools/bench/src/blocks.ts',
  'bench-promql': 'tools/bench/src/promql.ts',
  'bench-rpc-codec': 'tools/bench/src/rpc-codec.ts',
  'bench-query': 'tools/bench/src/query.ts',
  // Worker threads, next to the binaries that start them.
  'prepare-worker': 'libs/services/distributor/src/prepare-worker.ts',
};

const swcDecorators = {
  name: 'swc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const out = await transformFile(args.path, {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      });
      return { contents: out.code, loader: 'js' };
    });
  },
};

// Everything that is not a relative path or a @myelin/* lib is an npm package: keep it external.
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@myelin/') ? undefined : { path: args.path, external: true },
    );
  },
};

function outFileOf(name) {
  if (name.endsWith('-worker')) return path.join(root, 'dist', 'workers', `${name}.js`);
  const [kind] = ENTRY_POINTS[name].split('/');
  return path.join(root, 'dist', kind, name, 'main.js');
}

export async function buildEntries(names) {
  for (const name of names) {
    const entry = ENTRY_POINTS[name];
    if (!entry) throw new Error(`unknown entry point ${name}; known: ${Object.keys(ENTRY_POINTS).join(', ')}`);
    if (!existsSync(path.join(root, entry))) throw new Error(`missing ${entry}`);
  }
  await Promise.all(
    names.map((name) =>
      build({
        absWorkingDir: root,
        entryPoints: [ENTRY_POINTS[name]],
        outfile: outFileOf(name),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        sourcemap: true,
        tsconfig: path.join(root, 'tsconfig.base.json'),
        plugins: [externalPackages, swcDecorators],
        logLevel: 'warning',
        write: false,
      }).then(({ outputFiles }) => outputFiles.forEach(writeAtomically)),
    ),
  );
}

// A running test may start a binary while another rebuilds it: it must see the old bundle or the
// new one, never half a file.
function writeAtomically(file) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  const started = Date.now();
  buildEntries(names.length > 0 ? names : Object.keys(ENTRY_POINTS).filter((n) => existsSync(path.join(root, ENTRY_POINTS[n])))).then(
    () => console.log(`built ${names.length > 0 ? names.join(', ') : 'all entry points'} in ${Date.now() - started} ms`),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
