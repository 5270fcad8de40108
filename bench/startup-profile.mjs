#!/usr/bin/env node
// Where start-up goes. Part 1 runs `node --cpu-prof dist/cli.js` until its first PONG and sums
// the samples by kind (Node's own bootstrap, module resolution and loading, compiling, garbage
// collection, the addon, respd's own code, idle); the profiler slows compiling and loading, so
// read it for proportions. Part 2 repeats the CLI's steps from the unbundled dist/ modules with a
// timestamp around each; part 3 times the bundle's steps as src/cli.ts takes them (read, compile
// from the code cache, run up to "Ready to accept connections"). Medians of --runs N processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argRuns = process.argv.indexOf('--runs');
const RUNS = argRuns > 0 ? Number(process.argv[argRuns + 1]) : 9;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const freePort = () => new Promise((resolve) => {
  const s = netServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const ping = (port) => new Promise((resolve) => {
  const s = connect(port, '127.0.0.1', () => s.write('PING\r\n'));
  s.on('data', () => { s.destroy(); resolve(true); });
  s.on('error', () => { s.destroy(); resolve(false); });
});

/** The kind of work a profile node is, from its function and script. */
function kindOf(frame) {
  const { url, functionName: fn } = frame;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)') return 'idle (waiting: the first connection, I/O)';
  if (fn === '(program)') return 'V8/Node native, not attributed';
  if (fn === 'compileSourceTextModule' || fn === 'wrapSafe' || (url === 'node:vm' && fn === 'Script') || fn === 'compileFunction') return 'compiling JavaScript';
  if (fn === 'dlopen' || url.includes('node-gyp-build')) return 'loading the addon';
  if (url.includes('luaparse')) return 'luaparse';
  if (url.startsWith('node:internal/modules') || url === 'node:internal/url' || url === 'node:path' || url === 'node:internal/fs/promises'
    || ['openFileHandle', 'fstat', 'read', 'close', 'internalModuleStat', 'readFileUtf8', 'realpath'].includes(fn)) return 'module resolution and loading';
  if (url.startsWith('node:internal/bootstrap') || url.startsWith('node:internal/process') || url.startsWith('node:internal/main')
    || url === 'node:internal/per_context/primordials') return 'Node bootstrap';
  if (url.startsWith('file://') && url.includes('/dist/')) return 'respd code (dist/)';
  if (url.startsWith('node:')) return 'Node built-in modules';
  return 'other';
}

async function profileOnce(dir, cli) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '50', '--cpu-prof-dir', dir, cli, '--port', String(port), '--save', '', '--loglevel', 'warning'], { stdio: 'ignore' });
  while (!(await ping(port))) await sleep(1);
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
}

