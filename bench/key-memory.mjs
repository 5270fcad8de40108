#!/usr/bin/env node
// Memory per key: 1,000,000 small string keys (key:N -> val:N), then a sorted set of 1,000,000
// members, loaded into respd and (when installed) redis-server, one at a time; reports the
// server's RSS growth per key / per member. Needs redis-server for the comparison.
//
// respd is measured twice: as `npx respd` runs it, and with V8's young generation capped
// (node --max-semi-space-size=1). The young generation is a fixed cost, not a per-key one: under a
// load it grows to its maximum (~30 MB of RSS with node 20's defaults) whatever the key count, and
// divided by 1M keys it reads as ~25-30 bytes per key. The second row is the per-key cost itself.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = 1_000_000;
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const cmd = (...a) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('');

/** Sends `make(i)` for i < n in pipelined chunks and waits for every reply (counted by CRLF-terminated lines). */
async function load(port, n, make) {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  let replies = 0;
  s.on('data', (d) => { for (const b of d) if (b === 10) replies++; });
  const CH = 10000;
  for (let i = 0; i < n; i += CH) {
    let out = '';
    for (let j = i; j < Math.min(n, i + CH); j++) out += make(j);
    s.write(out);
    while (replies < Math.min(n, i + CH)) await sleep(1);
  }
  s.destroy();
}

async function measure(kind, nodeFlags = []) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  const child = kind === 'respd'
    ? spawn(process.execPath, [...nodeFlags, join(root, 'dist', 'cli.js'), ...args, '--loglevel', 'warning'], { stdio: 'ignore' })
    : spawn('redis-server', [...args, '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  await sleep(800);
  const base = rssKb(child.pid);
  await load(port, N, (i) => cmd('SET', `key:${i}`, `val:${i}`));
  await sleep(1500);
  const strings = rssKb(child.pid);
  await load(port, N, (i) => cmd('ZADD', 'zs', i, `member:${i}`));
  await sleep(1500);
  const zset = rssKb(child.pid);
  child.kill('SIGKILL');
  return { kind: nodeFlags.length ? `${kind} (${nodeFlags.join(' ')})` : kind, perStringKey: Math.round(((strings - base) * 1024) / N), perZsetMember: Math.round(((zset - strings) * 1024) / N) };
}

const rows = [await measure('respd'), await measure('respd', ['--max-semi-space-size=1'])];
if (hasRedis) rows.push(await measure('redis'));
else console.log('redis-server not found: install the Debian package redis-server for the comparison');
for (const r of rows) console.log(`${r.kind.padEnd(36)} ${r.perStringKey} bytes per small string key, ${r.perZsetMember} bytes per sorted-set member`);
const redis = rows.find((r) => r.kind === 'redis');
if (redis) {
  for (const r of rows.filter((x) => x !== redis)) {
    console.log(`ratios ${r.kind} / redis-server: strings ${(r.perStringKey / redis.perStringKey).toFixed(2)}, zset ${(r.perZsetMember / redis.perZsetMember).toFixed(2)}`);
  }
}
