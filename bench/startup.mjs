#!/usr/bin/env node
// Start-up time: spawn -> first PONG for `node dist/cli.js`, for `npx respd` from a package
// installed out of `npm pack`'s tarball, and for redis-server when installed; then
// createServer() -> first PONG inside this process, the first call and the following ones.
// Medians of 20 runs (--runs N). Run `npm run build` first: it measures dist/ as built.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 20;
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

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

/** Retries every millisecond: the connect attempts themselves cost little beside a start-up. */
async function firstPong(port, child, deadlineMs = 10000) {
  const t0 = performance.now();
  while (performance.now() - t0 < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before answering`);
    if (await pingOnce(port)) return;
    await sleep(1);
  }
  throw new Error('no PONG within the deadline');
}

/** Spawn -> first PONG in ms, `runs` times, each server killed before the next starts. */
async function spawnToPong(label, command, argsFor, cwd = root, runs = RUNS) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const child = spawn(command[0], [...command.slice(1), ...argsFor(port)], { stdio: 'ignore', cwd });
    try {
      await firstPong(port, child);
      times.push(performance.now() - t0);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    }
  }
  return { label, median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

const respdArgs = (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning'];

/**
 * A package installed the way a user gets it: `npm pack` of this tree, then `npm install` of
 * the tarball into an empty project, its dependencies from npm's cache (the registry only for
 * what the cache lacks; --ignore-scripts, so no compile). The tarball
 * carries no binary (prebuilds are made at publish time), so the addon built here is copied in
 * where node-gyp-build looks first, as a prebuild would be found.
 */
function installPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'respd-startup-'));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: root, encoding: 'utf8' });
  const tarball = join(dir, JSON.parse(out)[0].filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'startup-app', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'ignore' });
  const pkg = join(app, 'node_modules', 'respd');
  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  copyFileSync(join(root, 'build', 'Release', 'respd.node'), join(pkg, 'build', 'Release', 'respd.node'));
  return { dir, app };
}

async function inProcess(runs = RUNS) {
  const t0 = performance.now();
  const { createServer } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
  const importMs = performance.now() - t0;
  const times = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const h = await createServer({ port: 0 });
    while (!(await pingOnce(h.port))) await sleep(1);
    times.push(performance.now() - t0);
    await h.close();
  }
  return { importMs, first: times[0], median: median(times.slice(1)), min: Math.min(...times.slice(1)), max: Math.max(...times.slice(1)) };
}

const fmt = (r) => `${r.label.padEnd(34)} median ${r.median.toFixed(1).padStart(6)} ms  (min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)})`;

if (!existsSync(join(root, 'dist', 'cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first.');
  process.exit(1);
}
console.log(`spawn -> first PONG, median of ${RUNS} (node ${process.version})`);
console.log(fmt(await spawnToPong('node dist/cli.js', [process.execPath, join(root, 'dist', 'cli.js')], respdArgs)));

let installed;
try {
  installed = installPackage();
} catch (e) {
  console.log(`npx respd (installed package)     not measured: npm pack / offline install failed (${e.message.split('\n')[0]})`);
}
if (installed) {
  try {
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    console.log(fmt(await spawnToPong('npx respd (installed package)', [npx, '--no-install', 'respd'], respdArgs)));
    const bin = join(installed.app, 'node_modules', '.bin', 'respd');
    console.log(fmt(await spawnToPong('node_modules/.bin/respd', [bin], respdArgs, installed.app)));
  } finally {
    rmSync(installed.dir, { recursive: true, force: true });
  }
}

if (hasRedis) {
  console.log(fmt(await spawnToPong('redis-server', ['redis-server'], (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'])));
} else {
  console.log('redis-server                       not measured: redis-server is not installed (apt-get install redis-server)');
}

const ip = await inProcess();
console.log(`import('respd')                    ${ip.importMs.toFixed(1)} ms`);
console.log(`createServer() -> first PONG       first ${ip.first.toFixed(1)} ms, then median ${ip.median.toFixed(1)} ms (min ${ip.min.toFixed(1)}, max ${ip.max.toFixed(1)})`);