function summarize(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const sums = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const k = kindOf(nodes.get(p.samples[i]).callFrame);
    sums.set(k, (sums.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return sums;
}

const cli = join(root, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'respd-prof-'));
const all = [];
try {
  for (let i = 0; i < RUNS; i++) {
    await profileOnce(dir, cli);
    const f = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
    all.push(summarize(join(dir, f)));
    rmSync(join(dir, f));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const kinds = [...new Set(all.flatMap((m) => [...m.keys()]))];
const rows = kinds.map((k) => [k, median(all.map((m) => m.get(k) ?? 0))]).sort((a, b) => b[1] - a[1]);
console.log(`node --cpu-prof dist/cli.js -> first PONG, ms by kind (median of ${RUNS})`);
for (const [k, v] of rows) console.log(`  ${v.toFixed(1).padStart(6)}  ${k}`);
console.log(`  ${median(all.map((m) => [...m.values()].reduce((a, b) => a + b, 0))).toFixed(1).padStart(6)}  total`);

// Part 2: the CLI's steps, timed in a fresh process each (module caches cold).
const phaseScript = `
const t = [['start', performance.now()]];
const mark = (n) => t.push([n, performance.now()]);
const dist = ${JSON.stringify(pathToFileURL(join(root, 'dist')).href)};
const { buildCommandTable } = await import(dist + '/commands/index.js'); mark('import commands/ (the families)');
const { loadConfig } = await import(dist + '/config/load.js'); mark('import config/');
const { Logger } = await import(dist + '/util/log.js');
const { logBanner, logStarting } = await import(dist + '/server/banner.js');
const { Server } = await import(dist + '/server/server.js'); mark('import server/ and the rest');
const { loadBinding } = await import(dist + '/engine/native.js');
loadBinding(); mark('load the addon');
const commands = buildCommandTable(); mark('build the command table (CLI, for rename-command)');
const r = loadConfig(['--port', '0', '--bind', '127.0.0.1', '--save', ''], undefined, { isCommand: (n) => commands.get(n.toLowerCase()) !== undefined }); mark('load the config (defaults + flags)');
const log = new Logger(); log.setLevel('warning');
logStarting(log, ''); mark('log start');
const server = new Server({ config: r.config, logger: log }); mark('new Server (command table again, ACL, parts)');
server.start(); mark('server.start (engine, listeners, cron)');
logBanner(log, { showLogo: false, port: server.tcpPortBound }); server.persistence.loadOrThrow(); mark('banner, persistence');
server.close();
const out = []; for (let i = 1; i < t.length; i++) out.push([t[i][0], t[i][1] - t[i - 1][1]]);
out.unshift(['Node start -> first line of the script', t[0][1]]);
process.stderr.write("@@" + JSON.stringify(out));
`;
const phaseRuns = [];
for (let i = 0; i < RUNS; i++) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', phaseScript], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(r.stderr);
  phaseRuns.push(JSON.parse(r.stderr.slice(r.stderr.indexOf("@@") + 2)));
}
console.log(`\nthe CLI's steps from the unbundled dist/ modules, ms (median of ${RUNS})`);
for (let j = 0; j < phaseRuns[0].length; j++) console.log(`  ${median(phaseRuns.map((p) => p[j][1])).toFixed(1).padStart(6)}  ${phaseRuns[0][j][0]}`);

// Part 3: the bundle as src/cli.ts runs it, its code cache stored by a first run.
const bundleScript = `
const t = [['start', performance.now()]];
const mark = (n) => t.push([n, performance.now()]);
const { readFileSync, writeFileSync } = await import('node:fs');
const { Script } = await import('node:vm');
const { createRequire } = await import('node:module');
const file = ${JSON.stringify(join(root, 'dist', 'bundle', 'cli.cjs'))};
const cacheFile = process.env.BENCH_CACHE;
const source = readFileSync(file, 'utf8'); mark('read the bundle');
let data; try { data = readFileSync(cacheFile); } catch {}
mark('read the code cache');
const script = new Script('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', { filename: file, cachedData: data });
mark('compile (from the code cache)');
const fn = script.runInThisContext();
const mod = { exports: {} };
process.argv = [process.argv[0], file, '--port', '0', '--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning'];
fn.call(mod.exports, mod.exports, createRequire(file), mod, file, ${JSON.stringify(join(root, 'dist', 'bundle'))});
mark('run: top level and main() up to Ready');
if (!data || script.cachedDataRejected) { setTimeout(() => { writeFileSync(cacheFile, script.createCachedData()); process.exit(0); }, 500); }
const out = []; for (let i = 1; i < t.length; i++) out.push([t[i][0], t[i][1] - t[i - 1][1]]);
out.unshift(['Node start -> first line of the script', t[0][1]]);
process.stderr.write('@@' + JSON.stringify(out));
if (data && !script.cachedDataRejected) process.exit(0);
`;
const cacheDir = mkdtempSync(join(tmpdir(), 'respd-prof-cache-'));
const bundleRuns = [];
try {
  for (let i = 0; i <= RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', bundleScript], { encoding: 'utf8', cwd: root, env: { ...process.env, BENCH_CACHE: join(cacheDir, 'cache.bin') } });
    if (r.status !== 0) throw new Error(r.stderr);
    if (i > 0) bundleRuns.push(JSON.parse(r.stderr.slice(r.stderr.indexOf('@@') + 2)));
  }
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
console.log(`\nthe bundle's steps, code cache stored by a first run, ms (median of ${RUNS})`);
for (let j = 0; j < bundleRuns[0].length; j++) console.log(`  ${median(bundleRuns.map((p) => p[j][1])).toFixed(1).padStart(6)}  ${bundleRuns[0][j][0]}`);
