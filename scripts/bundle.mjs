#!/usr/bin/env node
// The CLI in one CommonJS file, dist/bundle/cli.cjs, for src/cli.ts to run through V8's code
// cache: one read and one compile instead of resolving and compiling ~150 ES modules. Part of
// `npm run build` and `prepare`, after tsc (test/startup.test.ts makes it again from src/). It sits two folders below the package root, as the
// modules do, so paths made from import.meta.url (the addon, data/) stay right.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const out = await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(root, 'dist', 'bundle', 'cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The addon's loader and luaparse are required at run time from node_modules, as by the modules.
  external: ['node-gyp-build', 'luaparse'],
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});
// Written beside and renamed over: a CLI starting meanwhile (the test suite runs several) reads
// the old bundle or the new one, never half of one.
for (const f of out.outputFiles) {
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(`${f.path}.${process.pid}.tmp`, f.contents);
  renameSync(`${f.path}.${process.pid}.tmp`, f.path);
}
