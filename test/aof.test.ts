// The append-only file (Redis 7's multi-part AOF): the manifest's format, restarts that load
// every data type back, acknowledged writes surviving a kill -9 with appendfsync always, truncated
// files with aof-load-truncated yes and no, the old single appendonly.aof moved into the
// directory, redis-server 7.0's appendonlydir loaded as recorded (test/fixtures/aof, made by
// scripts/record-aof-fixtures.mjs), INFO persistence's aof_* fields.
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { AofManifest } from '../src/persistence/aof/manifest.js';
import { AofWriter, type FsyncPolicy } from '../src/persistence/aof/writer.js';
import { Logger } from '../src/util/log.js';
import { openSync } from 'node:fs';
import { createServer, type CreateServerOptions, type ServerHandle } from '../src/index.js';
import { waitForOutput, tempDirs } from './helpers.js';

const tempDir = tempDirs('aof');

const fixtures = join(import.meta.dirname, 'fixtures', 'aof');
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

/** A server on `dir` with the AOF on, its log in dir/log.txt; closed by the caller. */
async function aofServer(dir: string, opts: CreateServerOptions = {}): Promise<{ s: ServerHandle; r: Redis; log: () => string }> {
  const logfile = join(dir, 'log.txt');
  const s = await createServer({ dir, appendonly: 'yes', loglevel: 'notice', logfile, 'enable-debug-command': 'yes', ...opts });
  const r = new Redis(s.port, '127.0.0.1');
  return { s, r, log: () => readFileSync(logfile, 'latin1') };
}

async function stop(h: { s: ServerHandle; r: Redis }): Promise<void> {
  h.r.disconnect();
  await h.s.close();
}

/** Writes of every type, in two databases. */
async function fillEveryType(r: Redis): Promise<void> {
  await r.set('str', 'hello');
  await r.set('bin', Buffer.from([0, 1, 2, 255, 13, 10]));
  await r.incr('counter');
  await r.set('ttl', 'v', 'PX', 3_600_000);
  await r.rpush('list', 'a', 'b', 'c');
  await r.lpush('list', 'z');
  await r.sadd('set', 'x', 'y', '1');
  await r.zadd('zset', 1.5, 'a', -2, 'b');
  await r.hset('hash', 'f', 'v', 'g', 'w');
  await r.xadd('stream', '1-1', 'a', '1');
  await r.xgroup('CREATE', 'stream', 'grp', '0');
  await r.call('XREADGROUP', 'GROUP', 'grp', 'c1', 'STREAMS', 'stream', '>');
  await r.multi().set('tx1', '1').incrby('tx2', 5).exec();
  await r.pfadd('hll', 'a', 'b');
  await r.setbit('bits', 100, 1);
  await r.select(5);
  await r.set('five', '5');
  await r.select(0);
  await r.del('str');
  await r.set('str', 'again');
}

describe('AOF manifest', () => {
  it('writes base, history and incr lines as Redis does, quoting names that need it', () => {
    const m = new AofManifest();
    m.newBase('appendonly.aof', true);
    m.newIncr('appendonly.aof');
    m.newIncr('appendonly.aof');
    expect(m.format()).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    m.newBase('appendonly.aof', false);
    m.markRewrittenIncrAsHistory(true);
    expect(m.format()).toBe(
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n',
    );
    const q = new AofManifest();
    q.newIncr('my file.aof');
    expect(q.format()).toBe('file "my file.aof.1.incr.aof" seq 1 type i\n');
    const back = AofManifest.parse(q.format());
    expect(back instanceof AofManifest && back.incr[0]!.name).toBe('my file.aof.1.incr.aof');
  });

  it('refuses what aofLoadManifestFromFile refuses, with its texts', () => {
    expect(AofManifest.parse('')).toEqual({ error: 'Found an empty AOF manifest' });
    expect(AofManifest.parse('file a seq 1\n')).toEqual({ error: 'Invalid AOF manifest file format', line: { number: 1, text: 'file a seq 1' } });
    expect(AofManifest.parse('file a/b seq 1 type b\n')).toMatchObject({ error: "File can't be a path, just a filename" });
    expect(AofManifest.parse('file a seq 1 type b\nfile b seq 2 type b\n')).toMatchObject({ error: 'Found duplicate base file information' });
    expect(AofManifest.parse('file a seq 2 type i\nfile b seq 2 type i\n')).toMatchObject({ error: 'Found a non-monotonic sequence number' });
    expect(AofManifest.parse('file a seq 1 type x\n')).toMatchObject({ error: 'Unknown AOF file type' });
    const ok = AofManifest.parse('# comment\nfile a.1.base.rdb seq 1 type b\nfile a.3.incr.aof seq 3 type i\n');
    expect(ok instanceof AofManifest && [ok.baseSeq, ok.incrSeq, ok.format()]).toEqual([1, 3, 'file a.1.base.rdb seq 1 type b\nfile a.3.incr.aof seq 3 type i\n']);
  });
});

