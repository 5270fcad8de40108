#!/usr/bin/env node
// Loading an RDB of KEYS (1,000,000) small strings (DEBUG POPULATE): DEBUG RELOAD NOSAVE (the
// synchronous load) and a start-up load (createServer with the file's dir, resolved when loaded;
// the incremental load yielding to the event loop between slices). Best of ROUNDS (3).
// Run after `npm run build:ts`.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createServer } from '../dist/index.js';

const N = Number(process.env.KEYS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'respd-rdb-load-'));
try {
  const h = await createServer({ dir, save: '' });
  const r = new Redis({ port: h.port, lazyConnect: true });
  await r.connect();
  await r.call('DEBUG', 'POPULATE', String(N));
  await r.save();
  const bytes = statSync(join(dir, 'dump.rdb')).size;
  let reload = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await r.call('DEBUG', 'RELOAD', 'NOSAVE');
    reload = Math.min(reload, performance.now() - t);
  }
  r.disconnect();
  await h.close();
  let startup = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const s = await createServer({ dir, save: '' });
    startup = Math.min(startup, performance.now() - t);
    const c = new Redis({ port: s.port });
    const size = await c.dbsize();
    c.disconnect();
    await s.close();
    if (size !== N) throw new Error(`loaded ${size} keys, expected ${N}`);
  }
  console.log(`${N} keys, ${bytes} bytes: DEBUG RELOAD NOSAVE ${reload.toFixed(0)} ms, start-up load ${startup.toFixed(0)} ms (best of ${ROUNDS})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
