#!/usr/bin/env node
// `npm run bench`: redis-benchmark against respd and redis-server, side by side in one run
// (alternating A B A B, medians of the rounds). For each case: requests/s, p50/p99 latency, server
// CPU ms per 100k requests (user + sys of the server process from /proc), and the ratios
// respd / redis-server; then idle-connection RSS. Prints one table, writes bench/results.json.
// `--tls` runs every case over each server's tls-port instead, with the test fixture certificates
// (client certificate required, as by default) and writes bench/results-tls.json.
// Each measured run follows a warm-up run on the same server (--warmup N requests, 0 = cold).
// Needs Debian's redis-tools (redis-benchmark) and, for the comparison, redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as netServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureIdle } from './idle-memory.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

if (!has('redis-benchmark') || !has('redis-cli')) {
  console.log('redis-benchmark or redis-cli is missing: install Debian\'s redis-tools (apt-get install redis-tools) to run the benchmarks.');
  process.exit(0);
}
const withRedis = has('redis-server');
if (!withRedis) console.log('redis-server is missing (apt-get install redis-server): measuring respd alone, no ratios.');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const flag = (name) => args.includes(`--${name}`);
const rounds = Number(opt('rounds', '3'));
const requests = Number(opt('requests', '100000'));
/** `--random N`: redis-benchmark -r N, keys spread over N random names instead of one key. */
const randomKeys = Number(opt('random', '0'));
const idleConnections = Number(opt('idle-connections', '10000'));
/**
 * Requests sent before each measured run, to both servers alike, so that the figures are the
 * steady state: respd's JavaScript is otherwise measured while V8 still compiles it (--warmup 0
 * measures from a cold start). Pipelined cases warm up 5x longer, and never more than half the run.
 */
const warmup = Number(opt('warmup', String(requests / 5)));
/** Extra directives for respd only (e.g. --respd-args "--io-threads 4"). */
const respdExtra = (opt('respd-args', '') || '').split(' ').filter(Boolean);
/**
 * A second respd in the same rounds with these directives added (e.g. --compare "--io-uring yes"):
 * its columns and its ratios to the first respd follow the table's.
 */
const compareExtra = (opt('compare', '') || '').split(' ').filter(Boolean);
/** Node flags for that second respd (e.g. --compare-node "--min-semi-space-size=16"), with or without --compare. */
const compareNode = (opt('compare-node', '') || '').split(' ').filter(Boolean);
/** Another build of respd for that second respd (e.g. --compare-root /tmp/respd-main, a checkout with its dist/ and build/). */
const compareRoot = opt('compare-root', '');
const comparing = compareExtra.length > 0 || compareNode.length > 0 || compareRoot !== '';
/** Extra directives for both servers (e.g. --server-args "--io-threads 4 --io-threads-do-reads yes"). */
const serverExtra = (opt('server-args', '') || '').split(' ').filter(Boolean);
const tls = flag('tls');
/**
 * `--aof everysec|always`: both servers keep an AOF with that fsync policy, each in a directory of
 * its own under one temporary folder removed at exit (the AOF's cost on the same disk).
 */
const aofPolicy = opt('aof', '');
if (aofPolicy && aofPolicy !== 'everysec' && aofPolicy !== 'always' && aofPolicy !== 'no') {
  console.log('--aof takes everysec, always or no');
  process.exit(1);
}
const aofRoot = aofPolicy ? mkdtempSync(join(tmpdir(), 'respd-bench-aof-')) : '';
if (aofRoot) process.on('exit', () => rmSync(aofRoot, { recursive: true, force: true }));
const aofArgs = () => (aofPolicy ? ['--appendonly', 'yes', '--appendfsync', aofPolicy, '--dir', mkdtempSync(join(aofRoot, 'server-'))] : []);
const fixture = (name) => join(root, 'test', 'fixtures', 'tls', name);
const tlsServerArgs = (tlsPort) => ['--tls-port', String(tlsPort), '--tls-cert-file', fixture('server.crt'),
  '--tls-key-file', fixture('server.key'), '--tls-ca-cert-file', fixture('ca.crt')];
const tlsClientArgs = ['--tls', '--cacert', fixture('ca.crt'), '--cert', fixture('client.crt'), '--key', fixture('client.key')];

