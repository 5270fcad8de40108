#!/usr/bin/env node
// `npm run bench`: redis-benchmark against respd and redis-server, side by side in one run
// (alternating A B A B, medians of the rounds). Prints requests/s, p50/p99 latency, server CPU
// ms per 100k requests, and the ratios respd / redis-server; writes bench/results.json.
// Needs Debian's redis-tools (redis-benchmark) and, for the comparison, redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

if (!has('redis-benchmark')) {
  console.log('redis-benchmark is missing: install Debian\'s redis-tools (apt-get install redis-tools) to run the benchmarks.');
  process.exit(0);
}
const withRedis = has('redis-server');
if (!withRedis) console.log('redis-server is missing (apt-get install redis-server): measuring respd alone, no ratios.');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const rounds = Number(opt('rounds', '3'));
const requests = Number(opt('requests', '100000'));
const tests = opt('tests', 'ping_mbulk,set,get').split(',');
const pipelines = opt('pipelines', '1,16').split(',').map(Number);
const clients = Number(opt('clients', '50'));

function freePort() {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function startServer(kind) {
  const port = await freePort();
  const cmd = kind === 'respd'
    ? [process.execPath, [join(root, 'dist', 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning']]
    : ['redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning']];
  const child = spawn(cmd[0], cmd[1], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const r = spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' });
    if (r.stdout?.trim() === 'PONG') return { child, port };
    await new Promise((r2) => setTimeout(r2, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${kind} did not start`);
}

function runBenchmark(port, test, pipeline) {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-h', '127.0.0.1', '-c', String(clients), '-n', String(requests), '-P', String(pipeline), '-t', test, '--csv'], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('"') && !l.startsWith('"test"'));
  const cols = lines[0]?.split(',').map((s) => s.replace(/"/g, ''));
  if (!cols) throw new Error(`redis-benchmark gave no result for ${test}: ${r.stderr}`);
  return { rps: Number(cols[1]), p50: Number(cols[4]), p99: Number(cols[6]) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const pipeline of pipelines) {
  for (const test of tests) {
    const samples = { respd: [], redis: [] };
    for (let round = 0; round < rounds; round++) {
      for (const kind of withRedis ? ['respd', 'redis'] : ['respd']) {
        const s = await startServer(kind);
        const before = cpuMs(s.child.pid);
        const r = runBenchmark(s.port, test, pipeline);
        const cpu = cpuMs(s.child.pid) - before;
        s.child.kill('SIGTERM');
        await new Promise((res) => s.child.once('exit', res));
        samples[kind].push({ ...r, cpuPer100k: (cpu * 100000) / requests });
      }
    }
    const summarize = (xs) => xs.length ? {
      rps: median(xs.map((x) => x.rps)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)),
      cpuPer100k: median(xs.map((x) => x.cpuPer100k)),
    } : undefined;
    const row = { test, pipeline, clients, respd: summarize(samples.respd), redis: summarize(samples.redis) };
    if (row.redis) {
      row.ratio = {
        rps: row.respd.rps / row.redis.rps,
        p99: row.respd.p99 / row.redis.p99,
        cpu: row.respd.cpuPer100k / row.redis.cpuPer100k,
      };
    }
    results.push(row);
    const f = (n, d = 0) => n.toFixed(d).padStart(10);
    console.log(
      `${test.padEnd(12)} P=${String(pipeline).padEnd(3)} respd ${f(row.respd.rps)} rps p99 ${f(row.respd.p99, 3)} ms cpu/100k ${f(row.respd.cpuPer100k)} ms` +
        (row.redis ? ` | redis ${f(row.redis.rps)} rps cpu/100k ${f(row.redis.cpuPer100k)} ms | ratio rps ${row.ratio.rps.toFixed(2)} cpu ${row.ratio.cpu.toFixed(2)} p99 ${row.ratio.p99.toFixed(2)}` : ''),
    );
  }
}
writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify({ date: new Date().toISOString(), rounds, requests, results }, null, 2));
console.log('wrote bench/results.json');