describe('AOF writer', () => {
  function writer(policy: FsyncPolicy, timestamps = false, backgroundFdatasync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void) {
    const events: string[] = [];
    const w = new AofWriter({
      backgroundFdatasync,
      log: new Logger(),
      policy: () => policy,
      timestamps: () => timestamps,
      skipFsync: () => false,
      fatal: (m) => events.push(`fatal ${m}`),
      childActive: () => false,
      latency: (e) => events.push(e),
    });
    const path = join(tempDir(), 'incr.aof');
    w.switchTo(openSync(path, 'a'), 0);
    return { w, events, path };
  }
  const cmd = (...a: string[]) => Buffer.from(`*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`, 'latin1');

  it('writes SELECT when the database changes, none for MULTI/EXEC, and nothing before the flush', () => {
    const { w, events, path } = writer('always');
    w.feed(-1, cmd('MULTI'));
    w.feed(2, cmd('SET', 'a', '1'));
    w.feed(2, cmd('SET', 'b', '2'));
    w.feed(-1, cmd('EXEC'));
    w.feed(0, cmd('DEL', 'c'));
    expect(readFileSync(path, 'latin1')).toBe('');
    expect(w.pending).toBeGreaterThan(0);
    w.flush(false);
    expect(readFileSync(path, 'latin1')).toBe(
      [cmd('MULTI'), cmd('SELECT', '2'), cmd('SET', 'a', '1'), cmd('SET', 'b', '2'), cmd('EXEC'), cmd('SELECT', '0'), cmd('DEL', 'c')].map((b) => b.toString('latin1')).join(''),
    );
    expect(w.pending).toBe(0);
    expect(w.lastIncrSize).toBe(statSync(path).size);
    // One write and one fsync for the whole turn, each a latency event.
    expect(events).toEqual(['aof-write-alone', 'aof-write', 'aof-fsync-always']);
    w.closeFile();
  });

  it('takes commands as ranges of a larger buffer (where the request lies in the batch), between whole ones', () => {
    const { w, path } = writer('no');
    const arena = Buffer.concat([Buffer.from('junk'), cmd('SET', 'a', '1'), cmd('INCR', 'n'), Buffer.from('more junk')]);
    const set = cmd('SET', 'a', '1').length;
    w.feedRange(3, arena, 4, 4 + set);
    w.feed(-1, cmd('MULTI'));
    w.feedRange(3, arena, 4 + set, 4 + set + cmd('INCR', 'n').length);
    w.feed(-1, cmd('EXEC'));
    w.feedRange(0, arena, 4, 4 + set);
    const want = [cmd('SELECT', '3'), cmd('SET', 'a', '1'), cmd('MULTI'), cmd('INCR', 'n'), cmd('EXEC'), cmd('SELECT', '0'), cmd('SET', 'a', '1')];
    expect(w.pending).toBe(Buffer.concat(want).length);
    expect(w.fedOffset).toBe(Buffer.concat(want).length);
    w.flush(false);
    expect(readFileSync(path, 'latin1')).toBe(Buffer.concat(want).toString('latin1'));
    expect(w.pending).toBe(0);
    w.closeFile();
  });

  it('everysec: postpones a write while an fsync runs, then writes anyway after two seconds (aof_delayed_fsync)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(1_000_000);
      const pending: (() => void)[] = [];
      const { w, events, path } = writer('everysec', false, (_fd, done) => pending.push(() => done(null)));
      w.feed(0, cmd('SET', 'a', '1'));
      w.flush(false);
      // Same second as the last fsync: written, no fsync yet.
      expect(pending.length).toBe(0);
      vi.setSystemTime(1_001_000);
      w.feed(0, cmd('SET', 'b', '2'));
      w.flush(false);
      expect(pending.length).toBe(1);
      expect(w.fsyncsInFlight).toBe(1);
      const size = statSync(path).size;
      w.feed(0, cmd('SET', 'c', '3'));
      w.flush(false);
      vi.setSystemTime(1_002_000);
      w.flush(false);
      // Still postponed: nothing more written while the fsync runs.
      expect(statSync(path).size).toBe(size);
      expect(w.flushPostponed).toBe(true);
      vi.setSystemTime(1_003_000);
      w.flush(false);
      expect(statSync(path).size).toBeGreaterThan(size);
      expect(w.delayedFsync).toBe(1);
      expect(w.flushPostponed).toBe(false);
      pending.shift()!();
      expect(w.fsyncsInFlight).toBe(0);
      expect(events).toContain('aof-write-pending-fsync');
      w.closeFile();
    } finally {
      vi.useRealTimers();
    }
  });

  it('annotates a new second with #TS: when asked', () => {
    const { w, path } = writer('no', true);
    w.feed(0, cmd('SET', 'a', '1'));
    w.feed(0, cmd('SET', 'b', '2'));
    w.flush(false);
    const text = readFileSync(path, 'latin1');
    expect(text.match(/#TS:\d+\r\n/g)?.length).toBe(1);
    expect(text.startsWith('#TS:')).toBe(true);
    w.closeFile();
  });
});

