#!/usr/bin/env node
// `npx respd [/path/to/redis.conf] [--directive value ...]`: redis-server's command line. It runs
// the bundle `npm run build` makes (dist/bundle/cli.cjs, one file) through V8's code cache:
// resolving, reading and compiling some 150 modules was most of the start-up. Without a bundle,
// or with one older than the modules (tsc run alone since), it runs the modules of cli/main.ts.
import { fileURLToPath } from 'node:url';
import { isFresh, runCached } from './cli/compile-cache.js';

const bundle = fileURLToPath(new URL('./bundle/cli.cjs', import.meta.url));
const modules = fileURLToPath(new URL('./cli/main.js', import.meta.url));
if (!(isFresh(bundle, modules) && runCached(bundle))) await import('./cli/main.js');
