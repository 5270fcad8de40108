#!/usr/bin/env node
// dump.rdb both ways between respd and Debian's redis-server: each server is filled with every
// data type (and expiries), SAVEs, and the other one starts on that file; the DEBUG DIGESTs must
// match. Needs redis-server (apt-get install redis-server); not part of `npm test`.
// Usage: node scripts/check-rdb-interop.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, enc, freePort, sleep } from './check-lib.mjs';

if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
  console.log("redis-server is missing: install Debian's redis-server (apt-get install redis-server).");
  process.exit(0);
}
const root = join(import.meta.dirname, '..');

/** Starts `kind` on `dir`/dump.rdb (loading it if there), answering PING. */
async function start(kind, dir) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--enable-debug-command', 'yes', '--loglevel', 'warning'];
  const child = kind === 'respd'
    ? spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args], { stdio: 'ignore' })
    : spawn('redis-server', [...args, '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await ask(port, 'PING')).includes('PONG'); i++) await sleep(25);
  return { child, port };
}

const fill = [
  ['SET', 'str', 'hello'], ['SET', 'int', '12345'], ['SET', 'big', 'x'.repeat(10000)], ['SET', 'ttl', 'v', 'EX', '100000'],
  ['RPUSH', 'list', 'a', 'b', 'c'], ['RPUSH', 'biglist', ...Array.from({ length: 300 }, (_, i) => `item${i}`)],
  ['SADD', 'intset', '1', '2', '3'], ['SADD', 'set', 'a', 'b', 'c'], ['SADD', 'bigset', ...Array.from({ length: 300 }, (_, i) => `m${i}`)],
  ['HSET', 'hash', 'f1', 'v1', 'f2', 'v2'], ['HSET', 'bighash', ...Array.from({ length: 400 }, (_, i) => `f${i}`)],
  ['ZADD', 'zset', '1', 'a', '2.5', 'b'], ['ZADD', 'bigzset', ...Array.from({ length: 300 }, (_, i) => [String(i / 4), `z${i}`]).flat()],
  ['XADD', 'stream', '1-1', 'a', '1'], ['XADD', 'stream', '2-1', 'b', '2'], ['XGROUP', 'CREATE', 'stream', 'g', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>'],
  ['PFADD', 'hll', 'a', 'b', 'c'], ['SELECT', '3'], ['SET', 'db3', 'x'],
];

let ok = true;
const dirs = [];
try {
  for (const [from, to] of [['redis', 'respd'], ['respd', 'redis']]) {
    const dir = mkdtempSync(join(tmpdir(), 'respd-rdb-interop-'));
    dirs.push(dir);
    const a = await start(from, dir);
    const s = connect(a.port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let replies = '';
    s.on('data', (d) => (replies += d));
    s.write(fill.map(enc).join(''));
    await sleep(300);
    s.destroy();
    const digest = (await ask(a.port, 'DEBUG', 'DIGEST')).trim();
    const saved = await ask(a.port, 'SAVE');
    a.child.kill();
    await sleep(300);
    const b = await start(to, dir);
    const loaded = (await ask(b.port, 'DEBUG', 'DIGEST')).trim();
    const keys = (await ask(b.port, 'DBSIZE')).trim();
    b.child.kill();
    const same = saved.startsWith('+OK') && digest === loaded && digest !== '';
    console.log(`${same ? 'ok  ' : 'FAIL'} ${from}'s dump.rdb loaded by ${to}: digest ${digest} / ${loaded} (db0 keys ${keys})`);
    if (!same) ok = false;
    await sleep(200);
  }
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
console.log(ok ? 'OK: dump.rdb goes both ways' : 'FAIL');
process.exit(ok ? 0 : 1);
