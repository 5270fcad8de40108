#!/usr/bin/env node
// Idle-connection memory: opens N idle connections (default 10,000) to respd and, when
// installed, to redis-server, one server at a time, and reports the server's RSS growth per
// connection. Each connection sends one PING first, so both servers have set it up fully.
// Needs Debian's redis-server for the comparison (apt-get install redis-server).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

async function ping(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    s.on('data', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

/** RSS growth per idle connection of one server (respd or redis), N connections. */
export async function measureIdle(kind, N = 10000, respdExtra = []) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--maxclients', String(N + 100)];
  const child = kind === 'respd'
    ? spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args, '--loglevel', 'warning', ...respdExtra], { stdio: 'ignore' })
    : spawn('redis-server', [...args, '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await ping(port)); i++) await sleep(50);
  await sleep(300);
  const before = rssKb(child.pid);
  const sockets = [];
  for (let i = 0; i < N; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 200); j++) {
      batch.push(new Promise((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.write('PING\r\n'));
        s.once('data', () => resolve(s));
        s.once('error', reject);
      }));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  await sleep(2500); // let both servers' crons shrink what they shrink for idle clients
  const after = rssKb(child.pid);
  for (const s of sockets) s.destroy();
  child.kill('SIGKILL');
  return { kind, connections: N, rssBeforeKb: before, rssAfterKb: after, bytesPerConnection: Math.round(((after - before) * 1024) / N) };
}

// Run as a script: both servers, one at a time.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const N = Number(process.argv[process.argv.indexOf('--connections') + 1] || 0) || 10000;
  if (!hasRedis) console.log('redis-server is missing (apt-get install redis-server): measuring respd alone.');
  const results = [await measureIdle('respd', N)];
  if (hasRedis) results.push(await measureIdle('redis', N));
  for (const r of results) console.log(`${r.kind.padEnd(6)} ${r.connections} idle connections: RSS ${r.rssBeforeKb} kB -> ${r.rssAfterKb} kB, ${r.bytesPerConnection} bytes per connection`);
  if (results.length === 2) console.log(`ratio respd / redis-server: ${(results[0].bytesPerConnection / results[1].bytesPerConnection).toFixed(2)}`);
}
