// LOADING: the dataset loads in slices while clients are served (rdbLoadRio with
// processEventsWhileBlocked): at start-up and for a replica's full sync, commands without the
// `loading` flag get -LOADING, INFO persistence shows loading:1 and the progress, and then the
// data is there; a replica applies the master's writes made during its load, in order.
// key-load-delay (µs per key) makes a load slow on purpose, as in Redis's own tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { createServer, type CreateServerOptions, type ServerHandle } from '../src/index.js';
import { spawn } from 'node:child_process';
import { bulk, bulkText, errorLine, infoField, infoNumber, int, OK, RawClient, resp, startServer, until, waitForOutput } from './helpers.js';

const LOADING = errorLine('LOADING Redis is loading the dataset in memory');
const KEYS = 2000;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A folder with a dump.rdb of KEYS keys (DEBUG POPULATE: key:0 ... holding value:0 ...). */
async function dumpWithKeys(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'respd-loading-'));
  dirs.push(dir);
  const h = await createServer({ dir, save: '' });
  const c = await RawClient.connect(h.port);
  await c.call('DEBUG', 'POPULATE', String(KEYS));
  expect(await c.call('SAVE')).toBe(OK);
  c.close();
  await h.close();
  return dir;
}

/**
 * A server still loading its dump, stopped when the test ends. key-load-delay 2000 makes the load
 * last KEYS x 2 ms at the least, far longer than a test's checks; CONFIG SET key-load-delay 0
 * (CONFIG runs while loading) lets it end at once after them.
 */
async function loadingServer(dir: string, options: CreateServerOptions = {}): Promise<ServerHandle> {
  const h = await createServer({ dir, save: '', 'key-load-delay': 2000, awaitLoad: false, ...options });
  onTestFinished(() => h.close());
  return h;
}

const clients: Redis[] = [];
afterEach(() => {
  for (const r of clients.splice(0)) r.disconnect();
});

