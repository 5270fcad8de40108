// Real RDB files of older Redis versions, copied from Redis's tests/assets (7.4.1) into
// test/fixtures/redis-assets: encodings.rdb (RDB 4: zipmap, ziplist and intset values of Redis
// 2.x), hash-zipmap.rdb (3), list-quicklist.rdb (8), hash-ziplist.rdb (9), zset-ziplist.rdb,
// scriptbackup.rdb and corrupt_empty_keys.rdb (10). Each loads with the contents Redis's own tests
// expect of it (tests/integration/rdb.tcl, convert-*-on-load.tcl, corrupt-dump.tcl), values
// converted to the listpack era.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { CreateServerOptions } from '../src/index.js';
import { crc64 } from '../src/util/crc64.js';
import { startServer } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A server started on a copy of `asset` as its dump.rdb. */
async function load(asset: string, options: CreateServerOptions = {}): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), 'respd-assets-'));
  dirs.push(dir);
  copyFileSync(new URL(`./fixtures/redis-assets/${asset}`, import.meta.url), join(dir, 'dump.rdb'));
  const s = await startServer({ dir, 'enable-debug-command': 'yes', ...options });
  const r = new Redis(s.port, '127.0.0.1');
  afterAll(() => r.disconnect());
  return r;
}

/** csvdump (tests/support/util.tcl) for database 0, one row per key, without the quotes. */
async function csvdump(r: Redis): Promise<string[]> {
  const rows: string[] = [];
  for (const k of (await r.keys('*')).sort()) {
    const type = await r.type(k);
    let values: string[];
    if (type === 'string') values = [(await r.get(k))!];
    else if (type === 'list') values = await r.lrange(k, 0, -1);
    else if (type === 'set') values = (await r.smembers(k)).sort();
    else if (type === 'zset') values = await r.zrange(k, 0, -1, 'WITHSCORES');
    else values = Object.entries(await r.hgetall(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).flat();
    rows.push([k, type, ...values].join(','));
  }
  return rows;
}

describe('files from older Redis versions', () => {
  it('encodings.rdb (RDB 4): "RDB encoding loading test"', async () => {
    const r = await load('encodings.rdb');
    const list = '1,2,3,a,b,c,100000,6000000000';
    expect(await csvdump(r)).toEqual([
      `compressible,string,${'a'.repeat(137)}`,
      'hash,hash,a,1,aa,10,aaa,100,b,2,bb,20,bbb,200,c,3,cc,30,ccc,300,ddd,400,eee,5000000000',
      'hash_zipped,hash,a,1,b,2,c,3',
      `list,list,${list},${list},${list}`,
      `list_zipped,list,${list}`,
      'number,string,10',
      'set,set,1,100000,2,3,6000000000,a,b,c',
      'set_zipped_1,set,1,2,3,4',
      'set_zipped_2,set,100000,200000,300000,400000',
      'set_zipped_3,set,1000000000,2000000000,3000000000,4000000000,5000000000,6000000000',
      'string,string,Hello World',
      'zset,zset,a,1,b,2,c,3,aa,10,bb,20,cc,30,aaa,100,bbb,200,ccc,300,aaaa,1000,cccc,123456789,bbbb,5000000000',
      'zset_zipped,zset,a,1,b,2,c,3',
    ]);
    expect(await r.call('OBJECT', 'ENCODING', 'hash_zipped')).toBe('listpack');
    expect(await r.call('OBJECT', 'ENCODING', 'list_zipped')).toBe('listpack');
    expect(await r.call('OBJECT', 'ENCODING', 'zset_zipped')).toBe('listpack');
  });

  it('list-quicklist.rdb (RDB 8): "test old version rdb file"', async () => {
    const r = await load('list-quicklist.rdb');
    expect(await r.get('x')).toBe('7');
    expect(await r.call('OBJECT', 'ENCODING', 'list')).toBe('listpack');
    expect(await r.lpop('list')).toBe('7');
  });

  it('hash-zipmap.rdb (RDB 3): converts to listpack, or to a hashtable past either limit', async () => {
    const r = await load('hash-zipmap.rdb');
    expect(await r.call('DEBUG', 'OBJECT', 'hash')).toMatch(/encoding:listpack/);
    expect(await r.hlen('hash')).toBe(2);
    expect(await r.hmget('hash', 'f1', 'f2')).toEqual(['v1', 'v2']);
    for (const limit of [{ 'hash-max-listpack-entries': 1 }, { 'hash-max-listpack-value': 1 }]) {
      const t = await load('hash-zipmap.rdb', limit);
      expect(await t.call('DEBUG', 'OBJECT', 'hash')).toMatch(/encoding:hashtable/);
      expect(await t.hmget('hash', 'f1', 'f2')).toEqual(['v1', 'v2']);
    }
  });

  it('hash-ziplist.rdb (RDB 9) and zset-ziplist.rdb (RDB 10): listpack, or hashtable/skiplist past the limit', async () => {
    const h = await load('hash-ziplist.rdb');
    expect(await h.call('OBJECT', 'ENCODING', 'hash')).toBe('listpack');
    expect(await h.hmget('hash', 'f1', 'f2')).toEqual(['v1', 'v2']);
    const h1 = await load('hash-ziplist.rdb', { 'hash-max-listpack-entries': 1 });
    expect(await h1.call('OBJECT', 'ENCODING', 'hash')).toBe('hashtable');
    expect(await h1.hlen('hash')).toBe(2);
    const z = await load('zset-ziplist.rdb');
    expect(await z.call('OBJECT', 'ENCODING', 'zset')).toBe('listpack');
    expect(await z.zrange('zset', 0, -1, 'WITHSCORES')).toEqual(['one', '1', 'two', '2']);
    const z1 = await load('zset-ziplist.rdb', { 'zset-max-listpack-entries': 1 });
    expect(await z1.call('OBJECT', 'ENCODING', 'zset')).toBe('skiplist');
    expect(await z1.zcard('zset')).toBe(2);
  });

  it('scriptbackup.rdb (RDB 10): the old "lua" aux field is ignored, as Redis 7 ignores it', async () => {
    const r = await load('scriptbackup.rdb');
    expect(await r.dbsize()).toBe(0);
    expect(await r.info('persistence')).toContain('rdb_last_load_keys_loaded:0');
  });
});

describe('DUMP payloads of Redis 6 (RDB 9, ziplist types)', () => {
  /** A payload from its body with footer version `version` and its CRC-64. */
  const payload = (body: Buffer, version: number): Buffer => {
    const head = Buffer.concat([body, Buffer.from([version, 0])]);
    const crc = Buffer.alloc(8);
    crc.writeBigUInt64LE(crc64(0n, head), 0);
    return Buffer.concat([head, crc]);
  };
  const tcl = (s: string): Buffer => Buffer.from(s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');

  it('a hash ziplist (type 13) RESTOREs; the corrupt ones of corrupt-dump.tcl are refused', async () => {
    const r = await load('hash-ziplist.rdb');
    // corrupt-dump.tcl's "dup records" payload with its second "a" made a "c": a valid ziplist of
    // four 2-byte strings, "a\0" = "b\0" and "c\0" = "d\0".
    const valid = tcl(String.raw`\x0D\x1B\x1B\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x02\x63\x00\x04\x02\x64\x00\xFF`);
    expect(await r.restore('zl', 0, payload(valid, 9))).toBe('OK');
    expect(await r.hgetall('zl')).toEqual({ 'a\0': 'b\0', 'c\0': 'd\0' });
    expect(await r.call('OBJECT', 'ENCODING', 'zl')).toBe('listpack');
    for (const p of [
      // hash with valid zip list header, invalid entry len
      String.raw`\x0D\x1B\x1B\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x14\x63\x00\x04\x02\x64\x00\xFF\x09\x00\xD9\x10\x54\x92\x15\xF5\x5F\x52`,
      // invalid zlbytes header
      String.raw`\x0D\x1B\x25\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x02\x63\x00\x04\x02\x64\x00\xFF\x09\x00\xB7\xF7\x6E\x9F\x43\x43\x14\xC6`,
      // valid zipped hash header, dup records
      String.raw`\x0D\x1B\x1B\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x02\x61\x00\x04\x02\x64\x00\xFF\x09\x00\xA1\x98\x36\x78\xCC\x8E\x93\x2E`,
    ]) {
      await expect(r.restore('bad', 0, tcl(p))).rejects.toThrow('Bad data format');
    }
    // A wrong prevlen (the third entry's, at 20) in an otherwise valid ziplist.
    const badPrev = Buffer.from(valid);
    badPrev[20] = 0x05;
    await expect(r.restore('bad', 0, payload(badPrev, 9))).rejects.toThrow('Bad data format');
    expect(await r.exists('bad')).toBe(0);
  });
});

describe('empty keys', () => {
  it('corrupt_empty_keys.rdb: every empty value is skipped with a log line, the rest loads (corrupt-dump.tcl)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respd-assets-'));
    dirs.push(dir);
    copyFileSync(new URL('./fixtures/redis-assets/corrupt_empty_keys.rdb', import.meta.url), join(dir, 'dump.rdb'));
    const s = await startServer({ dir, logfile: join(dir, 'log'), loglevel: 'notice' });
    const r = new Redis(s.port, '127.0.0.1');
    expect(await r.dbsize()).toBe(0);
    r.disconnect();
    const log = readFileSync(join(dir, 'log'), 'utf8');
    for (const key of ['set', 'list_quicklist', 'list_quicklist_empty_ziplist', 'list_ziplist', 'hash', 'hash_ziplist', 'zset', 'zset_ziplist', 'zset_listpack']) {
      expect(log).toContain(`skipping empty key: ${key}\n`);
    }
    expect(log).toContain('empty keys skipped: 9');
  });
});
