// What the memory benchmarks share: starting a server, pipelined loading, reading RSS.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
export const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
export const cmd = (...a) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(String(x))}\r\n${x}\r\n`).join('');

/** Starts respd (with node's `nodeFlags`) or redis-server on a free port; resolves once it had time to start. */
export async function startServer(kind, nodeFlags = []) {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  const child = kind === 'respd'
    ? spawn(process.execPath, [...nodeFlags, join(root, 'dist', 'cli.js'), ...args, '--loglevel', 'warning'], { stdio: 'ignore' })
    : spawn('redis-server', [...args, '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  await sleep(800);
  return { port, child };
}

/** Sends `make(i)` for i < n in pipelined chunks and waits for every reply (counted by CRLF-terminated lines). */
export async function load(port, n, make) {
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
