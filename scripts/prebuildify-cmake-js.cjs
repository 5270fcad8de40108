#!/usr/bin/env node
// prebuildify has no cmake-js backend: it calls this script as if it were node-gyp. Keep the
// flags that matter (--arch, --debug) and run `cmake-js rebuild`; prebuildify then moves
// build/Release/*.node to prebuilds/<platform>-<arch>/.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const out = ['rebuild'];
for (const a of args) {
  if (a.startsWith('--arch=')) out.push('--arch', a.slice(7));
  if (a === '--debug') out.push('--debug');
}
const bin = path.join(__dirname, '..', 'node_modules', '.bin', 'cmake-js');
const r = spawnSync(bin, out, { stdio: 'inherit', cwd: path.join(__dirname, '..') });
process.exit(r.status ?? 1);
