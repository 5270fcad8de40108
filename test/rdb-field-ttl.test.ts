// Hash field deadlines (Redis 7.4) through DUMP/RESTORE and RDB files. Only redis-server 7.0 is
// installed here, so the expected payloads are built by hand byte by byte, following 7.4.1's
// rdbSaveObjectType/rdbSaveObject (rdb.c) and its listpack layout: RDB_TYPE_HASH_LISTPACK_EX (25)
// and RDB_TYPE_HASH_METADATA (24) with the 7.4 footer version 12, and the release candidates'
// 22/23. The payloads respd must refuse are real ones, made by a 7.4 server and quoted in 7.4.1's
// tests/integration/corrupt-dump.tcl. Files with field deadlines are written as version 12.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { crc64 } from '../src/util/crc64.js';
import { startServer, tempDirs, until } from './helpers.js';

const server = await startServer({ 'enable-debug-command': 'yes' });
const redis = new Redis(server.port, '127.0.0.1');
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  await redis.flushall();
  await redis.config('SET', 'rdbcompression', 'no');
  await redis.config('SET', 'hash-max-listpack-entries', '512');
});

/** A DUMP payload: body, RDB version (2 bytes LE), CRC-64 (8 bytes LE) of both (createDumpPayload). */
function payload(bodyHex: string, version: number): Buffer {
  const body = Buffer.from(bodyHex.replace(/\s+/g, ''), 'hex');
  const head = Buffer.concat([body, Buffer.from([version & 0xff, version >> 8])]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64(0n, head), 0);
  return Buffer.concat([head, crc]);
}
const tcl = (s: string): Buffer => Buffer.from(s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\t/g, '\t'), 'latin1');

const A = 2524600800000; // 2050-01-01, hexpireat 2524600800 as in hash-field-expire.tcl
const B = 2524600801000;

// HSET h a 1 b 2 c 3, HPEXPIREAT a at A and b at B, as 7.4.1 DUMPs it (rdbcompression no):
const LISTPACK_EX =
  '19' + //                                 RDB_TYPE_HASH_LISTPACK_EX
  '0013efcd4b020000' + //                   hashTypeGetMinExpire: A, 8 bytes LE (rdbSaveMillisecondTime)
  '2c' + //                                 rdbSaveRawString: 44 bytes, 6-bit length
  '2c000000 0900' + //                      listpack: total bytes, 9 elements
  '816102 0101 f40013efcd4b02000009' + //   "a", 1, A (64-bit integer, backlen 9)
  '816202 0201 f4e816efcd4b02000009' + //   "b", 2, B
  '816302 0301 0001' + //                   "c", 3, 0 (HASH_LP_NO_TTL)
  'ff';

