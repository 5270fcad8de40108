#!/usr/bin/env node
// A real redis-server as the replica of a respd master: respd (dist/cli.js) starts and gets a
// first dataset, Debian's redis-server attaches with `--replicaof` and gets it by a full sync
// (diskless: `$EOF:<mark>` streamed from the sockets, as respd's default; `--disk`: a `$<len>`
// payload written to a file first), redis-benchmark writes every kind of command at full speed,
// a few scripts, transactions, expiries and stream groups follow, and once the replica's offset
// caught up the two DEBUG DIGESTs must be equal. Needs redis-server and redis-benchmark
// (Debian's redis-server and redis-tools); not part of `npm test`.
// Usage: node scripts/check-redis-replica.mjs [requests per benchmark test, default 20000] [--disk]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, freePort, sleep } from './check-lib.mjs';

const has = (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
for (const tool of ['redis-server', 'redis-benchmark']) {
  if (!has(tool)) {
    console.log(`${tool} is missing: install Debian's redis-server and redis-tools (apt-get install redis-server redis-tools).`);
    process.exit(0);
  }
}
const args = process.argv.slice(2);
const disk = args.includes('--disk');
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 20000);
const root = join(import.meta.dirname, '..');

const dir = mkdtempSync(join(tmpdir(), 'respd-replica-check-'));
const masterPort = await freePort();
const replicaPort = await freePort();
const master = spawn(process.execPath, [join(root, 'dist', 'cli.js'), '--port', String(masterPort), '--bind', '127.0.0.1', '--save', '',
  '--enable-debug-command', 'yes', '--loglevel', 'warning', '--repl-diskless-sync', disk ? 'no' : 'yes', '--repl-diskless-sync-delay', '0'],
{ stdio: 'ignore' });
let replica;
let failed = false;
try {
  await sleep(1000);
  // A first dataset, which the replica gets by the full sync.
  const first = spawnSync('redis-benchmark', ['-p', String(masterPort), '-n', String(N), '-r', '100000', '-P', '16', '-q', '-d', '64',
    '-t', 'set,lpush,sadd,hset,zadd'], { encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`redis-benchmark failed: ${first.stderr}`);
  const replicaLog = join(dir, 'replica.log');
  replica = spawn('redis-server', ['--port', String(replicaPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--replicaof', '127.0.0.1', String(masterPort), '--enable-debug-command', 'yes', '--loglevel', 'notice', '--logfile', replicaLog], { stdio: 'ignore' });
  await sleep(500);
  for (let i = 0; i < 200 && !(await ask(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'); i++) await sleep(50);
  const how = /MASTER <-> REPLICA sync: receiving (streamed RDB from master with EOF|\d+ bytes from master)[^\n]*/.exec(readFileSync(replicaLog, 'latin1'));
  console.log(`full sync of ${(await ask(masterPort, 'DBSIZE')).trim()} keys: ${how ? how[0] : 'not seen in the replica log'}`);
  if (!how || how[1].startsWith('streamed') === disk) throw new Error(`the replica did not get a ${disk ? 'disk' : 'diskless'} payload`);
  const bench = spawnSync('redis-benchmark', ['-p', String(masterPort), '-n', String(N), '-r', '1000', '-P', '8', '-q',
    '-t', 'set,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset'], { encoding: 'utf8' });
  if (bench.status !== 0) throw new Error(`redis-benchmark failed: ${bench.stderr}`);
  const more = [
    ['EVAL', "redis.call('set', KEYS[1], 'x') redis.call('incrbyfloat', KEYS[2], '1.25') redis.call('spop', KEYS[3], 2) return 1", '3', 's1', 'f1', 'myset'],
    ['SET', 'ttl', 'v', 'EX', '1000'], ['GETEX', 'ttl', 'PX', '500000'], ['EXPIRE', 'counter:__rand_int__', '1000'],
    ['MULTI'], ['INCRBYFLOAT', 'f2', '0.5'], ['LPUSH', 'l2', 'a', 'b'], ['EXEC'],
    ['XADD', 'st', '*', 'a', '1'], ['XADD', 'st', 'MAXLEN', '~', '1', '*', 'b', '2'], ['XGROUP', 'CREATE', 'st', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 'st', '>'], ['XAUTOCLAIM', 'st', 'g', 'c2', '0', '0'],
    ['GEOADD', 'geo', '13.361389', '38.115556', 'Palermo'], ['PFADD', 'hll', 'a', 'b', 'c'], ['SETRANGE', 'sr', '5', 'x'],
    ['SET', 'short', 'v', 'PX', '50'],
  ];
  for (const c of more) await ask(masterPort, ...c);
  await sleep(200);
  // The short key expires on the master, whose DEL reaches the replica.
  await ask(masterPort, 'GET', 'short');
  const offsetOf = async (port, field) => Number(new RegExp(`${field}:(\\d+)`).exec(await ask(port, 'INFO', 'replication'))?.[1] ?? -1);
  const target = await offsetOf(masterPort, 'master_repl_offset');
  for (let i = 0; i < 200 && (await offsetOf(replicaPort, 'slave_repl_offset')) < target; i++) await sleep(25);
  const [dm, dr] = [await ask(masterPort, 'DEBUG', 'DIGEST'), await ask(replicaPort, 'DEBUG', 'DIGEST')];
  const [km, kr] = [await ask(masterPort, 'DBSIZE'), await ask(replicaPort, 'DBSIZE')];
  console.log(`master offset ${target}; keys respd ${km.trim()} / redis replica ${kr.trim()}`);
  console.log(`DEBUG DIGEST respd ${dm.trim()} / redis replica ${dr.trim()}`);
  failed = dm !== dr;
  console.log(failed ? 'FAIL: the replica differs' : 'OK: redis-server replicated respd exactly');
} finally {
  master.kill();
  replica?.kill();
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