describe('appendonly yes', () => {
  it('creates the base and the first incr file on an empty start, as the manifest says', async () => {
    const dir = tempDir();
    const h = await aofServer(dir);
    await h.r.set('k', 'v');
    expect(readdirSync(join(dir, 'appendonlydir')).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1')).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n');
    expect(h.log()).toContain('Creating AOF base file appendonly.aof.1.base.rdb on server start');
    expect(h.log()).toContain('Creating AOF incr file appendonly.aof.1.incr.aof on server start');
    await stop(h);
  });

  // (everysec may postpone a write while a background fsync runs, as Redis does: see the writer tests.)
  for (const policy of ['always', 'no']) it(`has written a command to the file before its reply leaves (appendfsync ${policy})`, async () => {
    const dir = tempDir();
    const h = await aofServer(dir, { appendfsync: policy });
    const incr = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    for (let i = 0; i < 20; i++) {
      await h.r.set(`k${i}`, String(i));
      expect(readFileSync(incr, 'latin1').endsWith(`$${`k${i}`.length}\r\nk${i}\r\n$${String(i).length}\r\n${i}\r\n`)).toBe(true);
    }
    await stop(h);
  });

  it('names its directory and files after appenddirname and appendfilename', async () => {
    const dir = tempDir();
    const a = await aofServer(dir, { appenddirname: 'mydir', appendfilename: 'my.aof' });
    await a.r.set('k', 'v');
    expect(readdirSync(join(dir, 'mydir')).sort()).toEqual(['my.aof.1.base.rdb', 'my.aof.1.incr.aof', 'my.aof.manifest']);
    await stop(a);
    const b = await aofServer(dir, { appenddirname: 'mydir', appendfilename: 'my.aof' });
    expect(await b.r.get('k')).toBe('v');
    await stop(b);
  });

  it('loads every data type back after a restart, with the same digest', async () => {
    const dir = tempDir();
    const a = await aofServer(dir);
    await fillEveryType(a.r);
    const digest = await a.r.call('DEBUG', 'DIGEST');
    await stop(a);
    const b = await aofServer(dir);
    expect(await b.r.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await b.r.get('str')).toBe('again');
    expect(b.log()).toContain('Opening AOF incr file appendonly.aof.1.incr.aof on server start');
    expect(b.log()).toMatch(/DB loaded from incr file appendonly\.aof\.1\.incr\.aof: \d+\.\d{3} seconds/);
    expect(b.log()).toMatch(/DB loaded from append only file: \d+\.\d{3} seconds/);
    await stop(b);
  });

  it('takes precedence over dump.rdb at load', async () => {
    const dir = tempDir();
    const plain = await createServer({ dir });
    const p = new Redis(plain.port, '127.0.0.1');
    await p.set('from', 'rdb');
    await p.save();
    p.disconnect();
    await plain.close();
    const h = await aofServer(dir);
    // An AOF created on start holds what was loaded: nothing, since the RDB is not read.
    expect(await h.r.get('from')).toBe(null);
    await stop(h);
  });

  it('writes #TS: annotations with aof-timestamp-enabled and loads them', async () => {
    const dir = tempDir();
    const a = await aofServer(dir, { 'aof-timestamp-enabled': 'yes' });
    await a.r.set('k', 'v');
    const incr = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
    expect(incr).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT/);
    await stop(a);
    const b = await aofServer(dir);
    expect(await b.r.get('k')).toBe('v');
    await stop(b);
  });
});

