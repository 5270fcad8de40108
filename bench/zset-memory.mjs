#!/usr/bin/env node
// Memory per sorted-set member, settled: one sorted set of 1,000,000 members ("member:N", integer
// scores) loaded into respd and (when installed) redis-server; reports RSS growth per member 1.5 s
// after the load and again after SETTLE_MS (default 35 s, past V8's idle memory reducer), with
// INFO's used_memory growth per member at the same two moments.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = 1_000_000;
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 35000);
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

/** INFO memory's used_memory. */
async function usedMemory(port) {
  const s = connect(port, '127.0.0.1');
  let text = '';
  s.on('data', (d) => { text += d.toString('latin1'); });
  s.write(cmd('INFO', 'memory'));
  while (!/used_memory:\d+/.test(text) || !text.endsWith('\r\n')) await sleep(5);
  s.destroy();
  return Number(/used_memory:(\d+)/.exec(text)[1]);
}

async function measure(kind) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  const child = kind === 'respd'
    ? spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args, '--loglevel', 'warning'], { stdio: 'ignore' })
    : spawn('redis-server', [...args, '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  await sleep(800);
  const base = rssKb(child.pid);
  const baseUsed = await usedMemory(port);
  await load(port, N, (i) => cmd('ZADD', 'zs', i, `member:${i}`));
  await sleep(1500);
  const early = rssKb(child.pid);
  const earlyUsed = await usedMemory(port);
  await sleep(SETTLE_MS);
  const late = rssKb(child.pid);
  const lateUsed = await usedMemory(port);
  child.kill('SIGKILL');
  const per = (kb) => Math.round(((kb - base) * 1024) / N);
  const perUsed = (b) => Math.round((b - baseUsed) / N);
  return `${kind.padEnd(6)} per member: RSS ${per(early)} after 1.5 s, ${per(late)} after ${SETTLE_MS / 1000} s; used_memory ${perUsed(earlyUsed)} then ${perUsed(lateUsed)}`;
}

console.log(await measure('respd'));
if (hasRedis) console.log(await measure('redis'));
