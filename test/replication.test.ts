// The replica side of replication: respd as a replica of respd (full sync of every data type,
// the stream after it, partial resync after a dropped link, a backlog too small for the gap,
// WAIT, read-only and stale-data refusals, REPLICAOF NO ONE, a chained replica).
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { startServer } from './helpers.js';
import { infoField, linkUp, until } from './replication-helpers.js';
import type { CreateServerOptions, ServerHandle } from '../src/index.js';

/** A server stopped when the test that started it ends (replicas stop reconnecting with it). */
async function server(options: CreateServerOptions = {}): Promise<ServerHandle> {
  // Diskless syncs start at once (Redis's default waits 5 s for more replicas to join).
  const h = await startServer({ 'repl-diskless-sync-delay': '0', ...options });
  onTestFinished(() => h.close());
  return h;
}

const opened: Redis[] = [];
function client(port: number, password?: string): Redis {
  const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0, password });
  opened.push(r);
  return r;
}
afterEach(() => {
  for (const r of opened.splice(0)) r.disconnect();
});

/** The replica processed everything the master sent so far. */
async function caughtUp(master: Redis, replica: Redis): Promise<void> {
  const target = infoField(await master.info('replication'), 'master_repl_offset');
  await until(`offset ${target}`, async () => infoField(await replica.info('replication'), 'slave_repl_offset') === target);
}

/** A master, a server to replicate it and one to replicate that, with a client each (follow() links them). */
async function chain() {
  const [master, mid, leaf] = [await server(), await server(), await server()];
  return { master, mid, m: client(master.port), r1: client(mid.port), r2: client(leaf.port) };
}

/** `r`'s server becomes a replica of the one on `port`, and its link is up. */
async function follow(r: Redis, port: number): Promise<void> {
  await r.call('REPLICAOF', '127.0.0.1', String(port));
  await linkUp(r);
}

async function fillEveryType(r: Redis, prefix = ''): Promise<void> {
  await r.set(`${prefix}str`, 'hello');
  await r.set(`${prefix}int`, '12345');
  await r.set(`${prefix}ttl`, 'v', 'EX', 1000);
  await r.rpush(`${prefix}list`, 'a', 'b', 'c');
  await r.sadd(`${prefix}set`, 'x', 'y', '1', '2');
  await r.sadd(`${prefix}intset`, '1', '2', '3');
  await r.zadd(`${prefix}zset`, 1, 'one', 2.5, 'two');
  await r.hset(`${prefix}hash`, 'f1', 'v1', 'f2', 'v2');
  await r.xadd(`${prefix}stream`, '1-1', 'k', 'v');
  await r.xgroup('CREATE', `${prefix}stream`, 'g', '0');
  await r.pfadd(`${prefix}hll`, 'a', 'b', 'c');
  await r.select(3);
  await r.set(`${prefix}in-db3`, 'three');
  await r.select(0);
}

