// The replica side of replication: respd as a replica of respd (full sync of every data type,
// the stream after it, partial resync after a dropped link, a backlog too small for the gap,
// WAIT, read-only and stale-data refusals, REPLICAOF NO ONE, a chained replica).
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startServer } from './helpers.js';
import type { ServerHandle } from '../src/index.js';

const opened: Redis[] = [];
function client(port: number): Redis {
  const r = new Redis(port, '127.0.0.1', { retryStrategy: () => null, maxRetriesPerRequest: 0, lazyConnect: false });
  opened.push(r);
  return r;
}
afterEach(() => {
  for (const r of opened.splice(0)) r.disconnect();
});

/** Polls `f` until it returns true (bounded: 10 s), failing with `what` otherwise. */
async function until(what: string, f: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function infoField(info: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1]!.trim() : undefined;
}

async function linkUp(r: Redis): Promise<void> {
  await until('master_link_status:up', async () => infoField(await r.info('replication'), 'master_link_status') === 'up');
}

/** The replica processed everything the master sent so far. */
async function caughtUp(master: Redis, replica: Redis): Promise<void> {
  const target = infoField(await master.info('replication'), 'master_repl_offset');
  await until(`offset ${target}`, async () => infoField(await replica.info('replication'), 'slave_repl_offset') === target);
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
  let master: ServerHandle;
  let replica: ServerHandle;

  it('full sync: every data type, the same digest, then the stream', async () => {
    master = await startServer();
    replica = await startServer();
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
    await caughtUp(m, r);
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
    expect(list).toMatch(/ flags=M /);
    expect(infoField(await m.info('replication'), 'connected_slaves')).toBe('1');
  });
});