describe('loading at start-up', () => {
  it('answers -LOADING to data commands, runs the loading-flagged ones, and then has the data', async () => {
    const dir = await dumpWithKeys();
    const h = await loadingServer(dir);
    const c = await RawClient.connect(h.port);
    expect(await c.call('GET', 'key:1')).toBe(LOADING);
    expect(await c.call('SET', 'x', '1')).toBe(LOADING);
    expect(await c.call('DBSIZE')).toBe(LOADING);
    // PING has no `loading` flag in Redis's table (ping.json: FAST, SENTINEL): refused too.
    expect(await c.call('PING')).toBe(LOADING);
    expect(await c.call('CONFIG', 'GET', 'key-load-delay')).toBe('*2\r\n' + bulk('key-load-delay') + bulk('2000'));
    expect(await c.call('CLIENT', 'SETNAME', 'waiting')).toBe(OK);
    expect(await c.call('ECHO', 'hi')).toBe(bulk('hi'));
    // MULTI is allowed, a command queued in it is refused at once (and dooms the transaction).
    expect(await c.call('MULTI')).toBe(OK);
    expect(await c.call('GET', 'key:1')).toBe(LOADING);
    expect(await c.call('DISCARD')).toBe(OK);

    expect(await infoField(c, 'loading')).toBe('1');
    expect(await infoField(c, 'async_loading')).toBe('0');
    expect(await infoNumber(c, 'loading_total_bytes')).toBeGreaterThan(0);
    const first = await infoNumber(c, 'loading_loaded_bytes');
    const grown = await until(() => infoNumber(c, 'loading_loaded_bytes'), (n) => n > first, 10000);
    expect(grown).toBeGreaterThan(first);
    expect(grown).toBeLessThan(await infoNumber(c, 'loading_total_bytes'));
    expect(Number(await infoField(c, 'loading_loaded_perc'))).toBeGreaterThan(0);
    expect(await infoNumber(c, 'loading_start_time')).toBeGreaterThan(0);
    expect(await infoNumber(c, 'loading_eta_seconds')).toBeGreaterThanOrEqual(0);
    expect(await infoNumber(c, 'loading_rdb_used_mem')).toBeGreaterThan(0);
    // Counted as the load goes, as Redis does.
    expect(await infoNumber(c, 'rdb_last_load_keys_loaded')).toBeGreaterThan(0);
    expect(await infoNumber(c, 'rdb_last_load_keys_loaded')).toBeLessThan(KEYS);
    expect(await infoField(c, 'loading')).toBe('1');

    expect(await c.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await h.loaded;
    expect(await infoField(c, 'loading')).toBe('0');
    expect(await infoField(c, 'loading_loaded_bytes')).toBe('');
    expect(await c.call('DBSIZE')).toBe(int(KEYS));
    expect(await c.call('GET', 'key:1')).toBe(bulk('value:1'));
    expect(await c.call('PING')).toBe('+PONG\r\n');
    expect(await infoNumber(c, 'rdb_last_load_keys_loaded')).toBe(KEYS);
    c.close();
  });

  it('loads every type in slices as a load in one go does (equal digests)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respd-loading-'));
    dirs.push(dir);
    const first = await createServer({ dir, save: '' });
    const c = await RawClient.connect(first.port);
    await c.call('DEBUG', 'POPULATE', '500');
    await c.call('RPUSH', 'list', 'a', 'b', 'c', '1', '2');
    await c.call('SADD', 'set', 'x', 'y', 'z');
    await c.call('SADD', 'intset', '1', '2', '3');
    await c.call('ZADD', 'zset', '1', 'one', '2.5', 'two');
    await c.call('HSET', 'hash', 'f1', 'v1', 'f2', 'v2');
    await c.call('HSET', 'hfe', 'a', '1', 'b', '2');
    await c.call('HEXPIRE', 'hfe', '100000', 'FIELDS', '1', 'a');
    await c.call('SET', 'ttl', 'v', 'EX', '100000');
    await c.call('XADD', 'stream', '1-1', 'f', 'v');
    await c.call('XGROUP', 'CREATE', 'stream', 'g', '0');
    await c.call('PFADD', 'hll', 'a', 'b', 'c');
    await c.call('SET', 'big', 'x'.repeat(100000));
    await c.call('SELECT', '3');
    await c.call('SET', 'in-db-3', 'yes');
    expect(await c.call('SAVE')).toBe(OK);
    const digest = bulkText(await c.call('DEBUG', 'DIGEST'));
    c.close();
    await first.close();

    const h = await loadingServer(dir);
    const d = await RawClient.connect(h.port);
    expect(await infoField(d, 'loading')).toBe('1');
    expect(await d.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await h.loaded;
    expect(bulkText(await d.call('DEBUG', 'DIGEST'))).toBe(digest);
    expect(await d.call('HTTL', 'hfe', 'FIELDS', '2', 'a', 'b')).toMatch(/^\*2\r\n:\d+\r\n:-1\r\n$/);
    d.close();
  });

  it('refuses DEBUG RELOAD and DEBUG LOADAOF meanwhile (they would save or load a half-loaded dataset)', async () => {
    const dir = await dumpWithKeys();
    const h = await loadingServer(dir);
    const c = await RawClient.connect(h.port);
    expect(await c.call('DEBUG', 'RELOAD')).toBe(LOADING);
    expect(await c.call('DEBUG', 'LOADAOF')).toBe(LOADING);
    expect(await c.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await h.loaded;
    expect(await c.call('DBSIZE')).toBe(int(KEYS));
    c.close();
  });

  it('a replica by configuration connects to its master only once its own load is over', async () => {
    const master = await startServer({ 'repl-diskless-sync-delay': 0 });
    const m = await RawClient.connect(master.port);
    expect(await m.call('SET', 'from', 'master')).toBe(OK);
    const dir = await dumpWithKeys();
    const h = await loadingServer(dir, { replicaof: `127.0.0.1 ${master.port}` });
    const c = await RawClient.connect(h.port);
    expect(await infoField(c, 'loading')).toBe('1');
    expect(await infoField(c, 'role')).toBe('slave');
    expect(await infoField(c, 'master_link_status')).toBe('down');
    expect(await infoField(m, 'connected_slaves')).toBe('0');
    expect(await c.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await h.loaded;
    await until(() => infoField(c, 'master_link_status'), (v) => v === 'up', 10000);
    expect(await c.call('DBSIZE')).toBe(int(1));
    expect(await c.call('GET', 'from')).toBe(bulk('master'));
    c.close();
    m.close();
  });

  it('refuses EXEC with a queued command that may not run while loading', async () => {
    const dir = await dumpWithKeys();
    const h = await loadingServer(dir);
    const c = await RawClient.connect(h.port);
    // Queued before the load? Not possible here: a transaction of loading-flagged commands runs.
    expect(await c.call('MULTI')).toBe(OK);
    expect(await c.call('CONFIG', 'GET', 'hz')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n*2\r\n' + bulk('hz') + bulk('10'));
    expect(await c.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await h.loaded;
    c.close();
  });

  it('an ioredis client connected during the load becomes ready after it and reads the data', async () => {
    const dir = await dumpWithKeys();
    const h = await loadingServer(dir);
    const probe = await RawClient.connect(h.port);
    expect(await infoField(probe, 'loading')).toBe('1');
    const r = new Redis({ port: h.port, host: '127.0.0.1' });
    clients.push(r);
    // Sent at once, queued by ioredis until its ready check (INFO) stops saying loading:1.
    const value = r.get('key:7');
    const size = r.dbsize();
    // Connected: its ready check (INFO) is sent and answered loading:1.
    expect(await until(async () => r.status, (s) => s === 'connect', 5000)).toBe('connect');
    expect(await infoField(probe, 'loading')).toBe('1');
    expect(await probe.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    expect(await value).toBe('value:7');
    expect(await size).toBe(KEYS);
    expect(await infoField(probe, 'loading')).toBe('0');
    probe.close();
  });

  it('createServer resolves once loaded by default', async () => {
    const dir = await dumpWithKeys();
    const h = await startServer({ dir, save: '' });
    const c = await RawClient.connect(h.port);
    expect(await c.call('DBSIZE')).toBe(int(KEYS));
    expect(await infoField(c, 'loading')).toBe('0');
    c.close();
  });

  it('a broken dump rejects `loaded` and closes the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respd-loading-'));
    dirs.push(dir);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'dump.rdb'), 'REDIS0011\xfa');
    await expect(createServer({ dir, save: '' })).rejects.toThrow('Fatal error loading the DB: Short read or OOM loading DB. Unrecoverable error, aborting now.. Exiting.');
  });

  it('checks the CRC-64 over every slice: a byte changed mid-file fails the load at its end', async () => {
    const dir = await dumpWithKeys();
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = readFileSync(join(dir, 'dump.rdb'));
    const at = file.indexOf('value:1000');
    expect(at).toBeGreaterThan(0);
    file[at] = 'V'.charCodeAt(0);
    writeFileSync(join(dir, 'dump.rdb'), file);
    const h = await loadingServer(dir);
    const c = await RawClient.connect(h.port);
    expect(await infoField(c, 'loading')).toBe('1');
    // Several slices go by before the end (a few keys a slice at 2 ms a key).
    await until(() => infoNumber(c, 'rdb_last_load_keys_loaded'), (n) => n > 10, 10000);
    expect(await c.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await expect(h.loaded).rejects.toThrow('Fatal error loading the DB: Wrong RDB checksum. Aborting now.. Exiting.');
    expect(await c.waitClose()).toBe(true);
  });

  it('SHUTDOWN during the load does not save the half-loaded dataset', async () => {
    const dir = await dumpWithKeys();
    const h = await loadingServer(dir, { save: '3600 1' });
    const c = await RawClient.connect(h.port);
    expect(await infoField(c, 'loading')).toBe('1');
    c.socket.write(resp('SHUTDOWN', 'SAVE'));
    expect(await c.waitClose()).toBe(true);
    await expect(h.loaded).rejects.toThrow('the server closed during the load');
    // The dump is whole still: a new server loads every key of it.
    const again = await startServer({ dir, save: '' });
    const d = await RawClient.connect(again.port);
    expect(await d.call('DBSIZE')).toBe(int(KEYS));
    d.close();
  });
});

