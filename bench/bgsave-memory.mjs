#!/usr/bin/env node
// BGSAVE under a write load, respd beside redis-server: 1,000,000 keys loaded, then BGSAVE while
// redis-benchmark overwrites random keys at full speed; the servers' memory is sampled as PSS
// (proportional set size, so a forked child's pages shared with its parent count once) every
// 20 ms. Reports the PSS before, the peak during the save and the extra as a share of the
// dataset, the save's duration, and the requests/s the writers got meanwhile.
// Needs redis-benchmark (Debian's redis-tools) and, for the comparison, redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cmd, hasRedis, load, sleep } from './mem-lib.mjs';
import { createServer as netServer, connect } from 'node:net';

const has = (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
if (!has('redis-benchmark')) {
  console.log('redis-benchmark is missing: install Debian\'s redis-tools (apt-get install redis-tools).');
  process.exit(0);
}
const N = Number(process.env.KEYS ?? 1_000_000);
const root = join(import.meta.dirname, '..');
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});

const pssKb = (pid) => {
  try {
    return Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]);
  } catch {
    return 0;
  }
};
const children = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const totalPss = (pid) => pssKb(pid) + children(pid).reduce((n, c) => n + pssKb(c), 0);

async function ask(port, ...args) {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  let out = '';
  s.on('data', (d) => (out += d));
  s.write(cmd(...args));
  while (!out.includes('\r\n') || (out.startsWith('$') && out.split('\r\n').length < 3)) await sleep(2);
  s.destroy();
  return out;
}

async function measure(kind, saving = true, baselineMs = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'respd-bench-bgsave-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  const child = kind === 'respd'
    ? spawn(process.execPath, [join(root, 'dist', 'cli.js'), ...args, '--loglevel', 'warning'], { stdio: 'ignore' })
    : spawn('redis-server', [...args, '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  await sleep(800);
  try {
    await load(port, N, (i) => cmd('SET', `key:${i}`, `value:${i}`));
    await sleep(1000);
    const before = totalPss(child.pid);
    const bench = spawn('redis-benchmark', ['-p', String(port), '-t', 'set', '-r', String(N), '-n', String(N * 2), '-P', '16', '-c', '50', '-q', '-d', '8'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let benchOut = '';
    bench.stdout.on('data', (d) => (benchOut += d));
    await sleep(300);
    const t0 = Date.now();
    let peak = before;
    if (saving) {
      await ask(port, 'BGSAVE');
      for (;;) {
        peak = Math.max(peak, totalPss(child.pid));
        const info = await ask(port, 'INFO', 'persistence');
        if (info.includes('rdb_bgsave_in_progress:0')) break;
        await sleep(20);
      }
    } else {
      // The same write load for the same time, without a save: what the load alone costs.
      while (Date.now() - t0 < baselineMs) {
        peak = Math.max(peak, totalPss(child.pid));
        await sleep(20);
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const after = totalPss(child.pid);
    bench.kill('SIGINT');
    await new Promise((r) => bench.on('exit', r));
    const m = [...benchOut.replace(/\r/g, '\n').matchAll(/rps=([\d.]+)/g)];
    const rps = m.length ? Number(m[m.length - 1][1]) : NaN;
    return { kind: saving ? kind : `${kind} (same load, no save)`, beforeMb: before / 1024, peakMb: peak / 1024, afterMb: after / 1024, extra: (peak - before) / before, seconds, rps };
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [await measure('respd')];
rows.push(await measure('respd', false, rows[0].seconds * 1000));
if (hasRedis) rows.push(await measure('redis'));
else console.log('redis-server not found: install the Debian package redis-server for the comparison');
for (const r of rows) {
  console.log(`${r.kind.padEnd(28)} ${N} keys: PSS before ${r.beforeMb.toFixed(0)} MB, peak during BGSAVE ${r.peakMb.toFixed(0)} MB (+${(r.extra * 100).toFixed(1)}%), after ${r.afterMb.toFixed(0)} MB; save took ${r.seconds.toFixed(2)} s; writers meanwhile ${Number.isNaN(r.rps) ? '?' : r.rps.toFixed(0)} req/s`);
}
