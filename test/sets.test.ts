// The set commands end to end: byte-exact replies and errors over raw sockets (as redis-server
// 7.2 answers them), the order Redis iterates each encoding in (intsets sorted), RESP3 set shapes,
// WRONGTYPE both ways, keyspace notifications, OBJECT ENCODING transitions, SSCAN never missing a
// member present for the whole scan, and a model-based run against a JS Set.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, bulks, err, int, OK, parseBulks, RawClient, replayScenario, rng, startServer } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const resp3 = await RawClient.connect(server.port);
await resp3.call('HELLO', '3');
const redis = new Redis(server.port, '127.0.0.1');
afterAll(async () => {
  client.close();
  resp3.close();
  await redis.quit();
});

const call = (...args: string[]) => client.call(...args);
const set3 = (...items: string[]) => `~${items.length}\r\n` + items.map(bulk).join('');
const NULL = '$-1\r\n';
const EMPTY = '*0\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const arity = (cmd: string) => err(`wrong number of arguments for '${cmd}' command`);

describe('SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS', () => {
  it('SADD and SREM reply how many members changed; the last SREM takes the key', async () => {
    expect(await call('SADD', 's1', '3', '1', '2', '1')).toBe(int(3));
    expect(await call('SADD', 's1', '2', '5')).toBe(int(1));
    expect(await call('SCARD', 's1')).toBe(int(4));
    expect(await call('SREM', 's1', '9', '1', '1')).toBe(int(1));
    expect(await call('SREM', 's1', '2', '3', '5', '7')).toBe(int(3));
    expect(await call('EXISTS', 's1')).toBe(int(0));
    expect(await call('SREM', 'noset', 'a')).toBe(int(0));
    expect(await call('SCARD', 'noset')).toBe(int(0));
  });

  it('membership probes', async () => {
    await call('SADD', 'm', 'a', 'b');
    expect(await call('SISMEMBER', 'm', 'a')).toBe(int(1));
    expect(await call('SISMEMBER', 'm', 'z')).toBe(int(0));
    expect(await call('SISMEMBER', 'noset', 'a')).toBe(int(0));
    expect(await call('SMISMEMBER', 'm', 'a', 'z', 'b')).toBe('*3\r\n:1\r\n:0\r\n:1\r\n');
    expect(await call('SMISMEMBER', 'noset', 'a', 'b')).toBe('*2\r\n:0\r\n:0\r\n');
  });

  it('SMEMBERS lists an intset sorted by value, a listpack in insertion order', async () => {
    await call('SADD', 'ints', '10', '-20', '3', '9223372036854775807', '-9223372036854775808', '0');
    expect(await call('SMEMBERS', 'ints')).toBe(bulks('-9223372036854775808', '-20', '0', '3', '10', '9223372036854775807'));
    // Not integers as Redis reads them: "007", "+1", "-0", beyond 64 bits.
    await call('SADD', 'strs', 'x', '007', '+1', '-0', '9223372036854775808', '5');
    expect(await call('SMEMBERS', 'strs')).toBe(bulks('x', '007', '+1', '-0', '9223372036854775808', '5'));
    // An intset that takes a non-integer becomes a listpack that starts with its members sorted.
    await call('SADD', 'mixed', '3', '1', '2');
    await call('SADD', 'mixed', 'x', '0');
    expect(await call('SMEMBERS', 'mixed')).toBe(bulks('1', '2', '3', 'x', '0'));
    expect(await call('SMEMBERS', 'noset')).toBe(EMPTY);
  });

  it('keeps members byte for byte', async () => {
    expect(await call('SADD', 'bin', '', '\0\r\n', '\xff')).toBe(int(3));
    expect(await call('SMEMBERS', 'bin')).toBe(bulks('', '\0\r\n', '\xff'));
    expect(await call('SISMEMBER', 'bin', '\0\r\n')).toBe(int(1));
  });

  it('arity errors', async () => {
    expect(await call('SADD', 's')).toBe(arity('sadd'));
    expect(await call('SREM', 's')).toBe(arity('srem'));
    expect(await call('SMISMEMBER', 's')).toBe(arity('smismember'));
    expect(await call('SMOVE', 'a', 'b')).toBe(arity('smove'));
    expect(await call('SPOP')).toBe(arity('spop'));
    expect(await call('SINTERSTORE', 'd')).toBe(arity('sinterstore'));
    expect(await call('SINTERCARD', '1')).toBe(arity('sintercard'));
    expect(await call('SSCAN', 's')).toBe(arity('sscan'));
  });
});