// The cases of the performance issue. `-k 0` makes redis-benchmark reconnect for every request:
// connect + PING + close.
const DEFAULT_TESTS = ['ping_mbulk', 'set', 'get', 'incr', 'lpush', 'lpop', 'sadd', 'hset', 'zadd', 'lrange_100', 'mset'];
function defaultCases() {
  const cases = [];
  // Pipelined runs are 5x longer so that the server CPU (10 ms ticks) is read to a few per cent.
  for (const pipeline of [1, 16]) for (const test of DEFAULT_TESTS) cases.push({ test, pipeline, clients: 50, size: 3, requests: pipeline > 1 ? requests * 5 : requests });
  cases.push({ test: 'get', pipeline: 1, clients: 500, size: 3 });
  for (const size of [1024, 102400]) for (const test of ['set', 'get']) cases.push({ test, pipeline: 1, clients: 50, size, requests: size > 10000 ? requests / 5 : requests });
  for (const pipeline of [1, 16]) for (const test of Object.keys(SCRIPTS)) cases.push({ test, pipeline, clients: 50, size: 3, requests: pipeline > 1 ? requests * 2 : requests });
  cases.push({ test: 'ping_mbulk', pipeline: 1, clients: 50, size: 3, keepalive: 0, requests: requests / 5, label: 'connect+PING+close' });
  return cases;
}
const PRELOAD = { get: 'set', lpop: 'lpush', rpop: 'rpush' };
/** Scripting cases: EVALSHA of a script SCRIPT LOADed on each server before its runs. */
const SCRIPTS = {
  evalsha_get: "return redis.call('get', KEYS[1])",
  evalsha_incr10: "for i = 1, 10 do redis.call('incr', KEYS[1]) end return redis.call('get', KEYS[1])",
};
function selectedCases() {
  const tests = opt('tests', undefined);
  if (tests === undefined) return defaultCases();
  const pipelines = opt('pipelines', '1,16').split(',').map(Number);
  const clients = Number(opt('clients', '50'));
  const size = Number(opt('size', '3'));
  // As in the default list: pipelined runs 5x longer (CPU ticks, JIT warm-up).
  return pipelines.flatMap((pipeline) => tests.split(',').map((test) => ({ test, pipeline, clients, size, requests: pipeline > 1 ? requests * 5 : requests })));
}

function freePort() {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** User and system CPU of a process (all its threads), ms. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  // USER_HZ is 100 on Linux.
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
}

