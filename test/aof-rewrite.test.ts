// BGREWRITEAOF without fork: the new base holds the dataset as it was when the rewrite started
// (the forkless snapshot), a new incr file takes the writes made meanwhile, and the manifest is
// swapped at the end, the old files deleted; a restart loads the same dataset. Also its replies
// beside BGSAVE, CONFIG SET appendonly yes/no at runtime, the commands base, automatic rewrites.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createServer, type CreateServerOptions, type ServerHandle } from '../src/index.js';
import { until, tempDirs } from './helpers.js';

const tempDir = tempDirs('aofrw');

interface Running {
  s: ServerHandle;
  r: Redis;
  log: () => string;
}

async function start(dir: string, opts: CreateServerOptions = {}): Promise<Running> {
  const logfile = join(dir, 'log.txt');
  const s = await createServer({ dir, appendonly: 'yes', loglevel: 'notice', logfile, 'enable-debug-command': 'yes', ...opts });
  return { s, r: new Redis(s.port, '127.0.0.1'), log: () => readFileSync(logfile, 'latin1') };
}

async function stop(h: Running): Promise<void> {
  h.r.disconnect();
  await h.s.close();
}

const info = async (r: Redis, field: string): Promise<string> => (await r.info('persistence')).match(new RegExp(`^${field}:(.*)\\r$`, 'm'))![1]!;
const rewriteDone = (r: Redis) => until(() => info(r, 'aof_rewrite_in_progress'), (v) => v === '0', 10000);
const manifest = (dir: string) => readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');