describe('DUMP and RESTORE of a hash with field deadlines', () => {
  it('a listpackex DUMPs as type 25 with footer version 12, byte for byte as 7.4.1 writes it', async () => {
    await redis.hset('h', 'a', '1', 'b', '2', 'c', '3');
    await redis.call('HPEXPIREAT', 'h', String(B), 'FIELDS', '1', 'b');
    await redis.call('HPEXPIREAT', 'h', String(A), 'FIELDS', '1', 'a');
    const dump = await redis.dumpBuffer('h');
    expect(dump.toString('hex')).toBe(payload(LISTPACK_EX, 12).toString('hex'));
    // DEBUG OBJECT's serializedlength is the body without its type byte.
    expect(await redis.call('DEBUG', 'OBJECT', 'h')).toMatch(/ serializedlength:53 /);
  });

  it('RESTORE of that payload keeps the deadlines, the encoding and the listpackex order (hash-field-expire.tcl)', async () => {
    expect(await redis.restore('h', 0, payload(LISTPACK_EX, 12))).toBe('OK');
    expect(await redis.call('HEXPIRETIME', 'h', 'FIELDS', '3', 'a', 'b', 'c')).toEqual([2524600800, 2524600801, -1]);
    expect(await redis.call('OBJECT', 'ENCODING', 'h')).toBe('listpackex');
    expect(await redis.hgetall('h')).toEqual({ a: '1', b: '2', c: '3' });
    expect(await redis.call('HKEYS', 'h')).toEqual(['a', 'b', 'c']);
    // And it DUMPs back the same.
    expect((await redis.dumpBuffer('h')).toString('hex')).toBe(payload(LISTPACK_EX, 12).toString('hex'));
    expect(await redis.info('keyspace')).toMatch(/db0:keys=1,expires=0,avg_ttl=0,subexpiry=1\r\n/);
  });

  it('a listpackex whose deadlines are all gone is still type 25, with 0 for its earliest deadline', async () => {
    await redis.hset('h', 'a', '1', 'b', '2', 'c', '3');
    await redis.call('HEXPIRE', 'h', '9999999', 'FIELDS', '1', 'a');
    await redis.call('HPERSIST', 'h', 'FIELDS', '1', 'a');
    const dump = await redis.dumpBuffer('h');
    // "a" went to the end when its deadline was dropped (listpackExPersist moves it).
    const body = '19 0000000000000000 1c 1c000000 0900 816202 0201 0001 816302 0301 0001 816102 0101 0001 ff';
    expect(dump.toString('hex')).toBe(payload(body, 12).toString('hex'));
    await redis.del('h');
    expect(await redis.restore('h', 0, dump)).toBe('OK');
    expect(await redis.call('HEXPIRETIME', 'h', 'FIELDS', '3', 'a', 'b', 'c')).toEqual([-1, -1, -1]);
    expect(await redis.call('OBJECT', 'ENCODING', 'h')).toBe('listpackex');
  });

  it('a hashtable with a deadline DUMPs as type 24: earliest deadline, then per field its deadline - min + 1, or 0', async () => {
    await redis.config('SET', 'hash-max-listpack-entries', '0');
    await redis.hset('h', 'a', '1', 'b', '2');
    await redis.call('HPEXPIREAT', 'h', String(B), 'FIELDS', '1', 'b');
    expect(await redis.call('OBJECT', 'ENCODING', 'h')).toBe('hashtable');
    const body = '18 e816efcd4b020000 02 00 0161 c001 01 0162 c002';
    expect((await redis.dumpBuffer('h')).toString('hex')).toBe(payload(body, 12).toString('hex'));
    // Without a deadline it is 7.2's type 4 with 7.2's footer.
    await redis.hset('plain', 'a', '1');
    const plain = await redis.dumpBuffer('plain');
    expect(plain[0]).toBe(4);
    expect(plain.readUInt16LE(plain.length - 10)).toBe(11);
  });

  it('RESTORE reads type 24 with relative deadlines into a listpackex or a hashtable, as the limits say', async () => {
    // min A; p at A (1), q at A + 1000 (1001: 14-bit length), r none.
    const body = '18 0013efcd4b020000 03 01 0170 c001 43e9 0171 c002 00 0172 c003';
    expect(await redis.restore('h', 0, payload(body, 12))).toBe('OK');
    expect(await redis.call('HPEXPIRETIME', 'h', 'FIELDS', '3', 'p', 'q', 'r')).toEqual([A, A + 1000, -1]);
    expect(await redis.call('OBJECT', 'ENCODING', 'h')).toBe('listpackex');
    await redis.config('SET', 'hash-max-listpack-entries', '2');
    expect(await redis.restore('h2', 0, payload(body, 12))).toBe('OK');
    expect(await redis.call('OBJECT', 'ENCODING', 'h2')).toBe('hashtable');
    expect(await redis.call('HPEXPIRETIME', 'h2', 'FIELDS', '3', 'p', 'q', 'r')).toEqual([A, A + 1000, -1]);
  });

  it("reads the 7.4 release candidates' 22 (absolute deadlines) and 23 (no leading deadline)", async () => {
    const t22 = '16 02 81 0000024bcdef1300 0170 c001 00 0171 c002';
    expect(await redis.restore('h22', 0, payload(t22, 12))).toBe('OK');
    expect(await redis.call('HPEXPIRETIME', 'h22', 'FIELDS', '2', 'p', 'q')).toEqual([A, -1]);
    const t23 = LISTPACK_EX.slice(2 + 16); // type 25 without its type byte and leading deadline
    expect(await redis.restore('h23', 0, payload('17' + t23, 12))).toBe('OK');
    expect(await redis.call('HPEXPIRETIME', 'h23', 'FIELDS', '3', 'a', 'b', 'c')).toEqual([A, B, -1]);
  });

  it('deadlines already past come back and the field expiry deletes them', async () => {
    const past = Date.now() - 1000;
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(BigInt(past), 0);
    const body = `18 ${le.toString('hex')} 02 01 0170 c001 00 0171 c002`;
    expect(await redis.restore('h', 0, payload(body, 12))).toBe('OK');
    expect(await redis.call('HKEYS', 'h')).toEqual(['q']);
    expect(await until(() => redis.hlen('h'), (n) => n === 1)).toBe(1);
  });

  // The payloads 7.4.1's corrupt-dump.tcl sends with sanitize-dump-payload yes; respd always checks.
  const corrupt: [string, string][] = [
    ['hash listpackex with invalid string TTL', String.raw`\x17\x2d\x2d\x00\x00\x00\x09\x00\x81\x61\x02\x01\x01\xf4\xa6\x96\x18\xb8\x8f\x01\x00\x00\x09\x82\x66\x31\x03\x82\x76\x31\x03\x83\x66\x6f\x6f\x04\x82\x66\x32\x03\x82\x76\x32\x03\x00\x01\xff\x0c\x00\xde\x40\xe5\x37\x51\x1c\x12\x56`],
    ['hash listpackex with TTL large than EB_EXPIRE_TIME_MAX', String.raw`\x17\x33\x33\x00\x00\x00\x09\x00\x00\x01\x00\x01\xf4\x01\xc5\x89\x95\x8f\x01\x00\x00\x09\x01\x01\x82\x5f\x31\x03\xf4\x29\x94\x97\x95\x8f\x01\x00\x00\x09\x02\x01\x02\x01\xf4\x01\x5e\xaf\x95\x8f\x01\x33\x00\x09\xff\x0c\x00\x7e\x4f\xf4\x33\xe9\xc5\x3e\x56`],
    ['hash listpackex with unordered TTL fields', String.raw`\x17\xc3\x30\x35\x14\x35\x00\x00\x00\t\x00\x82\x66\x32\x03\x82\x76\x32\x03\xf4\x80\x73\x16\xd1\x8f\x01\x20\x12\x02\x82\x66\x31\x20\x11\x03\x31\x03\xf4\x7f\xe0\x01\x11\x00\x33\x20\x11\x04\x33\x03\x00\x01\xff\x0c\x00\xf6\x70\x29\x57\x11\x68\x9d\xe5`],
    ['hash listpackex field without TTL should not be followed by field with TTL', String.raw`\x17\x2d\x2d\x00\x00\x00\x09\x00\x82\x66\x31\x03\x82\x76\x31\x03\x00\x01\x82\x66\x32\x03\x82\x76\x32\x03\xf4\xe0\x59\x7a\x96\x00\x00\x00\x00\x09\x82\x66\x33\x03\x82\x76\x33\x03\x00\x01\xff\x0c\x00\x42\x66\xd4\xbe\x17\xc3\x96\x72`],
    ['hash hashtable with TTL large than EB_EXPIRE_TIME_MAX', String.raw`\x16\x02\x81\x00\x01\x00\x00\x00\x00\x00\x00\x02\x66\x31\x02\x76\x31\x81\x00\x01\x00\x00\x00\x00\x00\x00\x02\x66\x32\x02\x76\x32\x0c\x00\xb9\x3c\x65\x28\x40\x94\x58\x36`],
  ];
  for (const [name, p] of corrupt) {
    it(`corrupt payload: ${name}`, async () => {
      await expect(redis.restore('key', 0, tcl(p), 'REPLACE')).rejects.toThrow('Bad data format');
      expect(await redis.exists('key')).toBe(0);
    });
  }

  it('any payload with footer 12 (all of 7.4\'s) restores; above 12 is refused', async () => {
    expect(await redis.restore('s', 0, payload('00 0176', 12))).toBe('OK');
    expect(await redis.get('s')).toBe('v');
    await expect(redis.restore('k', 0, payload(LISTPACK_EX, 13))).rejects.toThrow('DUMP payload version or checksum are wrong');
  });
});