describe('SPOP, SRANDMEMBER', () => {
  it('SPOP without a count: one member, the last one takes the key; nil for a missing key', async () => {
    await call('SADD', 'p1', 'only');
    expect(await call('SPOP', 'p1')).toBe(bulk('only'));
    expect(await call('EXISTS', 'p1')).toBe(int(0));
    expect(await call('SPOP', 'noset')).toBe(NULL);
  });

  it('SPOP with a count: distinct members, all of them (sorted intset) when count covers the set', async () => {
    await call('SADD', 'p2', ...Array.from({ length: 30 }, (_, i) => String(i)));
    const got = parseBulks(await call('SPOP', 'p2', '10'));
    expect(new Set(got).size).toBe(10);
    expect(await call('SCARD', 'p2')).toBe(int(20));
    // Taking most of the set: the few that stay move to a new set.
    const most = parseBulks(await call('SPOP', 'p2', '18'));
    expect(new Set([...got, ...most]).size).toBe(28);
    const rest = parseBulks(await call('SMEMBERS', 'p2'));
    expect(rest.length).toBe(2);
    expect(new Set([...got, ...most, ...rest]).size).toBe(30);
    await call('SADD', 'p3', '5', '1', '3');
    expect(await call('SPOP', 'p3', '10')).toBe(bulks('1', '3', '5'));
    expect(await call('EXISTS', 'p3')).toBe(int(0));
  });

  it('SPOP count errors and empty answers', async () => {
    await call('SADD', 'p4', 'a');
    expect(await call('SPOP', 'p4', '0')).toBe(EMPTY);
    expect(await call('SPOP', 'noset', '2')).toBe(EMPTY);
    expect(await call('SPOP', 'p4', '-1')).toBe(err('value is out of range, must be positive'));
    expect(await call('SPOP', 'p4', 'x')).toBe(err('value is out of range, must be positive'));
    expect(await call('SPOP', 'p4', '1', '2')).toBe(err('syntax error'));
    expect(await resp3.call('SPOP', 'noset', '1')).toBe('~0\r\n');
  });

  it('SPOP taking most of a set keeps its TTL', async () => {
    await call('SADD', 'ttl', ...Array.from({ length: 20 }, (_, i) => `m${i}`));
    await call('EXPIRE', 'ttl', '1000');
    await call('SPOP', 'ttl', '19');
    expect(await call('SCARD', 'ttl')).toBe(int(1));
    expect(await call('TTL', 'ttl')).toBe(int(1000));
  });

  it('SRANDMEMBER: distinct for a positive count, repeats for a negative one, arrays always', async () => {
    await call('SADD', 'r', ...Array.from({ length: 20 }, (_, i) => `m${i}`));
    for (const count of [1, 3, 7, 15, 19]) {
      const got = parseBulks(await call('SRANDMEMBER', 'r', String(count)));
      expect(got.length).toBe(count);
      expect(new Set(got).size).toBe(count);
    }
    expect(parseBulks(await call('SRANDMEMBER', 'r', '20')).length).toBe(20);
    expect(parseBulks(await call('SRANDMEMBER', 'r', '-50')).length).toBe(50);
    await call('SADD', 'r1', '2', '1');
    expect(await call('SRANDMEMBER', 'r1', '5')).toBe(bulks('1', '2'));
    expect(await call('SRANDMEMBER', 'r1', '0')).toBe(EMPTY);
    expect(await call('SRANDMEMBER', 'noset')).toBe(NULL);
    expect(await call('SRANDMEMBER', 'noset', '3')).toBe(EMPTY);
    expect(await call('SRANDMEMBER', 'noset', '-3')).toBe(EMPTY);
    expect(await resp3.call('SRANDMEMBER', 'r1', '5')).toBe(bulks('1', '2'));
    expect(await resp3.call('SRANDMEMBER', 'noset')).toBe('_\r\n');
  });

  it('SRANDMEMBER errors', async () => {
    expect(await call('SRANDMEMBER', 'r', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('SRANDMEMBER', 'r', '1', '2')).toBe(err('syntax error'));
    expect(await call('SRANDMEMBER', 'r', '-9223372036854775808')).toBe(
      err('value is out of range, value must between -9223372036854775807 and 9223372036854775807'));
  });
});

describe('SMOVE', () => {
  it('moves a member, deleting an emptied source and creating the destination', async () => {
    await call('SADD', 'src', '1', '2');
    await call('SADD', 'dst', '3');
    expect(await call('SMOVE', 'src', 'dst', '1')).toBe(int(1));
    expect(await call('SMOVE', 'src', 'dst', '9')).toBe(int(0));
    expect(await call('SMOVE', 'src', 'src', '2')).toBe(int(1));
    expect(await call('SMOVE', 'src', 'src', '9')).toBe(int(0));
    expect(await call('SMOVE', 'src', 'fresh', '2')).toBe(int(1));
    expect(await call('EXISTS', 'src')).toBe(int(0));
    expect(await call('SMEMBERS', 'dst')).toBe(bulks('1', '3'));
    expect(await call('SMEMBERS', 'fresh')).toBe(bulks('2'));
    // Already in the destination: it still leaves the source.
    await call('SADD', 'src2', '3', '4');
    expect(await call('SMOVE', 'src2', 'dst', '3')).toBe(int(1));
    expect(await call('SMEMBERS', 'src2')).toBe(bulks('4'));
  });

  it('type checks: a missing source answers 0 before the destination is checked', async () => {
    await call('SET', 'str', 'v');
    expect(await call('SMOVE', 'noset', 'str', 'x')).toBe(int(0));
    expect(await call('SMOVE', 'str', 'dst', 'x')).toBe(WRONGTYPE);
    expect(await call('SMOVE', 'dst', 'str', '3')).toBe(WRONGTYPE);
    expect(await call('SMEMBERS', 'dst')).toBe(bulks('1', '3'));
  });
});

describe('SINTER, SUNION, SDIFF and the STORE forms', () => {
  it('replies sets; a missing key is an empty set', async () => {
    await call('SADD', 'a', '1', '2', '3', '4');
    await call('SADD', 'b', '3', '4', '5');
    await call('SADD', 'c', '4', '6');
    expect(await call('SINTER', 'a', 'b')).toBe(bulks('3', '4'));
    expect(await call('SINTER', 'a', 'b', 'c')).toBe(bulks('4'));
    expect(await call('SINTER', 'a', 'noset')).toBe(EMPTY);
    expect(await call('SINTER', 'a')).toBe(bulks('1', '2', '3', '4'));
    expect(await call('SUNION', 'a', 'b', 'c')).toBe(bulks('1', '2', '3', '4', '5', '6'));
    expect(await call('SUNION', 'noset')).toBe(EMPTY);
    expect(await call('SDIFF', 'a', 'b')).toBe(bulks('1', '2'));
    expect(await call('SDIFF', 'a', 'b', 'c')).toBe(bulks('1', '2'));
    expect(await call('SDIFF', 'a', 'a')).toBe(EMPTY);
    expect(await call('SDIFF', 'noset', 'a')).toBe(EMPTY);
    expect(await call('SDIFF', 'a', 'noset')).toBe(bulks('1', '2', '3', '4'));
  });

  it('both SDIFF walks give the same answer', async () => {
    await call('SADD', 'small', '1', '2', '3');
    await call('SADD', 'large', ...Array.from({ length: 40 }, (_, i) => String(i + 2)));
    // Algorithm 1 walks the small first set; algorithm 2 (first set large) subtracts the others.
    expect(await call('SDIFF', 'small', 'large')).toBe(bulks('1'));
    expect(parseBulks(await call('SDIFF', 'large', 'small', 'small'))).toEqual(
      Array.from({ length: 38 }, (_, i) => String(i + 4)));
  });

  it('RESP3 answers are sets', async () => {
    expect(await resp3.call('SINTER', 'a', 'b')).toBe(set3('3', '4'));
    expect(await resp3.call('SINTER', 'a', 'noset')).toBe('~0\r\n');
    expect(await resp3.call('SUNION', 'b', 'c')).toBe(set3('3', '4', '5', '6'));
    expect(await resp3.call('SDIFF', 'a', 'b')).toBe(set3('1', '2'));
    expect(await resp3.call('SMEMBERS', 'c')).toBe(set3('4', '6'));
    expect(await resp3.call('SMEMBERS', 'noset')).toBe('~0\r\n');
    expect(await resp3.call('SMISMEMBER', 'c', '4', '5')).toBe('*2\r\n:1\r\n:0\r\n');
  });

  it('STORE forms replace any value (TTL dropped) and delete the key for an empty result', async () => {
    await call('SET', 'd', 'string', 'EX', '100');
    expect(await call('SINTERSTORE', 'd', 'a', 'b')).toBe(int(2));
    expect(await call('TYPE', 'd')).toBe('+set\r\n');
    expect(await call('TTL', 'd')).toBe(int(-1));
    expect(await call('SMEMBERS', 'd')).toBe(bulks('3', '4'));
    expect(await call('SUNIONSTORE', 'd', 'a', 'c')).toBe(int(5));
    expect(await call('SDIFFSTORE', 'd', 'a', 'b', 'c')).toBe(int(2));
    expect(await call('SMEMBERS', 'd')).toBe(bulks('1', '2'));
    expect(await call('SINTERSTORE', 'd', 'a', 'noset')).toBe(int(0));
    expect(await call('EXISTS', 'd')).toBe(int(0));
    expect(await call('SINTERSTORE', 'd', 'a', 'noset')).toBe(int(0));
    expect(await call('SDIFFSTORE', 'd', 'a', 'a')).toBe(int(0));
    // The destination may be a source.
    await call('SADD', 'acc', '1', '2');
    expect(await call('SUNIONSTORE', 'acc', 'acc', 'c')).toBe(int(4));
    expect(await call('SMEMBERS', 'acc')).toBe(bulks('1', '2', '4', '6'));
  });

  it('SINTERCARD counts, up to LIMIT', async () => {
    expect(await call('SINTERCARD', '2', 'a', 'b')).toBe(int(2));
    expect(await call('SINTERCARD', '3', 'a', 'b', 'c')).toBe(int(1));
    expect(await call('SINTERCARD', '2', 'a', 'noset')).toBe(int(0));
    expect(await call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).toBe(int(1));
    expect(await call('SINTERCARD', '2', 'a', 'b', 'limit', '0')).toBe(int(2));
    expect(await call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '-1')).toBe(err('LIMIT can\'t be negative'));
    expect(await call('SINTERCARD', '2', 'a', 'b', 'LIMIT', 'x')).toBe(err('LIMIT can\'t be negative'));
    expect(await call('SINTERCARD', '2', 'a', 'b', 'LIMIT')).toBe(err('syntax error'));
    expect(await call('SINTERCARD', '2', 'a', 'b', 'FOO', '1')).toBe(err('syntax error'));
    expect(await call('SINTERCARD', '0', 'a')).toBe(err('numkeys should be greater than 0'));
    expect(await call('SINTERCARD', 'x', 'a')).toBe(err('numkeys should be greater than 0'));
    expect(await call('SINTERCARD', '3', 'a', 'b')).toBe(err('Number of keys can\'t be greater than number of args'));
  });

  it('every key is type-checked, even after a missing one', async () => {
    await call('SET', 'str', 'v');
    expect(await call('SINTER', 'noset', 'str')).toBe(WRONGTYPE);
    expect(await call('SINTERSTORE', 'd', 'noset', 'str')).toBe(WRONGTYPE);
    expect(await call('SINTERCARD', '2', 'noset', 'str')).toBe(WRONGTYPE);
    expect(await call('SUNION', 'a', 'str')).toBe(WRONGTYPE);
    expect(await call('SDIFF', 'noset', 'str')).toBe(WRONGTYPE);
    expect(await call('SDIFFSTORE', 'd', 'str')).toBe(WRONGTYPE);
  });
});