describe('BGREWRITEAOF', () => {
  for (const preamble of ['yes', 'no']) it(`keeps the point-in-time base (aof-use-rdb-preamble ${preamble}) plus the writes made meanwhile, and a restart has the same digest`, async () => {
    const dir = tempDir();
    const ext = preamble === 'yes' ? 'rdb' : 'aof';
    const h = await start(dir, { 'aof-use-rdb-preamble': preamble });
    for (let i = 0; i < 100; i++) await h.r.set(`k${i}`, `v${i}`);
    await h.r.rpush('list', 'a', 'b');
    await h.r.hset('hash', 'f', '1');
    await h.r.zadd('zset', 1, 'a');
    await h.r.select(3);
    await h.r.set('d3', 'three');
    await h.r.select(0);
    // Slowed down (1 ms a key) so that the writers below land while it runs.
    await h.r.config('SET', 'rdb-key-save-delay', '1000');
    expect(await h.r.bgrewriteaof()).toBe('Background append only file rewriting started');
    expect(await info(h.r, 'aof_rewrite_in_progress')).toBe('1');
    await expect(h.r.bgrewriteaof()).rejects.toThrow('ERR Background append only file rewriting already in progress');
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 30; i++) {
        await h.r.set(`k${(i * 7 + w) % 100}`, `w${w}-${i}`);
        await h.r.del(`k${(i * 11 + w) % 100}`);
        await h.r.rpush('list', `${w}:${i}`);
        await h.r.hincrby('hash', 'f', 1);
        await h.r.zincrby('zset', 1, `m${w}`);
        await h.r.set(`new${w}:${i}`, 'x');
      }
    });
    await Promise.all(writers);
    await h.r.config('SET', 'rdb-key-save-delay', '0');
    await rewriteDone(h.r);
    expect(await info(h.r, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(await info(h.r, 'aof_rewrites')).toBe('1');
    expect(manifest(dir)).toBe(`file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
    expect(readdirSync(join(dir, 'appendonlydir')).sort()).toEqual([`appendonly.aof.2.base.${ext}`, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    const log = h.log();
    expect(log).toContain('Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite');
    expect(log).toContain(`Successfully renamed the temporary AOF base file temp-rewriteaof-bg-${process.pid}.aof into appendonly.aof.2.base.${ext}`);
    expect(log).toContain('Removing the history file appendonly.aof.1.incr.aof in the background');
    expect(log).toContain(`Removing the history file appendonly.aof.1.base.${ext} in the background`);
    expect(log).toContain('Background AOF rewrite finished successfully');
    const digest = await h.r.call('DEBUG', 'DIGEST');
    await stop(h);
    const again = await start(dir);
    expect(await again.r.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await again.r.llen('list')).toBe(122);
    await stop(again);
  });

  it('writes a commands base with aof-use-rdb-preamble no', async () => {
    const dir = tempDir();
    const h = await start(dir, { 'aof-use-rdb-preamble': 'no' });
    await h.r.set('s', 'v');
    await h.r.rpush('l', ...Array.from({ length: 70 }, (_, i) => String(i)));
    await h.r.sadd('set', 'a', 'b');
    await h.r.zadd('z', 2.5, 'x');
    await h.r.hset('h', 'f', 'v');
    await h.r.xadd('x', '1-1', 'a', 'b');
    await h.r.xadd('x', '2-1', 'c', 'd');
    await h.r.xgroup('CREATE', 'x', 'g', '0');
    await h.r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'x', '>');
    await h.r.xgroup('CREATECONSUMER', 'x', 'g', 'bob');
    await h.r.xadd('empty', '5-5', 'a', 'b');
    await h.r.xdel('empty', '5-5');
    await h.r.hset('hfe', 'a', '1', 'b', '2');
    await h.r.call('HPEXPIREAT', 'hfe', '4102444800000', 'FIELDS', '1', 'a');
    await h.r.set('t', 'v');
    await h.r.pexpireat('t', 4102444800000);
    await h.r.select(1);
    await h.r.set('one', '1');
    const digest = await h.r.call('DEBUG', 'DIGEST');
    await h.r.bgrewriteaof();
    await rewriteDone(h.r);
    const base = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof'), 'latin1');
    expect(base.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n')).toBe(true);
    // 70 items: a command of 64 and one of 6 (AOF_REWRITE_ITEMS_PER_CMD).
    expect(base).toContain('*66\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n');
    expect(base).toContain('*8\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n');
    expect(base).toContain('*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nt\r\n$13\r\n4102444800000\r\n');
    expect(base).toContain('*7\r\n$6\r\nXSETID\r\n$1\r\nx\r\n$3\r\n2-1\r\n$12\r\nENTRIESADDED\r\n$1\r\n2\r\n$12\r\nMAXDELETEDID\r\n$3\r\n0-0\r\n');
    expect(base).toContain('*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n$1\r\nx\r\n$1\r\ng\r\n$3\r\nbob\r\n');
    expect(base).toContain('*7\r\n$4\r\nXADD\r\n$5\r\nempty\r\n$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n');
    expect(base).toContain('*6\r\n$10\r\nHPEXPIREAT\r\n$3\r\nhfe\r\n$13\r\n4102444800000\r\n$6\r\nFIELDS\r\n$1\r\n1\r\n$1\r\na\r\n');
    await stop(h);
    const again = await start(dir);
    expect(await again.r.call('DEBUG', 'DIGEST')).toBe(digest);
    await stop(again);
  });

  it('waits for BGSAVE and BGSAVE waits for it, as Redis 7.2 answers', async () => {
    const dir = tempDir();
    const h = await start(dir);
    for (let i = 0; i < 50; i++) await h.r.set(`k${i}`, 'v');
    await h.r.config('SET', 'rdb-key-save-delay', '2000');
    expect(await h.r.bgsave()).toBe('Background saving started');
    expect(await h.r.bgrewriteaof()).toBe('Background append only file rewriting scheduled');
    expect(await info(h.r, 'aof_rewrite_scheduled')).toBe('1');
    expect(await info(h.r, 'aof_pending_rewrite')).toBe('1');
    await h.r.config('SET', 'rdb-key-save-delay', '0');
    await until(() => info(h.r, 'aof_rewrites'), (v) => v === '1', 10000);
    await rewriteDone(h.r);
    expect(await info(h.r, 'aof_rewrite_scheduled')).toBe('0');
    await h.r.config('SET', 'rdb-key-save-delay', '2000');
    expect(await h.r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await expect(h.r.bgsave()).rejects.toThrow(
      "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
    );
    expect(await h.r.call('BGSAVE', 'SCHEDULE')).toBe('Background saving scheduled');
    await h.r.config('SET', 'rdb-key-save-delay', '0');
    await rewriteDone(h.r);
    await until(() => info(h.r, 'rdb_bgsave_in_progress'), (v) => v === '0', 10000);
    await until(() => Promise.resolve(existsSync(join(dir, 'dump.rdb'))), (v) => v, 10000);
    expect(existsSync(join(dir, 'dump.rdb'))).toBe(true);
    await stop(h);
  });

  it('writes a base with the AOF off, which appendonly yes then loads', async () => {
    const dir = tempDir();
    const s = await createServer({ dir, 'enable-debug-command': 'yes' });
    const r = new Redis(s.port, '127.0.0.1');
    await r.rpush('l', 'a', 'b');
    await r.hset('h', 'f', 'v');
    const digest = await r.call('DEBUG', 'DIGEST');
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await rewriteDone(r);
    expect(manifest(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\n');
    r.disconnect();
    await s.close();
    const h = await start(dir);
    expect(await h.r.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(manifest(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(h.log()).toContain('Creating AOF incr file appendonly.aof.1.incr.aof on server start');
    await stop(h);
  });

  it('reports a failed rewrite, keeps the incr files it opened, and the next one makes them history', async () => {
    const dir = tempDir();
    const h = await start(dir);
    await h.r.set('a', '1');
    // The temporary file can't be created: a directory has its name.
    const blocker = join(dir, `temp-rewriteaof-${process.pid}.aof`);
    mkdirSync(blocker);
    expect(await h.r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await until(() => info(h.r, 'aof_last_bgrewrite_status'), (v) => v === 'err', 10000);
    expect(await info(h.r, 'aof_rewrites_consecutive_failures')).toBe('1');
    expect(h.log()).toContain('Background AOF rewrite terminated with error');
    expect(h.log()).toContain('Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ');
    // The writes since went to the incr file opened at the start, still listed after the old one.
    await h.r.set('b', '2');
    expect(manifest(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    rmSync(blocker, { recursive: true });
    expect(await h.r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await rewriteDone(h.r);
    expect(await info(h.r, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(await info(h.r, 'aof_rewrites_consecutive_failures')).toBe('0');
    expect(manifest(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
    expect(h.log()).toContain('Removing the history file appendonly.aof.2.incr.aof in the background');
    await stop(h);
    const again = await start(dir);
    expect(await again.r.mget('a', 'b')).toEqual(['1', '2']);
    await stop(again);
  });

  it('is scheduled when run inside a transaction, and started by the cron', async () => {
    const dir = tempDir();
    const h = await start(dir, { hz: '100' });
    await h.r.set('k', 'v');
    expect(await h.r.multi().bgrewriteaof().exec()).toEqual([[null, 'Background append only file rewriting scheduled']]);
    await until(() => info(h.r, 'aof_rewrites'), (v) => v === '1', 10000);
    await rewriteDone(h.r);
    expect(manifest(dir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    await stop(h);
  });

  it('starts on its own past auto-aof-rewrite-percentage of growth', async () => {
    const dir = tempDir();
    const h = await start(dir, { 'auto-aof-rewrite-min-size': '1', 'auto-aof-rewrite-percentage': '100', hz: '100' });
    await h.r.set('k', 'x'.repeat(1000));
    await until(() => info(h.r, 'aof_rewrites'), (v) => v === '1', 10000);
    await rewriteDone(h.r);
    expect(h.log()).toMatch(/Starting automatic rewriting of AOF on \d+% growth/);
    await stop(h);
  });
});

describe('CONFIG SET appendonly', () => {
  it('turns the AOF on with a rewrite of what is there, and off again', async () => {
    const dir = tempDir();
    const s = await createServer({ dir, loglevel: 'notice', logfile: join(dir, 'log.txt'), 'enable-debug-command': 'yes' });
    const r = new Redis(s.port, '127.0.0.1');
    for (let i = 0; i < 50; i++) await r.set(`k${i}`, String(i));
    await r.config('SET', 'rdb-key-save-delay', '1000');
    expect(await r.config('SET', 'appendonly', 'yes')).toBe('OK');
    expect(await info(r, 'aof_enabled')).toBe('1');
    expect(await info(r, 'aof_rewrite_in_progress')).toBe('1');
    // Written while the first rewrite runs: kept in the temporary incr file, then renamed.
    await r.set('during', 'rewrite');
    await r.del('k0');
    await r.config('SET', 'rdb-key-save-delay', '0');
    await rewriteDone(r);
    expect(manifest(dir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    const log = readFileSync(join(dir, 'log.txt'), 'latin1');
    expect(log).toContain('Creating AOF incr file temp-appendonly.aof.incr on background rewrite');
    expect(log).toContain('Successfully renamed the temporary AOF incr file temp-appendonly.aof.incr into appendonly.aof.1.incr.aof');
    await r.set('after', 'on');
    const digest = await r.call('DEBUG', 'DIGEST');
    expect(await r.config('SET', 'appendonly', 'no')).toBe('OK');
    expect(await info(r, 'aof_enabled')).toBe('0');
    await r.set('not', 'logged');
    r.disconnect();
    await s.close();
    const again = await start(dir);
    expect(await again.r.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await again.r.get('not')).toBe(null);
    await stop(again);
  });

  it('changes appendfsync at runtime', async () => {
    const dir = tempDir();
    const h = await start(dir, { appendfsync: 'no' });
    await h.r.set('a', '1');
    expect(await h.r.config('SET', 'appendfsync', 'always')).toBe('OK');
    await h.r.set('b', '2');
    expect(await h.r.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    await stop(h);
    const again = await start(dir);
    expect(await again.r.mget('a', 'b')).toEqual(['1', '2']);
    await stop(again);
  });
});
