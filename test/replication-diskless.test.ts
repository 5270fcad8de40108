// The master's diskless full sync (repl-diskless-sync yes): the snapshot streams straight into the
// replicas' sockets as `$EOF:<mark>\r\n` ... `<mark>`, replicas arriving within
// repl-diskless-sync-delay share one transfer (repl-diskless-sync-max-replicas starts it early),
// the stream made meanwhile follows after the replica's first REPLCONF ACK, serialization waits
// for the slowest socket, the payload never counts towards the replica output limit while the
// held stream does, and a replica that goes is dropped from the transfer.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { RawClient, infoField, infoNumber, resp, startServer, until } from './helpers.js';
import type { CreateServerOptions, ServerHandle } from '../src/index.js';

/** A master logging at notice level into a file of its own; stopped when the test ends. */
async function master(options: CreateServerOptions = {}): Promise<{ h: ServerHandle; log: () => string }> {
  const logfile = join(mkdtempSync(join(tmpdir(), 'respd-diskless-')), 'master.log');
  const h = await startServer({ 'repl-diskless-sync': 'yes', loglevel: 'notice', logfile, ...options });
  onTestFinished(() => h.close());
  return { h, log: () => readFileSync(logfile, 'latin1') };
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

async function raw(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  opened.push(c);
  return c;
}

function redis(port: number): Redis {
  const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0 });
  opened.push({ close: () => r.disconnect() });
  return r;
}

/** Says it reads EOF-marked payloads (or not), then asks for a full sync. */
async function psync(port: number, eof = true, listeningPort = '0'): Promise<RawClient> {
  const r = await raw(port);
  expect(await r.call('REPLCONF', 'listening-port', listeningPort)).toBe('+OK\r\n');
  expect(await r.call('REPLCONF', 'capa', ...(eof ? ['eof', 'capa', 'psync2'] : ['psync2']))).toBe('+OK\r\n');
  r.write(resp('PSYNC', '?', '-1'));
  return r;
}

/** What a replica connection got: +FULLRESYNC's offset, the EOF mark, and where the payload starts. */
const HEAD = /\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\$EOF:([0-9a-f]{40})\r\n/;

async function head(r: RawClient): Promise<{ replid: string; offset: number; mark: string; start: number }> {
  const text = await r.waitMatch(HEAD, 10000);
  const m = HEAD.exec(text);
  expect(m).not.toBeNull();
  return { replid: m![1]!, offset: Number(m![2]), mark: m![3]!, start: m!.index + m![0].length };
}