describe('SSCAN', () => {
  it('an intset or listpack set comes whole with cursor 0; MATCH filters', async () => {
    await call('SADD', 'sc', '5', '3', '1');
    const all = '*2\r\n' + bulk('0') + bulks('1', '3', '5');
    expect(await call('SSCAN', 'sc', '0')).toBe(all);
    expect(await call('SSCAN', 'sc', '99', 'COUNT', '1')).toBe(all);
    expect(await call('SSCAN', 'sc', '0', 'MATCH', '3')).toBe('*2\r\n' + bulk('0') + bulks('3'));
    expect(await call('SSCAN', 'sc', 'x')).toBe(err('invalid cursor'));
    expect(await call('SSCAN', 'sc', '0', 'COUNT', '0')).toBe(err('syntax error'));
    expect(await call('SSCAN', 'noset', '0')).toBe('*2\r\n' + bulk('0') + EMPTY);
  });

  it('a hashtable set goes COUNT at a time and never misses a member present throughout (fixed seed)', async () => {
    const rand = rng(11);
    const key = 'bigset';
    const stable = Array.from({ length: 700 }, (_, i) => `s${i}`);
    await redis.sadd(key, ...stable);
    expect(await redis.object('ENCODING', key)).toBe('hashtable');
    const extras: string[] = [];
    let extra = 0;
    const seen = new Map<string, number>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, members] = await redis.sscan(key, cursor, 'COUNT', '20');
      for (const m of members) seen.set(m, (seen.get(m) ?? 0) + 1);
      cursor = next;
      const pipe = redis.pipeline();
      for (let k = 0; k < 25; k++) {
        if (extras.length > 0 && rand() < 0.45) pipe.srem(key, extras.splice(Math.floor(rand() * extras.length), 1)[0]!);
        else pipe.sadd(key, `e${extra++}`) && extras.push(`e${extra - 1}`);
      }
      await pipe.exec();
      calls++;
    } while (cursor !== '0' && calls < 10000);
    expect(cursor).toBe('0');
    for (const m of stable) expect(seen.get(m), m).toBe(1);
  });
});

