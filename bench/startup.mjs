#!/usr/bin/env node
// Start-up time: spawn -> first PONG for `node dist/cli.js` (with the code cache stored by an
// earlier start, and without it), for `npx respd` and node_modules/.bin/respd from a package
// installed out of `npm pack`'s tarball, and for redis-server when installed; then
// createServer() -> first PONG inside this process, the first call and the following ones.
// Medians of 20 runs (--runs N), the cases taking turns so that a busy machine slows them
// alike, beside a bare Node process answering PING (the floor). --baseline DIR adds
// `node DIR/dist/cli.js` (another checkout, e.g. before a change).
// Run `npm run build` first: it measures dist/ as built.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const RUNS = Number(flag('--runs') ?? 20);
const baseline = flag('--baseline');
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'respd-startup-'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

/** One PING on a fresh connection: true on +PONG, false when the port refuses (not up yet). */
function pingOnce(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('PING\r\n'));
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) { s.destroy(); resolve(got.startsWith('+PONG')); }
    });
    s.on('error', () => { s.destroy(); resolve(false); });
  });
}

/** Retries every millisecond: a refused connect costs little beside a start-up. */
async function firstPong(port, child, deadlineMs = 15000) {
  const t0 = performance.now();
  while (performance.now() - t0 < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    if (await pingOnce(port)) return;
    await sleep(1);
  }
  throw new Error('no PONG within the deadline');
}

/**
 * The process's main thread time on a CPU so far, ms (Linux): steadier than wall time on a busy
 * machine. For npx it is npx's own process, not the server it starts.
 */
function cpuMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * Spawn -> first PONG in ms, and the main thread's CPU time then; `keepMs` keeps the server
 * running a while after (to store its code cache).
 */
async function startOnce(c, keepMs = 0) {
  // The free port can be taken by another process before the server binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(c, await freePort(), keepMs);
    } catch (e) {
      if (attempt === 3) throw new Error(`${c.label}: ${e.message}`);
    }
  }
}

async function startOn(c, port, keepMs) {
  const t0 = performance.now();
  const child = spawn(c.command[0], [...c.command.slice(1), ...c.args(port)], { stdio: 'ignore', cwd: c.cwd ?? root, env: { ...process.env, ...c.env } });
  try {
    await firstPong(port, child);
    const ms = performance.now() - t0;
    const cpu = cpuMs(child.pid);
    if (keepMs) await sleep(keepMs);
    return { ms, cpu };
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
  }
}

/** Every case `runs` times, taking turns. */
async function measure(cases, runs = RUNS) {
  const times = cases.map(() => []);
  const cpus = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (let j = 0; j < cases.length; j++) {
      const r = await startOnce(cases[j]);
      times[j].push(r.ms);
      cpus[j].push(r.cpu);
    }
  }
  return cases.map((c, j) => ({ label: c.label, median: median(times[j]), min: Math.min(...times[j]), max: Math.max(...times[j]), cpu: median(cpus[j]) }));
}

const respdArgs = (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning'];
const cacheEnv = (name) => ({ NODE_COMPILE_CACHE: join(scratch, name), NODE_DISABLE_COMPILE_CACHE: '' });

/**
 * A package installed the way a user gets it: `npm pack` of this tree, then `npm install` of
 * the tarball into an empty project, its dependencies from npm's cache (the registry only for
 * what the cache lacks; --ignore-scripts, so no compile). The tarball carries no binary
 * (prebuilds are made at publish time), so the addon built here is copied in where the loader
 * looks first, as a prebuild would be found.
 */
function installPackage() {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch, '--json'], { cwd: root, encoding: 'utf8' });
  const tarball = join(scratch, JSON.parse(out)[0].filename);
  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'startup-app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'ignore' });
  const pkg = join(app, 'node_modules', 'respd');
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  copyFileSync(join(root, 'build', 'Release', 'respd.node'), join(pkg, 'build', 'Release', 'respd.node'));
  return app;
}