describe('AOF loading errors', () => {
  async function withIncr(tail: string, truncated: 'yes' | 'no'): Promise<{ dir: string; start: () => Promise<{ s: ServerHandle; r: Redis; log: () => string }> }> {
    const dir = tempDir();
    const a = await aofServer(dir);
    await a.r.set('a', '1');
    await a.r.set('b', '2');
    await stop(a);
    appendFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), tail);
    return { dir, start: () => aofServer(dir, { 'aof-load-truncated': truncated }) };
  }

  it('truncates a last incr file cut inside a command with aof-load-truncated yes, and loads on', async () => {
    const { dir, start } = await withIncr('*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1', 'yes');
    const path = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    const before = statSync(path).size;
    const h = await start();
    expect(await h.r.mget('a', 'b', 'c')).toEqual(['1', '2', null]);
    expect(statSync(path).size).toBe(before - '*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1'.length);
    const log = h.log();
    expect(log).toContain('!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!');
    expect(log).toContain(`!!! Truncating the AOF appendonly.aof.1.incr.aof at offset ${statSync(path).size - 0} !!!`);
    expect(log).toContain('AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled');
    // Writes go on at the truncated end.
    await h.r.set('d', '4');
    await stop(h);
    const again = await start();
    expect(await again.r.mget('a', 'b', 'd')).toEqual(['1', '2', '4']);
    await stop(again);
  });

  it('reverts a transaction left open at the end of the file', async () => {
    const { start } = await withIncr('*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\n3\r\n', 'yes');
    const h = await start();
    expect(await h.r.get('c')).toBe(null);
    expect(h.log()).toContain('Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof');
    await stop(h);
  });

  it('refuses to start on a truncated file with aof-load-truncated no', async () => {
    const { dir, start } = await withIncr('*3\r\n$3\r\nset\r\n$1\r\nc', 'no');
    await expect(start()).rejects.toThrow('the append only file could not be loaded');
    const log = readFileSync(join(dir, 'log.txt'), 'latin1');
    expect(log).toContain(
      "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
    );
  });

  it('refuses an unknown command and a bad format with Redis texts', async () => {
    const u = await withIncr('*1\r\n$7\r\nNOTACMD\r\n', 'yes');
    await expect(u.start()).rejects.toThrow();
    expect(readFileSync(join(u.dir, 'log.txt'), 'latin1')).toContain("Unknown command 'NOTACMD' reading the append only file appendonly.aof.1.incr.aof");
    const f = await withIncr('garbage\r\n', 'yes');
    await expect(f.start()).rejects.toThrow();
    expect(readFileSync(join(f.dir, 'log.txt'), 'latin1')).toContain(
      'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
    );
  });

  it('stops on a manifest it cannot read', async () => {
    const dir = tempDir();
    const a = await aofServer(dir);
    await stop(a);
    writeFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'file x seq 1 type z\n');
    await expect(aofServer(dir)).rejects.toThrow();
    const log = readFileSync(join(dir, 'log.txt'), 'latin1');
    expect(log).toContain('*** FATAL AOF MANIFEST FILE ERROR ***');
    expect(log).toContain(">>> 'file x seq 1 type z'");
    expect(log).toContain('Unknown AOF file type');
  });

  it('stops when a file the manifest lists is missing', async () => {
    const dir = tempDir();
    const a = await aofServer(dir);
    await a.r.set('k', 'v');
    await stop(a);
    rmSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'));
    await expect(aofServer(dir)).rejects.toThrow();
    expect(readFileSync(join(dir, 'log.txt'), 'latin1')).toMatch(/Unable to obtain the AOF file appendonly\.aof\.1\.incr\.aof length\. stat: ENOENT/);
  });

  it('moves an old single appendonly.aof into the directory (aofUpgradePrepare)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'appendonly.aof'), '*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n');
    const h = await aofServer(dir);
    expect(await h.r.get('old')).toBe('style');
    expect(existsSync(join(dir, 'appendonly.aof'))).toBe(false);
    expect(readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1')).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(h.log()).toContain('Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir).');
    await stop(h);
  });
});