describe('wrong type', () => {
  it('every set command refuses another type; other types refuse a set', async () => {
    await call('SET', 'str', 'v');
    for (const args of [
      ['SADD', 'str', 'x'], ['SREM', 'str', 'x'], ['SCARD', 'str'], ['SISMEMBER', 'str', 'x'], ['SMISMEMBER', 'str', 'x'],
      ['SMEMBERS', 'str'], ['SPOP', 'str'], ['SPOP', 'str', '2'], ['SRANDMEMBER', 'str'], ['SRANDMEMBER', 'str', '2'],
      ['SINTER', 'str'], ['SUNIONSTORE', 'd', 'str'], ['SINTERCARD', '1', 'str'], ['SSCAN', 'str', '0'],
    ]) {
      expect(await call(...args), args.join(' ')).toBe(WRONGTYPE);
    }
    await call('SADD', 'aset', 'x');
    expect(await call('GET', 'aset')).toBe(WRONGTYPE);
    expect(await call('HSET', 'aset', 'f', 'v')).toBe(WRONGTYPE);
    expect(await call('TYPE', 'aset')).toBe('+set\r\n');
  });
});

describe('encodings, COPY', () => {
  const enc = async (key: string) => call('OBJECT', 'ENCODING', key);

  it('intset, then listpack for a non-integer, then hashtable past the limits; never back', async () => {
    await call('SADD', 'e1', '1', '2', '3');
    expect(await enc('e1')).toBe(bulk('intset'));
    await call('SADD', 'e1', 'x');
    expect(await enc('e1')).toBe(bulk('listpack'));
    await call('SADD', 'e1', 'y'.repeat(65));
    expect(await enc('e1')).toBe(bulk('hashtable'));
    await call('SREM', 'e1', 'y'.repeat(65), 'x');
    expect(await enc('e1')).toBe(bulk('hashtable'));
    await call('SADD', 'e2', 'a', ...Array.from({ length: 128 }, (_, i) => `m${i}`));
    expect(await enc('e2')).toBe(bulk('hashtable'));
    await call('SADD', 'e3', ...Array.from({ length: 513 }, (_, i) => String(i)));
    expect(await enc('e3')).toBe(bulk('hashtable'));
  });

  it('follows CONFIG SET limits, converting up front for SADD\'s argument count', async () => {
    expect(await call('CONFIG', 'SET', 'set-max-intset-entries', '3')).toBe(OK);
    await call('SADD', 'c1', '1', '2', '3');
    expect(await enc('c1')).toBe(bulk('intset'));
    await call('SADD', 'c1', '4');
    expect(await enc('c1')).toBe(bulk('hashtable'));
    // Created with more arguments than an intset holds: a listpack from the start.
    await call('SADD', 'c2', '1', '1', '1', '1');
    expect(await enc('c2')).toBe(bulk('listpack'));
    expect(await call('CONFIG', 'SET', 'set-max-intset-entries', '512')).toBe(OK);
    // A big intset that shrank still converts to a listpack when a non-integer arrives.
    await call('SADD', 'c3', ...Array.from({ length: 200 }, (_, i) => String(i)));
    await call('SREM', 'c3', ...Array.from({ length: 195 }, (_, i) => String(i)));
    await call('SADD', 'c3', 'x');
    expect(await enc('c3')).toBe(bulk('listpack'));
    expect(await call('SMEMBERS', 'c3')).toBe(bulks('195', '196', '197', '198', '199', 'x'));
  });

  it('results are built as Redis builds them: an all-integer intersection is an intset', async () => {
    await call('SADD', 'x1', 'a', '1', '2');
    await call('SADD', 'x2', '2', '1', 'b');
    expect(await call('SINTERSTORE', 'x3', 'x1', 'x2')).toBe(int(2));
    expect(await enc('x3')).toBe(bulk('intset'));
    expect(await call('SMEMBERS', 'x3')).toBe(bulks('1', '2'));
    expect(await call('SUNIONSTORE', 'x4', 'x1', 'x2')).toBe(int(4));
    expect(await enc('x4')).toBe(bulk('listpack'));
  });

  it('COPY makes an independent set with the same order and encoding', async () => {
    await call('SADD', 'corig', '3', '1', 'z');
    expect(await call('COPY', 'corig', 'cdup')).toBe(int(1));
    await call('SREM', 'corig', '1');
    expect(await call('SMEMBERS', 'cdup')).toBe(bulks('1', '3', 'z'));
    expect(await enc('cdup')).toBe(bulk('listpack'));
  });
});

