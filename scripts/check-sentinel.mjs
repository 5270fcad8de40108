#!/usr/bin/env node
// Redis Sentinel (Debian's redis-sentinel) over respd: a respd master with two respd replicas,
// three sentinels monitoring it. The sentinels must see the master and both replicas, and when the
// master is killed, promote one replica (ROLE master) and point the other at it; writes on the
// new master then reach the remaining replica. Needs redis-sentinel (apt-get install
// redis-sentinel); not part of `npm test`. Usage: node scripts/check-sentinel.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ask, freePort, sleep } from './check-lib.mjs';

const sentinelBin = ['redis-sentinel', '/usr/bin/redis-sentinel'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
if (!sentinelBin) {
  console.log("redis-sentinel is missing: install Debian's redis-sentinel (apt-get install redis-sentinel).");
  process.exit(0);
}
const root = join(import.meta.dirname, '..');

const dir = mkdtempSync(join(tmpdir(), 'respd-sentinel-'));
const [mPort, r1Port, r2Port] = [await freePort(), await freePort(), await freePort()];
const sPorts = [await freePort(), await freePort(), await freePort()];
const respd = (port, ...extra) => spawn(process.execPath, [join(root, 'dist', 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', '',
  '--loglevel', 'warning', '--dir', dir, ...extra], { stdio: 'ignore' });
const procs = [];
const master = respd(mPort);
procs.push(master);
await sleep(600);
procs.push(respd(r1Port, '--replicaof', '127.0.0.1', String(mPort), '--replica-priority', '100'));
procs.push(respd(r2Port, '--replicaof', '127.0.0.1', String(mPort), '--replica-priority', '50'));
for (const [i, p] of sPorts.entries()) {
  const conf = join(dir, `sentinel-${i}.conf`);
  writeFileSync(conf, [
    `port ${p}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor mymaster 127.0.0.1 ${mPort} 2`,
    'sentinel down-after-milliseconds mymaster 1000',
    'sentinel failover-timeout mymaster 10000',
    'sentinel parallel-syncs mymaster 1',
  ].join('\n') + '\n');
  procs.push(spawn(sentinelBin, [conf], { stdio: 'ignore' }));
}
let ok = true;
const check = (cond, what) => {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  if (!cond) ok = false;
};
try {
  await ask(mPort, 'SET', 'before', '1');
  // Sentinels find the replicas through INFO replication, and each other through hello messages.
  let replicas = '';
  for (let i = 0; i < 100; i++) {
    replicas = await ask(sPorts[0], 'SENTINEL', 'REPLICAS', 'mymaster');
    const sentinels = await ask(sPorts[0], 'SENTINEL', 'SENTINELS', 'mymaster');
    if ((replicas.match(/\r\nflags\r\n/g) ?? []).length === 2 && (sentinels.match(/\r\nflags\r\n/g) ?? []).length === 2) break;
    await sleep(200);
  }
  check((replicas.match(/\r\nflags\r\n/g) ?? []).length === 2, 'the sentinels see both replicas');
  check((await ask(r1Port, 'GET', 'before')).includes('$1\r\n1'), 'the replicas have the master\'s data');
  master.kill('SIGKILL');
  let promoted = 0;
  for (let i = 0; i < 150 && !promoted; i++) {
    await sleep(200);
    const addr = await ask(sPorts[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster');
    const m = /\$\d+\r\n(\d+)\r\n$/.exec(addr);
    if (m && Number(m[1]) !== mPort) promoted = Number(m[1]);
  }
  check(promoted === r1Port || promoted === r2Port, `failover: the sentinels promoted a replica (port ${promoted})`);
  if (promoted) {
    const other = promoted === r1Port ? r2Port : r1Port;
    let role = '';
    for (let i = 0; i < 100; i++) {
      role = await ask(promoted, 'ROLE');
      const otherRole = await ask(other, 'ROLE');
      if (role.includes('master') && otherRole.includes(String(promoted))) break;
      await sleep(200);
    }
    check(role.includes('$6\r\nmaster'), 'the promoted replica answers ROLE master');
    check((await ask(other, 'ROLE')).includes(String(promoted)), 'the other replica follows the new master');
    await ask(promoted, 'SET', 'after', '2');
    let got = '';
    for (let i = 0; i < 50 && !got.includes('$1\r\n2'); i++) {
      got = await ask(other, 'GET', 'after');
      await sleep(100);
    }
    check(got.includes('$1\r\n2'), 'writes on the new master reach the other replica');
  }
  console.log(ok ? 'OK: Sentinel failed a respd master over to a respd replica' : 'FAIL');
} finally {
  for (const p of procs) p.kill('SIGKILL');
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
