// RDB persistence: SAVE and LASTSAVE, loading at start-up (an RDB written by redis-server 7.0.15,
// test/fixtures/redis-7.0.rdb, loads with its digest and its function library; respd's own file
// round-trips every type), DEBUG RELOAD and its options, FLUSHALL's empty dump with save points,
// SHUTDOWN SAVE, INFO persistence, expired keys dropped while loading, and bad files refused;
// newer files' opcodes (module aux data, cluster slot info) and the directives rdbchecksum,
// rdbcompression, rdb-key-save-delay and rdb-del-sync-files, and BGSAVE scheduled inside EXEC.
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { crc64 } from '../src/util/crc64.js';
import { startServer, until, tempDirs } from './helpers.js';

const tempDir = tempDirs('rdb');

async function connect(port: number): Promise<Redis> {
  const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  // SHUTDOWN closes the connection under the client: that is expected here, not an error.
  r.on('error', () => undefined);
  return r;
}

/** Fills a server with one value of every type and encoding, a TTL, a second database and a library. */
async function fill(r: Redis): Promise<void> {
  await r.set('s', 'v');
  await r.set('n', '12345');
  await r.set('big', 'x'.repeat(10000));
  await r.set('ttl', 'v', 'PX', 10_000_000);
  await r.rpush('l', ...Array.from({ length: 300 }, (_, i) => `e${i}`));
  await r.sadd('si', '1', '2', '3');
  await r.sadd('sl', 'a', 'b');
  await r.sadd('sh', ...Array.from({ length: 200 }, (_, i) => `m${i}`));
  await r.zadd('zl', 1, 'a', 2.5, 'b');
  await r.zadd('zs', ...Array.from({ length: 200 }, (_, i) => [i / 7, `m${i}`]).flat());
  await r.hset('hl', 'f', 'v');
  await r.hset('hh', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  await r.xadd('x', '1-1', 'a', '1');
  await r.xgroup('CREATE', 'x', 'g', '0');
  await r.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 'x', '>');
  await r.call('FUNCTION', 'LOAD', "#!lua name=mylib\nredis.register_function('myf', function() return 'hi' end)");
  await r.select(5);
  await r.set('in5', 'yes');
  await r.select(0);
}

describe('SAVE and loading', () => {
  it('SAVE writes dir/dbfilename; a server started on it has the same data, TTLs and libraries', async () => {
    const dir = tempDir();
    const a = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r = await connect(a.port);
    await fill(r);
    const digest = await r.call('DEBUG', 'DIGEST');
    const before = await r.lastsave();
    expect(await r.save()).toBe('OK');
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(true);
    expect(await r.lastsave()).toBeGreaterThanOrEqual(before);
    const info = await r.info('persistence');
    expect(info).toContain('rdb_changes_since_last_save:0');
    expect(info).toContain('rdb_saves:1');
    expect(info).toContain('rdb_last_bgsave_status:ok');
    await r.set('after', 'save');
    expect(await r.info('persistence')).toContain('rdb_changes_since_last_save:1');
    r.disconnect();

    const b = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r2 = await connect(b.port);
    expect(await r2.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await r2.exists('after')).toBe(0);
    const pttl = await r2.pttl('ttl');
    expect(pttl).toBeGreaterThan(9_000_000);
    expect(await r2.call('FCALL', 'myf', '0')).toBe('hi');
    expect(await r2.xpending('x', 'g')).toEqual([1, '1-1', '1-1', [['c', '1']]]);
    expect(await r2.info('persistence')).toContain('rdb_last_load_keys_loaded:14');
    r2.disconnect();
  });

  it("loads redis-server 7.0.15's dump.rdb with its digest, its second database and its library", async () => {
    const dir = tempDir();
    copyFileSync(new URL('./fixtures/redis-7.0.rdb', import.meta.url), join(dir, 'dump.rdb'));
    const s = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r = await connect(s.port);
    // The same values test/fixtures/dump-payloads.json holds, each with redis-server's digest
    // (but the sorted set with thirds for scores: 7.0 digested scores with %.17g, 7.2 shortest).
    const payloads = JSON.parse(readFileSync(new URL('./fixtures/dump-payloads.json', import.meta.url), 'utf8')) as { values: Record<string, { digest: string }> };
    for (const [key, f] of Object.entries(payloads.values)) {
      if (key !== 'zsetsl') expect(await r.call('DEBUG', 'DIGEST-VALUE', key)).toEqual([f.digest]);
    }
    expect(await r.zscore('zsetsl', 'm1')).toBe(String(1 / 3));
    expect(await r.dbsize()).toBe(16);
    await r.select(2);
    expect(await r.get('otherdb')).toBe('1');
    await r.select(0);
    expect(await r.call('FCALL', 'one', '0')).toBe(1);
    expect(await r.pttl('withttl')).toBeGreaterThan(0);
    r.disconnect();
  });

  it('respd writes version 10 files (Redis 7.0 loads them) with a CRC-64 footer, or zeros with rdbchecksum no', async () => {
    const dir = tempDir();
    const s = await startServer({ dir });
    const r = await connect(s.port);
    await r.set('k', 'v');
    await r.save();
    const file = readFileSync(join(dir, 'dump.rdb'));
    expect(file.subarray(0, 9).toString()).toBe('REDIS0010');
    expect(file.readBigUInt64LE(file.length - 8)).not.toBe(0n);
    r.disconnect();
    const noSum = await startServer({ dir, rdbchecksum: 'no' });
    const rn = await connect(noSum.port);
    await rn.save();
    const plain = readFileSync(join(dir, 'dump.rdb'));
    expect(plain.readBigUInt64LE(plain.length - 8)).toBe(0n);
    rn.disconnect();
    // A file without a checksum still loads.
    const again = await startServer({ dir });
    const r2 = await connect(again.port);
    expect(await r2.get('k')).toBe('v');
    r2.disconnect();
  });

  it('keys whose deadline passed are dropped while loading, and counted', async () => {
    const dir = tempDir();
    const s = await startServer({ dir });
    const r = await connect(s.port);
    await r.set('short', 'v', 'PX', 30);
    await r.set('long', 'v');
    await r.save();
    r.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const b = await startServer({ dir });
    const r2 = await connect(b.port);
    expect(await r2.keys('*')).toEqual(['long']);
    expect(await r2.info('persistence')).toContain('rdb_last_load_keys_expired:1');
    r2.disconnect();
  });

  it('a corrupt file or a wrong checksum stops the start, with the reason', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'dump.rdb'), 'NOTREDIS');
    await expect(createServer({ dir })).rejects.toThrow('Fatal error loading the DB: Wrong signature trying to load DB from file');
    const s = await startServer({ dir: tempDir() });
    const r = await connect(s.port);
    await r.set('k', 'v');
    await r.save();
    const good = readFileSync(join(await r.config('GET', 'dir').then((x) => (x as string[])[1]!), 'dump.rdb'));
    r.disconnect();
    good[12] ^= 0xff;
    writeFileSync(join(dir, 'dump.rdb'), good);
    await expect(createServer({ dir })).rejects.toThrow(/Fatal error loading the DB/);
  });
});

