#!/usr/bin/env node
// respd as a replica of a real redis-server under load, by hand (Debian's redis-server and
// redis-benchmark, not part of the tests): a master with 200k keys, redis-benchmark writing to it
// while respd (dist/cli.js) syncs and follows, then both DEBUG DIGESTs once the offsets meet.
// Prints the timings, the stream size and the sync counters. Everything on 127.0.0.1, every
// process stopped at the end. Usage: node bench/replica-of-redis.mjs [requests per test]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

for (const tool of ['redis-server', 'redis-benchmark', 'redis-cli']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`${tool} is missing: install Debian's redis-server and redis-tools.`);
    process.exit(1);
  }
}
const requests = Number(process.argv[2] ?? 300000);
const root = join(import.meta.dirname, '..');
const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const cli = (port, ...args) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
const field = (port, section, name) => new RegExp(`^${name}:(.*)$`, 'm').exec(cli(port, 'info', section))?.[1]?.trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'replica-of-redis-'));
const [mport, rport] = [await freePort(), await freePort()];
const procs = [];
try {
  procs.push(spawn('redis-server', ['--port', String(mport), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--enable-debug-command', 'yes'], { stdio: 'ignore' }));
  await sleep(500);
  cli(mport, 'debug', 'populate', '200000', 'pop', '64');
  const t0 = performance.now();
  const bench = spawn('redis-benchmark', ['-p', String(mport), '-n', String(requests), '-r', '100000', '-c', '20', '-P', '16',
    '-t', 'set,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,mset', '-q'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let benchOut = '';
  bench.stdout.on('data', (d) => (benchOut += d));
  const benchDone = new Promise((r) => bench.on('exit', r));
  await sleep(300);
  procs.push(spawn(process.execPath, [join(root, 'dist', 'cli.js'), '--port', String(rport), '--bind', '127.0.0.1', '--save', '',
    '--dir', dir, '--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(mport), '--enable-debug-command', 'yes',
    '--logfile', join(dir, 'respd.log')], { stdio: 'ignore' }));
  await benchDone;
  const t1 = performance.now();
  let caught = false;
  for (let i = 0; i < 600 && !caught; i++) {
    caught = field(mport, 'replication', 'master_repl_offset') === field(rport, 'replication', 'slave_repl_offset');
    if (!caught) await sleep(200);
  }
  const t2 = performance.now();
  for (const line of benchOut.split(/[\r\n]+/)) if (line.includes('requests per second')) console.log(`  ${line.trim()}`);
  console.log(`load ${((t1 - t0) / 1000).toFixed(1)} s, replica caught up ${((t2 - t1) / 1000).toFixed(1)} s later: ${caught}`);
  console.log(`stream ${field(mport, 'replication', 'master_repl_offset')} bytes; master sync_full ${field(mport, 'stats', 'sync_full')}, ` +
    `sync_partial_ok ${field(mport, 'stats', 'sync_partial_ok')}`);
  const md = cli(mport, 'debug', 'digest');
  const rd = cli(rport, 'debug', 'digest');
  console.log(`master  ${md} keys ${cli(mport, 'dbsize')}`);
  console.log(`replica ${rd} keys ${cli(rport, 'dbsize')}`);
  console.log(md === rd ? 'DEBUG DIGEST equal' : 'DEBUG DIGEST DIFFERS');
  process.exitCode = md === rd && caught ? 0 : 1;
} finally {
  for (const p of procs) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
