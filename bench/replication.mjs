#!/usr/bin/env node
// `npm run bench:replication`: replication throughput, respd -> respd against redis-server ->
// redis-server in the same run (alternating rounds, medians). For each case a master and one
// replica are started; redis-benchmark writes to the master while the replica follows. Per case:
// the master's requests/s, its CPU per 100k requests and the replica's, the replica's lag sampled
// every 20 ms during the load (bytes of the stream not yet applied: master_repl_offset on the
// master minus the replica's), and how long after the load ended the replica had caught up
// (offsets equal). Ends with the replica's DEBUG DIGEST checked against the master's.
// As in bench/run.mjs, each measured load follows a warm-up load on the same pair (--warmup N
// requests, 0 = cold: respd's JavaScript is then measured while V8 compiles it), and a
// pipelined case sends five times the requests (it runs about five times as fast).
// Needs Debian's redis-server and redis-tools (redis-benchmark, redis-cli).
// Usage: node bench/replication.mjs [--requests N] [--warmup N] [--rounds R] [--tests set,incr] [--pipelines 1,16]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enc, freePort, sleep } from '../scripts/check-lib.mjs';

for (const tool of ['redis-server', 'redis-benchmark', 'redis-cli']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`${tool} is missing: this benchmark compares against Debian's redis-server; install the redis-server and redis-tools packages (apt-get install redis-server redis-tools).`);
    process.exit(1);
  }
}
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const requests = Number(opt('requests', '200000'));
const warmup = Number(opt('warmup', String(requests / 2)));
const rounds = Number(opt('rounds', '1'));
const tests = opt('tests', 'set,incr,lpush').split(',');
const pipelines = opt('pipelines', '1,16').split(',').map(Number);
const root = join(import.meta.dirname, '..');