async function startServer(kind, clients) {
  const port = await freePort();
  const tlsPort = tls ? await freePort() : 0;
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning', '--maxclients', String(Math.max(10000, clients + 100)),
    ...(tls ? tlsServerArgs(tlsPort) : []), ...serverExtra, ...aofArgs()];
  const cmd = kind !== 'redis'
    ? [process.execPath, [...(kind === 'respd2' ? compareNode : []), join(kind === 'respd2' && compareRoot ? compareRoot : root, 'dist', 'cli.js'), ...common, ...respdExtra, ...(kind === 'respd2' ? compareExtra : [])]]
    : ['redis-server', aofPolicy ? common : [...common, '--appendonly', 'no']];
  const child = spawn(cmd[0], cmd[1], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' });
    if (r.stdout?.trim() === 'PONG') return { child, port: tls ? tlsPort : port };
    await new Promise((r2) => setTimeout(r2, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${kind} did not start`);
}

function runBenchmark(port, c) {
  const n = c.requests ?? requests;
  const a = ['-p', String(port), '-h', '127.0.0.1', '-c', String(c.clients), '-n', String(n), '-P', String(c.pipeline), '-d', String(c.size), '--csv'];
  if (randomKeys > 0) a.push('-r', String(randomKeys));
  if (c.keepalive === 0) a.push('-k', '0');
  if (tls) a.push(...tlsClientArgs);
  const script = SCRIPTS[c.test];
  if (script) {
    const cli = ['-p', String(port), '-h', '127.0.0.1', ...(tls ? tlsClientArgs : [])];
    const sha = spawnSync('redis-cli', [...cli, 'SCRIPT', 'LOAD', script], { encoding: 'utf8' }).stdout.trim();
    a.push('EVALSHA', sha, '1', 'bench:script');
    const r = spawnSync('redis-benchmark', a, { encoding: 'utf8' });
    const row = r.stdout.trim().split('\n').filter((l) => l.startsWith('"') && !l.startsWith('"test"'))[0];
    if (!row) throw new Error(`redis-benchmark gave no result for ${c.test}: ${r.stderr}`);
    const cols = row.split(',').map((s) => s.replace(/"/g, ''));
    return { rps: Number(cols[1]), p50: Number(cols[4]), p99: Number(cols[6]), n };
  }
  a.push('-t', c.test);
  const r = spawnSync('redis-benchmark', a, { encoding: 'utf8' });
  // The row of this test: LRANGE_* runs an "LPUSH (needed to benchmark LRANGE)" row first.
  const name = c.test.toUpperCase();
  const rows = r.stdout.trim().split('\n').filter((l) => l.startsWith('"') && !l.startsWith('"test"'))
    .map((l) => l.split(',').map((s) => s.replace(/"/g, '')));
  const cols = rows.find((row) => row[0] === name || row[0].startsWith(`${name} `));
  if (!cols) throw new Error(`redis-benchmark gave no result for ${c.test}: ${r.stderr}`);
  return { rps: Number(cols[1]), p50: Number(cols[4]), p99: Number(cols[6]), n };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const label = (c) => c.label ?? `${c.test.toUpperCase()}${c.size !== 3 ? ` ${c.size >= 1024 ? `${c.size / 1024}KiB` : `${c.size}B`}` : ''}`;
const results = [];
const kinds = [...(withRedis ? ['respd', 'redis'] : ['respd']), ...(comparing ? ['respd2'] : [])];
const f = (n, w, d = 0) => (n === undefined ? '-' : n.toFixed(d)).padStart(w);
console.log(`${'test'.padEnd(20)} ${'P'.padStart(3)} ${'c'.padStart(4)} | ${'respd rps'.padStart(9)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'cpu'.padStart(6)} | ${'redis rps'.padStart(9)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'cpu'.padStart(6)} | ratio rps   cpu   p99` +
  (comparing ? ` | ${'respd2 rps'.padStart(10)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'cpu'.padStart(6)} | /respd rps  cpu` : ''));
for (const c of selectedCases()) {
  const samples = { respd: [], redis: [], respd2: [] };
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      const s = await startServer(kind, c.clients);
      const warm = Math.min(Math.floor((c.requests ?? requests) / 2), warmup * (c.pipeline > 1 ? 5 : 1));
      let r, before, after;
      try {
        // GET reads the key SET writes and LPOP pops what LPUSH pushed (the order of redis-benchmark's
        // own default run): without them every GET and LPOP would answer nil.
        if (PRELOAD[c.test]) runBenchmark(s.port, { ...c, test: PRELOAD[c.test], keepalive: undefined, requests: c.test === 'get' ? (randomKeys > 0 ? randomKeys * 3 : c.clients) : (c.requests ?? requests) + warm });
        if (warm > 0) runBenchmark(s.port, { ...c, requests: warm });
        before = cpuMs(s.child.pid);
        r = runBenchmark(s.port, c);
        after = cpuMs(s.child.pid);
      } finally {
        // A case redis-benchmark gives no result for (an unknown test name) stops the run, not
        // before the server it started.
        s.child.kill('SIGTERM');
        await new Promise((res) => s.child.once('exit', res));
      }
      const per100k = (ms) => (ms * 100000) / r.n;
      const sys = per100k(after.sys - before.sys);
      samples[kind].push({ ...r, cpuPer100k: per100k(after.user - before.user) + sys, sysPer100k: sys });
    }
  }
  const summarize = (xs) => xs.length ? {
    rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)),
    cpuPer100k: median(xs.map((x) => x.cpuPer100k)), sysPer100k: median(xs.map((x) => x.sysPer100k)),
  } : undefined;
  const row = { test: label(c), pipeline: c.pipeline, clients: c.clients, size: c.size, respd: summarize(samples.respd), redis: summarize(samples.redis) };
  if (row.redis) {
    row.ratio = { rps: row.respd.rps / row.redis.rps, cpu: row.respd.cpuPer100k / row.redis.cpuPer100k, p99: row.respd.p99 / row.redis.p99 };
    // The kernel's part (system time: sockets, wake-ups, the loopback's delivery to the client,
    // which the sender pays) side by side, and respd's system time over redis-server's whole CPU:
    // the lowest cpu ratio respd could reach were its own code to cost nothing.
    row.kernel = { sys: row.respd.sysPer100k / row.redis.sysPer100k, floor: row.respd.sysPer100k / row.redis.cpuPer100k };
  }
  if (comparing) {
    row.respd2 = summarize(samples.respd2);
    row.respd2Ratio = { rps: row.respd2.rps / row.respd.rps, cpu: row.respd2.cpuPer100k / row.respd.cpuPer100k };
  }
  // The spread of the per-round ratios (round i of respd against round i of redis-server): how
  // much of a median's distance from 1.0 the machine's noise could account for.
  if (row.redis && samples.respd.length === samples.redis.length) {
    const range = (f) => {
      const rs = samples.respd.map((x, i) => f(x) / f(samples.redis[i]));
      return [Math.min(...rs), Math.max(...rs)];
    };
    row.ratioRange = { rps: range((x) => x.rps), cpu: range((x) => x.cpuPer100k), p99: range((x) => x.p99) };
  }
  results.push(row);
  const side = (s) => `${f(s?.rps, 9)} ${f(s?.p50, 6, 2)} ${f(s?.p99, 6, 2)} ${f(s?.cpuPer100k, 6)}`;
  console.log(`${row.test.padEnd(20)} ${String(c.pipeline).padStart(3)} ${String(c.clients).padStart(4)} | ${side(row.respd)} | ${side(row.redis)} |` +
    (row.ratio ? `    ${row.ratio.rps.toFixed(2)}  ${row.ratio.cpu.toFixed(2)}  ${row.ratio.p99.toFixed(2)}` : '') +
    (row.kernel && flag('split') ? ` (sys: respd ${row.respd.sysPer100k.toFixed(0)} redis ${row.redis.sysPer100k.toFixed(0)}, ratio ${row.kernel.sys.toFixed(2)}, floor ${row.kernel.floor.toFixed(2)})` : '') +
    (row.ratioRange && flag('spread') ? ` (per round: rps ${row.ratioRange.rps.map((x) => x.toFixed(2)).join('-')}, cpu ${row.ratioRange.cpu.map((x) => x.toFixed(2)).join('-')}, p99 ${row.ratioRange.p99.map((x) => x.toFixed(2)).join('-')})` : '') +
    (row.respd2 ? ` | ${f(row.respd2.rps, 10)} ${f(row.respd2.p50, 6, 2)} ${f(row.respd2.p99, 6, 2)} ${f(row.respd2.cpuPer100k, 6)} |      ${row.respd2Ratio.rps.toFixed(2)} ${row.respd2Ratio.cpu.toFixed(2)}` : ''));
}
console.log(`(rps: requests/s; p50/p99: ms; cpu: server CPU ms per 100k requests${flag('split') ? ', sys its system part, floor respd\'s system part / redis-server\'s cpu' : ''}; ratios respd / redis-server, medians of ${rounds} rounds, ${warmup > 0 ? 'after a warm-up run' : 'from a cold start'}${tls ? '; over TLS' : ''}` +
  `${comparing ? `; respd2 is respd${compareRoot ? ` from ${compareRoot}` : ''} with ${[...compareNode.map((f) => `node ${f}`), ...compareExtra].join(' ') || 'no changes'}` : ''})`);

let idle;
if (!flag('no-idle') && idleConnections > 0) {
  idle = [await measureIdle('respd', idleConnections, respdExtra)];
  if (compareExtra.length) idle.push({ ...(await measureIdle('respd', idleConnections, [...respdExtra, ...compareExtra])), kind: 'respd2' });
  if (withRedis) idle.push(await measureIdle('redis', idleConnections));
  for (const r of idle) console.log(`idle memory ${r.kind.padEnd(6)} ${r.connections} connections: ${r.bytesPerConnection} bytes per connection`);
  const redisIdle = idle.find((r) => r.kind === 'redis');
  if (redisIdle) console.log(`idle memory ratio respd / redis-server: ${(idle[0].bytesPerConnection / redisIdle.bytesPerConnection).toFixed(2)}`);
}
const out = tls ? 'results-tls.json' : 'results.json';
writeFileSync(join(root, 'bench', out), JSON.stringify({ date: new Date().toISOString(), tls, rounds, requests, warmup, respdArgs: respdExtra, compareArgs: compareExtra, results, idle }, null, 2));
console.log(`wrote bench/${out}`);
