// BGSAVE without fork: the file holds the dataset as it was when BGSAVE started, whatever clients
// write, delete, expire, rename, flush or swap while it is being written (each key is written
// first before anything changes it). Slowed down with rdb-key-save-delay so that the writes land
// while it runs. Also: one at a time, FLUSHALL stopping it, save points starting it, INFO.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startServer, until, tempDirs } from './helpers.js';

const tempDir = tempDirs('bgsave');

const inProgress = async (r: Redis): Promise<boolean> => (await r.info('persistence')).includes('rdb_bgsave_in_progress:1');

describe('BGSAVE', () => {
  it('writes the point-in-time dataset while every kind of write goes on', async () => {
    const dir = tempDir();
    const s = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r = new Redis(s.port, '127.0.0.1');
    for (let i = 0; i < 60; i++) await r.set(`s${i}`, `v${i}`);
    await r.hset('h', 'a', '1', 'b', '2');
    await r.rpush('l', 'x', 'y');
    await r.zadd('z', 1, 'a');
    await r.xadd('x', '1-1', 'f', 'v');
    await r.set('ttl', 'v', 'EX', 1000);
    await r.select(3);
    for (let i = 0; i < 20; i++) await r.set(`d3:${i}`, String(i));
    await r.select(4);
    await r.set('d4', 'four');
    await r.select(0);
    const digest = await r.call('DEBUG', 'DIGEST');
    await r.config('SET', 'rdb-key-save-delay', '3000');
    expect(await r.bgsave()).toBe('Background saving started');
    expect(await inProgress(r)).toBe(true);
    await expect(r.bgsave()).rejects.toThrow('Background save already in progress');
    await expect(r.save()).rejects.toThrow('Background save already in progress');
    // Writes of every kind, to keys written already and to keys not reached yet.
    await r.set('s59', 'changed');
    await r.set('s0', 'changed');
    await r.hset('h', 'a', 'changed', 'c', 'new');
    await r.lpush('l', 'front');
    await r.zincrby('z', 5, 'a');
    await r.xadd('x', '2-2', 'f', 'w');
    await r.del('s30', 's31');
    await r.expire('s40', 1000);
    await r.persist('ttl');
    await r.rename('s50', 'renamed');
    await r.set('brand-new', 'x');
    await r.eval("redis.call('set', KEYS[1], 'from a script')", 1, 's45');
    await r.select(3);
    await r.flushdb();
    await r.select(0);
    await r.swapdb(4, 5);
    await r.copy('s1', 's2', 'DB', '0', 'REPLACE');
    await until(() => inProgress(r), (v) => !v, 20000);
    expect(await r.info('persistence')).toMatch(/rdb_last_bgsave_status:ok/);
    expect(readdirSync(dir).filter((f) => f.startsWith('temp-'))).toEqual([]);
    r.disconnect();

    const b = await startServer({ dir, 'enable-debug-command': 'yes' });
    const r2 = new Redis(b.port, '127.0.0.1');
    expect(await r2.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await r2.get('s59')).toBe('v59');
    expect(await r2.exists('brand-new')).toBe(0);
    await r2.select(4);
    expect(await r2.get('d4')).toBe('four');
    r2.disconnect();
  }, 30000);

  it('FLUSHALL stops it and leaves no file; LASTSAVE and the change counter move on success', async () => {
    const dir = tempDir();
    const s = await startServer({ dir });
    const r = new Redis(s.port, '127.0.0.1');
    for (let i = 0; i < 30; i++) await r.set(`k${i}`, 'v');
    await r.config('SET', 'rdb-key-save-delay', '5000');
    expect(await r.bgsave()).toBe('Background saving started');
    await r.flushall();
    expect(await inProgress(r)).toBe(false);
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    await r.config('SET', 'rdb-key-save-delay', '0');
    await r.set('a', '1');
    await r.set('b', '2');
    expect(await r.info('persistence')).toMatch(/rdb_changes_since_last_save:[1-9]/);
    expect(await r.bgsave()).toBe('Background saving started');
    await until(() => inProgress(r), (v) => !v);
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(true);
    expect(await r.info('persistence')).toMatch(/rdb_changes_since_last_save:0\r\n/);
    await expect(r.call('BGSAVE', 'FOO')).rejects.toThrow('syntax error');
    r.disconnect();
  });

  it('save points start a background save by themselves', async () => {
    const dir = tempDir();
    const s = await startServer({ dir, save: '1 2', hz: 50 });
    const r = new Redis(s.port, '127.0.0.1');
    await r.set('a', '1');
    await r.set('b', '2');
    await until(async () => existsSync(join(dir, 'dump.rdb')), (v) => v, 10000);
    await until(() => inProgress(r), (v) => !v);
    const b = await startServer({ dir: dir, save: '' });
    const r2 = new Redis(b.port, '127.0.0.1');
    expect(await r2.mget('a', 'b')).toEqual(['1', '2']);
    r.disconnect();
    r2.disconnect();
  });
});