/** A connection kept open for the sampling (INFO every 20 ms must not cost a connect each time). */
class Conn {
  constructor(port) {
    this.s = connect(port, '127.0.0.1');
    this.buf = '';
    this.waiters = [];
    this.s.setEncoding('latin1');
    this.s.on('data', (d) => {
      this.buf += d;
      this.drain();
    });
    this.s.on('error', () => {});
  }
  drain() {
    while (this.waiters.length > 0) {
      // Every reply read here is a bulk string (INFO, DEBUG DIGEST) or a status/error line.
      const m = /^\$(-?\d+)\r\n/.exec(this.buf);
      let end;
      if (m) {
        if (Number(m[1]) < 0) end = m[0].length;
        else if (this.buf.length >= m[0].length + Number(m[1]) + 2) end = m[0].length + Number(m[1]) + 2;
        else return;
      } else {
        const nl = this.buf.indexOf('\r\n');
        if (nl < 0) return;
        end = nl + 2;
      }
      const reply = m ? this.buf.slice(m[0].length, end - 2) : this.buf.slice(1, end - 2);
      this.buf = this.buf.slice(end);
      this.waiters.shift()(reply);
    }
  }
  ask(...args) {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.s.write(enc(args));
    });
  }
  close() {
    this.s.destroy();
  }
}
const field = (info, name) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/** User + system CPU of a process, ms (USER_HZ 100). */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function start(kind, port, dir, extra) {
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--enable-debug-command', 'yes', '--loglevel', 'warning', '--repl-diskless-sync', 'no', ...extra];
  const child = kind === 'redis'
    ? spawn('redis-server', common, { stdio: 'ignore' })
    : spawn(process.execPath, [join(process.env.RESPD_ROOT ?? root, 'dist', 'cli.js'), ...common], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${kind} did not start`);
}

/** Polls until the replica's offset is the master's (at most 15 s); whether it got there. */
async function caughtUp(m, r) {
  for (let i = 0; i < 3000; i++) {
    const [mi, ri] = await Promise.all([m.ask('INFO', 'replication'), r.ask('INFO', 'replication')]);
    if (field(mi, 'master_repl_offset') === (field(ri, 'slave_repl_offset') ?? field(ri, 'master_repl_offset'))) return true;
    await sleep(5);
  }
  return false;
}

async function runCase(kind, test, pipeline) {
  const dir = mkdtempSync(join(tmpdir(), `bench-repl-${kind}-`));
  // Two calls may hand out the same free port: the replica would then fail to bind, and the
  // master's PONG would pass for its start.
  const mport = await freePort();
  let rport = await freePort();
  while (rport === mport) rport = await freePort();
  const procs = [];
  try {
    const master = await start(kind, mport, dir, ['--dbfilename', 'master.rdb']);
    procs.push(master);
    const replica = await start(kind, rport, dir, ['--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(mport)]);
    procs.push(replica);
    const m = new Conn(mport);
    const r = new Conn(rport);
    for (let i = 0; i < 200 && field(await r.ask('INFO', 'replication'), 'master_link_status') !== 'up'; i++) await sleep(50);
    const n = pipeline > 1 ? requests * 5 : requests;
    const load = (count) => ['-p', String(mport), '-h', '127.0.0.1', '-c', '50', '-n', String(count), '-P', String(pipeline), '-r', '100000', '-d', '3', '-t', test, '--csv'];
    if (warmup > 0) {
      spawnSync('redis-benchmark', load(pipeline > 1 ? warmup * 5 : warmup), { stdio: 'ignore' });
      await caughtUp(m, r);
    }
    const [m0, r0] = [cpuMs(master.pid), cpuMs(replica.pid)];
    const bench = spawn('redis-benchmark', load(n), { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    bench.stdout.on('data', (d) => (out += d));
    let running = true;
    const done = new Promise((res) => bench.on('exit', () => {
      running = false;
      res();
    }));
    const lags = [];
    while (running) {
      const [mi, ri] = await Promise.all([m.ask('INFO', 'replication'), r.ask('INFO', 'replication')]);
      lags.push(Number(field(mi, 'master_repl_offset')) - Number(field(ri, 'slave_repl_offset') ?? field(ri, 'master_repl_offset')));
      await sleep(20);
    }
    await done;
    const ended = performance.now();
    const masterCpu = cpuMs(master.pid) - m0;
    const caught = (await caughtUp(m, r)) ? performance.now() - ended : NaN;
    const replicaCpu = cpuMs(replica.pid) - r0;
    const [md, rd] = [await m.ask('DEBUG', 'DIGEST'), await r.ask('DEBUG', 'DIGEST')];
    m.close();
    r.close();
    const row = out.trim().split('\n').find((l) => l.startsWith('"') && !l.startsWith('"test"'));
    const rps = Number(row?.split(',')[1]?.replace(/"/g, ''));
    lags.sort((a, b) => a - b);
    return {
      rps,
      masterCpu: (masterCpu * 100000) / n,
      replicaCpu: (replicaCpu * 100000) / n,
      lagP50: lags[Math.floor(lags.length / 2)] ?? 0,
      lagMax: lags[lags.length - 1] ?? 0,
      caughtUp: caught,
      digestEqual: md === rd,
    };
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (n, w, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-').padStart(w);
console.log(`requests ${requests} (x5 pipelined), after a warm-up of ${warmup} (x5), 50 clients, ${rounds} round(s); lag = stream bytes the replica had not applied (sampled every 20 ms), caught = ms after the load ended until the offsets met`);
console.log(`${'test'.padEnd(8)} ${'P'.padStart(3)} | ${'kind'.padEnd(6)} ${'rps'.padStart(8)} ${'mCPU'.padStart(6)} ${'rCPU'.padStart(6)} ${'lag p50'.padStart(9)} ${'lag max'.padStart(9)} ${'caught'.padStart(7)} | ratio rps  mCPU  rCPU`);
let allEqual = true;
const results = [];
for (const pipeline of pipelines) {
  for (const test of tests) {
    const samples = { respd: [], redis: [] };
    for (let i = 0; i < rounds; i++) for (const kind of ['respd', 'redis']) samples[kind].push(await runCase(kind, test, pipeline));
    const sum = (xs) => Object.fromEntries(['rps', 'masterCpu', 'replicaCpu', 'lagP50', 'lagMax', 'caughtUp'].map((k) => [k, median(xs.map((x) => x[k]))]));
    const a = sum(samples.respd);
    const b = sum(samples.redis);
    for (const x of [...samples.respd, ...samples.redis]) allEqual &&= x.digestEqual;
    const ratio = { rps: a.rps / b.rps, masterCpu: a.masterCpu / b.masterCpu, replicaCpu: a.replicaCpu / b.replicaCpu };
    results.push({ test, pipeline, respd: a, redis: b, ratio });
    const line = (kind, s) => `${kind.padEnd(6)} ${f(s.rps, 8)} ${f(s.masterCpu, 6)} ${f(s.replicaCpu, 6)} ${f(s.lagP50, 9)} ${f(s.lagMax, 9)} ${f(s.caughtUp, 7)}`;
    console.log(`${test.toUpperCase().padEnd(8)} ${String(pipeline).padStart(3)} | ${line('respd', a)} |  ${ratio.rps.toFixed(2)}  ${ratio.masterCpu.toFixed(2)}  ${ratio.replicaCpu.toFixed(2)}`);
    console.log(`${''.padEnd(8)} ${''.padStart(3)} | ${line('redis', b)} |`);
  }
}
console.log(allEqual ? 'every replica had its master\'s DEBUG DIGEST' : 'A REPLICA\'S DEBUG DIGEST DIFFERED FROM ITS MASTER\'S');
process.exitCode = allEqual ? 0 : 1;
