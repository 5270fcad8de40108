// Loads the addon with node-gyp-build: build/Release first (a local compile), then the
// prebuild for this platform under prebuilds/. A local compile is required directly, as
// node-gyp-build would pick it, without loading node-gyp-build (1-2 ms of start-up).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeBinding } from '../../binding.js';

const require = createRequire(import.meta.url);
// src/engine or dist/engine: the package root is two levels up either way.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: NativeBinding | undefined;

export function loadBinding(): NativeBinding {
  if (!cached) {
    // node-gyp-build's own overrides (RESPD_PREBUILD, PREBUILDS_ONLY) send it the long way.
    const local = resolve(packageRoot, 'build', 'Release', 'respd.node');
    if (!process.env.RESPD_PREBUILD && !process.env.PREBUILDS_ONLY && existsSync(local)) cached = require(local) as NativeBinding;
    else cached = (require('node-gyp-build') as (dir: string) => NativeBinding)(packageRoot);
  }
  return cached;
}
