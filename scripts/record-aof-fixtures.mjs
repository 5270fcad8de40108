#!/usr/bin/env node
// Records appendonlydir directories written by a reference redis-server into
// test/fixtures/aof/<name>/, for test/aof.test.ts to load into respd without redis-server
// installed: one with an RDB base (aof-use-rdb-preamble yes), one with a commands base (no).
// Each holds data of every type, part in the base (written by BGREWRITEAOF) and part in the incr
// file after it, in two databases, and expected.json with DEBUG DIGEST and the key count.
//   node scripts/record-aof-fixtures.mjs [--server /usr/bin/redis-server]
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';

const bin = process.argv.includes('--server') ? process.argv[process.argv.indexOf('--server') + 1] : '/usr/bin/redis-server';
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'aof');
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));

async function record(name, preamble) {
  const dir = mkdtempSync(join(tmpdir(), 'aof-fixture-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(bin, ['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--aof-use-rdb-preamble', preamble, '--enable-debug-command', 'yes', '--appendfsync', 'always'], { stdio: 'ignore' });
  const exited = new Promise((res) => child.once('exit', res));
  // Wait for the server to listen before connecting.
  await new Promise((res, rej) => {
    let tries = 0;
    const poll = () => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), res()));
      s.once('error', () => (++tries > 100 ? rej(new Error('redis-server did not start')) : setTimeout(poll, 50)));
    };
    poll();
  });
  const r = new Redis({ port });
  // In the base (written by the rewrite below).
  await r.set('str', 'hello');
  await r.set('int', '12345');
  await r.set('binary', Buffer.from([0, 255, 13, 10, 128, 7]));
  // A deadline far ahead: the recorded files stay loadable with this key for decades.
  await r.set('volatile', 'v');
  await r.pexpireat('volatile', 4102444800000);
  await r.rpush('list', 'a', 'b', '1', '-5', 'x'.repeat(70));
  await r.rpush('biglist', ...range(300, (i) => `item${i}`));
  await r.sadd('intset', '3', '1', '2', '-70000');
  await r.sadd('bigset', ...range(200, (i) => `m${i}`));
  await r.zadd('zset', '1', 'a', '2.5', 'b', '-3', 'c', '1e20', 'd');
  // Scores with a short exact form: 7.0 prints and digests doubles with %.17g, 7.2 with the shortest form.
  await r.zadd('bigzset', ...range(300, (i) => [String(i / 4), `m${i}`]).flat());
  await r.hset('hash', 'f1', 'v1', 'f2', '22', 'f3', '');
  await r.hset('bighash', ...range(300, (i) => [`f${i}`, `v${i}`]).flat());
  await r.xadd('stream', '1-1', 'a', '1', 'b', '2');
  await r.xadd('stream', '2-0', 'a', '3');
  await r.xgroup('CREATE', 'stream', 'g', '0');
  await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await r.select(2);
  await r.set('db2', 'two');
  await r.select(0);
  await r.bgrewriteaof();
  for (let i = 0; i < 100; i++) {
    const info = await r.info('persistence');
    if (info.includes('aof_rewrite_in_progress:0') && !info.includes('aof_rewrite_scheduled:1')) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // In the incr file: plain commands, a transaction, a second database.
  await r.set('after', 'rewrite');
  await r.incr('counter');
  await r.lpush('list', 'head');
  await r.multi().set('tx1', '1').set('tx2', '2').exec();
  await r.select(2);
  await r.sadd('db2set', 'x', 'y');
  await r.select(0);
  await r.del('int');
  const digest = await r.call('DEBUG', 'DIGEST');
  const keys = await r.dbsize();
  const version = (await r.info('server')).match(/redis_version:(\S+)/)[1];
  r.disconnect();
  // SIGTERM: the AOF is flushed and fsynced, no RDB is written (no save points).
  child.kill('SIGTERM');
  await exited;
  rmSync(join(out, name), { recursive: true, force: true });
  cpSync(join(dir, 'appendonlydir'), join(out, name), { recursive: true });
  const manifest = readFileSync(join(out, name, 'appendonly.aof.manifest'), 'latin1');
  writeFileSync(join(out, name, 'expected.json'), JSON.stringify({ redis_version: version, digest, keys_db0: keys, manifest }, null, 1) + '\n');
  rmSync(dir, { recursive: true, force: true });
  console.log(`recorded ${name} from redis-server ${version}: ${manifest.trim().split('\n').join(', ')}`);
}

await record('rdb-base', 'yes');
await record('aof-base', 'no');
