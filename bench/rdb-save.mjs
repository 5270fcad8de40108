#!/usr/bin/env node
// SAVE and loading of small hashes, respd beside redis-server: HASHES (100,000) hashes of three
// fields, then the same with one field deadline each (RDB 12's listpackex, which only respd of
// the two can write here: Debian's redis-server is 7.0). Reports SAVE's time, the file's size and
// DEBUG RELOAD NOSAVE's time. Run after `npm run build:ts`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as netServer } from 'node:net';
import { Redis } from 'ioredis';
import { createServer } from '../dist/index.js';
import { hasRedis, sleep } from './mem-lib.mjs';

const N = Number(process.env.HASHES ?? 100_000);
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

async function run(name, r, dir, withTtl) {
  for (let i = 0; i < N; i += 1000) {
    const p = r.pipeline();
    for (let j = i; j < Math.min(N, i + 1000); j++) {
      p.hset(`h:${j}`, 'a', 'alpha', 'b', String(j), 'c', 'gamma');
      if (withTtl) p.call('HEXPIRE', `h:${j}`, '100000', 'FIELDS', '1', 'b');
    }
    await p.exec();
  }
  let t = performance.now();
  await r.save();
  const save = performance.now() - t;
  const bytes = statSync(join(dir, 'dump.rdb')).size;
  t = performance.now();
  await r.call('DEBUG', 'RELOAD', 'NOSAVE');
  const reload = performance.now() - t;
  console.log(`${name.padEnd(28)} SAVE ${save.toFixed(0).padStart(5)} ms  ${String(bytes).padStart(9)} bytes  reload ${reload.toFixed(0).padStart(5)} ms`);
}

for (const withTtl of [false, true]) {
  const dir = mkdtempSync(join(tmpdir(), 'respd-rdb-save-'));
  const s = await createServer({ port: 0, bind: '127.0.0.1', dir, 'enable-debug-command': 'yes' });
  const r = new Redis(s.port, '127.0.0.1');
  await run(withTtl ? 'respd, a field TTL each' : 'respd', r, dir, withTtl);
  r.disconnect();
  await s.close();
  rmSync(dir, { recursive: true, force: true });
}
if (hasRedis) {
  const dir = mkdtempSync(join(tmpdir(), 'redis-rdb-save-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], { stdio: 'ignore' });
  await sleep(300);
  const r = new Redis(port, '127.0.0.1');
  await run('redis-server', r, dir, false);
  r.disconnect();
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
