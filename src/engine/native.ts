// Loads the addon with node-gyp-build: build/Release first (a local compile), then the
// prebuild for this platform under prebuilds/.
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
    const load = require('node-gyp-build') as (dir: string) => NativeBinding;
    cached = load(packageRoot);
  }
  return cached;
}
