// Expiry end to end, byte for byte: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT and
// Redis's errors, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST; lazy expiry (an expired key is
// never returned by any command, and raises 'expired'); and the active expiry cycle, driven
// directly. Deadlines are absolute timestamps or back-dated in process, so nothing waits long.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { wireKeyspace } from '../src/commands/notify.js';
import { activeExpireCycle, Keyspace } from '../src/data/keyspace.js';
import { bulk, err, int, NIL, OK, RawClient, startServer, until } from './helpers.js';

const handle = await startServer();
wireKeyspace(handle.server);
const keyspace = handle.server.keyspace;
const db0 = keyspace.dbs[0]!;
const c = await RawClient.connect(handle.port);
const others: RawClient[] = [];
afterAll(() => {
  c.close();
  for (const o of others) o.close();
});

const FAR = 4000000000000; // ms, year 2096

/** Moves the deadline of `key` into the past, as if time had run out. */
function expireNow(key: string, db = 0): void {
  keyspace.dbs[db]!.setExpire(key, Date.now() - 1);
}

beforeEach(async () => {
  await c.call('SELECT', '0');
  expect(await c.call('FLUSHALL')).toBe(OK);
  await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
});

describe('EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT', () => {
  it('set a deadline on an existing key: 1; on a missing key: 0', async () => {
    await c.call('SET', 'k', 'v');
    expect(await c.call('EXPIRE', 'k', '100')).toBe(int(1));
    expect(await c.call('TTL', 'k')).toBe(int(100));
    expect(await c.call('PEXPIRE', 'k', '50000')).toBe(int(1));
    expect(await c.call('TTL', 'k')).toBe(int(50));
    expect(await c.call('EXPIREAT', 'k', String(FAR / 1000))).toBe(int(1));
    expect(await c.call('PEXPIRETIME', 'k')).toBe(int(FAR));
    expect(await c.call('PEXPIREAT', 'k', String(FAR + 1))).toBe(int(1));
    expect(await c.call('PEXPIRETIME', 'k')).toBe(int(FAR + 1));
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) expect(await c.call(cmd, 'nx', '100')).toBe(int(0));
  });

  it('a deadline at or before now deletes the key at once and replies 1', async () => {
    for (const [cmd, arg] of [['EXPIRE', '-1'], ['PEXPIRE', '0'], ['EXPIREAT', '1'], ['PEXPIREAT', String(Date.now() - 10)]] as const) {
      await c.call('SET', 'k', 'v');
      expect(await c.call(cmd, 'k', arg)).toBe(int(1));
      expect(await c.call('EXISTS', 'k')).toBe(int(0));
    }
  });

  it('NX, XX, GT, LT: no deadline counts as infinite', async () => {
    await c.call('SET', 'k', 'v');
    expect(await c.call('PEXPIREAT', 'k', String(FAR), 'XX')).toBe(int(0));
    expect(await c.call('PEXPIREAT', 'k', String(FAR), 'GT')).toBe(int(0));
    expect(await c.call('PEXPIREAT', 'k', String(FAR), 'LT')).toBe(int(1));
    expect(await c.call('PEXPIREAT', 'k', String(FAR), 'NX')).toBe(int(0));
    expect(await c.call('PEXPIREAT', 'k', String(FAR + 1000), 'XX', 'LT')).toBe(int(0));
    expect(await c.call('PEXPIREAT', 'k', String(FAR + 1000), 'GT')).toBe(int(1));
    expect(await c.call('PEXPIREAT', 'k', String(FAR + 1000), 'GT')).toBe(int(0));
    expect(await c.call('PEXPIREAT', 'k', String(FAR), 'lt', 'xx')).toBe(int(1));
    expect(await c.call('PEXPIRETIME', 'k')).toBe(int(FAR));
    expect(await c.call('PERSIST', 'k')).toBe(int(1));
    expect(await c.call('EXPIRE', 'k', '100', 'NX')).toBe(int(1));
    expect(await c.call('EXPIRE', 'k', '100', 'NX')).toBe(int(0));
  });

  it("errors, in Redis's order: options, then the number, then the overflow", async () => {
    await c.call('SET', 'k', 'v');
    expect(await c.call('EXPIRE', 'k', '10', 'FOO')).toBe(err('Unsupported option FOO'));
    expect(await c.call('EXPIRE', 'k', 'x', 'Foo')).toBe(err('Unsupported option Foo'));
    expect(await c.call('EXPIRE', 'k', 'x', 'NX', 'XX')).toBe(err('NX and XX, GT or LT options at the same time are not compatible'));
    expect(await c.call('EXPIRE', 'k', '10', 'NX', 'GT')).toBe(err('NX and XX, GT or LT options at the same time are not compatible'));
    expect(await c.call('EXPIRE', 'k', '10', 'NX', 'LT')).toBe(err('NX and XX, GT or LT options at the same time are not compatible'));
    expect(await c.call('EXPIRE', 'k', '10', 'GT', 'LT')).toBe(err('GT and LT options at the same time are not compatible'));
    expect(await c.call('EXPIRE', 'k', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await c.call('EXPIRE', 'k', '1.5')).toBe(err('value is not an integer or out of range'));
    expect(await c.call('EXPIRE', 'k', '9223372036854775807')).toBe(err("invalid expire time in 'expire' command"));
    expect(await c.call('EXPIRE', 'k', '-9223372036854775808')).toBe(err("invalid expire time in 'expire' command"));
    expect(await c.call('PEXPIRE', 'k', '9223372036854775807')).toBe(err("invalid expire time in 'pexpire' command"));
    expect(await c.call('EXPIREAT', 'k', '9223372036854775807')).toBe(err("invalid expire time in 'expireat' command"));
    expect(await c.call('pexpire', 'k', '9223372036854775000')).toBe(err("invalid expire time in 'pexpire' command"));
    expect(await c.call('EXPIRE', 'k')).toBe(err("wrong number of arguments for 'expire' command"));
    expect(await c.call('TTL', 'k')).toBe(int(-1));
  });
});