describe('replica of respd', () => {
  it('full sync: every data type, the same digest, then the stream', async () => {
    const master = await server();
    const replica = await server();
    const m = client(master.port);
    const r = client(replica.port);
    await fillEveryType(m);
    await r.set('only-on-replica', 'gone after the sync');
    expect(await r.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('OK');
    await linkUp(r);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
    expect(await r.exists('only-on-replica')).toBe(0);
    // Writes after the sync arrive by the stream, in their databases.
    await m.set('after', '1');
    await m.incr('after');
    await m.select(3);
    await m.lpush('db3-list', 'z');
    await m.select(0);
    await m.expire('str', 500);
    await m.del('int');
    // Transactions and scripts arrive as MULTI/EXEC, which the master client runs without ACL.
    await m.multi().set('tx1', 'a').sadd('tx2', 'b').exec();
    await m.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('incr', KEYS[2])", 2, 'lua1', 'lua2', 'x');
    await caughtUp(m, r);
    expect(await r.get('tx1')).toBe('a');
    expect(await r.get('lua2')).toBe('1');
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
    expect(await r.get('after')).toBe('2');
    const info = await r.info('replication');
    expect(infoField(info, 'role')).toBe('slave');
    expect(infoField(info, 'master_host')).toBe('127.0.0.1');
    expect(infoField(info, 'master_port')).toBe(String(master.port));
    expect(infoField(info, 'master_sync_in_progress')).toBe('0');
    // The replica adopted the master's history.
    expect(infoField(info, 'master_replid')).toBe(infoField(await m.info('replication'), 'master_replid'));
    const role = (await r.call('ROLE')) as unknown[];
    expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', master.port, 'connected']);
    expect(role[4]).toBe(Number(infoField(await m.info('replication'), 'master_repl_offset')));
    const list = (await r.call('CLIENT', 'LIST', 'TYPE', 'master')) as string;
    expect(list).toMatch(/ flags=M .* user=\(superuser\) /);
    expect(infoField(await m.info('replication'), 'connected_slaves')).toBe('1');
    // connected_clients leaves replicas out and counts a master client.
    expect(infoField(await m.info('clients'), 'connected_clients')).toBe('1');
    expect(infoField(await r.info('clients'), 'connected_clients')).toBe('2');
  });
});

describe('replica links', () => {
  it('resyncs partially after the link drops (+CONTINUE), on either side', async () => {
    const master = await server();
    const replica = await server();
    const m = client(master.port);
    const r = client(replica.port);
    await fillEveryType(m);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    const before = await m.info('stats');
    // The replica kills its master link, writes happen meanwhile.
    expect(await r.call('CLIENT', 'KILL', 'TYPE', 'master')).toBe(1);
    await m.set('while-down', 'x');
    await m.rpush('list', 'd', 'e');
    await linkUp(r);
    await caughtUp(m, r);
    // The master kills the replica's connection.
    expect(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')).toBe(1);
    await m.hset('hash', 'f3', 'v3');
    await until('link down and up again', async () => Number(infoField(await m.info('stats'), 'sync_partial_ok')) >= Number(infoField(before, 'sync_partial_ok')) + 2);
    await linkUp(r);
    await caughtUp(m, r);
    const after = await m.info('stats');
    expect(Number(infoField(after, 'sync_full'))).toBe(Number(infoField(before, 'sync_full')));
    expect(Number(infoField(after, 'sync_partial_ok'))).toBe(Number(infoField(before, 'sync_partial_ok')) + 2);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
    expect(await r.hget('hash', 'f3')).toBe('v3');
  });

  it('falls back to a full sync when the backlog no longer holds the gap', async () => {
    const master = await server({ 'repl-backlog-size': 16384 });
    const replica = await server();
    const m = client(master.port);
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    const before = await m.info('stats');
    // Stop the replica from reconnecting at once: point it at nothing while the master writes.
    await r.call('CONFIG', 'SET', 'repl-timeout', '60');
    await r.call('CLIENT', 'PAUSE', '100000', 'WRITE');
    await r.call('CLIENT', 'UNPAUSE');
    await r.call('REPLICAOF', 'NO', 'ONE');
    const big = 'x'.repeat(4096);
    for (let i = 0; i < 20; i++) await m.set(`big:${i}`, big);
    // Back to the same master with our history: the 80 KiB gap is past the 16 KiB backlog.
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    await caughtUp(m, r);
    const after = await m.info('stats');
    expect(Number(infoField(after, 'sync_full'))).toBe(Number(infoField(before, 'sync_full')) + 1);
    expect(Number(infoField(after, 'sync_partial_err'))).toBe(Number(infoField(before, 'sync_partial_err')) + 1);
    expect(await r.dbsize()).toBe(20);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
  });

  it('is counted by WAIT once it acknowledged the writes', async () => {
    const master = await server();
    const replica = await server();
    const m = client(master.port);
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    await m.set('k', 'v');
    expect(await m.call('WAIT', '1', '5000')).toBe(1);
    expect(await m.call('WAIT', '2', '100')).toBe(1);
    expect(await r.get('k')).toBe('v');
  });

  it('refuses writes from its clients, and everything stale when told to', async () => {
    const master = await server();
    const replica = await server();
    const m = client(master.port);
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    await expect(r.set('k', 'v')).rejects.toThrow("READONLY You can't write against a read only replica.");
    await r.multi().set('k', 'v').exec().catch(() => undefined);
    expect(await r.get('k')).toBe(null);
    await m.set('k', 'from-master');
    await caughtUp(m, r);
    expect(await r.get('k')).toBe('from-master');
    await r.call('CONFIG', 'SET', 'replica-read-only', 'no');
    expect(await r.set('local', '1')).toBe('OK');
    // The link down with replica-serve-stale-data no: only stale-allowed commands run.
    await r.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no');
    await r.call('REPLICAOF', '127.0.0.1', '1');
    await expect(r.get('k')).rejects.toThrow("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
    expect(infoField(await r.info('replication'), 'master_link_status')).toBe('down');
    expect(((await r.call('ROLE')) as unknown[])[3]).toMatch(/^(connect|connecting)$/);
    await r.call('REPLICAOF', 'NO', 'ONE');
    expect(await r.get('k')).toBe('from-master');
  });

  it('does not expire keys itself: the DEL comes from its master', async () => {
    const master = await server();
    const replica = await server();
    const m = client(master.port);
    const r = client(replica.port);
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(r);
    await m.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await m.set('short', 'v', 'PX', 30);
    await m.hset('h', 'f1', 'a', 'f2', 'b');
    await m.call('HPEXPIRE', 'h', '30', 'FIELDS', '1', 'f1');
    await caughtUp(m, r);
    await new Promise((res) => setTimeout(res, 60));
    // Past its deadline: reads as missing on the replica, but the key is still there.
    expect(await r.get('short')).toBe(null);
    expect(await r.dbsize()).toBe(2);
    expect(await r.hget('h', 'f1')).toBe(null);
    // The master's lookups expire them and propagate the DEL and the HDEL.
    expect(await m.get('short')).toBe(null);
    expect(await m.hget('h', 'f1')).toBe(null);
    await caughtUp(m, r);
    expect(await r.dbsize()).toBe(1);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
  });

  it('REPLICAOF NO ONE promotes it; a former sibling continues with PSYNC', async () => {
    const master = await server();
    const a = await server();
    const b = await server();
    const m = client(master.port);
    const ra = client(a.port);
    const rb = client(b.port);
    await fillEveryType(m);
    await ra.call('REPLICAOF', '127.0.0.1', String(master.port));
    await rb.call('REPLICAOF', '127.0.0.1', String(master.port));
    await linkUp(ra);
    await linkUp(rb);
    await m.set('last', 'write');
    await caughtUp(m, ra);
    await caughtUp(m, rb);
    const oldId = infoField(await m.info('replication'), 'master_replid');
    expect(await ra.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    const info = await ra.info('replication');
    expect(infoField(info, 'role')).toBe('master');
    expect(infoField(info, 'master_replid2')).toBe(oldId);
    expect(infoField(info, 'master_replid')).not.toBe(oldId);
    expect(Number(infoField(info, 'second_repl_offset'))).toBe(Number(infoField(info, 'master_repl_offset')) + 1);
    expect(await ra.set('on-new-master', '1')).toBe('OK');
    const statsBefore = await ra.info('stats');
    await rb.call('REPLICAOF', '127.0.0.1', String(a.port));
    await linkUp(rb);
    await caughtUp(ra, rb);
    const statsAfter = await ra.info('stats');
    expect(Number(infoField(statsAfter, 'sync_partial_ok'))).toBe(Number(infoField(statsBefore, 'sync_partial_ok')) + 1);
    expect(Number(infoField(statsAfter, 'sync_full'))).toBe(Number(infoField(statsBefore, 'sync_full')));
    expect(await rb.get('on-new-master')).toBe('1');
    expect(await rb.call('DEBUG', 'DIGEST')).toBe(await ra.call('DEBUG', 'DIGEST'));
  });

  it('feeds a chained replica the master stream, which can PSYNC it', async () => {
    const { master, mid, m, r1, r2 } = await chain();
    await fillEveryType(m);
    await follow(r1, master.port);
    await follow(r2, mid.port);
    await m.set('streamed', 'through');
    await m.select(3);
    await m.sadd('s3', 'a');
    await m.select(0);
    await caughtUp(m, r1);
    await caughtUp(m, r2);
    const digest = await m.call('DEBUG', 'DIGEST');
    expect(await r1.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await r2.call('DEBUG', 'DIGEST')).toBe(digest);
    // The same history down the chain: one id and one offset.
    const id = infoField(await m.info('replication'), 'master_replid');
    expect(infoField(await r2.info('replication'), 'master_replid')).toBe(id);
    // The leaf's link to the middle drops: it continues from the middle's backlog.
    const before = await r1.info('stats');
    await r2.call('CLIENT', 'KILL', 'TYPE', 'master');
    await m.set('after-drop', '1');
    await linkUp(r2);
    await caughtUp(m, r2);
    expect(Number(infoField(await r1.info('stats'), 'sync_partial_ok'))).toBe(Number(infoField(before, 'sync_partial_ok')) + 1);
    expect(await r2.get('after-drop')).toBe('1');
  });

  it("passes a pipeline's writes on in order: plain commands, transactions, scripts and a command over a megabyte, down a chain", async () => {
    // A batch's stream goes to the online replicas in one write at its end, a command too big for
    // that at once (after what was pending): the order must not change either way.
    const { master, mid, m, r1, r2 } = await chain();
    await follow(r1, master.port);
    await follow(r2, mid.port);
    const p = m.pipeline();
    for (let i = 0; i < 2000; i++) {
      p.rpush('order', `plain-${i}`);
      if (i % 100 === 0) p.call('MULTI').rpush('order', `multi-${i}`).incr('n').call('EXEC');
      if (i % 250 === 0) p.eval("redis.call('rpush', KEYS[1], ARGV[1]); return redis.call('incr', 'n')", 1, 'order', `script-${i}`);
      // The big command's place among the pending ones shows in the value: 'small' then the big one, then '!'.
      if (i === 1000) p.set('big', 'small').mset('big', 'x'.repeat(1536 * 1024), 'after-big', String(i)).append('big', '!');
      if (i % 500 === 0) p.set(`s${i}`, 'y'.repeat(300));
    }
    // One script's writes are one batch's: past a megabyte of pending stream, then one command
    // over a megabyte with writes pending before it and after it.
    p.eval(
      `for i = 1, 3000 do redis.call('rpush', KEYS[1], 'lua-' .. i .. string.rep('z', 400)) end
       redis.call('set', 'huge', 'small')
       redis.call('set', 'huge', string.rep('h', 1536 * 1024))
       redis.call('append', 'huge', '!')
       return redis.call('rpush', KEYS[1], 'lua-end')`,
      1,
      'order',
    );
    p.call('WAIT', '1', '5000');
    const results = (await p.exec())!;
    expect(results.every(([err]) => err === null)).toBe(true);
    expect(results.at(-1)![1]).toBe(1);
    await caughtUp(m, r1);
    await caughtUp(m, r2);
    const want = await m.lrange('order', 0, -1);
    expect(want.length).toBe(2000 + 20 + 8 + 3001);
    expect(await r1.lrange('order', 0, -1)).toEqual(want);
    expect(await r2.lrange('order', 0, -1)).toEqual(want);
    expect(await r2.strlen('big')).toBe(1536 * 1024 + 1);
    expect(await r2.strlen('huge')).toBe(1536 * 1024 + 1);
    const digest = await m.call('DEBUG', 'DIGEST');
    expect(await r1.call('DEBUG', 'DIGEST')).toBe(digest);
    expect(await r2.call('DEBUG', 'DIGEST')).toBe(digest);
  });
});

describe('replica configuration', () => {
  it('authenticates with masterauth and masteruser, and starts as a replica from replicaof', async () => {
    const master = await server({ requirepass: 'sekret' });
    const m = client(master.port, 'sekret');
    await m.call('ACL', 'SETUSER', 'repl', 'on', '>replpass', '+@all', '~*');
    await m.set('k', 'v');
    const replica = await server({ replicaof: `127.0.0.1 ${master.port}`, masterauth: 'sekret' });
    const r = client(replica.port);
    await linkUp(r);
    expect(await r.get('k')).toBe('v');
    expect(await r.call('CONFIG', 'GET', 'replicaof')).toEqual(['replicaof', `127.0.0.1 ${master.port}`]);
    const second = await server({
      replicaof: `127.0.0.1 ${master.port}`, masteruser: 'repl', masterauth: 'replpass', 'replica-announce-ip': '127.0.0.5', 'replica-announce-port': 7777,
    });
    const r2 = client(second.port);
    await linkUp(r2);
    expect(await r2.get('k')).toBe('v');
    // The master lists it as it announced itself.
    expect(await m.info('replication')).toMatch(/^slave\d:ip=127\.0\.0\.5,port=7777,state=online,/m);
  });

  it('stays down with a wrong masterauth', async () => {
    const master = await server({ requirepass: 'sekret' });
    const replica = await server({ masterauth: 'wrong' });
    const r = client(replica.port);
    expect(await r.call('SLAVEOF', '127.0.0.1', String(master.port))).toBe('OK');
    expect(await r.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('OK Already connected to specified master');
    await new Promise((res) => setTimeout(res, 200));
    expect(infoField(await r.info('replication'), 'master_link_status')).toBe('down');
    await expect(r.call('REPLICAOF', '127.0.0.1', '65536')).rejects.toThrow('ERR Invalid master port');
    expect(await r.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
    expect(infoField(await r.info('replication'), 'role')).toBe('master');
  });
});

describe('replica over TLS', () => {
  it('syncs from a master on its TLS port with tls-replication', async () => {
    const fixtures = join(import.meta.dirname, 'fixtures', 'tls');
    const tls = { tls: true, 'tls-cert-file': join(fixtures, 'server.crt'), 'tls-key-file': join(fixtures, 'server.key'), 'tls-ca-cert-file': join(fixtures, 'ca.crt') };
    // The replica presents its client certificate (tls-client-cert-file) to a master that asks for one.
    const master = await server(tls);
    const replica = await server({
      ...tls, 'tls-replication': 'yes', 'tls-client-cert-file': join(fixtures, 'client.crt'), 'tls-client-key-file': join(fixtures, 'client.key'),
    });
    const m = client(master.port);
    const r = client(replica.port);
    await fillEveryType(m);
    await r.call('REPLICAOF', '127.0.0.1', String(master.tlsPort));
    await linkUp(r);
    await m.set('over-tls', 'yes');
    await caughtUp(m, r);
    expect(await r.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
    const list = (await m.call('CLIENT', 'LIST', 'TYPE', 'replica')) as string;
    expect(list).toMatch(/ flags=S /);
  });
});

describe('the stream database across links', () => {
  it('continues in the database the stream was in after +CONTINUE and down a chain (repl-stream-db)', async () => {
    const { master, mid, m, r1, r2 } = await chain();
    await follow(r1, master.port);
    await m.select(5);
    await m.set('in5', 'a');
    await caughtUp(m, r1);
    // The link drops while the stream is in database 5; what follows carries no SELECT.
    await r1.call('CLIENT', 'KILL', 'TYPE', 'master');
    await m.set('in5-after-drop', 'b');
    await linkUp(r1);
    await caughtUp(m, r1);
    await r1.select(5);
    expect(await r1.get('in5-after-drop')).toBe('b');
    // A replica of the replica syncs fully while the proxied stream is in database 5.
    await follow(r2, mid.port);
    await m.set('in5-after-chain', 'c');
    await caughtUp(m, r2);
    await r2.select(5);
    expect(await r2.get('in5-after-chain')).toBe('c');
    expect(await r2.call('DEBUG', 'DIGEST')).toBe(await m.call('DEBUG', 'DIGEST'));
  });
});

describe('turning into a replica', () => {
  it('unblocks blocked clients with an error and closes them; WAIT is refused on a replica', async () => {
    const master = await server();
    const replica = await server();
    const r = client(replica.port);
    const blocked = client(replica.port);
    const pop = blocked.blpop('some-list', 0).then(() => 'served', (e: Error) => e.message);
    await until('BLPOP blocked', async () => infoField(await r.info('clients'), 'blocked_clients') === '1');
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    expect(await pop).toBe('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
    await until('the blocked client closed', async () => ((await r.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string).trim().split('\n').length === 1);
    await expect(r.call('WAIT', '1', '0')).rejects.toThrow(
      'WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
  });
});
