#!/usr/bin/env node
// Records what Debian's redis-server (7.0) answers to CLUSTER INFO, SLOTS, SHARDS, NODES and LINKS
// and INFO's cluster section as a node holding all 16384 slots, in RESP2 and RESP3, with its node
// id and ports masked (scenario-lib.mjs maskReply), into test/fixtures/cluster-replies.json.
// test/cluster.test.ts compares respd's masked replies with them. Each server announces 127.0.0.1:
// a node that met no peer knows no address of its own, where respd names the one its client
// connected to. The second one also announces a hostname and prefers it as the endpoint.
//   node scripts/record-cluster-fixtures.mjs [/usr/bin/redis-server]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterMasker, encode, maskReply, replyLength } from './scenario-lib.mjs';

const bin = process.argv[2] ?? '/usr/bin/redis-server';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The configurations recorded, by the name that prefixes their replies in the fixture file. */
export const CONFIGS = {
  '': [],
  'hostname ': ['--cluster-announce-hostname', 'node-a.example', '--cluster-preferred-endpoint-type', 'hostname'],
};

async function session(port) {
  for (let i = 0; i < 100; i++) {
    const sock = connect(port, '127.0.0.1');
    const ok = await new Promise((r) => {
      sock.once('connect', () => r(true));
      sock.once('error', () => r(false));
    });
    if (ok) return sock;
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

async function record(prefix, extra, out) {
  const dir = mkdtempSync(join(tmpdir(), 'cluster-fixtures-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--dir', dir, ...extra];
  const child = spawn(bin, args, { stdio: 'ignore' });
  const sock = await session(port);
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => (buf = Buffer.concat([buf, d])));
  async function send(...cmd) {
    sock.write(encode(cmd));
    for (let i = 0; i < 500; i++) {
      const n = replyLength(buf);
      if (n > 0) {
        const reply = buf.subarray(0, n).toString('latin1');
        buf = buf.subarray(n);
        return reply;
      }
      await sleep(2);
    }
    throw new Error(`no reply to ${cmd.join(' ')}`);
  }
  try {
    await send('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    for (let i = 0; i < 100 && !(await send('CLUSTER', 'INFO')).includes('cluster_state:ok'); i++) await sleep(50);
    const id = (await send('CLUSTER', 'MYID')).split('\r\n')[1];
    const mask = clusterMasker({ id, port, cport: port + 10000 });
    for (const proto of ['2', '3']) {
      await send('HELLO', proto);
      for (const cmd of [['CLUSTER', 'INFO'], ['CLUSTER', 'SLOTS'], ['CLUSTER', 'SHARDS'], ['CLUSTER', 'NODES'], ['CLUSTER', 'LINKS'], ['INFO', 'cluster']]) {
        out[`${prefix}RESP${proto} ${cmd.join(' ')}`] = maskReply(await send(...cmd), mask);
      }
    }
  } finally {
    sock.destroy();
    child.kill();
    await sleep(100);
    rmSync(dir, { recursive: true, force: true });
  }
}

const out = {};
for (const [prefix, extra] of Object.entries(CONFIGS)) await record(prefix, extra, out);
writeFileSync(new URL('../test/fixtures/cluster-replies.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(`recorded ${Object.keys(out).length} replies from ${bin}`);