describe('npx respd loading at start-up', () => {
  it('listens during the load (-LOADING on its socket), and SIGTERM then exits without saving', async () => {
    const dir = await dumpWithKeys();
    const sock = join(dir, 'r.sock');
    const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
    // Save points on (the CLI's default): a shutdown would save, but not a half-loaded dataset.
    const child = spawn(process.execPath, [cli, '--port', '0', '--unixsocket', sock, '--dir', dir, '--key-load-delay', '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      await waitForOutput(() => out, /Loading RDB produced by version/);
      const c = await RawClient.connect(sock);
      expect(await c.call('GET', 'key:1')).toBe(LOADING);
      expect(await infoField(c, 'loading')).toBe('1');
      expect(out).not.toContain('Ready to accept connections');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('Received shutdown signal during loading, scheduling shutdown.');
      expect(out).not.toContain('Saving the final RDB snapshot');
      c.close();
    } finally {
      child.kill('SIGKILL');
    }
    const again = await startServer({ dir, save: '' });
    const d = await RawClient.connect(again.port);
    expect(await d.call('DBSIZE')).toBe(int(KEYS));
    d.close();
  });
});

describe('loading the AOF at start-up', () => {
  it('loads the RDB base in slices (-LOADING meanwhile), then replays the incr file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respd-loading-'));
    dirs.push(dir);
    const first = await createServer({ dir, save: '', appendonly: true });
    const c = await RawClient.connect(first.port);
    await c.call('DEBUG', 'POPULATE', String(KEYS));
    await c.call('BGREWRITEAOF');
    await until(() => infoField(c, 'aof_rewrite_in_progress'), (v) => v === '0', 10000);
    expect(await infoNumber(c, 'aof_rewrites')).toBe(1);
    expect(await c.call('SET', 'after', 'rewrite')).toBe(OK);
    c.close();
    await first.close();

    const h = await loadingServer(dir, { appendonly: true });
    const d = await RawClient.connect(h.port);
    expect(await d.call('GET', 'after')).toBe(LOADING);
    expect(await infoField(d, 'loading')).toBe('1');
    expect(await infoNumber(d, 'loading_total_bytes')).toBeGreaterThan(0);
    expect(await d.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);
    await h.loaded;
    expect(await d.call('DBSIZE')).toBe(int(KEYS + 1));
    expect(await d.call('GET', 'after')).toBe(bulk('rewrite'));
    expect(await d.call('GET', 'key:3')).toBe(bulk('value:3'));
    // The AOF goes on being written after the load.
    expect(await d.call('SET', 'later', '1')).toBe(OK);
    expect(await infoField(d, 'aof_enabled')).toBe('1');
    d.close();
    await h.close();
    const again = await startServer({ dir, save: '', appendonly: true });
    const e = await RawClient.connect(again.port);
    expect(await e.call('DBSIZE')).toBe(int(KEYS + 2));
    expect(await e.call('GET', 'later')).toBe(bulk('1'));
    e.close();
  });
});

