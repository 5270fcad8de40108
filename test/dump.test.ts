// DUMP and RESTORE: payloads recorded from redis-server (test/fixtures/dump-payloads.json, made by
// scripts/record-dump-fixtures.mjs) RESTORE here into values with redis-server's digest; respd's
// own DUMP of the same values has the same body byte for byte where Redis 7.0 and 7.2 agree (7.2
// adds listpack sets and consumer active times to streams, and a big set's order is its hash
// table's); every type round-trips; and RESTORE's options and errors are Redis's.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.js';

interface Fixture {
  commands: (string | { hex: string })[][];
  payload: string;
  digest: string;
}
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/dump-payloads.json', import.meta.url), 'utf8')) as { redis_version: string; values: Record<string, Fixture> };
const server = await startServer({ 'enable-debug-command': 'yes' });
const redis = new Redis(server.port, '127.0.0.1');
afterAll(async () => {
  await redis.quit();
});

const arg = (a: string | { hex: string }): string | Buffer => (typeof a === 'string' ? a : Buffer.from(a.hex, 'hex'));
/** The payload without its 10-byte footer (RDB version and CRC-64). */
const body = (p: Buffer): string => p.subarray(0, p.length - 10).toString('hex');

describe(`payloads from redis-server ${fixtures.redis_version}`, () => {
  for (const [key, f] of Object.entries(fixtures.values)) {
    it(`${key}: RESTOREs with redis-server's digest, and DUMPs the same body`, async () => {
      await redis.del(key, `${key}:restored`);
      expect(await redis.restore(`${key}:restored`, 0, Buffer.from(f.payload, 'hex'))).toBe('OK');
      for (const c of f.commands) await redis.call(c[0] as string, ...c.slice(1).map(arg));
      const digest = await redis.call('DEBUG', 'DIGEST-VALUE', key);
      expect(await redis.call('DEBUG', 'DIGEST-VALUE', `${key}:restored`)).toEqual(digest);
      // 7.0 printed scores with %.17g in digests, 7.2 with the shortest form: only whole-ish
      // scores digest alike.
      if (key !== 'zsetsl') expect(digest).toEqual([f.digest]);
      const ours = await redis.dumpBuffer(key);
      const theirs = Buffer.from(f.payload, 'hex');
      if (key === 'bigset') {
        // A hash table's order is its own: same length, same members.
        expect(ours.length).toBe(theirs.length);
      } else if (key === 'stream') {
        // RDB_TYPE_STREAM_LISTPACKS_3 (21) in 7.2 adds each consumer's active time to 7.0's 19.
        expect(ours[0]).toBe(21);
        expect(theirs[0]).toBe(19);
      } else {
        expect(body(ours)).toBe(body(theirs));
      }
      // Redis 7.2's footer: RDB version 11, little endian.
      expect(ours.readUInt16LE(ours.length - 10)).toBe(11);
    });
  }
});

