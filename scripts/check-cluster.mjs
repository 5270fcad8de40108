#!/usr/bin/env node
// Three respd nodes as one static cluster (nodes.conf written by cluster-conf.mjs) driven by
// Debian's redis-cli: `--cluster check` agrees on the map, keys written with `redis-cli -c` land
// by slot, and `--cluster reshard` moves slots (IMPORTING, MIGRATING, GETKEYSINSLOT, MIGRATE,
// SETSLOT NODE on every master) while another redis-cli -c keeps incrementing counters in them;
// afterwards every key reads back and no increment is lost. Needs redis-cli (apt-get install
// redis-tools) and a built dist/; not part of `npm test`.
// Usage: node scripts/check-cluster.mjs [keys, default 2000] [slots to move, default 1000]
// (DEBUG_CHECK=1 prints redis-cli's reshard and check output.)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, freePort, sleep } from './check-lib.mjs';
import { planCluster, writeCluster } from './cluster-conf.mjs';

if (spawnSync('sh', ['-c', 'command -v redis-cli']).status !== 0) {
  console.log("redis-cli is missing: install Debian's redis-tools (apt-get install redis-tools).");
  process.exit(0);
}
const KEYS = Number(process.argv[2] ?? 2000);
const MOVE = Number(process.argv[3] ?? 1000);
const ROUNDS = 3;
const root = join(import.meta.dirname, '..');

/** redis-cli with `args`, `input` on its stdin; its output. */
function cli(args, input = '') {
  return new Promise((resolve) => {
    const p = spawn('redis-cli', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out }));
    p.stdin.end(input);
  });
}

const lines = (n, f) => Array.from({ length: n }, (_, i) => f(i + 1)).join('\n') + '\n';
/** redis-cli -c output without its "-> Redirected" notes. */
const answers = (out) => out.split('\n').filter((l) => l !== '' && !l.startsWith('->'));

const ports = [];
while (ports.length < 3) {
  const p = await freePort();
  if (!ports.includes(p)) ports.push(p);
}
const dir = mkdtempSync(join(tmpdir(), 'respd-cluster-check-'));
const plan = planCluster(ports.map((p) => `127.0.0.1:${p}`));
const dirs = writeCluster(dir, plan);
const servers = plan.map((p, i) => spawn(process.execPath, [join(root, 'dist', 'cli.js'), '--port', String(p.port), '--bind', '127.0.0.1', '--save', '', '--cluster-enabled', 'yes', '--dir', dirs[i]], { stdio: 'ignore' }));
let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed = true;
};
try {
  for (const p of ports) for (let i = 0; i < 200 && (await ask(p, 'PING')) !== '+PONG\r\n'; i++) await sleep(25);
  const first = await cli(['--cluster', 'check', `127.0.0.1:${ports[0]}`]);
  check(first.out.includes('[OK] All nodes agree about slots configuration.') && first.out.includes('[OK] All 16384 slots covered.'), 'redis-cli --cluster check: nodes agree, all slots covered');

  await cli(['-c', '-p', String(ports[0])], lines(KEYS, (i) => `SET key:${i} v${i}`));
  const sizes = await Promise.all(ports.map(async (p) => Number((await ask(p, 'DBSIZE')).slice(1))));
  check(sizes.every((s) => s > 0) && sizes.reduce((a, b) => a + b, 0) === KEYS, `${KEYS} keys spread by slot: ${sizes.join(' / ')}`);

  // The reshard and a stream of INCRs through another node at the same time.
  const counters = lines(ROUNDS * KEYS, (i) => `INCR cnt:${((i - 1) % KEYS) + 1}`);
  const [reshard, incr] = await Promise.all([
    cli(['--cluster', 'reshard', `127.0.0.1:${ports[0]}`, '--cluster-from', plan[0].id, '--cluster-to', plan[2].id, '--cluster-slots', String(MOVE), '--cluster-yes']),
    cli(['-c', '-p', String(ports[1])], counters),
  ]);
  if (process.env.DEBUG_CHECK) console.log(reshard.out.split('\n').filter((l) => !l.startsWith('Moving slot')).join('\n'));
  check(reshard.code === 0 && !/ERR|\[ERR/.test(reshard.out), `redis-cli --cluster reshard moved ${MOVE} slots from node 1 to node 3`);
  check(answers(incr.out).every((l) => /^\d+$/.test(l)), `${ROUNDS * KEYS} INCRs during the reshard all answered`);

  const after = await cli(['--cluster', 'check', `127.0.0.1:${ports[1]}`]);
  if (process.env.DEBUG_CHECK) console.log(after.out);
  check(after.out.includes('[OK] All nodes agree about slots configuration.') && after.out.includes('[OK] All 16384 slots covered.') && !after.out.includes('[WARNING]'), 'after: nodes agree, all slots covered, no open slot');
  check(after.out.includes(`slots:[${MOVE}-${plan[0].last}]`), `after: node 1 serves ${MOVE}-${plan[0].last}`);
  const got = answers((await cli(['-c', '-p', String(ports[2])], lines(KEYS, (i) => `GET key:${i}`))).out);
  check(got.length === KEYS && got.every((v, i) => v === `v${i + 1}`), `all ${KEYS} keys read back`);
  const cnt = answers((await cli(['-c', '-p', String(ports[0])], lines(KEYS, (i) => `GET cnt:${i}`))).out);
  check(cnt.length === KEYS && cnt.every((v) => v === String(ROUNDS)), `every counter is ${ROUNDS}: no increment lost`);
} finally {
  for (const s of servers) s.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
