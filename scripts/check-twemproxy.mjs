#!/usr/bin/env node
// twemproxy (Debian's nutcracker) in front of three respd instances: keys written and read
// through the proxy must each land on exactly one instance, every instance getting a share, and
// multi-key commands (MGET, DEL) the proxy splits must answer as one server would. Needs
// nutcracker (apt-get install nutcracker); not part of `npm test`.
// Usage: node scripts/check-twemproxy.mjs [keys, default 300]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enc, freePort, sleep } from './check-lib.mjs';

const nutcracker = ['nutcracker', '/usr/sbin/nutcracker'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
if (!nutcracker) {
  console.log("nutcracker is missing: install Debian's nutcracker (apt-get install nutcracker).");
  process.exit(0);
}
const KEYS = Number(process.argv[2] ?? 300);
const root = join(import.meta.dirname, '..');

/** A connection answering one command at a time (replies of simple shapes). */
async function open(port) {
  const s = connect(port, '127.0.0.1');
  await new Promise((r, j) => {
    s.once('connect', r);
    s.once('error', j);
  });
  let buf = '';
  s.on('data', (d) => (buf += d.toString('latin1')));
  const complete = (b) => {
    const end = (i) => {
      const nl = b.indexOf('\r\n', i);
      if (nl < 0) return -1;
      const t = b[i];
      if (t === '$') {
        const n = Number(b.slice(i + 1, nl));
        return n < 0 ? nl + 2 : b.length >= nl + 4 + n ? nl + 4 + n : -1;
      }
      if (t === '*') {
        let at = nl + 2;
        for (let k = Number(b.slice(i + 1, nl)); k > 0; k--) if ((at = end(at)) < 0) return -1;
        return at;
      }
      return nl + 2;
    };
    return end(0);
  };
  return {
    async call(...args) {
      buf = '';
      s.write(enc(args));
      for (let i = 0; i < 500 && complete(buf) < 0; i++) await sleep(5);
      return buf;
    },
    close: () => s.destroy(),
  };
}

const ports = [await freePort(), await freePort(), await freePort()];
const proxyPort = await freePort();
const statsPort = await freePort();
const servers = ports.map((p) => spawn(process.execPath, [join(root, 'dist', 'cli.js'), '--port', String(p), '--bind', '127.0.0.1', '--save', '',
  '--loglevel', 'warning'], { stdio: 'ignore' }));
const dir = mkdtempSync(join(tmpdir(), 'respd-twemproxy-'));
const conf = join(dir, 'nutcracker.yml');
writeFileSync(conf, `respd:
  listen: 127.0.0.1:${proxyPort}
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  servers:
${ports.map((p, i) => `   - 127.0.0.1:${p}:1 respd${i}`).join('\n')}
`);
let ok = true;
let proxy;
try {
  await sleep(800);
  proxy = spawn(nutcracker, ['-c', conf, '-s', String(statsPort), '-o', join(dir, 'nutcracker.log')], { stdio: 'ignore' });
  await sleep(500);
  const p = await open(proxyPort);
  for (let i = 0; i < KEYS; i++) {
    const r = await p.call('SET', `key:${i}`, `value:${i}`);
    if (r !== '+OK\r\n') throw new Error(`SET through the proxy answered ${JSON.stringify(r)}`);
  }
  for (let i = 0; i < KEYS; i += 37) {
    const r = await p.call('GET', `key:${i}`);
    if (r !== `$${`value:${i}`.length}\r\nvalue:${i}\r\n`) throw new Error(`GET key:${i} through the proxy answered ${JSON.stringify(r)}`);
  }
  // MGET across instances, split and merged by the proxy.
  const mget = await p.call('MGET', 'key:1', 'key:2', 'key:3', 'missing');
  const want = '*4\r\n$7\r\nvalue:1\r\n$7\r\nvalue:2\r\n$7\r\nvalue:3\r\n$-1\r\n';
  if (mget !== want) throw new Error(`MGET through the proxy answered ${JSON.stringify(mget)}`);
  // Where each key landed.
  const direct = await Promise.all(ports.map(open));
  const shares = [0, 0, 0];
  for (let i = 0; i < KEYS; i++) {
    const holders = [];
    for (let s = 0; s < 3; s++) if ((await direct[s].call('EXISTS', `key:${i}`)) === ':1\r\n') holders.push(s);
    if (holders.length !== 1) {
      ok = false;
      console.log(`key:${i} is on ${holders.length} instances`);
    } else shares[holders[0]]++;
  }
  console.log(`${KEYS} keys through nutcracker: ${shares.map((n, s) => `respd${s} ${n}`).join(', ')}`);
  if (shares.some((n) => n === 0)) {
    ok = false;
    console.log('an instance got no key');
  }
  const del = await p.call('DEL', 'key:1', 'key:2', 'key:3', 'missing');
  if (del !== ':3\r\n') {
    ok = false;
    console.log(`DEL through the proxy answered ${JSON.stringify(del)}`);
  }
  p.close();
  for (const d of direct) d.close();
  console.log(ok ? 'OK: every key on exactly one instance, multi-key commands merged' : 'FAIL');
} finally {
  proxy?.kill();
  for (const s of servers) s.kill();
  await sleep(200);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