/** The first start stores the code cache (kept up until the file is there); the rest use it. */
async function warmCache(c) {
  const first = await startOnce(c, 1500);
  const dir = c.env.NODE_COMPILE_CACHE;
  if (!existsSync(dir) || !readdirSync(dir).some((n) => n.endsWith('.bin'))) throw new Error(`${c.label}: no code cache was stored`);
  return first;
}

async function inProcess(runs = RUNS) {
  const t0 = performance.now();
  const { createServer } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  const importMs = performance.now() - t0;
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const t = performance.now();
    const h = await createServer({ port: 0 });
    while (!(await pingOnce(h.port))) await sleep(1);
    times.push(performance.now() - t);
    await h.close();
  }
  const rest = times.slice(1);
  return { importMs, first: times[0], median: median(rest), min: Math.min(...rest), max: Math.max(...rest) };
}

const fmt = (r) =>
  `${r.label.padEnd(44)} median ${r.median.toFixed(1).padStart(6)} ms  (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)})` +
  (Number.isNaN(r.cpu) ? '' : `  main thread on CPU ${r.cpu.toFixed(1)} ms`);

if (!existsSync(join(root, 'dist', 'cli.js')) || !existsSync(join(root, 'dist', 'bundle', 'cli.cjs'))) {
  console.error('dist/cli.js or dist/bundle/cli.cjs is missing: run `npm run build` first.');
  process.exit(1);
}
try {
  const cli = { label: 'node dist/cli.js', command: [process.execPath, join(root, 'dist', 'cli.js')], args: respdArgs, env: cacheEnv('cli') };
  const cases = [cli, { ...cli, label: 'node dist/cli.js, no code cache', env: { NODE_DISABLE_COMPILE_CACHE: '1' } }];
  if (baseline) cases.push({ label: `node ${resolve(baseline)}/dist/cli.js`, command: [process.execPath, join(resolve(baseline), 'dist', 'cli.js')], args: respdArgs, env: {} });
  let app;
  try {
    app = installPackage();
  } catch (e) {
    console.log(`installed package: not measured, npm pack / npm install failed (${e.message.split('\n')[0]})`);
  }
  if (app) {
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const env = cacheEnv('installed');
    cases.push({ label: 'npx respd (installed package)', command: [npx, '--no-install', 'respd'], args: respdArgs, cwd: app, env });
    cases.push({ label: 'node_modules/.bin/respd (installed package)', command: [join(app, 'node_modules', '.bin', 'respd')], args: respdArgs, cwd: app, env });
  }
  // The floor: Node starting and answering PING with node:net, nothing else.
  const bare = "require('node:net').createServer((s) => s.on('data', () => s.write('+PONG\\r\\n'))).listen(Number(process.argv.at(-1)), '127.0.0.1')";
  cases.push({ label: 'bare node answering PING (node:net)', command: [process.execPath, '-e', bare], args: (port) => [String(port)], env: {} });
  if (hasRedis) cases.push({ label: 'redis-server', command: ['redis-server'], args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], env: {} });

  console.log(`spawn -> first PONG (node ${process.version}, ${RUNS} runs each, taking turns)`);
  const first = await warmCache(cli);
  console.log(`${'node dist/cli.js, first start (stores the cache)'.padEnd(44)} ${first.ms.toFixed(1).padStart(13)} ms`);
  for (const c of cases) if (c !== cli && c.env?.NODE_COMPILE_CACHE) await warmCache(c);
  for (const r of await measure(cases)) console.log(fmt(r));
  if (!hasRedis) console.log('redis-server: not measured, it is not installed (apt-get install redis-server)');

  const ip = await inProcess();
  console.log(`\nin this process: import of dist/index.js ${ip.importMs.toFixed(1)} ms`);
  console.log(`createServer() -> first PONG: first ${ip.first.toFixed(1)} ms, then median ${ip.median.toFixed(1)} ms (min ${ip.min.toFixed(1)}, max ${ip.max.toFixed(1)})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