describe('notifications and WATCH', () => {
  it('publishes the events Redis publishes, in its order', async () => {
    const sub = await RawClient.connect(server.port);
    expect(await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA')).toBe(OK);
    await sub.call('PSUBSCRIBE', '__keyevent@0__:*');
    const start = sub.received.length;
    await call('SADD', 'n1', 'a', 'b', 'c');
    await call('SADD', 'n1', 'a'); // nothing added: no event
    await call('SREM', 'n1', 'a');
    await call('SMOVE', 'n1', 'n2', 'b');
    await call('SPOP', 'n1');
    await call('SADD', 'n3', '1', '2');
    await call('SINTERSTORE', 'n4', 'n3', 'n3');
    await call('SUNIONSTORE', 'n4', 'n3');
    await call('SDIFFSTORE', 'n4', 'n3', 'n3');
    await call('SPOP', 'n3', '5');
    const events = [
      'sadd:n1', 'srem:n1', 'srem:n1', 'sadd:n2', 'spop:n1', 'del:n1', 'sadd:n3', 'sinterstore:n4',
      'sunionstore:n4', 'del:n4', 'spop:n3', 'del:n3',
    ];
    const text = await sub.replyAt(start, events.length);
    const got = [...text.matchAll(/__keyevent@0__:([a-z]+)\r\n\$2\r\n(n\d)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(got).toEqual(events);
    expect(await call('CONFIG', 'SET', 'notify-keyspace-events', '')).toBe(OK);
    sub.close();
  });

  it('a change by another client aborts a watching transaction; a no-op SADD does not', async () => {
    const other = await RawClient.connect(server.port);
    await call('SADD', 'w', 'a');
    expect(await call('WATCH', 'w')).toBe(OK);
    await other.call('SADD', 'w', 'a');
    expect(await call('MULTI')).toBe(OK);
    expect(await call('SCARD', 'w')).toBe('+QUEUED\r\n');
    expect(await call('EXEC')).toBe('*1\r\n:1\r\n');
    expect(await call('WATCH', 'w')).toBe(OK);
    await other.call('SADD', 'w', 'b');
    expect(await call('MULTI')).toBe(OK);
    expect(await call('SCARD', 'w')).toBe('+QUEUED\r\n');
    expect(await call('EXEC')).toBe('*-1\r\n');
    other.close();
  });
});

describe('model: random SADD, SREM, SPOP, SMOVE against a JS Set (fixed seed)', () => {
  it('2,000 operations agree reply for reply, and the contents agree throughout', async () => {
    const rand = rng(2024);
    const model = new Map<string, Set<string>>([['ma', new Set()], ['mb', new Set()]]);
    const keys = ['ma', 'mb'];
    const member = () => (rand() < 0.5 ? String(Math.floor(rand() * 40) - 10) : `m${Math.floor(rand() * 40)}`);
    const pick = () => keys[Math.floor(rand() * 2)]!;
    await redis.del(...keys);
    for (let op = 0; op < 2000; op++) {
      const r = rand();
      const key = pick();
      const m = model.get(key)!;
      if (r < 0.4) {
        const ms = Array.from({ length: 1 + Math.floor(rand() * 4) }, member);
        const want = new Set(ms.filter((x) => !m.has(x))).size;
        for (const x of ms) m.add(x);
        expect(await redis.sadd(key, ...ms)).toBe(want);
      } else if (r < 0.65) {
        const ms = Array.from({ length: 1 + Math.floor(rand() * 3) }, member);
        let want = 0;
        for (const x of ms) if (m.delete(x)) want++;
        expect(await redis.srem(key, ...ms)).toBe(want);
      } else if (r < 0.8) {
        if (rand() < 0.5) {
          const got = await redis.spop(key);
          if (m.size === 0) expect(got).toBeNull();
          else {
            expect(m.has(got!)).toBe(true);
            m.delete(got!);
          }
        } else {
          const count = Math.floor(rand() * 6);
          const got = await redis.spop(key, count);
          expect(got.length).toBe(Math.min(count, m.size));
          expect(new Set(got).size).toBe(got.length);
          for (const x of got) expect(m.delete(x)).toBe(true);
        }
      } else {
        const other = key === 'ma' ? 'mb' : 'ma';
        const x = rand() < 0.7 && m.size > 0 ? [...m][Math.floor(rand() * m.size)]! : member();
        const want = m.has(x) ? 1 : 0;
        if (want) {
          m.delete(x);
          model.get(other)!.add(x);
        }
        expect(await redis.smove(key, other, x)).toBe(want);
      }
      if (op % 50 === 0 || op === 1999) {
        for (const k of keys) {
          const s = model.get(k)!;
          expect(new Set(await redis.smembers(k))).toEqual(s);
          expect(await redis.scard(k)).toBe(s.size);
          expect(await redis.exists(k)).toBe(s.size > 0 ? 1 : 0);
        }
      }
    }
  });
});

describe('COMMAND INFO rows', () => {
  it('SMOVE has a key spec for each key; SINTER ranges over all its keys', async () => {
    const spec = (flags: string[], index: number, last: number) =>
      `*6\r\n$5\r\nflags\r\n*${flags.length}\r\n${flags.map((f) => `+${f}\r\n`).join('')}` +
      `$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:${index}\r\n` +
      `$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:${last}\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n`;
    expect(await call('COMMAND', 'INFO', 'smove')).toBe(
      '*1\r\n*10\r\n$5\r\nsmove\r\n:4\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:2\r\n:1\r\n' +
      '*3\r\n+@write\r\n+@set\r\n+@fast\r\n*0\r\n*2\r\n' + spec(['RW', 'access', 'delete'], 1, 0) + spec(['RW', 'insert'], 2, 0) + '*0\r\n');
    expect(await call('COMMAND', 'INFO', 'sinter')).toBe(
      '*1\r\n*10\r\n$6\r\nsinter\r\n:-2\r\n*1\r\n+readonly\r\n:1\r\n:-1\r\n:1\r\n' +
      '*3\r\n+@read\r\n+@set\r\n+@slow\r\n*1\r\n$29\r\nnondeterministic_output_order\r\n*1\r\n' + spec(['RO', 'access'], 1, -1) + '*0\r\n');
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/sets.txt as redis-server does', () => replayScenario(recorded.port, 'sets', {
    'HELLO 3': 'the server\'s version (7.0.15 there, 7.2.4 here) and the client id',
    'HELLO 2': 'the server\'s version and the client id',
    'OBJECT ENCODING ei3': '7.2 makes a listpack set when SADD brings more members than an intset holds; 7.0 has no listpack sets',
    'COMMAND DOCS scard': '7.2\'s summary and the display_text of each argument (a 7.2 field); the rest is 7.0\'s bytes',
  }), 60000);
});