describe('DEBUG RELOAD, FLUSHALL and SHUTDOWN', () => {
  it('DEBUG RELOAD saves, empties and loads back; NOSAVE, NOFLUSH and MERGE as Redis has them', async () => {
    const dir = tempDir();
    const s = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r = await connect(s.port);
    await fill(r);
    const digest = await r.call('DEBUG', 'DIGEST');
    expect(await r.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await r.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await r.call('FCALL', 'myf', '0')).toBe('hi');
    await r.set('extra', '1');
    // NOSAVE loads the file as it was: the new key is gone.
    expect(await r.call('DEBUG', 'RELOAD', 'NOSAVE')).toBe('OK');
    expect(await r.exists('extra')).toBe(0);
    // NOFLUSH without MERGE meets its own keys: an error; with MERGE the file's keys win.
    await expect(r.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH')).rejects.toThrow('Error trying to load the RDB dump, check server logs.');
    await r.set('s', 'changed');
    expect(await r.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE')).toBe('OK');
    expect(await r.get('s')).toBe('v');
    await expect(r.call('DEBUG', 'RELOAD', 'FOO')).rejects.toThrow('DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
    r.disconnect();
  });

  it('FLUSHALL writes an empty dump when save points are set, and not without', async () => {
    const dir = tempDir();
    const s = await startServer({ dir, save: '3600 1' });
    const r = await connect(s.port);
    await r.set('k', 'v');
    await r.flushall();
    const file = join(dir, 'dump.rdb');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeLessThan(120);
    expect(await r.info('persistence')).toContain('rdb_changes_since_last_save:1');
    r.disconnect();
    const bare = tempDir();
    const t = await startServer({ dir: bare, save: '' });
    const r2 = await connect(t.port);
    await r2.set('k', 'v');
    await r2.flushall();
    expect(existsSync(join(bare, 'dump.rdb'))).toBe(false);
    r2.disconnect();
  });

  it('SHUTDOWN SAVE writes the file, NOSAVE does not, and save points save by default', async () => {
    const dir = tempDir();
    const a = await createServer({ dir, save: '' });
    const r = await connect(a.port);
    await r.set('k', 'v');
    await r.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    r.disconnect();
    await a.close();
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(false);
    const b = await createServer({ dir, save: '900 1' });
    const r2 = await connect(b.port);
    await r2.set('k', 'v2');
    await r2.call('SHUTDOWN').catch(() => undefined);
    r2.disconnect();
    await b.close();
    const c = await createServer({ dir, save: '' });
    const r3 = await connect(c.port);
    expect(await r3.get('k')).toBe('v2');
    await r3.set('k', 'v3');
    await r3.call('SHUTDOWN', 'SAVE').catch(() => undefined);
    r3.disconnect();
    await c.close();
    const d = await startServer({ dir });
    const r4 = await connect(d.port);
    expect(await r4.get('k')).toBe('v3');
    r4.disconnect();
  });

  it('an embedded server with no dir, dbfilename or save option ignores a dump.rdb in the working directory', async () => {
    const s = await startServer();
    const r = await connect(s.port);
    expect(await r.config('GET', 'save')).toEqual(['save', '']);
    expect(await r.dbsize()).toBe(0);
    r.disconnect();
  });
});

/** A whole RDB file from its parts after the 9-byte header: the EOF opcode and the CRC-64 are added. */
function rdbFile(version: number, hex: string, checksum = true): Buffer {
  const head = Buffer.concat([Buffer.from(`REDIS${String(version).padStart(4, '0')}`), Buffer.from(hex.replace(/\s+/g, ''), 'hex'), Buffer.from([0xff])]);
  const sum = Buffer.alloc(8);
  if (checksum) sum.writeBigUInt64LE(crc64(0n, head), 0);
  return Buffer.concat([head, sum]);
}

/** moduleTypeEncodeId (module.c): nine 6-bit characters of the name, then the 10-bit encoding version. */
function moduleId(name: string, encver: number): string {
  const cset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = 0n;
  for (const ch of name) id = (id << 6n) | BigInt(cset.indexOf(ch));
  id = (id << 10n) | BigInt(encver);
  return '81' + id.toString(16).padStart(16, '0');
}

describe('opcodes of newer files, and the RDB directives', () => {
  const KEY_K = '00 016b 0176'; // string "k" = "v"

  it('steps over module aux data and 7.4 cluster slot info; refuses a module value as Redis does', async () => {
    const dir = tempDir();
    // AUX redis-ver, MODULE_AUX (ReJSON-RL v3, when = after) with a UINT, a STRING and a DOUBLE item,
    // SELECTDB 0, RESIZEDB, SLOT_INFO (slot 12, 1 key, 0 expires), the key.
    const aux = `f7 ${moduleId('ReJSON-RL', 3)} 02 02  02 05  05 02 6869  04 000000000000f03f  00`;
    writeFileSync(join(dir, 'dump.rdb'), rdbFile(12, `fa 09 72656469732d766572 05 372e342e31 ${aux} fe00 fb0100 f4 0c 01 00 ${KEY_K}`));
    const s = await startServer({ dir });
    const r = await connect(s.port);
    expect(await r.get('k')).toBe('v');
    expect(await r.info('persistence')).toContain('rdb_last_load_keys_loaded:1');
    r.disconnect();
    // RDB_TYPE_MODULE_2: the value belongs to a module respd does not have.
    writeFileSync(join(dir, 'dump.rdb'), rdbFile(12, `fe00 07 016d ${moduleId('ReJSON-RL', 3)} 02 05 00`));
    await expect(createServer({ dir })).rejects.toThrow("Fatal error loading the DB: The RDB file contains module data I can't load: no matching module type 'ReJSON-RL'. Exiting.");
    writeFileSync(join(dir, 'dump.rdb'), rdbFile(12, 'fe00 06 016d 00'));
    await expect(createServer({ dir })).rejects.toThrow('Pre-release module format not supported');
    writeFileSync(join(dir, 'dump.rdb'), rdbFile(13, `fe00 ${KEY_K}`));
    await expect(createServer({ dir })).rejects.toThrow("Can't handle RDB format version 0013");
  });

  it('rdbchecksum no writes a zero checksum and checks none while loading', async () => {
    const dir = tempDir();
    const bad = rdbFile(10, `fe00 ${KEY_K}`);
    bad[bad.length - 1] ^= 0xff;
    writeFileSync(join(dir, 'dump.rdb'), bad);
    await expect(createServer({ dir })).rejects.toThrow('Wrong RDB checksum');
    const s = await startServer({ dir, rdbchecksum: 'no' });
    const r = await connect(s.port);
    expect(await r.get('k')).toBe('v');
    await r.save();
    expect(readFileSync(join(dir, 'dump.rdb')).readBigUInt64LE(statSync(join(dir, 'dump.rdb')).size - 8)).toBe(0n);
    r.disconnect();
  });

  it('rdbcompression no writes long strings as they are; yes compresses them with LZF', async () => {
    const dir = tempDir();
    const s = await startServer({ dir });
    const r = await connect(s.port);
    const text = 'abc'.repeat(100);
    await r.set('big', text);
    await r.save();
    const packed = readFileSync(join(dir, 'dump.rdb'));
    expect(packed.includes(Buffer.from(text))).toBe(false);
    expect((await r.dumpBuffer('big'))[1]).toBe(0xc3); // RDB_ENCVAL << 6 | RDB_ENC_LZF
    await r.config('SET', 'rdbcompression', 'no');
    await r.save();
    const plain = readFileSync(join(dir, 'dump.rdb'));
    expect(plain.includes(Buffer.concat([Buffer.from([0x41, 0x2c]), Buffer.from(text)]))).toBe(true); // 14-bit length 300
    expect((await r.dumpBuffer('big')).subarray(1, 3)).toEqual(Buffer.from([0x41, 0x2c]));
    r.disconnect();
  });

  it('BGSAVE inside MULTI is scheduled and run by the cron; SCHEDULE does not wait for a save in progress', async () => {
    const dir = tempDir();
    const s = await startServer({ dir });
    const r = await connect(s.port);
    await r.set('k', 'v');
    const saves = async () => Number(/rdb_saves:(\d+)/.exec(await r.info('persistence'))![1]);
    expect(await r.multi().bgsave().exec()).toEqual([[null, 'Background saving scheduled']]);
    expect(await until(() => Promise.resolve(existsSync(join(dir, 'dump.rdb'))), (x) => x)).toBe(true);
    expect(await saves()).toBe(1);
    // A save kept in progress by rdb-key-save-delay (µs per key): SCHEDULE is refused as Redis does.
    for (let i = 0; i < 20; i++) await r.set(`k${i}`, 'v');
    await r.config('SET', 'rdb-key-save-delay', '100000');
    expect(await r.bgsave()).toBe('Background saving started');
    expect(await r.info('persistence')).toContain('rdb_bgsave_in_progress:1');
    await expect(r.bgsave('SCHEDULE')).rejects.toThrow('Background save already in progress');
    await expect(r.call('BGSAVE', 'NOW')).rejects.toThrow('syntax error');
    await r.config('SET', 'rdb-key-save-delay', '0');
    expect(await until(() => r.info('persistence'), (i) => i.includes('rdb_bgsave_in_progress:0'))).toContain('rdb_last_bgsave_status:ok');
    expect(await saves()).toBe(2);
    r.disconnect();
  });

  it('INFO persistence lists the fields 7.2 lists without AOF, in its order; rdb-del-sync-files is a directive', async () => {
    const s = await startServer();
    const r = await connect(s.port);
    const names = (await r.info('persistence')).split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
    expect(names).toEqual(['loading', 'async_loading', 'current_cow_peak', 'current_cow_size', 'current_cow_size_age', 'current_fork_perc', 'current_save_keys_processed', 'current_save_keys_total', 'rdb_changes_since_last_save', 'rdb_bgsave_in_progress', 'rdb_last_save_time', 'rdb_last_bgsave_status', 'rdb_last_bgsave_time_sec', 'rdb_current_bgsave_time_sec', 'rdb_saves', 'rdb_last_cow_size', 'rdb_last_load_keys_expired', 'rdb_last_load_keys_loaded', 'aof_enabled', 'aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_last_rewrite_time_sec', 'aof_current_rewrite_time_sec', 'aof_last_bgrewrite_status', 'aof_rewrites', 'aof_rewrites_consecutive_failures', 'aof_last_write_status', 'aof_last_cow_size', 'module_fork_in_progress', 'module_fork_last_cow_size']);
    expect(await r.config('GET', 'rdb-del-sync-files')).toEqual(['rdb-del-sync-files', 'no']);
    expect(await r.config('SET', 'rdb-del-sync-files', 'yes')).toBe('OK');
    expect(await r.config('GET', 'rdb-del-sync-files')).toEqual(['rdb-del-sync-files', 'yes']);
    r.disconnect();
  });
});

describe('rdb-key-save-delay', () => {
  it('SAVE sleeps that many microseconds per key, as BGSAVE does (the slow log sees it)', async () => {
    const s = await startServer({ dir: tempDir() });
    const r = await connect(s.port);
    for (let i = 0; i < 10; i++) await r.set(`k${i}`, 'v');
    await r.config('SET', 'slowlog-log-slower-than', '0');
    await r.config('SET', 'rdb-key-save-delay', '20000');
    await r.slowlog('RESET');
    expect(await r.save()).toBe('OK');
    const entries = (await r.slowlog('GET', 10)) as [number, number, number, string[]][];
    const save = entries.find((e) => e[3][0]?.toLowerCase() === 'save')!;
    // At least ten sleeps of 20 ms (a lower bound the sleeps guarantee, not a measurement).
    expect(save[2]).toBeGreaterThanOrEqual(10 * 20000);
    r.disconnect();
  });
});