describe('TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST', () => {
  it('-2 for a missing key, -1 without a deadline; seconds are rounded', async () => {
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(await c.call(cmd, 'nx')).toBe(int(-2));
    await c.call('SET', 'k', 'v');
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) expect(await c.call(cmd, 'k')).toBe(int(-1));
    await c.call('PEXPIREAT', 'k', '3500000000499');
    expect(await c.call('EXPIRETIME', 'k')).toBe(int(3500000000));
    await c.call('PEXPIREAT', 'k', '3500000000500');
    expect(await c.call('EXPIRETIME', 'k')).toBe(int(3500000001));
    expect(await c.call('PEXPIRETIME', 'k')).toBe(int(3500000000500));
    await c.call('PEXPIRE', 'k', '100499');
    expect(await c.call('TTL', 'k')).toBe(int(100));
    const pttl = Number((await c.call('PTTL', 'k')).slice(1, -2));
    expect(pttl).toBeGreaterThan(99000);
    expect(pttl).toBeLessThanOrEqual(100499);
  });

  it('PERSIST removes a deadline once; SET drops it, KEEPTTL keeps it', async () => {
    await c.call('SET', 'k', 'v');
    expect(await c.call('PERSIST', 'k')).toBe(int(0));
    await c.call('PEXPIREAT', 'k', String(FAR));
    expect(await c.call('PERSIST', 'k')).toBe(int(1));
    expect(await c.call('PERSIST', 'k')).toBe(int(0));
    expect(await c.call('PERSIST', 'nx')).toBe(int(0));
    expect(await c.call('TTL', 'k')).toBe(int(-1));
    await c.call('PEXPIREAT', 'k', String(FAR));
    await c.call('SET', 'k', 'w', 'KEEPTTL');
    expect(await c.call('PEXPIRETIME', 'k')).toBe(int(FAR));
    await c.call('SET', 'k', 'x');
    expect(await c.call('PEXPIRETIME', 'k')).toBe(int(-1));
  });

  it('INFO keyspace counts keys with a deadline', async () => {
    await c.call('MSET', 'a', '1', 'b', '2');
    await c.call('PEXPIREAT', 'a', String(FAR));
    expect(await c.call('INFO', 'keyspace')).toContain('db0:keys=2,expires=1,');
  });
});