describe('RDB files with field deadlines', () => {
  const tempDir = tempDirs('rdb12');

  it('SAVE writes version 12 when a hash holds field deadlines; a server loading it has them', async () => {
    const dir = tempDir();
    const a = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r = new Redis(a.port, '127.0.0.1');
    await r.hset('lp', 'a', '1', 'b', '2', 'c', '3');
    await r.call('HPEXPIREAT', 'lp', String(A), 'FIELDS', '1', 'a');
    await r.hset('ht', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
    await r.call('HPEXPIREAT', 'ht', String(B), 'FIELDS', '2', 'f7', 'f9');
    await r.sadd('set', 'x', 'y');
    await r.set('s', 'v');
    const digest = await r.call('DEBUG', 'DIGEST');
    expect(await r.save()).toBe('OK');
    const file = readFileSync(join(dir, 'dump.rdb'));
    expect(file.subarray(0, 9).toString()).toBe('REDIS0012');
    // 7.4's types: 25 and 24 for the hashes, and a listpack set as 20.
    expect(file.includes(Buffer.from([25, 2, 0x6c, 0x70]))).toBe(true);
    expect(file.includes(Buffer.from([24, 2, 0x68, 0x74]))).toBe(true);
    expect(file.includes(Buffer.from([20, 3, 0x73, 0x65, 0x74]))).toBe(true);
    r.disconnect();

    const b = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r2 = new Redis(b.port, '127.0.0.1');
    expect(await r2.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await r2.call('HPEXPIRETIME', 'lp', 'FIELDS', '2', 'a', 'b')).toEqual([A, -1]);
    expect(await r2.call('HPEXPIRETIME', 'ht', 'FIELDS', '3', 'f7', 'f9', 'f8')).toEqual([B, B, -1]);
    expect(await r2.call('OBJECT', 'ENCODING', 'lp')).toBe('listpackex');
    expect(await r2.info('keyspace')).toMatch(/subexpiry=2\r\n/);
    // Without field deadlines the file is version 10 again.
    await r2.del('lp', 'ht');
    await r2.save();
    expect(readFileSync(join(dir, 'dump.rdb')).subarray(0, 9).toString()).toBe('REDIS0010');
    r2.disconnect();
  });

  it('BGSAVE decides the version at its start, and DEBUG RELOAD keeps the deadlines', async () => {
    const dir = tempDir();
    const a = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r = new Redis(a.port, '127.0.0.1');
    await r.hset('h', 'a', '1', 'b', '2');
    await r.call('HPEXPIREAT', 'h', String(A), 'FIELDS', '1', 'b');
    const saves = async () => Number(/rdb_saves:(\d+)/.exec(await r.info('persistence'))![1]);
    const before = await saves();
    expect(await r.bgsave()).toBe('Background saving started');
    expect(await until(() => r.info('persistence'), (i) => i.includes('rdb_bgsave_in_progress:0'))).toContain('rdb_last_bgsave_status:ok');
    expect(await saves()).toBe(before + 1);
    expect(readFileSync(join(dir, 'dump.rdb')).subarray(0, 9).toString()).toBe('REDIS0012');
    expect(await r.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await r.call('HPEXPIRETIME', 'h', 'FIELDS', '2', 'a', 'b')).toEqual([-1, A]);
    expect(await r.call('HKEYS', 'h')).toEqual(['b', 'a']);
    r.disconnect();
  });

  it('fields whose deadline passed while the server was down load, then expire', async () => {
    const dir = tempDir();
    const a = await startServer({ dir });
    const r = new Redis(a.port, '127.0.0.1');
    await r.hset('h', 'gone', '1', 'kept', '2');
    await r.call('HPEXPIRE', 'h', '50', 'FIELDS', '1', 'gone');
    await r.save();
    r.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const b = await startServer({ dir });
    const r2 = new Redis(b.port, '127.0.0.1');
    expect(await r2.info('persistence')).toContain('rdb_last_load_keys_loaded:1');
    expect(await r2.hkeys('h')).toEqual(['kept']);
    expect(await until(() => r2.info('stats'), (i) => i.includes('expired_subkeys:1'))).toContain('expired_subkeys:1');
    expect(await r2.info('keyspace')).toMatch(/subexpiry=0\r\n/);
    r2.disconnect();
  });
});

describe('INFO keyspace subexpiry', () => {
  it('counts the hashes with field deadlines (hash-field-expire.tcl "Statistics - Hashes with HFEs")', async () => {
    const subexpiry = async () => Number(/subexpiry=(\d+)/.exec(await redis.info('keyspace'))?.[1] ?? 0);
    await redis.hset('myhash', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', 'v5');
    await redis.call('HPEXPIRE', 'myhash', '100', 'FIELDS', '3', 'f1', 'f2', 'f3');
    expect(await subexpiry()).toBe(1);
    await redis.hset('myhash2', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3', 'f4', 'v4', 'f5', 'v5');
    expect(await subexpiry()).toBe(1);
    await redis.call('HPEXPIRE', 'myhash2', '100', 'FIELDS', '3', 'f1', 'f2', 'f3');
    expect(await subexpiry()).toBe(2);
    expect(await until(subexpiry, (n) => n === 0)).toBe(0);
    expect(await redis.info('keyspace')).toMatch(/^db0:keys=2,expires=0,avg_ttl=0,subexpiry=0\r$/m);
  });
});