describe('round trips and options', () => {
  it('every type and encoding comes back with the same digest and encoding', async () => {
    await redis.flushall();
    await redis.set('s', 'x'.repeat(5000));
    await redis.rpush('l', ...Array.from({ length: 1000 }, (_, i) => `v${i}`));
    await redis.sadd('small', 'a', 'b');
    await redis.zadd('z', 1.5, 'a', -Infinity, 'b', Infinity, 'c');
    await redis.hset('h', 'f', 'v');
    await redis.xadd('x', '5-5', 'f', 'v');
    await redis.xgroup('CREATE', 'x', 'g', '0');
    await redis.xreadgroup('GROUP', 'g', 'c1', 'STREAMS', 'x', '>');
    for (const k of ['s', 'l', 'small', 'z', 'h', 'x']) {
      const p = await redis.dumpBuffer(k);
      await redis.restore(`${k}2`, 0, p);
      expect(await redis.call('DEBUG', 'DIGEST-VALUE', `${k}2`)).toEqual(await redis.call('DEBUG', 'DIGEST-VALUE', k));
      expect(await redis.call('OBJECT', 'ENCODING', `${k}2`)).toBe(await redis.call('OBJECT', 'ENCODING', k));
    }
    // The consumer group and its pending entry came along.
    expect(await redis.xpending('x2', 'g')).toEqual([1, '5-5', '5-5', [['c1', '1']]]);
    expect(await redis.dumpBuffer('missing')).toBeNull();
  });

  it('RESTORE: BUSYKEY, REPLACE, TTL and ABSTTL, IDLETIME, FREQ, and its errors', async () => {
    await redis.set('src', 'v');
    const p = await redis.dumpBuffer('src');
    await expect(redis.restore('src', 0, p)).rejects.toThrow('BUSYKEY Target key name already exists.');
    expect(await redis.restore('src', 0, p, 'REPLACE')).toBe('OK');
    expect(await redis.restore('ttl', 100000, p)).toBe('OK');
    const pttl = await redis.pttl('ttl');
    expect(pttl).toBeGreaterThan(90000);
    expect(pttl).toBeLessThanOrEqual(100000);
    const at = Date.now() + 500000;
    expect(await redis.restore('abs', at, p, 'ABSTTL')).toBe('OK');
    expect(await redis.call('PEXPIRETIME', 'abs')).toBe(at);
    // An absolute time already past: OK, and no key (the replaced one is deleted).
    expect(await redis.call('RESTORE', 'src', 1, p, 'ABSTTL', 'REPLACE')).toBe('OK');
    expect(await redis.exists('src')).toBe(0);
    expect(await redis.restore('idle', 0, p, 'IDLETIME', 1000)).toBe('OK');
    expect(await redis.object('IDLETIME', 'idle')).toBeGreaterThanOrEqual(1000);
    await expect(redis.restore('k', -1, p)).rejects.toThrow('Invalid TTL value, must be >= 0');
    await expect(redis.restore('k', 'x', p)).rejects.toThrow('value is not an integer or out of range');
    await expect(redis.restore('k', 0, p, 'IDLETIME', -1)).rejects.toThrow('Invalid IDLETIME value, must be >= 0');
    await expect(redis.restore('k', 0, p, 'FREQ', 256)).rejects.toThrow('Invalid FREQ value, must be >= 0 and <= 255');
    await expect(redis.restore('k', 0, p, 'IDLETIME', 1, 'FREQ', 1)).rejects.toThrow('syntax error');
    await expect(redis.call('RESTORE', 'k', 0, p, 'FOO')).rejects.toThrow('syntax error');
    const bad = Buffer.from(p);
    bad[1] ^= 0xff;
    await expect(redis.restore('k', 0, bad)).rejects.toThrow('DUMP payload version or checksum are wrong');
    await expect(redis.restore('k', 0, 'short')).rejects.toThrow('DUMP payload version or checksum are wrong');
    // A valid footer around a type Redis 7 never writes (a zipmap): bad data, nothing stored.
    const { crc64 } = await import('../src/util/crc64.js');
    const zipmap = Buffer.from([9, 0, 11, 0]);
    let crc = crc64(0n, zipmap);
    const footer = Buffer.alloc(8);
    for (let i = 0; i < 8; i++) {
      footer[i] = Number(crc & 0xffn);
      crc >>= 8n;
    }
    await expect(redis.restore('k', 0, Buffer.concat([zipmap, footer]))).rejects.toThrow('Bad data format');
    expect(await redis.exists('k')).toBe(0);
  });

  it('FREQ sets the LFU counter under an LFU policy', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    await redis.set('f', 'v');
    const p = await redis.dumpBuffer('f');
    expect(await redis.restore('freq', 0, p, 'FREQ', 100)).toBe('OK');
    expect(await redis.object('FREQ', 'freq')).toBe(100);
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
  });
});

describe('RESTORE-ASKING', () => {
  it('is RESTORE with the asking flag, as MIGRATE sends it to a node importing the slot', async () => {
    const s = await startServer();
    const r = new Redis(s.port, '127.0.0.1');
    await r.set('src', 'value');
    const payload = await r.dumpBuffer('src');
    expect(await r.call('RESTORE-ASKING', 'dst', '0', payload)).toBe('OK');
    expect(await r.get('dst')).toBe('value');
    await expect(r.call('RESTORE-ASKING', 'dst', '0', payload)).rejects.toThrow('BUSYKEY Target key name already exists.');
    const info = (await r.call('COMMAND', 'INFO', 'restore-asking')) as unknown[][];
    expect(info[0]!.slice(0, 3)).toEqual(['restore-asking', -4, ['write', 'denyoom', 'asking']]);
    r.disconnect();
  });
});