describe('lazy expiry: an expired key is never returned', () => {
  it('by any command; each access reclaims it and raises expired', async () => {
    const s = await RawClient.connect(handle.port);
    others.push(s);
    await s.call('SUBSCRIBE', '__keyevent@0__:expired');
    const start = s.received.length;
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
    const probes: [string[], string][] = [
      [['GET', 'k'], NIL], [['EXISTS', 'k'], int(0)], [['TYPE', 'k'], '+none\r\n'], [['TTL', 'k'], int(-2)],
      [['PTTL', 'k'], int(-2)], [['EXPIRETIME', 'k'], int(-2)], [['RENAME', 'k', 'j'], err('no such key')],
      [['RENAMENX', 'k', 'j'], err('no such key')], [['COPY', 'k', 'j'], int(0)], [['MOVE', 'k', '1'], int(0)],
      [['OBJECT', 'ENCODING', 'k'], NIL], [['EXPIRE', 'k', '100'], int(0)], [['PERSIST', 'k'], int(0)],
      [['DEL', 'k'], int(0)], [['TOUCH', 'k'], int(0)], [['KEYS', '*'], '*0\r\n'], [['RANDOMKEY'], NIL],
      [['SCAN', '0'], `*2\r\n${bulk('0')}*0\r\n`], [['LLEN', 'k'], int(0)],
    ];
    for (const [cmd, reply] of probes) {
      await c.call('SET', 'k', 'v');
      expireNow('k');
      expect(await c.call(...cmd), cmd.join(' ')).toBe(reply);
      // KEYS skips expired keys without reclaiming them, as Redis does.
      if (cmd[0] !== 'KEYS') expect(db0.size, cmd.join(' ')).toBe(0);
    }
    const expected = `*3\r\n${bulk('message')}${bulk('__keyevent@0__:expired')}${bulk('k')}`;
    // One 'expired' per probe (KEYS's key is reclaimed by the next SET's lookup).
    expect(await s.replyAt(start, probes.length)).toBe(expected.repeat(probes.length));
  });

  it('a real deadline a few milliseconds away', async () => {
    expect(await c.call('SET', 'k', 'v', 'PX', '20')).toBe('+OK\r\n');
    const pttl = Number((await c.call('PTTL', 'k')).slice(1));
    expect(pttl).toBeLessThanOrEqual(20);
    // Read until it is gone: a read finds it expired and deletes it.
    await until(() => c.call('GET', 'k'), (r) => r === NIL);
    expect(await c.call('DBSIZE')).toBe(int(0));
  });

  it('while clients are paused, expired keys read as missing but stay, from the PAUSE on', async () => {
    await c.call('SET', 'k', 'v');
    expireNow('k');
    // CLIENT PAUSE WRITE lets reads through; expiry stops at once, not at the next cron tick.
    expect(await c.call('CLIENT', 'PAUSE', '60000', 'WRITE')).toBe(OK);
    try {
      expect(await c.call('GET', 'k')).toBe(NIL);
      expect(await c.call('EXISTS', 'k')).toBe(int(0));
      expect(await c.call('RANDOMKEY')).toBe(NIL);
      expect(await c.call('DBSIZE')).toBe(int(1));
      expect(activeExpireCycle(keyspace, Date.now(), 25)).toBe(0);
      expect(await c.call('DBSIZE')).toBe(int(1));
    } finally {
      expect(await c.call('CLIENT', 'UNPAUSE')).toBe(OK);
    }
    expect(await c.call('EXISTS', 'k')).toBe(int(0));
    expect(await c.call('DBSIZE')).toBe(int(0));
  });
});