/** Waits for the mark that ends the payload; returns the payload. */
async function payloadOf(r: RawClient, mark: string, start: number, timeoutMs = 15000): Promise<string> {
  await until(async () => r.received.indexOf(mark, start) >= 0 || r.closed, (v) => v, timeoutMs, 20);
  const end = r.received.indexOf(mark, start);
  expect(end).toBeGreaterThanOrEqual(0);
  return r.received.slice(start, end);
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

async function fillEveryType(r: Redis): Promise<void> {
  await r.set('str', 'hello');
  await r.set('int', '12345');
  await r.set('ttl', 'v', 'EX', 1000);
  await r.rpush('list', 'a', 'b', 'c');
  await r.sadd('set', 'x', 'y', '1', '2');
  await r.sadd('intset', '1', '2', '3');
  await r.zadd('zset', 1, 'one', 2.5, 'two');
  await r.hset('hash', 'f1', 'v1', 'f2', 'v2');
  await r.xadd('stream', '1-1', 'k', 'v');
  await r.xgroup('CREATE', 'stream', 'g', '0');
  await r.pfadd('hll', 'a', 'b', 'c');
  await r.select(3);
  await r.set('in-db3', 'three');
  await r.select(0);
}

describe('diskless full sync to a respd replica', () => {
  it('streams every data type to the replica; writes made during the transfer arrive; the digests match', async () => {
    // One key per millisecond: the transfer of ~200 keys takes a while, and writes go on meanwhile.
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0', 'rdb-key-save-delay': '1000' });
    const replica = await startServer();
    onTestFinished(() => replica.close());
    const m = redis(h.port);
    const r = redis(replica.port);
    await fillEveryType(m);
    for (let i = 0; i < 200; i++) await m.set(`k:${i}`, String(i));
    expect(await r.call('REPLICAOF', '127.0.0.1', String(h.port))).toBe('OK');
    const probe = await raw(h.port);
    expect(await until(() => infoField(probe, 'rdb_bgsave_in_progress'), (v) => v === '1', 5000)).toBe('1');
    expect(await infoField(probe, 'slave0')).toMatch(/state=wait_bgsave/);
    await m.set('during', 'transfer');
    await m.del('k:0');
    await m.rpush('list', 'd');
    await until(async () => (await r.info('replication')).includes('master_link_status:up'), (v) => v, 10000, 20);
    const target = await infoField(probe, 'master_repl_offset');
    await until(async () => /slave_repl_offset:(\d+)/.exec(await r.info('replication'))?.[1], (v) => v === target, 10000, 20);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
    expect(await r.get('during')).toBe('transfer');
    expect(await r.exists('k:0')).toBe(0);
    expect(await r.lrange('list', 0, -1)).toEqual(['a', 'b', 'c', 'd']);
    expect(await until(() => infoField(probe, 'slave0'), (v) => v.includes('state=online'))).toMatch(/state=online/);
    expect(await infoField(probe, 'rdb_bgsave_in_progress')).toBe('0');
    const text = log();
    expect(text).toContain('Starting BGSAVE for SYNC with target: replicas sockets');
    expect(text).toContain(`Streamed RDB transfer with replica 127.0.0.1:${replica.port} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
    expect(text).toContain('Background RDB transfer terminated with success');
  });

  it('syncs a big dataset under a small replica hard limit: the payload does not count towards it', async () => {
    const { h } = await master({ 'repl-diskless-sync-delay': '0', 'client-output-buffer-limit': 'replica 256kb 0 0', rdbcompression: 'no' });
    const replica = await startServer();
    onTestFinished(() => replica.close());
    const m = redis(h.port);
    const r = redis(replica.port);
    const value = Buffer.alloc(100 * 1024, 'abcdefghij').toString();
    for (let i = 0; i < 60; i++) await m.set(`big:${i}`, value);
    expect(await r.call('REPLICAOF', '127.0.0.1', String(h.port))).toBe('OK');
    await until(async () => (await r.info('replication')).includes('master_link_status:up'), (v) => v, 10000, 20);
    expect(await r.dbsize()).toBe(60);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
    expect(await m.info('stats')).toContain('client_output_buffer_limit_disconnections:0');
  });
});

describe('diskless full sync on the wire', () => {
  it('sends $EOF:<mark>, the RDB, the mark; the writes made meanwhile only after the first REPLCONF ACK', async () => {
    const { h } = await master({ 'repl-diskless-sync-delay': '0', 'rdb-key-save-delay': '1000' });
    const w = await raw(h.port);
    for (let i = 0; i < 100; i++) await w.call('SET', `k:${i}`, 'v');
    const r = await psync(h.port);
    const { offset, mark, start } = await head(r);
    expect(await w.call('SET', 'during', 'y')).toBe('+OK\r\n');
    const payload = await payloadOf(r, mark, start);
    expect(payload.startsWith('REDIS0010')).toBe(true);
    expect(payload).toContain('k:99');
    expect(payload).not.toContain('during');
    const after = start + payload.length + mark.length;
    // Nothing after the mark until the replica says it loaded the payload.
    expect(await infoField(w, 'slave0')).toMatch(/state=online/);
    expect(await w.call('SET', 'after', 'z')).toBe('+OK\r\n');
    expect((await r.settle(100)).length).toBe(after);
    r.write(resp('REPLCONF', 'ACK', String(offset)));
    const stream = resp('SELECT', '0').toString('latin1') + resp('SET', 'during', 'y').toString('latin1') + resp('SET', 'after', 'z').toString('latin1');
    await r.waitBytes(after + stream.length);
    expect(r.received.slice(after)).toBe(stream);
    // Online and streaming: the next write comes at once.
    expect(await w.call('SET', 'next', '1')).toBe('+OK\r\n');
    await r.waitBytes(after + stream.length + resp('SET', 'next', '1').length);
    expect(r.received.slice(after + stream.length)).toBe(resp('SET', 'next', '1').toString('latin1'));
  });

  it('gives a replica without capa eof the $<len> payload from disk', async () => {
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0' });
    const w = await raw(h.port);
    expect(await w.call('SET', 'a', '1')).toBe('+OK\r\n');
    const r = await psync(h.port, false);
    const text = await r.waitMatch(/\+FULLRESYNC \S+ \d+\r\n\$(\d+)\r\n/);
    const m = /\+FULLRESYNC \S+ \d+\r\n\$(\d+)\r\n/.exec(text)!;
    await r.waitBytes(m.index + m[0].length + Number(m[1]));
    expect(r.received.slice(m.index + m[0].length).startsWith('REDIS0010')).toBe(true);
    expect(log()).toContain('Starting BGSAVE for SYNC with target: disk');
  });
});

describe('repl-diskless-sync-delay and repl-diskless-sync-max-replicas', () => {
  it('replicas arriving within the delay share one transfer; it waits in wait_bgsave until then', async () => {
    const { h, log } = await master({ 'repl-diskless-sync-delay': '1' });
    const w = await raw(h.port);
    expect(await w.call('SET', 'a', '1')).toBe('+OK\r\n');
    const saves = await infoNumber(w, 'rdb_saves');
    const a = await psync(h.port);
    const b = await psync(h.port);
    await until(() => infoField(w, 'connected_slaves'), (v) => v === '2');
    // Waiting for the delay: no snapshot yet, no answer to PSYNC but keepalive newlines.
    expect(await infoField(w, 'rdb_bgsave_in_progress')).toBe('0');
    expect(await infoField(w, 'slave0')).toMatch(/state=wait_bgsave/);
    expect(await infoField(w, 'slave1')).toMatch(/state=wait_bgsave/);
    const ha = await head(a);
    const hb = await head(b);
    // One transfer: the same offset and the same mark for both.
    expect(hb.offset).toBe(ha.offset);
    expect(hb.mark).toBe(ha.mark);
    expect(await payloadOf(a, ha.mark, ha.start)).toBe(await payloadOf(b, hb.mark, hb.start));
    expect(await infoNumber(w, 'rdb_saves')).toBe(saves + 1);
    expect(await infoNumber(w, 'sync_full')).toBe(2);
    const text = log();
    expect(text).toContain('Delay next BGSAVE for diskless SYNC');
    expect(text.split('Starting BGSAVE for SYNC with target: replicas sockets').length - 1).toBe(1);
  });

  it('starts at once when repl-diskless-sync-max-replicas replicas wait', async () => {
    const { h } = await master({ 'repl-diskless-sync-delay': '60', 'repl-diskless-sync-max-replicas': '2' });
    const w = await raw(h.port);
    const a = await psync(h.port);
    await until(() => infoField(w, 'connected_slaves'), (v) => v === '1');
    expect(await infoField(w, 'rdb_bgsave_in_progress')).toBe('0');
    expect(a.received).not.toContain('FULLRESYNC');
    const b = await psync(h.port);
    const ha = await head(a);
    const hb = await head(b);
    expect(hb.mark).toBe(ha.mark);
  });
});

describe('a full sync and the other background saves', () => {
  it('waits for a BGSAVE in progress, then starts its own transfer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'respd-diskless-bgsave-'));
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0', 'rdb-key-save-delay': '1000', dir });
    const w = await raw(h.port);
    expect(await w.call('DEBUG', 'POPULATE', '200')).toBe('+OK\r\n');
    expect(await w.call('BGSAVE')).toBe('+Background saving started\r\n');
    const r = await psync(h.port);
    await until(() => infoField(w, 'connected_slaves'), (v) => v === '1');
    expect(await infoField(w, 'slave0')).toMatch(/state=wait_bgsave/);
    expect(r.received).not.toContain('FULLRESYNC');
    const { mark, start } = await head(r);
    expect(log()).toContain("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    expect(log()).toContain('Background saving terminated with success');
    expect(await payloadOf(r, mark, start)).toContain('key:199');
  });

  it('drops the replicas of a transfer FLUSHALL stops; they may sync again', async () => {
    const { h } = await master({ 'repl-diskless-sync-delay': '0', 'rdb-key-save-delay': '1000' });
    const w = await raw(h.port);
    expect(await w.call('DEBUG', 'POPULATE', '300')).toBe('+OK\r\n');
    const r = await psync(h.port);
    await head(r);
    expect(await w.call('FLUSHALL')).toBe('+OK\r\n');
    expect(await r.waitClose()).toBe(true);
    expect(await until(() => infoField(w, 'connected_slaves'), (v) => v === '0')).toBe('0');
    expect(await infoField(w, 'rdb_bgsave_in_progress')).toBe('0');
    const again = await psync(h.port);
    const { mark, start } = await head(again);
    expect(await payloadOf(again, mark, start)).not.toContain('key:');
  });
});

describe('replicas that go, and the output limits', () => {
  it('goes on for the others when a replica drops mid-transfer; stops when the last one goes', async () => {
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0', 'repl-diskless-sync-max-replicas': '2', 'rdb-key-save-delay': '1000' });
    const w = await raw(h.port);
    for (let i = 0; i < 150; i++) await w.call('SET', `k:${i}`, 'v');
    expect(await w.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '60')).toBe('+OK\r\n');
    const a = await psync(h.port);
    const b = await psync(h.port);
    const ha = await head(a);
    await head(b);
    a.socket.destroy();
    await until(() => infoField(w, 'connected_slaves'), (v) => v === '1');
    expect(await infoField(w, 'rdb_bgsave_in_progress')).toBe('1');
    const hb = HEAD.exec(b.received)!;
    const payload = await payloadOf(b, ha.mark, hb.index + hb[0].length);
    expect(payload).toContain('k:149');
    expect(log()).not.toContain('last replica dropped');

    // Alone in a transfer, the replica goes: the transfer stops.
    const c = await psync(h.port);
    const d = await psync(h.port);
    await head(c);
    await head(d);
    c.socket.destroy();
    d.socket.destroy();
    expect(await until(() => infoField(w, 'rdb_bgsave_in_progress'), (v) => v === '0')).toBe('0');
    expect(log()).toContain('Diskless rdb transfer, last replica dropped, killing fork child.');
    expect(await w.call('PING')).toBe('+PONG\r\n');
  });

  it('pauses serialization while a replica reads slowly; the queued payload stays bounded and does not count', async () => {
    const { h } = await master({ 'repl-diskless-sync-delay': '0', 'client-output-buffer-limit': 'replica 256kb 0 0', rdbcompression: 'no' });
    const w = await raw(h.port);
    const value = Buffer.alloc(1 << 20, 'abcdefghijklmnop').toString();
    for (let i = 0; i < 48; i++) await w.call('SET', `big:${i}`, value);
    const r = await psync(h.port);
    const { mark, start } = await head(r);
    r.socket.pause();
    // While it does not read, the master holds a few MiB for it at most, and the save waits.
    let maxOmem = 0;
    for (let i = 0; i < 20; i++) {
      await sleep(20);
      const line = (await w.call('CLIENT', 'LIST', 'TYPE', 'replica')).toString();
      maxOmem = Math.max(maxOmem, Number(/omem=(\d+)/.exec(line)?.[1] ?? 0));
    }
    expect(maxOmem).toBeGreaterThan(0);
    expect(maxOmem).toBeLessThan(8 << 20);
    expect(await infoField(w, 'rdb_bgsave_in_progress')).toBe('1');
    expect(await infoField(w, 'connected_slaves')).toBe('1');
    r.socket.resume();
    const payload = await payloadOf(r, mark, start, 30000);
    expect(payload.length).toBeGreaterThan(48 << 20);
    expect(await infoField(w, 'client_output_buffer_limit_disconnections')).toBe('0');
  });

  it('disconnects a replica that holds the transfer back for longer than repl-timeout; the other goes on', async () => {
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0', 'repl-diskless-sync-max-replicas': '2', 'repl-timeout': '1', rdbcompression: 'no' });
    const w = await raw(h.port);
    const value = Buffer.alloc(1 << 20, 'abcdefghijklmnop').toString();
    for (let i = 0; i < 32; i++) await w.call('SET', `big:${i}`, value);
    expect(await w.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '60')).toBe('+OK\r\n');
    const stuck = await psync(h.port);
    const reader = await psync(h.port);
    await head(stuck);
    stuck.socket.pause();
    const { mark, start } = await head(reader);
    const payload = await payloadOf(reader, mark, start, 30000);
    expect(payload.length).toBeGreaterThan(32 << 20);
    expect(log()).toContain('Disconnecting timedout replica (full sync): 127.0.0.1');
    expect(await until(() => infoField(w, 'connected_slaves'), (v) => v === '1')).toBe('1');
  });

  it('disconnects a replica whose stream held during the transfer passes the hard limit', async () => {
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0', 'client-output-buffer-limit': 'replica 256kb 0 0', 'rdb-key-save-delay': '1000' });
    const w = await raw(h.port);
    for (let i = 0; i < 300; i++) await w.call('SET', `k:${i}`, 'v');
    const r = await psync(h.port);
    await head(r);
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 8 && !r.closed; i++) await w.call('SET', `big:${i}`, big);
    expect(await r.waitClose(5000)).toBe(true);
    expect(await until(() => infoField(w, 'connected_slaves'), (v) => v === '0')).toBe('0');
    expect(await infoNumber(w, 'client_output_buffer_limit_disconnections')).toBe(1);
    expect(await until(() => infoField(w, 'rdb_bgsave_in_progress'), (v) => v === '0')).toBe('0');
    expect(log()).toMatch(/Client .*flags=S.* scheduled to be closed ASAP for overcoming of output buffer limits\./);
    expect(log()).toContain('Diskless rdb transfer, last replica dropped, killing fork child.');
  });

  it('disconnects a replica whose held stream stays over the soft limit longer than its seconds', async () => {
    const { h, log } = await master({ 'repl-diskless-sync-delay': '0', 'client-output-buffer-limit': 'replica 0 64kb 1', 'rdb-key-save-delay': '1000' });
    const w = await raw(h.port);
    expect(await w.call('DEBUG', 'POPULATE', '6000')).toBe('+OK\r\n');
    const r = await psync(h.port);
    await head(r);
    expect(await w.call('SET', 'big', 'x'.repeat(100 * 1024))).toBe('+OK\r\n');
    // Over the soft limit, but not for long yet: still there.
    expect(await infoField(w, 'connected_slaves')).toBe('1');
    expect(await r.waitClose(8000)).toBe(true);
    expect(await infoNumber(w, 'client_output_buffer_limit_disconnections')).toBe(1);
    expect(await until(() => infoField(w, 'rdb_bgsave_in_progress'), (v) => v === '0')).toBe('0');
    expect(log()).toMatch(/Client .*flags=S.* closed for overcoming of output buffer limits\./);
  });

  it('keeps a disk payload outside the limit too: send_bulk while it leaves, then the stream', async () => {
    const { h } = await master({ 'repl-diskless-sync': 'no', 'client-output-buffer-limit': 'replica 256kb 0 0', rdbcompression: 'no' });
    const w = await raw(h.port);
    const value = Buffer.alloc(1 << 20, 'abcdefghijklmnop').toString();
    for (let i = 0; i < 24; i++) await w.call('SET', `big:${i}`, value);
    const r = await psync(h.port);
    const text = await r.waitMatch(/\+FULLRESYNC \S+ \d+\r\n\$(\d+)\r\n/, 10000);
    r.socket.pause();
    const m = /\+FULLRESYNC \S+ \d+\r\n\$(\d+)\r\n/.exec(text)!;
    const end = m.index + m[0].length + Number(m[1]);
    expect(await until(() => infoField(w, 'slave0'), (v) => v.includes('state=send_bulk'))).toMatch(/state=send_bulk/);
    expect(await w.call('SET', 'during', 'send')).toBe('+OK\r\n');
    expect(await infoField(w, 'connected_slaves')).toBe('1');
    r.socket.resume();
    const tail = resp('SELECT', '0').toString('latin1') + resp('SET', 'during', 'send').toString('latin1');
    await r.waitBytes(end + tail.length, 30000);
    expect(r.received.slice(end)).toBe(tail);
    expect(await infoField(w, 'slave0')).toMatch(/state=online/);
    expect(await infoField(w, 'client_output_buffer_limit_disconnections')).toBe('0');
  });

  it('counts the stream held for a disk-based sync too', async () => {
    const { h } = await master({ 'repl-diskless-sync': 'no', 'client-output-buffer-limit': 'replica 256kb 0 0', 'rdb-key-save-delay': '1000' });
    const w = await raw(h.port);
    expect(await w.call('DEBUG', 'POPULATE', '300')).toBe('+OK\r\n');
    const r = await psync(h.port);
    await r.waitMatch(/\+FULLRESYNC \S+ \d+\r\n/);
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 8 && !r.closed; i++) await w.call('SET', `big:${i}`, big);
    expect(await r.waitClose(5000)).toBe(true);
    expect(await until(() => infoField(w, 'connected_slaves'), (v) => v === '0')).toBe('0');
    expect(await infoNumber(w, 'client_output_buffer_limit_disconnections')).toBe(1);
    // Nothing of the payload came: the snapshot was still being written.
    expect(r.received).not.toMatch(/\$\d+\r\nREDIS/);
  });
});