describe('a replica loading its full sync', () => {
  it('answers -LOADING during the load, then has the payload and the writes made meanwhile, in order', async () => {
    // A payload sent with its length (a diskless one's is unknown until its end mark).
    const master = await startServer({ 'repl-diskless-sync': 'no' });
    const m = await RawClient.connect(master.port);
    await m.call('DEBUG', 'POPULATE', String(KEYS));
    // key-load-delay: KEYS x 2 ms at the least, far longer than the writes below; then set to 0.
    const replica = await startServer({ 'key-load-delay': 2000 });
    onTestFinished(() => replica.close());
    const r = await RawClient.connect(replica.port);
    expect(await r.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe(OK);
    expect(await until(() => infoField(r, 'loading'), (v) => v === '1', 10000)).toBe('1');
    expect(await r.call('GET', 'key:1')).toBe(LOADING);
    expect(await infoField(r, 'master_link_status')).toBe('down');
    expect(await infoField(r, 'master_sync_in_progress')).toBe('1');
    // The transfer is over, the load goes on: INFO shows it whole.
    const total = await infoNumber(r, 'master_sync_total_bytes');
    expect(total).toBeGreaterThan(0);
    expect(await infoNumber(r, 'master_sync_read_bytes')).toBe(total);
    expect(await infoNumber(r, 'master_sync_left_bytes')).toBe(0);
    expect(await infoField(r, 'master_sync_perc')).toBe('100.00');
    // Writes on the master while the replica loads: they reach it after the load, in order.
    for (let i = 0; i < 50; i++) await m.call('RPUSH', 'during', String(i));
    await m.call('SET', 'key:1', 'changed');
    await m.call('DEL', 'key:2');
    await m.call('INCRBY', 'counter', '5');
    expect(await infoField(r, 'loading')).toBe('1');
    expect(await r.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);

    await until(() => infoField(r, 'master_link_status'), (v) => v === 'up', 20000);
    const target = await infoField(m, 'master_repl_offset');
    expect(await until(() => infoField(r, 'slave_repl_offset'), (v) => v === target, 10000)).toBe(target);
    expect(await infoField(r, 'loading')).toBe('0');
    expect(await r.call('DBSIZE')).toBe(int(KEYS - 1 + 2));
    expect(await r.call('GET', 'key:1')).toBe(bulk('changed'));
    expect(await r.call('EXISTS', 'key:2')).toBe(int(0));
    expect(await r.call('GET', 'counter')).toBe(bulk('5'));
    expect(bulkText(await r.call('DEBUG', 'DIGEST'))).toBe(bulkText(await m.call('DEBUG', 'DIGEST')));
    const list = await r.call('LRANGE', 'during', '0', '-1');
    expect(list).toBe(`*50\r\n` + Array.from({ length: 50 }, (_, i) => bulk(String(i))).join(''));
    m.close();
    r.close();
  });

  it('repl-diskless-load swapdb on the same history: the old dataset is served during the load (async_loading), then swapped', async () => {
    const master = await startServer({ 'repl-backlog-size': '16kb', 'repl-diskless-sync-delay': 0 });
    const m = await RawClient.connect(master.port);
    await m.call('DEBUG', 'POPULATE', String(KEYS));
    const replica = await startServer({ 'repl-diskless-load': 'swapdb' });
    onTestFinished(() => replica.close());
    const r = await RawClient.connect(replica.port);
    expect(await r.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe(OK);
    await until(() => infoField(r, 'master_link_status'), (v) => v === 'up', 20000);
    expect(await r.call('DBSIZE')).toBe(int(KEYS));

    // The link dropped and more written than the backlog holds: the next sync is a full one of
    // the same history (same replication id), loaded while the old dataset is served.
    expect(await r.call('CONFIG', 'SET', 'key-load-delay', '2000')).toBe(OK);
    expect(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(int(1));
    const big = 'x'.repeat(20000);
    expect(await m.call('SET', 'big', big)).toBe(OK);
    expect(await m.call('SET', 'key:1', 'new')).toBe(OK);
    expect(await until(() => infoField(r, 'async_loading'), (v) => v === '1', 10000)).toBe('1');
    expect(await infoField(r, 'loading')).toBe('0');
    expect(await infoNumber(r, 'loading_total_bytes')).toBeGreaterThan(0);
    expect(await r.call('GET', 'key:1')).toBe(bulk('value:1'));
    expect(await r.call('EXISTS', 'big')).toBe(int(0));
    expect(await r.call('DBSIZE')).toBe(int(KEYS));
    // no_async_loading commands wait for the end.
    expect(await r.call('SAVE')).toBe(LOADING);
    expect(await r.call('REPLICAOF', 'NO', 'ONE')).toBe(LOADING);
    expect(await r.call('CONFIG', 'SET', 'key-load-delay', '0')).toBe(OK);

    await until(() => infoField(r, 'master_link_status'), (v) => v === 'up', 20000);
    const target = await infoField(m, 'master_repl_offset');
    expect(await until(() => infoField(r, 'slave_repl_offset'), (v) => v === target, 10000)).toBe(target);
    expect(await infoField(r, 'async_loading')).toBe('0');
    expect(await infoNumber(m, 'sync_full')).toBe(2);
    expect(await r.call('GET', 'key:1')).toBe(bulk('new'));
    expect(await r.call('STRLEN', 'big')).toBe(int(20000));
    expect(await r.call('DBSIZE')).toBe(int(KEYS + 1));
    expect(bulkText(await r.call('DEBUG', 'DIGEST'))).toBe(bulkText(await m.call('DEBUG', 'DIGEST')));
    m.close();
    r.close();
  });
});