describe('activeExpireCycle', () => {
  /** A standalone keyspace with `n` keys per db, `expired` of them past their deadline. */
  function filled(dbs: number, n: number, expired: number, now: number): Keyspace {
    const ks = new Keyspace(dbs);
    for (const db of ks.dbs) {
      for (let i = 0; i < n; i++) {
        db.set(`k${i}`, 'v', false, now);
        db.setExpire(`k${i}`, i < expired ? now - 1 : now + 60000);
      }
      db.set('persistent', 'v', false, now);
    }
    return ks;
  }

  it('reclaims every expired key while more than 10% of a sample was expired, keeps the rest', () => {
    const now = Date.now();
    const ks = filled(4, 1000, 1000, now);
    expect(activeExpireCycle(ks, now, 1000)).toBe(4000);
    for (const db of ks.dbs) {
      expect(db.size).toBe(1);
      expect(db.expiredKeys).toBe(1000);
      expect(db.volatileCount).toBe(0);
    }
  });

  it('stops sampling a database once a sample is mostly live (adaptive effort)', () => {
    const now = Date.now();
    // 1 in 100 expired: the first sweep of 20 finds at most a few, well under 10%.
    const ks = filled(1, 2000, 0, now);
    for (let i = 0; i < 2000; i += 100) ks.dbs[0]!.setExpire(`k${i}`, now - 1);
    const n = activeExpireCycle(ks, now, 1000);
    expect(n).toBeLessThan(20);
    expect(ks.dbs[0]!.size).toBe(2001 - n);
    // Repeated cycles sweep on from where the last stopped, and reach them all.
    let total = n;
    for (let i = 0; i < 200 && total < 20; i++) total += activeExpireCycle(ks, now, 1000);
    expect(total).toBe(20);
    expect(ks.dbs[0]!.avgTtl).toBeGreaterThan(0);
  });

  it('stops at the time limit and covers every database on the next call', () => {
    const now = Date.now();
    const ks = filled(20, 2000, 2000, now);
    const first = activeExpireCycle(ks, now, 0);
    expect(ks.timelimitExit).toBe(true);
    expect(first).toBeLessThan(40000);
    let total = first;
    for (let i = 0; i < 100 && total < 40000; i++) total += activeExpireCycle(ks, now, 1000);
    expect(total).toBe(40000);
    for (const db of ks.dbs) expect(db.size).toBe(1);
  });

  it('on the server: expired keys go, each raising expired and telling watchers', async () => {
    await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    await c.call('PEXPIREAT', 'c', String(FAR));
    const w = await RawClient.connect(handle.port);
    others.push(w);
    expect(await w.call('WATCH', 'a')).toBe(OK);
    const s = await RawClient.connect(handle.port);
    others.push(s);
    await s.call('PSUBSCRIBE', '__keyspace@0__:*');
    const start = s.received.length;
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Kx');
    const expiredKeys = async () => Number(/expired_keys:(\d+)/.exec(await c.call('INFO', 'stats'))![1]);
    const before = await expiredKeys();
    expireNow('a');
    expireNow('b');
    // (A server cron running the cycle too may have taken them first.)
    expect(activeExpireCycle(keyspace, Date.now(), 1000)).toBeLessThanOrEqual(2);
    // Pushes made outside a batch go out with the next batch's replies, as after the cron.
    expect(await c.call('DBSIZE')).toBe(int(1));
    const pm = (key: string) => `*4\r\n${bulk('pmessage')}${bulk('__keyspace@0__:*')}${bulk(`__keyspace@0__:${key}`)}${bulk('expired')}`;
    expect(await s.replyAt(start, 2)).toBe(pm('a') + pm('b'));
    expect(await w.call('MULTI')).toBe(OK);
    expect(await w.call('PING')).toBe('+QUEUED\r\n');
    expect(await w.call('EXEC')).toBe('*-1\r\n');
    expect(await expiredKeys()).toBe(before + 2);
  });
});
