// The fast path (src/commands/fast-path.ts) changes nothing a client can see: the same workload
// gives the same replies, INFO commandstats (calls, failed and rejected calls; usec is measured
// either way), stats, errorstats, keyspace and dataset digest whether the hot commands take the
// fast path or the whole of processCommand. And what observes commands (MONITOR, keyspace
// notifications, client tracking) sees fast-path commands as it sees any.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientFlag } from '../src/clients/flags.js';
import { FastPath } from '../src/commands/fast-path.js';
import { RawClient, bulk, infoNumber, int, startServer, until } from './helpers.js';

const s = await startServer();

/** Counts the commands that took the fast path. */
function countFast(): { readonly n: number } {
  const counter = { n: 0 };
  const run = FastPath.prototype.run;
  vi.spyOn(FastPath.prototype, 'run').mockImplementation(function (this: FastPath, ...a: Parameters<FastPath['run']>) {
    const ran = run.apply(this, a);
    if (ran) counter.n++;
    return ran;
  });
  return counter;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Hot commands with their edge cases: options, errors (wrong type, not an integer, overflow,
 * syntax), arity errors (rejected calls), misses and hits, deadlines, several keys, other types.
 */
const WORKLOAD: string[][] = [
  ['PING'], ['PING', 'hello'], ['ECHO', 'e'],
  ['GET', 'nokey'], ['SET', 'k1', 'v1'], ['GET', 'k1'], ['SET', 'k1', 'v2', 'GET'], ['SET', 'k1', 'v3', 'NX'],
  ['SET', 'k1', 'v4', 'XX', 'KEEPTTL'], ['SET', 'k1', 'v5', 'EX', '0'], ['SET', 'k1', 'v5', 'EX', 'x'], ['SET', 'k1', 'v', 'BAD'],
  ['SET', 'k1'], ['GET'], ['SET', 'tmp', 'x', 'PX', '1'], ['SETEX', 'k2', '100', 'v'], ['PSETEX', 'k3', '100000', 'v'],
  ['SETNX', 'k1', 'no'], ['GETSET', 'k1', 'v6'], ['GETDEL', 'k3'], ['GETDEL', 'k3'],
  ['INCR', 'c'], ['INCR', 'c'], ['INCRBY', 'c', '10'], ['DECR', 'c'], ['DECRBY', 'c', '-5'], ['INCRBY', 'c', 'x'],
  ['INCR', 'k1'], ['SET', 'big', '9223372036854775807'], ['INCR', 'big'], ['DECRBY', 'c', '-9223372036854775808'],
  ['INCRBYFLOAT', 'f', '1.5'], ['INCRBYFLOAT', 'f', 'abc'], ['GET', 'c'], ['GET', 'f'],
  ['APPEND', 'a', 'hello'], ['APPEND', 'a', ' world'], ['STRLEN', 'a'], ['GETRANGE', 'a', '0', '4'], ['SETRANGE', 'a', '6', 'WORLD'],
  ['GET', 'a'], ['MSET', 'm1', '1', 'm2', '2'], ['MSET', 'm1'], ['MGET', 'm1', 'm2', 'nokey', 'l'], ['EXISTS', 'm1', 'm2', 'nokey'],
  ['LPUSH', 'l', 'a', 'b', 'c'], ['RPUSH', 'l', 'd'], ['LLEN', 'l'], ['LRANGE', 'l', '0', '-1'], ['LINDEX', 'l', '1'],
  ['LSET', 'l', '0', 'z'], ['LSET', 'l', '99', 'z'], ['LPOP', 'l'], ['RPOP', 'l', '2'], ['GET', 'l'], ['INCR', 'l'],
  ['HSET', 'h', 'f1', 'v1', 'f2', 'v2'], ['HSET', 'h', 'f1'], ['HSETNX', 'h', 'f1', 'x'], ['HGET', 'h', 'f1'], ['HMSET', 'h', 'f3', '3'],
  ['HMGET', 'h', 'f1', 'nof'], ['HINCRBY', 'h', 'f3', '4'], ['HINCRBY', 'h', 'f1', '1'], ['HEXISTS', 'h', 'f2'], ['HDEL', 'h', 'f2'],
  ['HLEN', 'h'], ['HGETALL', 'h'], ['HGET', 'k1', 'f'],
  ['SADD', 's', 'a', 'b', 'c'], ['SREM', 's', 'b'], ['SISMEMBER', 's', 'a'], ['SCARD', 's'], ['SADD', 'one', 'x'], ['SPOP', 'one'],
  ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZADD', 'z', 'XX', 'CH', '5', 'a'], ['ZADD', 'z', 'x', 'a'], ['ZINCRBY', 'z', '2', 'b'],
  ['ZSCORE', 'z', 'b'], ['ZRANK', 'z', 'a'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZREM', 'z', 'a'], ['ZCARD', 'z'],
  ['EXPIRE', 'k1', '100'], ['TTL', 'nokey'], ['PERSIST', 'k1'], ['TTL', 'k1'], ['PEXPIRE', 'm2', '0'], ['PTTL', 'm2'], ['TYPE', 'h'],
  ['DEL', 'm1', 'nokey'], ['UNLINK', 'a'], ['NOSUCHCOMMAND', 'x'],
];

async function runWorkload(c: RawClient): Promise<string[]> {
  const replies: string[] = [];
  for (const cmd of WORKLOAD) replies.push(await c.call(...cmd));
  // 'tmp' had 1 ms to live: its miss and its expiry count in both runs alike.
  await new Promise((r) => setTimeout(r, 5));
  replies.push(await c.call('GET', 'tmp'));
  return replies;
}

/** INFO fields both runs must agree on: everything counted, nothing timed. */
async function observed(c: RawClient): Promise<string[]> {
  const info = await c.call('INFO', 'everything');
  const keep = /^(cmdstat_|errorstat_|db\d+:|total_commands_processed:|keyspace_hits:|keyspace_misses:|expired_keys:|evicted_keys:|total_error_replies:|unexpected_error_replies:)/;
  const lines = info.split('\r\n').filter((l) => keep.test(l));
  // Durations (a command's usec, the sampled avg_ttl) are measured: only their presence is compared.
  const stats = lines.map((l) => l.replace(/usec=\d+/, 'usec=*').replace(/usec_per_call=[\d.]+/, 'usec_per_call=*').replace(/avg_ttl=\d+/, 'avg_ttl=*'));
  stats.push(await c.call('DEBUG', 'DIGEST'));
  return stats;
}

describe('the fast path', () => {
  it('gives the replies, stats and dataset of the full processCommand', async () => {
    const c = await RawClient.connect(s.port);
    const run = async (): Promise<{ replies: string[]; stats: string[]; fast: number }> => {
      await c.call('FLUSHALL');
      await c.call('CONFIG', 'RESETSTAT');
      const dirty = await infoNumber(c, 'rdb_changes_since_last_save');
      const fast = countFast();
      const replies = await runWorkload(c);
      vi.restoreAllMocks();
      const changes = (await infoNumber(c, 'rdb_changes_since_last_save')) - dirty;
      return { replies, stats: [...(await observed(c)), `changes:${changes}`], fast: fast.n };
    };
    const fast = await run();
    // Two things the fast path's guard looks at, neither changing what this client's commands do:
    // a restricted ACL user nobody is logged in as, and a maxmemory far above what is used.
    expect(await c.call('ACL', 'SETUSER', 'restricted', 'on', 'nopass', '~cache:*', '+get')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'maxmemory', '1gb')).toBe('+OK\r\n');
    const slow = await run();
    await c.call('ACL', 'DELUSER', 'restricted');
    await c.call('CONFIG', 'SET', 'maxmemory', '0');
    // Every eligible command went the fast way in the first run, none in the second.
    expect(fast.fast).toBeGreaterThan(WORKLOAD.length - 10);
    expect(slow.fast).toBe(0);
    expect(fast.replies).toEqual(slow.replies);
    expect(fast.stats).toEqual(slow.stats);
    // Ten SETs: one rejected (arity), three failed (expire time twice, syntax).
    expect(fast.stats).toContain('cmdstat_set:calls=9,usec=*,usec_per_call=*,rejected_calls=1,failed_calls=3');
    c.close();
  });

  it("gives a replica applying its master's stream the stats and dataset of the full processCommand", async () => {
    // A replica's master client takes the fast path too (the replica role's checks never stop it):
    // the same stream applied either way leaves the same counts, keyspace and digest.
    const applied = async (fastAllowed: boolean): Promise<{ stats: string[]; fast: number }> => {
      const master = await startServer({ 'repl-diskless-sync-delay': 0 });
      const replica = await startServer();
      const m = await RawClient.connect(master.port);
      const r = await RawClient.connect(replica.port);
      try {
        const counter = { n: 0 };
        const run = FastPath.prototype.run;
        vi.spyOn(FastPath.prototype, 'run').mockImplementation(function (this: FastPath, ...a: Parameters<FastPath['run']>) {
          if (!fastAllowed) return false;
          const ran = run.apply(this, a);
          if (ran && a[0].client.flags & ClientFlag.Master) counter.n++;
          return ran;
        });
        await r.call('REPLICAOF', '127.0.0.1', String(master.port));
        await until(() => r.call('INFO', 'replication'), (i) => i.includes('master_link_status:up'), 10000);
        await r.call('CONFIG', 'RESETSTAT');
        await runWorkload(m);
        const offset = /master_repl_offset:(\d+)/.exec(await m.call('INFO', 'replication'))![1];
        await until(() => r.call('INFO', 'replication'), (i) => i.includes(`slave_repl_offset:${offset}`), 10000);
        vi.restoreAllMocks();
        return { stats: await observed(r), fast: counter.n };
      } finally {
        vi.restoreAllMocks();
        m.close();
        r.close();
        await replica.close();
        await master.close();
      }
    };
    const fast = await applied(true);
    const slow = await applied(false);
    expect(fast.fast).toBeGreaterThan(20);
    expect(slow.fast).toBe(0);
    expect(fast.stats).toEqual(slow.stats);
    expect(fast.stats.some((l) => l.startsWith('cmdstat_incrby:calls='))).toBe(true);
  });

  it('leaves to processCommand what it must see: MULTI, CLIENT PAUSE, unauthenticated clients', async () => {
    const c = await RawClient.connect(s.port);
    const fast = countFast();
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'q', '1')).toBe('+QUEUED\r\n');
    expect(await c.call('EXEC')).toBe('*1\r\n+OK\r\n');
    expect(fast.n).toBe(0);
    // CLIENT PAUSE WRITE postpones SET but not GET; on UNPAUSE the SET runs.
    const other = await RawClient.connect(s.port);
    expect(await c.call('CLIENT', 'PAUSE', '100000', 'WRITE')).toBe('+OK\r\n');
    expect(await other.call('GET', 'q')).toBe(bulk('1'));
    other.write('*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n2\r\n');
    await other.settle(30);
    expect(await c.call('GET', 'q')).toBe(bulk('1'));
    expect(await c.call('CLIENT', 'UNPAUSE')).toBe('+OK\r\n');
    await other.waitMatch(/\+OK\r\n$/);
    expect(await c.call('GET', 'q')).toBe(bulk('2'));
    // The pause over, the postponed SET and this GET went the fast way.
    expect(fast.n).toBe(2);
    // With a password, a client that has not authenticated gets -NOAUTH.
    expect(await c.call('CONFIG', 'SET', 'requirepass', 'pw')).toBe('+OK\r\n');
    const anon = await RawClient.connect(s.port);
    expect(await anon.call('GET', 'q')).toBe('-NOAUTH Authentication required.\r\n');
    expect(await c.call('GET', 'q')).toBe(bulk('2'));
    expect(await c.call('CONFIG', 'SET', 'requirepass', '')).toBe('+OK\r\n');
    for (const x of [c, other, anon]) x.close();
  });

  it('feeds MONITOR, keyspace notifications and tracking invalidations', async () => {
    const c = await RawClient.connect(s.port);
    const mon = await RawClient.connect(s.port);
    const sub = await RawClient.connect(s.port);
    const tracker = await RawClient.connect(s.port);
    expect(await mon.call('MONITOR')).toBe('+OK\r\n');
    expect(await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'K$')).toBe('+OK\r\n');
    await sub.call('SUBSCRIBE', '__keyspace@0__:watched');
    expect(await tracker.call('HELLO', '3').then((r) => r.startsWith('%'))).toBe(true);
    expect(await tracker.call('CLIENT', 'TRACKING', 'on')).toBe('+OK\r\n');
    expect(await c.call('SET', 'watched', '1')).toBe('+OK\r\n');
    expect(await tracker.call('GET', 'watched')).toBe(bulk('1'));
    const fast = countFast();
    expect(await c.call('INCR', 'watched')).toBe(int(2));
    expect(fast.n).toBe(1);
    await mon.waitMatch(/"INCR" "watched"\r\n/);
    await sub.waitMatch(/\$6\r\nincrby\r\n/);
    await until(async () => tracker.received, (r) => r.includes('$10\r\ninvalidate\r\n*1\r\n$7\r\nwatched\r\n'));
    expect(tracker.received).toContain('>2\r\n$10\r\ninvalidate\r\n*1\r\n$7\r\nwatched\r\n');
    expect(await c.call('CONFIG', 'SET', 'notify-keyspace-events', '')).toBe('+OK\r\n');
    for (const x of [c, mon, sub, tracker]) x.close();
  });
});