describe('an old-style appendonly.aof with an RDB preamble', () => {
  it('is moved into the directory and loaded: the RDB, then the commands after it', async () => {
    const dir = tempDir();
    const rdb = readFileSync(join(fixtures, 'rdb-base', 'appendonly.aof.2.base.rdb'));
    writeFileSync(join(dir, 'appendonly.aof'), Buffer.concat([rdb, Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\ntail\r\n$3\r\nyes\r\n', 'latin1')]));
    const h = await aofServer(dir);
    expect(await h.r.get('tail')).toBe('yes');
    expect(await h.r.get('str')).toBe('hello');
    const log = h.log();
    expect(log).toContain('Reading RDB preamble from AOF file...');
    expect(log).toContain('Reading the remaining AOF tail...');
    expect(log).toContain('DB loaded from base file appendonly.aof');
    await stop(h);
  });
});

describe("redis-server's appendonlydir", () => {
  for (const name of ['rdb-base', 'aof-base']) {
    it(`loads a ${name} directory recorded from redis-server with its digest`, async () => {
      const dir = tempDir();
      cpSync(join(fixtures, name), join(dir, 'appendonlydir'), { recursive: true });
      const expected = JSON.parse(readFileSync(join(fixtures, name, 'expected.json'), 'utf8')) as { digest: string; keys_db0: number; manifest: string };
      const h = await aofServer(dir);
      expect(await h.r.call('DEBUG', 'DIGEST')).toBe(expected.digest);
      expect(await h.r.dbsize()).toBe(expected.keys_db0);
      expect(await h.r.get('after')).toBe('rewrite');
      expect(h.log()).toContain(name === 'rdb-base' ? 'Reading RDB base file on AOF loading...' : 'DB loaded from base file appendonly.aof.2.base.aof');
      expect(h.log()).toContain('Opening AOF incr file appendonly.aof.2.incr.aof on server start');
      await stop(h);
    });
  }
});

describe('INFO persistence', () => {
  it('lists the aof_* fields as 7.2 does, and the extra ones while the AOF is on', async () => {
    const dir = tempDir();
    const h = await aofServer(dir, { appendfsync: 'always' });
    await h.r.set('k', 'v');
    const info = await h.r.info('persistence');
    const names = [...info.matchAll(/^(aof_\w+|module_fork_\w+):/gm)].map((m) => m[1]);
    expect(names).toEqual([
      'aof_enabled', 'aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'aof_last_rewrite_time_sec', 'aof_current_rewrite_time_sec',
      'aof_last_bgrewrite_status', 'aof_rewrites', 'aof_rewrites_consecutive_failures', 'aof_last_write_status', 'aof_last_cow_size',
      'module_fork_in_progress', 'module_fork_last_cow_size',
      'aof_current_size', 'aof_base_size', 'aof_pending_rewrite', 'aof_buffer_length', 'aof_pending_bio_fsync', 'aof_delayed_fsync',
    ]);
    expect(info).toContain('aof_enabled:1\r\n');
    expect(info).toContain('aof_buffer_length:0\r\n');
    const base = statSync(join(dir, 'appendonlydir', 'appendonly.aof.1.base.rdb')).size;
    const incr = () => statSync(join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof')).size;
    // A base created on start is not counted (aofOpenIfNeededOnServerStart leaves the size alone);
    // after a load, every file the manifest lists is.
    expect(info).toContain(`aof_current_size:${incr()}\r\naof_base_size:0\r\n`);
    await stop(h);
    const again = await aofServer(dir);
    expect(await again.r.info('persistence')).toContain(`aof_current_size:${base + incr()}\r\naof_base_size:${base}\r\n`);
    await stop(again);
    const off = await createServer({});
    const r = new Redis(off.port, '127.0.0.1');
    const offInfo = await r.info('persistence');
    expect(offInfo).toContain('aof_enabled:0\r\n');
    expect(offInfo).not.toContain('aof_current_size');
    r.disconnect();
    await off.close();
  });
});

/** The CLI with an AOF in `dir`, on a unix socket there, its output collected. */
function runCli(dir: string, args: string[]) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--unixsocket', join(dir, 'r.sock'), '--dir', dir, '--save', '', '--appendonly', 'yes', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, out: () => out, exited: new Promise<void>((res) => child.on('exit', () => res())) };
}

describe('kill -9', () => {
  it('keeps every acknowledged write with appendfsync always', async () => {
    const dir = tempDir();
    const run = (args: string[]) => runCli(dir, args);
    const first = run(['--appendfsync', 'always']);
    await waitForOutput(first.out, /Ready to accept connections unix/);
    const r = new Redis({ path: join(dir, 'r.sock') });
    // Pipelined writers: each reply acknowledges one write.
    const acked: number[] = [];
    await Promise.all(Array.from({ length: 400 }, (_, i) => r.set(`k${i}`, String(i)).then(() => acked.push(i))));
    await r.rpush('list', ...Array.from({ length: 50 }, (_, i) => String(i)));
    first.child.kill('SIGKILL');
    await first.exited;
    r.disconnect();
    const second = run([]);
    await waitForOutput(second.out, /Ready to accept connections unix/);
    const r2 = new Redis({ path: join(dir, 'r.sock') });
    expect(acked.length).toBe(400);
    const values = await r2.mget(...acked.map((i) => `k${i}`));
    expect(values).toEqual(acked.map((i) => String(i)));
    expect(await r2.llen('list')).toBe(50);
    r2.disconnect();
    second.child.kill('SIGKILL');
    await second.exited;
  });

  it('with appendfsync everysec, loses at most what came in the last second or two', async () => {
    const dir = tempDir();
    const run = (args: string[]) => runCli(dir, args);
    const first = run(['--appendfsync', 'everysec']);
    await waitForOutput(first.out, /Ready to accept connections unix/);
    const r = new Redis({ path: join(dir, 'r.sock') });
    await Promise.all(Array.from({ length: 300 }, (_, i) => r.set(`old${i}`, String(i))));
    // Written more than two seconds before the kill: on disk by then (an fsync a second).
    await new Promise((res) => setTimeout(res, 2500));
    await Promise.all(Array.from({ length: 100 }, (_, i) => r.set(`new${i}`, String(i))));
    first.child.kill('SIGKILL');
    await first.exited;
    r.disconnect();
    const second = run([]);
    await waitForOutput(second.out, /Ready to accept connections unix/);
    const r2 = new Redis({ path: join(dir, 'r.sock') });
    expect(await r2.mget(...Array.from({ length: 300 }, (_, i) => `old${i}`))).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
    // The newest writes may or may not be there, but never a part of one: each key whole or absent.
    for (const v of await r2.mget(...Array.from({ length: 100 }, (_, i) => `new${i}`))) expect(v === null || /^\d+$/.test(v)).toBe(true);
    r2.disconnect();
    second.child.kill('SIGKILL');
    await second.exited;
  }, 20000);
});

describe('a truncated base', () => {
  it('is fatal when it is not the last file', async () => {
    const dir = tempDir();
    const a = await aofServer(dir, { 'aof-use-rdb-preamble': 'no' });
    await a.r.set('k', 'v');
    await a.r.bgrewriteaof();
    // The rewrite's file is written and fsynced in the background: stop once it is done.
    for (let i = 0; i < 500 && !(await a.r.info('persistence')).includes('aof_rewrite_in_progress:0'); i++) await new Promise((r) => setTimeout(r, 10));
    await stop(a);
    const ad = join(dir, 'appendonlydir');
    const base = readdirSync(ad).find((f) => f.includes('.base.aof'))!;
    truncateSync(join(ad, base), statSync(join(ad, base)).size - 3);
    await expect(aofServer(dir)).rejects.toThrow();
    expect(readFileSync(join(dir, 'log.txt'), 'latin1')).toContain('Fatal error: the truncated file is not the last file');
  });
});

describe('DEBUG LOADAOF', () => {
  it('empties the data and loads the AOF files again, the same digest after', async () => {
    const dir = tempDir();
    const a = await aofServer(dir, { 'enable-debug-command': 'yes' });
    await a.r.set('k', 'v');
    await a.r.rpush('l', 'a', 'b');
    await a.r.hset('h', 'f', '1');
    const digest = await a.r.call('DEBUG', 'DIGEST');
    expect(await a.r.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await a.r.call('DEBUG', 'DIGEST')).toBe(digest);
    // The reload itself is not written to the AOF again: one more reload, the same data.
    expect(await a.r.call('DEBUG', 'LOADAOF')).toBe('OK');
    expect(await a.r.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await a.r.lrange('l', 0, -1)).toEqual(['a', 'b']);
    await stop(a);
  });
});
