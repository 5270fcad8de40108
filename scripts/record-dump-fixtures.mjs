#!/usr/bin/env node
// Records DUMP payloads and DEBUG DIGEST-VALUE digests from a reference redis-server into
// test/fixtures/dump-payloads.json, for test/dump.test.ts to RESTORE into respd (and to compare
// respd's own DUMP bodies with) without redis-server installed. The server needs
// enable-debug-command; it is flushed first.
//   node scripts/record-dump-fixtures.mjs --port 6379
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';

const port = Number(process.argv[process.argv.indexOf('--port') + 1]);
const range = (n, f) => Array.from({ length: n }, (_, i) => f(i));
/** key -> the commands that build it. */
const VALUES = {
  str: [['SET', 'str', 'hello']],
  int: [['SET', 'int', '12345']],
  bigint: [['SET', 'bigint', '1234567890123']],
  neg: [['SET', 'neg', '-100']],
  long: [['SET', 'long', 'x'.repeat(100)]],
  binary: [['SET', 'binary', Buffer.from([0, 255, 13, 10, 128, 7])]],
  list: [['RPUSH', 'list', 'a', 'b', '1', '-5', 'x'.repeat(70)]],
  biglist: [['RPUSH', 'biglist', ...range(300, (i) => `item${i}`)]],
  intset: [['SADD', 'intset', '3', '1', '2', '-70000', '100000']],
  bigset: [['SADD', 'bigset', ...range(200, (i) => `m${i}`)]],
  zsetlp: [['ZADD', 'zsetlp', '1', 'a', '2.5', 'b', '-3', 'c', '1e20', 'd']],
  zsetsl: [['ZADD', 'zsetsl', ...range(300, (i) => [String(i / 3), `m${i}`]).flat()]],
  hashlp: [['HSET', 'hashlp', 'f1', 'v1', 'f2', '22', 'f3', '']],
  hashht: [['HSET', 'hashht', ...range(300, (i) => [`f${i}`, `v${i}`]).flat()]],
  stream: [
    ['XADD', 'stream', '1-1', 'a', '1', 'b', '2'], ['XADD', 'stream', '2-0', 'a', '3', 'b', '4'], ['XADD', 'stream', '3-0', 'c', '5'],
    ['XDEL', 'stream', '2-0'], ['XGROUP', 'CREATE', 'stream', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>'],
  ],
};

const r = new Redis({ port });
await r.flushall();
const out = {};
for (const [key, cmds] of Object.entries(VALUES)) {
  for (const c of cmds) await r.call(...c);
  const payload = await r.dumpBuffer(key);
  const digest = await r.call('DEBUG', 'DIGEST-VALUE', key);
  out[key] = { commands: cmds.map((c) => c.map((a) => (Buffer.isBuffer(a) ? { hex: a.toString('hex') } : a))), payload: payload.toString('hex'), digest: String(digest) };
}
const version = (await r.info('server')).match(/redis_version:(\S+)/)[1];
r.disconnect();
const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'dump-payloads.json');
writeFileSync(file, JSON.stringify({ redis_version: version, values: out }, null, 1));
console.log(`recorded ${Object.keys(out).length} payloads from redis-server ${version}`);
