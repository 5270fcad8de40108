// The master side of replication over raw sockets, as a replica speaks it: the full sync
// (+FULLRESYNC, an RDB payload respd's own reader accepts), the stream's offsets, partial resync
// from the backlog (+CONTINUE with exactly the missed bytes), a backlog too small for the gap
// (full sync again), REPLCONF's errors, ROLE, INFO replication and WAIT counting ACKs.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { below, RawClient, resp as respBytes, rng, startServer } from './helpers.js';

const resp = (...args: string[]): string => respBytes(...args).toString('latin1');

/** Attaches as a replica: returns the connection, the replid, the offset and the stream start. */
async function attach(port: number, psync: [string, string] = ['?', '-1']) {
  const r = await RawClient.connect(port);
  expect(await r.call('REPLCONF', 'listening-port', '7777')).toBe('+OK\r\n');
  expect(await r.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2')).toBe('+OK\r\n');
  const start = r.received.length;
  r.write(respBytes('PSYNC', ...psync));
  const text = await r.waitMatch(/\+(FULLRESYNC \S+ \d+\r\n\$(\d+)\r\n|CONTINUE \S+\r\n)/, 5000);
  const head = text.slice(start);
  const full = /^\+FULLRESYNC (\S+) (\d+)\r\n\$(\d+)\r\n/.exec(head);
  if (full) {
    const at = start + full[0].length + Number(full[3]);
    await r.waitBytes(at);
    const payload = r.received.slice(start + full[0].length, at);
    return { r, full: true, replid: full[1]!, offset: Number(full[2]), payload, streamAt: at };
  }
  const cont = /^\+CONTINUE (\S+)\r\n/.exec(head)!;
  return { r, full: false, replid: cont[1]!, offset: -1, payload: '', streamAt: start + cont[0].length };
}

describe('replication: the master side', async () => {
  // The disk-based full sync (`$<len>` payloads): replication-diskless.test.ts has the other kind.
  const server = await startServer({ 'repl-backlog-size': '16384', 'repl-diskless-sync': 'no' });
  const client = new Redis({ port: server.port, lazyConnect: true });
  await client.connect();
  afterAll(() => client.quit());
  // Writes whose stream is checked byte for byte go through a raw connection (ioredis lower-cases names).
  const w = await RawClient.connect(server.port);
  afterAll(() => w.socket.destroy());
  /** Waits until the master has seen every earlier replica go. */
  const replicasGone = async () => {
    for (let i = 0; i < 100 && !(await client.info('replication')).includes('connected_slaves:0'); i++) await new Promise((res) => setTimeout(res, 10));
  };

  it('answers PSYNC ? -1 with +FULLRESYNC and an RDB payload holding the dataset', async () => {
    await client.set('before', 'sync');
    await client.rpush('list', 'a', 'b');
    const { r, replid, offset, payload } = await attach(server.port);
    expect(replid).toMatch(/^[0-9a-f]{40}$/);
    expect(payload.startsWith('REDIS0010')).toBe(true);
    expect(payload).toContain('repl-id');
    expect(payload).toContain(replid);
    expect(payload).toContain('before');
    expect(await client.info('replication')).toContain(`master_repl_offset:${offset}`);
    r.socket.destroy();
  });

  it('streams writes with SELECT, counts them in master_repl_offset, and shows the replica', async () => {
    await replicasGone();
    const { r, replid, offset, streamAt } = await attach(server.port);
    await w.call('SELECT', '2');
    await w.call('SET', 'k', 'v');
    await w.call('SELECT', '0');
    const cmds = resp('SELECT', '2') + resp('SET', 'k', 'v');
    const got = await r.waitBytes(streamAt + cmds.length);
    expect(got.slice(streamAt)).toBe(cmds);
    const info = await client.info('replication');
    expect(info).toContain('connected_slaves:1');
    expect(info).toMatch(/slave0:ip=127\.0\.0\.1,port=7777,state=online,offset=0,lag=\d+/);
    expect(info).toContain(`master_replid:${replid}`);
    expect(info).toContain(`master_repl_offset:${offset + cmds.length}`);
    expect(info).toContain('repl_backlog_active:1');
    // ROLE: the replica with the offset it acknowledged.
    r.write(resp('REPLCONF', 'ACK', String(offset + cmds.length)));
    await new Promise((res) => setTimeout(res, 50));
    expect(await client.role()).toEqual(['master', offset + cmds.length, [['127.0.0.1', '7777', String(offset + cmds.length)]]]);
    r.socket.destroy();
  });

  it('continues a replica from its offset with exactly the bytes it missed', async () => {
    const first = await attach(server.port);
    await w.call('SET', 'a', '1');
    const seen = resp('SELECT', '0') + resp('SET', 'a', '1');
    await first.r.waitBytes(first.streamAt + seen.length);
    first.r.socket.destroy();
    // Written while the replica is away.
    await w.call('SET', 'b', '2');
    await w.call('INCR', 'c');
    const missed = resp('SET', 'b', '2') + resp('INCR', 'c');
    const again = await attach(server.port, [first.replid, String(first.offset + seen.length + 1)]);
    expect(again.full).toBe(false);
    expect(again.replid).toBe(first.replid);
    await again.r.waitBytes(again.streamAt + missed.length);
    expect(again.r.received.slice(again.streamAt)).toBe(missed);
    // And the stream goes on.
    await w.call('SET', 'd', '4');
    const next = resp('SET', 'd', '4');
    await again.r.waitBytes(again.streamAt + missed.length + next.length);
    expect(again.r.received.slice(again.streamAt + missed.length)).toBe(next);
    again.r.socket.destroy();
  });

  it('gives a replica that continues in mid-batch each write once: its backlog part, then the stream', async () => {
    await replicasGone();
    // An online replica, so that the batch's writes are pending for someone when the other joins.
    const online = await attach(server.port);
    await w.call('SET', 'x', '0');
    const offset = Number(/master_repl_offset:(\d+)/.exec(await client.info('replication'))![1]);
    const late = await RawClient.connect(server.port);
    expect(await late.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2')).toBe('+OK\r\n');
    // A write and the PSYNC in one read: the write is pending for `online` when +CONTINUE sends
    // the backlog (which has it) to `late`.
    const start = late.received.length;
    late.write(resp('SET', 'dup', '1') + resp('PSYNC', online.replid, String(offset + 1)));
    const head = `+OK\r\n+CONTINUE ${online.replid}\r\n`;
    await late.waitBytes(start + head.length);
    expect(late.received.slice(start, start + head.length)).toBe(head);
    await w.call('SET', 'after', '1');
    const stream = resp('SET', 'dup', '1') + resp('SET', 'after', '1');
    await late.waitBytes(start + head.length + stream.length);
    await online.r.waitMatch(/after/, 5000);
    await new Promise((res) => setTimeout(res, 50));
    expect(late.received.slice(start + head.length)).toBe(stream);
    expect(online.r.received.slice(online.streamAt)).toBe(resp('SELECT', '0') + resp('SET', 'x', '0') + stream);
    late.socket.destroy();
    online.r.socket.destroy();
  });

  it('falls back to a full sync when the backlog no longer holds the offset, or the replid is unknown', async () => {
    const first = await attach(server.port);
    first.r.socket.destroy();
    // More than the 16 KiB backlog.
    for (let i = 0; i < 40; i++) await client.set(`big${i}`, 'x'.repeat(1000));
    const again = await attach(server.port, [first.replid, String(first.offset + 1)]);
    expect(again.full).toBe(true);
    again.r.socket.destroy();
    const other = await attach(server.port, ['0123456789012345678901234567890123456789', '1']);
    expect(other.full).toBe(true);
    other.r.socket.destroy();
  });

  it('REPLCONF: Redis errors, no reply to ACK', async () => {
    const r = await RawClient.connect(server.port);
    expect(await r.call('REPLCONF', 'nonsense', '1')).toBe('-ERR Unrecognized REPLCONF option: nonsense\r\n');
    expect(await r.call('REPLCONF', 'listening-port')).toBe("-ERR wrong number of arguments for 'replconf' command\r\n");
    expect(await r.call('REPLCONF', 'listening-port', 'x')).toBe('-ERR value is not an integer or out of range\r\n');
    // ACK from a client that is not a replica: ignored without a reply.
    r.write(resp('REPLCONF', 'ACK', '5'));
    expect(await r.call('PING')).toBe('+PONG\r\n');
    r.socket.destroy();
  });

  it('WAIT counts the replicas that acknowledged the writes of this client', async () => {
    await replicasGone();
    const { r, offset, streamAt } = await attach(server.port);
    const c = await RawClient.connect(server.port);
    // No write yet: every replica has acknowledged all of this client's writes.
    expect(await c.call('WAIT', '0', '0')).toBe(':1\r\n');
    expect(await c.call('SET', 'w', '1')).toBe('+OK\r\n');
    // No ACK yet: at the timeout, 0.
    expect(await c.call('WAIT', '1', '100')).toBe(':0\r\n');
    // WAIT asked the replica for an ACK (REPLCONF GETACK *); once it answers, WAIT returns.
    const start = c.received.length;
    c.write(resp('WAIT', '1', '0'));
    await r.waitMatch(/GETACK/);
    const stream = r.received.slice(streamAt);
    const upTo = offset + stream.length;
    r.write(resp('REPLCONF', 'ACK', String(upTo)));
    expect(await c.replyAt(start)).toBe(':1\r\n');
    expect(await c.call('WAIT', 'x', '0')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await c.call('WAIT', '1', '-1')).toBe('-ERR timeout is negative\r\n');
    r.socket.destroy();
    c.socket.destroy();
  });

  it('wakes each WAIT on its own offset; counts it as a blocked client, not a blocked key; CLIENT UNBLOCK answers it', async () => {
    await replicasGone();
    const { r, offset, streamAt } = await attach(server.port);
    const early = await RawClient.connect(server.port);
    const late = await RawClient.connect(server.port);
    expect(await early.call('SET', 'early', '1')).toBe('+OK\r\n');
    // The stream up to the early client's write: what the replica will acknowledge.
    await r.waitMatch(/early/);
    const earlyOffset = offset + r.received.length - streamAt;
    expect(await late.call('SET', 'late', '1')).toBe('+OK\r\n');
    await r.waitMatch(/late/);
    // The later write's WAIT blocks first; the earlier one's behind it.
    const lateStart = late.received.length;
    late.write(resp('WAIT', '1', '0'));
    const earlyStart = early.received.length;
    early.write(resp('WAIT', '1', '0'));
    for (let i = 0; i < 100 && !(await client.info('clients')).includes('blocked_clients:2'); i++) await new Promise((res) => setTimeout(res, 10));
    const clients = await client.info('clients');
    expect(clients).toMatch(/blocked_clients:2\r\n/);
    expect(clients).toMatch(/total_blocking_keys:0\r\n/);
    // An ACK that covers only the early write answers the early WAIT, though it waited behind.
    r.write(resp('REPLCONF', 'ACK', String(earlyOffset)));
    expect(await early.replyAt(earlyStart)).toBe(':1\r\n');
    expect(late.received.length).toBe(lateStart);
    // The late one is still blocked: CLIENT UNBLOCK answers it with the count it has now.
    const id = /id=(\d+)[^\n]*flags=b[^\n]*cmd=wait/.exec(await client.client('LIST') as string)?.[1];
    expect(id).toBeDefined();
    expect(await client.client('UNBLOCK', id!)).toBe(1);
    expect(await late.replyAt(lateStart)).toBe(':0\r\n');
    r.socket.destroy();
    early.socket.destroy();
    late.socket.destroy();
  });
});

describe('replication: pings', async () => {
  const server = await startServer({ 'repl-ping-replica-period': '1', 'repl-diskless-sync': 'no' });

  it('pings replicas every repl-ping-replica-period', async () => {
    const { r, streamAt } = await attach(server.port);
    await r.waitBytes(streamAt + resp('PING').length, 3000);
    expect(r.received.slice(streamAt)).toBe(resp('PING'));
    r.socket.destroy();
  });
});

describe('replication: the full sync in the background', async () => {
  // One key per millisecond: the snapshot of 200 keys takes a while, and writes go on meanwhile.
  const server = await startServer({ 'rdb-key-save-delay': '1000' });
  const w = await RawClient.connect(server.port);
  afterAll(() => w.socket.destroy());

  it('serves clients while the payload is written, then sends it and the writes made meanwhile', async () => {
    for (let i = 0; i < 200; i++) await w.call('SET', `before:${i}`, 'x');
    const r = await RawClient.connect(server.port);
    r.write(respBytes('PSYNC', '?', '-1'));
    await r.waitMatch(/\+FULLRESYNC \S+ \d+\r\n/);
    // The sync runs as a background save; clients are served, the replica waits.
    expect(await w.call('INFO', 'persistence')).toContain('rdb_bgsave_in_progress:1');
    expect(await w.call('INFO', 'replication')).toMatch(/slave0:ip=127\.0\.0\.1,port=0,state=wait_bgsave/);
    expect(await w.call('BGSAVE')).toBe('-ERR Background save already in progress\r\n');
    expect(await w.call('SET', 'during', 'y')).toBe('+OK\r\n');
    expect(await w.call('DEL', 'before:0')).toBe(':1\r\n');
    const m = /\+FULLRESYNC \S+ \d+\r\n\$(\d+)\r\n/.exec(await r.waitMatch(/\+FULLRESYNC \S+ \d+\r\n\$\d+\r\n/, 10000))!;
    const start = m.index + m[0].length;
    const len = Number(m[1]);
    const tail = resp('SELECT', '0') + resp('SET', 'during', 'y') + resp('DEL', 'before:0');
    await r.waitBytes(start + len + tail.length, 10000);
    const payload = r.received.slice(start, start + len);
    // The payload is the dataset when PSYNC came: before:0 still there, `during` not yet.
    expect(payload).toContain('before:0');
    expect(payload).not.toContain('during');
    expect(r.received.slice(start + len)).toBe(tail);
    expect(await w.call('INFO', 'replication')).toMatch(/slave0:ip=127\.0\.0\.1,port=0,state=online/);
    expect(await w.call('INFO', 'persistence')).toContain('rdb_bgsave_in_progress:0');
    r.socket.destroy();
  });

  it('drops the waiting replica when FLUSHALL kills the snapshot; it may sync again', async () => {
    const r = await RawClient.connect(server.port);
    r.write(respBytes('PSYNC', '?', '-1'));
    await r.waitMatch(/\+FULLRESYNC/);
    expect(await w.call('FLUSHALL')).toBe('+OK\r\n');
    await r.waitMatch(/$^/, 2000).catch(() => undefined);
    for (let i = 0; i < 100 && !r.closed; i++) await new Promise((res) => setTimeout(res, 10));
    expect(r.closed).toBe(true);
    const again = await RawClient.connect(server.port);
    again.write(respBytes('PSYNC', '?', '-1'));
    expect(await again.waitMatch(/\+FULLRESYNC \S+ \d+\r\n\$\d+\r\n/, 5000)).toMatch(/\$\d+\r\nREDIS0010/);
    again.socket.destroy();
  });
});

describe('WAITAOF', async () => {
  const server = await startServer({ appendonly: 'yes', appendfsync: 'everysec', dir: (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'respd-waitaof-')) });
  const off = await startServer();

  it('waits for the local fsync of this client\'s writes; counts replicas by their FACK', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('WAITAOF', '0', '0', '0')).toBe('*2\r\n:1\r\n:0\r\n');
    expect(await c.call('SET', 'k', 'v')).toBe('+OK\r\n');
    // everysec: the fsync comes within about a second; WAITAOF 1 0 0 returns once it did.
    expect(await c.call('WAITAOF', '1', '0', '0')).toBe('*2\r\n:1\r\n:0\r\n');
    // A replica that reports its AOF offset with FACK counts.
    const r = await RawClient.connect(server.port);
    r.write(respBytes('PSYNC', '?', '-1'));
    await r.waitMatch(/FULLRESYNC/);
    expect(await c.call('SET', 'k2', 'v')).toBe('+OK\r\n');
    const start = c.received.length;
    c.write(respBytes('WAITAOF', '0', '1', '0'));
    await r.waitMatch(/GETACK/);
    const info = await (await RawClient.connect(server.port)).call('INFO', 'replication');
    const offset = /master_repl_offset:(\d+)/.exec(info)![1]!;
    r.write(respBytes('REPLCONF', 'ACK', offset, 'FACK', offset));
    // numlocal 0: the local fsync (everysec) may or may not have come yet.
    expect(await c.replyAt(start)).toMatch(/^\*2\r\n:[01]\r\n:1\r\n$/);
    // At the timeout: what there is.
    expect(await c.call('SET', 'k3', 'v')).toBe('+OK\r\n');
    expect(await c.call('WAITAOF', '0', '1', '50')).toMatch(/^\*2\r\n:[01]\r\n:0\r\n$/);
    r.socket.destroy();
    c.socket.destroy();
  });

  it('errors as Redis', async () => {
    const c = await RawClient.connect(off.port);
    expect(await c.call('WAITAOF', '1', '0', '0')).toBe('-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n');
    expect(await c.call('WAITAOF', '2', '0', '0')).toBe('-ERR value is out of range, must be between 0 and 1\r\n');
    expect(await c.call('WAITAOF', '0', '-1', '0')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await c.call('WAITAOF', '0', '0', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await c.call('WAITAOF', '0', '0', '0')).toBe('*2\r\n:0\r\n:0\r\n');
    c.socket.destroy();
  });
});

describe('the backlog', () => {
  it('keeps the newest bytes across CONFIG SET repl-backlog-size, both ways', async () => {
    const { Backlog } = await import('../src/replication/backlog.js');
    const b = new Backlog(16384, 100);
    const data = Buffer.alloc(20000);
    for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
    b.append(data);
    expect(b.histlen).toBe(16384);
    expect(b.firstByteOffset).toBe(100 + 20000 - 16384 + 1);
    expect(b.from(100 + 20000 - 99)).toEqual(data.subarray(20000 - 100));
    expect(b.from(100)).toBeNull();
    b.resize(32768);
    expect(b.from(b.firstByteOffset)).toEqual(data.subarray(20000 - 16384));
    b.append(data.subarray(0, 10));
    expect(b.from(100 + 20000 + 1)).toEqual(data.subarray(0, 10));
    b.resize(16384);
    expect(b.histlen).toBe(16384);
    expect(b.from(100 + 20000 + 10 - 16384 + 1)!.length).toBe(16384);
  });

  it('wraps short and long ranges around its end, as the stream model has them (fixed seed)', async () => {
    const { Backlog } = await import('../src/replication/backlog.js');
    const b = new Backlog(16384, 0);
    const all: number[] = [];
    const rand = below(rng(5));
    for (let i = 0; i < 600; i++) {
      // Mostly commands of a few dozen bytes, now and then one of several KiB.
      const n = rand(10) === 0 ? 1000 + rand(9000) : 1 + rand(90);
      const src = Buffer.alloc(n + 20);
      for (let k = 0; k < src.length; k++) src[k] = rand(256);
      const start = rand(20);
      b.appendRange(src, start, start + n);
      for (let k = 0; k < n; k++) all.push(src[start + k]!);
      const back = Math.min(all.length, 1 + rand(16384));
      // equals(), not toEqual(): a deep comparison of a 16 KiB Buffer per step took seconds in all.
      expect(b.from(all.length - back + 1)?.equals(Buffer.from(all.slice(all.length - back))), `step ${i}, ${back} bytes back`).toBe(true);
    }
  });

  it('continues a replica that missed nothing, even before any byte was sent', async () => {
    const { Backlog } = await import('../src/replication/backlog.js');
    const b = new Backlog(16384, 50);
    expect(b.from(51)).toEqual(Buffer.alloc(0));
    expect(b.from(52)).toBeNull();
    expect(b.from(50)).toBeNull();
  });
});

describe('a slow replica', async () => {
  const server = await startServer({ 'client-output-buffer-limit': 'replica 256kb 0 0' });

  it('is disconnected when its output passes the replica class hard limit; clients go on', async () => {
    const w = await RawClient.connect(server.port);
    const r = await RawClient.connect(server.port);
    r.write(respBytes('PSYNC', '?', '-1'));
    await r.waitMatch(/\+FULLRESYNC \S+ \d+\r\n\$\d+\r\n/);
    // The replica stops reading; the master keeps writing.
    r.socket.pause();
    expect(await w.call('INFO', 'replication')).toContain('connected_slaves:1');
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) await w.call('SET', `big:${i % 10}`, big);
    for (let i = 0; i < 200 && !(await w.call('INFO', 'replication')).includes('connected_slaves:0'); i++) await new Promise((res) => setTimeout(res, 20));
    expect(await w.call('INFO', 'replication')).toContain('connected_slaves:0');
    expect(Number(/client_output_buffer_limit_disconnections:(\d+)/.exec(await w.call('INFO', 'stats'))![1])).toBeGreaterThanOrEqual(1);
    expect(await w.call('PING')).toBe('+PONG\r\n');
    r.socket.destroy();
    w.socket.destroy();
  });
});
