// The hash commands end to end: byte-exact replies and errors over raw sockets (as redis-server
// 7.2 answers them), RESP3 map and pair shapes, WRONGTYPE both ways, keyspace notifications,
// OBJECT ENCODING transitions, HINCRBYFLOAT's long double arithmetic, and HSCAN never missing a
// field present for the whole scan while others come and go.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, bulks, err, int, OK, parseBulks, RawClient, replayScenario, rng, startServer } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const resp3 = await RawClient.connect(server.port);
await resp3.call('HELLO', '3');
const redis = new Redis(server.port, '127.0.0.1', { lazyConnect: false });
afterAll(async () => {
  client.close();
  resp3.close();
  await redis.quit();
});

const call = (...args: string[]) => client.call(...args);
const NULL = '$-1\r\n';
const EMPTY = '*0\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const arity = (cmd: string) => err(`wrong number of arguments for '${cmd}' command`);

describe('HSET, HMSET, HSETNX, HGET, HMGET', () => {
  it('HSET replies the fields created, overwrites in place; HGET reads back', async () => {
    expect(await call('HSET', 'h1', 'a', '1', 'b', '2')).toBe(int(2));
    expect(await call('HSET', 'h1', 'a', 'one', 'c', '3')).toBe(int(1));
    expect(await call('HGET', 'h1', 'a')).toBe(bulk('one'));
    expect(await call('HGET', 'h1', 'zz')).toBe(NULL);
    expect(await call('HGET', 'nohash', 'a')).toBe(NULL);
    // Insertion order, an overwritten field keeping its place (as a listpack does).
    expect(await call('HGETALL', 'h1')).toBe(bulks('a', 'one', 'b', '2', 'c', '3'));
  });

  it('HMSET replies OK; both refuse an odd field/value list with the arity error', async () => {
    expect(await call('HMSET', 'h2', 'x', '1', 'y', '2')).toBe(OK);
    expect(await call('HMSET', 'h2', 'x')).toBe(arity('hmset'));
    expect(await call('HSET', 'h2', 'x', '1', 'y')).toBe(arity('hset'));
    expect(await call('HSET', 'h2', 'x')).toBe(arity('hset'));
    expect(await call('HSET')).toBe(arity('hset'));
    expect(await call('HGET', 'h2')).toBe(arity('hget'));
    expect(await call('HMGET', 'h2')).toBe(arity('hmget'));
  });

  it('HSETNX sets only a missing field, creating the key', async () => {
    expect(await call('HSETNX', 'h3', 'f', 'v1')).toBe(int(1));
    expect(await call('HSETNX', 'h3', 'f', 'v2')).toBe(int(0));
    expect(await call('HGET', 'h3', 'f')).toBe(bulk('v1'));
  });

  it('HMGET answers nil for missing fields and for a missing key', async () => {
    await call('HSET', 'h4', 'a', '1', 'b', '2');
    expect(await call('HMGET', 'h4', 'a', 'nope', 'b')).toBe('*3\r\n' + bulk('1') + NULL + bulk('2'));
    expect(await call('HMGET', 'nohash', 'a', 'b')).toBe('*2\r\n' + NULL + NULL);
  });

  it('keeps fields and values byte for byte, empty ones included', async () => {
    expect(await call('HSET', 'bin', '', '', '\0\r\n', '\xff\xfe', 'big', 'v'.repeat(70000))).toBe(int(3));
    expect(await call('HGET', 'bin', '\0\r\n')).toBe(bulk('\xff\xfe'));
    expect(await call('HGET', 'bin', '')).toBe(bulk(''));
    expect(await call('HSTRLEN', 'bin', 'big')).toBe(int(70000));
    expect(await call('HGET', 'bin', 'big')).toBe(bulk('v'.repeat(70000)));
  });
});

describe('HLEN, HSTRLEN, HEXISTS, HGETALL, HKEYS, HVALS', () => {
  it('count and probe', async () => {
    await call('HSET', 'p', 'f', 'hello', 'g', '');
    expect(await call('HLEN', 'p')).toBe(int(2));
    expect(await call('HLEN', 'nohash')).toBe(int(0));
    expect(await call('HSTRLEN', 'p', 'f')).toBe(int(5));
    expect(await call('HSTRLEN', 'p', 'nope')).toBe(int(0));
    expect(await call('HSTRLEN', 'nohash', 'f')).toBe(int(0));
    expect(await call('HEXISTS', 'p', 'g')).toBe(int(1));
    expect(await call('HEXISTS', 'p', 'nope')).toBe(int(0));
    expect(await call('HEXISTS', 'nohash', 'g')).toBe(int(0));
  });

  it('HKEYS and HVALS are flat arrays; a missing key reads as empty', async () => {
    await call('HSET', 'kv', 'k1', 'v1', 'k2', 'v2');
    expect(await call('HKEYS', 'kv')).toBe(bulks('k1', 'k2'));
    expect(await call('HVALS', 'kv')).toBe(bulks('v1', 'v2'));
    expect(await call('HGETALL', 'nohash')).toBe(EMPTY);
    expect(await call('HKEYS', 'nohash')).toBe(EMPTY);
    expect(await call('HVALS', 'nohash')).toBe(EMPTY);
  });

  it('RESP3: HGETALL is a map (empty map for a missing key); HKEYS stays an array', async () => {
    await resp3.call('HSET', 'm3', 'a', '1', 'b', '2');
    expect(await resp3.call('HGETALL', 'm3')).toBe('%2\r\n' + bulk('a') + bulk('1') + bulk('b') + bulk('2'));
    expect(await resp3.call('HGETALL', 'nohash')).toBe('%0\r\n');
    expect(await resp3.call('HKEYS', 'm3')).toBe(bulks('a', 'b'));
    expect(await resp3.call('HGET', 'm3', 'nope')).toBe('_\r\n');
    expect(await resp3.call('HMGET', 'm3', 'a', 'nope')).toBe('*2\r\n' + bulk('1') + '_\r\n');
  });

  it('ioredis reads HGETALL as an object', async () => {
    await redis.hset('obj', { x: '1', y: '2' });
    expect(await redis.hgetall('obj')).toEqual({ x: '1', y: '2' });
  });
});

describe('HDEL', () => {
  it('replies how many fields went; the last one takes the key', async () => {
    await call('HSET', 'd', 'a', '1', 'b', '2', 'c', '3');
    expect(await call('HDEL', 'd', 'a', 'a', 'nope')).toBe(int(1));
    expect(await call('HDEL', 'd', 'nope')).toBe(int(0));
    expect(await call('HDEL', 'nohash', 'a')).toBe(int(0));
    expect(await call('HDEL', 'd', 'b', 'c')).toBe(int(2));
    expect(await call('EXISTS', 'd')).toBe(int(0));
    expect(await call('HDEL', 'd')).toBe(arity('hdel'));
  });
});

describe('HINCRBY, HINCRBYFLOAT', () => {
  it('HINCRBY counts from 0 and checks its operands and the range', async () => {
    expect(await call('HINCRBY', 'n', 'c', '5')).toBe(int(5));
    expect(await call('HINCRBY', 'n', 'c', '-10')).toBe(int(-5));
    expect(await call('HINCRBY', 'n', 'c', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('HINCRBY', 'n', 'c', '1.5')).toBe(err('value is not an integer or out of range'));
    await call('HSET', 'n', 'big', '9223372036854775806', 's', 'abc', 'sp', ' 1');
    expect(await call('HINCRBY', 'n', 'big', '1')).toBe(int('9223372036854775807'));
    expect(await call('HINCRBY', 'n', 'big', '1')).toBe(err('increment or decrement would overflow'));
    expect(await call('HINCRBY', 'n', 's', '1')).toBe(err('hash value is not an integer'));
    expect(await call('HINCRBY', 'n', 'sp', '1')).toBe(err('hash value is not an integer'));
    expect(await call('HGET', 'n', 'big')).toBe(bulk('9223372036854775807'));
  });

  it('HINCRBYFLOAT adds in long double and prints 17 digits, trimmed (as x86-64 Redis)', async () => {
    expect(await call('HINCRBYFLOAT', 'fl', 'f', '10.5')).toBe(bulk('10.5'));
    // 10.6 in long double prints as 10.6, where a double would show 10.59999999999999964.
    expect(await call('HINCRBYFLOAT', 'fl', 'f', '0.1')).toBe(bulk('10.6'));
    // The long double sum of 10.6 and -5000 shows its rounding at the 17th decimal, as in Redis.
    expect(await call('HINCRBYFLOAT', 'fl', 'f', '-5.0e3')).toBe(bulk('-4989.39999999999999991'));
    expect(await call('HGET', 'fl', 'f')).toBe(bulk('-4989.39999999999999991'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', '0x10')).toBe(bulk('16'));
    expect(await call('HINCRBYFLOAT', 'fl', 'z', '1.23456789012345678901234')).toBe(bulk('1.23456789012345679'));
    expect(await call('HINCRBYFLOAT', 'fl', 'z', '-1.23456789012345678901234')).toBe(bulk('0'));
    // Beyond a double's range, within a long double's.
    await call('HSET', 'fl', 'huge', '1e400');
    const huge = await call('HINCRBYFLOAT', 'fl', 'huge', '1');
    expect(huge.startsWith('$401\r\n1000000000000000000')).toBe(true);
  });

  it('HINCRBYFLOAT errors', async () => {
    expect(await call('HINCRBYFLOAT', 'fl', 'g', 'x')).toBe(err('value is not a valid float'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', '')).toBe(err('value is not a valid float'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', ' 1')).toBe(err('value is not a valid float'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', 'nan')).toBe(err('value is not a valid float'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', '1e-5000')).toBe(err('value is not a valid float'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', 'inf')).toBe(err('value is NaN or Infinity'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g', '-inf')).toBe(err('value is NaN or Infinity'));
    await call('HSET', 'fl', 's', 'abc', 'i', 'inf');
    expect(await call('HINCRBYFLOAT', 'fl', 's', '1')).toBe(err('hash value is not a float'));
    expect(await call('HINCRBYFLOAT', 'fl', 'i', '1')).toBe(err('increment would produce NaN or Infinity'));
    expect(await call('HINCRBYFLOAT', 'fl', 'g')).toBe(arity('hincrbyfloat'));
  });

  it('a failed increment of a missing key leaves no key behind', async () => {
    expect(await call('HINCRBYFLOAT', 'nofl', 'f', 'x')).toBe(err('value is not a valid float'));
    expect(await call('HINCRBY', 'nofl', 'f', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('EXISTS', 'nofl')).toBe(int(0));
  });
});

describe('HRANDFIELD', () => {
  it('without a count: one field, nil for a missing key', async () => {
    await call('HSET', 'one', 'only', 'val');
    expect(await call('HRANDFIELD', 'one')).toBe(bulk('only'));
    expect(await call('HRANDFIELD', 'nohash')).toBe(NULL);
  });

  it('count shapes in RESP2: flat, WITHVALUES doubling the length; empty for 0 or a missing key', async () => {
    expect(await call('HRANDFIELD', 'one', '1')).toBe(bulks('only'));
    expect(await call('HRANDFIELD', 'one', '1', 'WITHVALUES')).toBe(bulks('only', 'val'));
    expect(await call('HRANDFIELD', 'one', '-3')).toBe(bulks('only', 'only', 'only'));
    expect(await call('HRANDFIELD', 'one', '-2', 'withvalues')).toBe(bulks('only', 'val', 'only', 'val'));
    expect(await call('HRANDFIELD', 'one', '5', 'WITHVALUES')).toBe(bulks('only', 'val'));
    expect(await call('HRANDFIELD', 'one', '0')).toBe(EMPTY);
    expect(await call('HRANDFIELD', 'nohash', '3')).toBe(EMPTY);
    expect(await call('HRANDFIELD', 'nohash', '-3', 'WITHVALUES')).toBe(EMPTY);
  });

  it('RESP3: WITHVALUES pairs are arrays of two', async () => {
    await resp3.call('HSET', 'one3', 'only', 'val');
    expect(await resp3.call('HRANDFIELD', 'one3', '-2', 'WITHVALUES')).toBe('*2\r\n' + bulks('only', 'val').repeat(2));
    expect(await resp3.call('HRANDFIELD', 'one3', '1')).toBe(bulks('only'));
    expect(await resp3.call('HRANDFIELD', 'nohash')).toBe('_\r\n');
  });

  it('errors: count, keyword, ranges', async () => {
    expect(await call('HRANDFIELD', 'one', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('HRANDFIELD', 'one', '1', 'WITH')).toBe(err('syntax error'));
    expect(await call('HRANDFIELD', 'one', '1', 'WITHVALUES', 'x')).toBe(err('syntax error'));
    expect(await call('HRANDFIELD', 'one', '-9223372036854775808')).toBe(
      err('value is out of range, value must between -9223372036854775807 and 9223372036854775807'));
    expect(await call('HRANDFIELD', 'one', '4611686018427387904', 'WITHVALUES')).toBe(err('value is out of range'));
    expect(await call('HRANDFIELD', 'one', '-9223372036854775807', 'WITHVALUES')).toBe(err('value is out of range'));
  });

  it('a positive count gives distinct fields; covering the hash gives all of it in order', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => `f${i}`);
    await call('HSET', 'r', ...fields.flatMap((f) => [f, `v${f}`]));
    for (const count of [2, 5, 10, 19]) {
      const got = parseBulks(await call('HRANDFIELD', 'r', String(count)));
      expect(got.length).toBe(count);
      expect(new Set(got).size).toBe(count);
      for (const f of got) expect(fields).toContain(f);
    }
    expect(parseBulks(await call('HRANDFIELD', 'r', '20'))).toEqual(fields);
    expect(parseBulks(await call('HRANDFIELD', 'r', '100'))).toEqual(fields);
    const pairs = parseBulks(await call('HRANDFIELD', 'r', '7', 'WITHVALUES'));
    expect(pairs.length).toBe(14);
    for (let i = 0; i < pairs.length; i += 2) expect(pairs[i + 1]).toBe(`v${pairs[i]}`);
    const repeated = parseBulks(await call('HRANDFIELD', 'r', '-50'));
    expect(repeated.length).toBe(50);
  });
});

describe('HSCAN', () => {
  it('a listpack hash comes whole with cursor 0, whatever the cursor; MATCH filters fields', async () => {
    await call('HSET', 'sc', 'f1', 'a', 'f2', 'b', 'g3', 'c');
    const all = '*2\r\n' + bulk('0') + bulks('f1', 'a', 'f2', 'b', 'g3', 'c');
    expect(await call('HSCAN', 'sc', '0')).toBe(all);
    expect(await call('HSCAN', 'sc', '123', 'COUNT', '1')).toBe(all);
    expect(await call('HSCAN', 'sc', '0', 'MATCH', 'f*')).toBe('*2\r\n' + bulk('0') + bulks('f1', 'a', 'f2', 'b'));
    expect(await call('HSCAN', 'sc', '0', 'MATCH', 'x*', 'COUNT', '5')).toBe('*2\r\n' + bulk('0') + EMPTY);
    expect(await resp3.call('HSCAN', 'sc', '0', 'MATCH', 'g?')).toBe('*2\r\n' + bulk('0') + bulks('g3', 'c'));
  });

  it('errors, and the empty scan of a missing key (options unchecked, as Redis)', async () => {
    expect(await call('HSCAN', 'sc', 'x')).toBe(err('invalid cursor'));
    expect(await call('HSCAN', 'sc', '1x')).toBe(err('invalid cursor'));
    expect(await call('HSCAN', 'sc', ' 1')).toBe(err('invalid cursor'));
    expect(await call('HSCAN', 'sc', '18446744073709551616')).toBe(err('invalid cursor'));
    expect(await call('HSCAN', 'sc', '0', 'COUNT', '0')).toBe(err('syntax error'));
    expect(await call('HSCAN', 'sc', '0', 'COUNT', 'x')).toBe(err('value is not an integer or out of range'));
    expect(await call('HSCAN', 'sc', '0', 'COUNT')).toBe(err('syntax error'));
    expect(await call('HSCAN', 'sc', '0', 'NOVALUES')).toBe(err('syntax error'));
    expect(await call('HSCAN', 'nohash', '0', 'COUNT', 'x')).toBe('*2\r\n' + bulk('0') + EMPTY);
    expect(await call('HSCAN', 'sc')).toBe(arity('hscan'));
  });

  it('a hashtable hash goes COUNT at a time and never misses a field present throughout (fixed seed)', async () => {
    const rand = rng(7);
    const key = 'bigscan';
    const stable = Array.from({ length: 800 }, (_, i) => `s${i}`);
    await redis.hset(key, Object.fromEntries(stable.map((f) => [f, 'x'])));
    expect(await redis.object('ENCODING', key)).toBe('hashtable');
    let extra = 0;
    const extras: string[] = [];
    const seen = new Map<string, number>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, flat] = await redis.hscan(key, cursor, 'COUNT', '25');
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, (seen.get(flat[i]!) ?? 0) + 1);
      cursor = next;
      // Between calls: fields come and go (never the stable ones).
      const pipe = redis.pipeline();
      for (let k = 0; k < 20; k++) {
        if (extras.length > 0 && rand() < 0.4) pipe.hdel(key, extras.splice(Math.floor(rand() * extras.length), 1)[0]!);
        else {
          const f = `e${extra++}`;
          extras.push(f);
          pipe.hset(key, f, 'y');
        }
      }
      await pipe.exec();
      calls++;
    } while (cursor !== '0' && calls < 10000);
    expect(cursor).toBe('0');
    expect(calls).toBeGreaterThan(10);
    for (const f of stable) expect(seen.get(f), f).toBe(1);
  });
});

describe('wrong type, both ways', () => {
  it('every hash command refuses another type; other types refuse a hash', async () => {
    await call('SET', 'str', 'v');
    for (const args of [
      ['HSET', 'str', 'f', 'v'], ['HMSET', 'str', 'f', 'v'], ['HSETNX', 'str', 'f', 'v'], ['HGET', 'str', 'f'],
      ['HMGET', 'str', 'f'], ['HDEL', 'str', 'f'], ['HLEN', 'str'], ['HSTRLEN', 'str', 'f'], ['HEXISTS', 'str', 'f'],
      ['HGETALL', 'str'], ['HKEYS', 'str'], ['HVALS', 'str'], ['HINCRBY', 'str', 'f', '1'],
      ['HINCRBYFLOAT', 'str', 'f', '1'], ['HRANDFIELD', 'str'], ['HRANDFIELD', 'str', '2'], ['HSCAN', 'str', '0'],
    ]) {
      expect(await call(...args), args.join(' ')).toBe(WRONGTYPE);
    }
    await call('HSET', 'ahash', 'f', 'v');
    expect(await call('GET', 'ahash')).toBe(WRONGTYPE);
    expect(await call('LPUSH', 'ahash', 'x')).toBe(WRONGTYPE);
    expect(await call('SADD', 'ahash', 'x')).toBe(WRONGTYPE);
    expect(await call('TYPE', 'ahash')).toBe('+hash\r\n');
  });
});

describe('encodings, COPY', () => {
  it('listpack until hash-max-listpack-entries / -value is passed, then hashtable for good', async () => {
    await call('HSET', 'enc', 'a', '1');
    expect(await call('OBJECT', 'ENCODING', 'enc')).toBe(bulk('listpack'));
    await call('HSET', 'enc', 'long', 'x'.repeat(65));
    expect(await call('OBJECT', 'ENCODING', 'enc')).toBe(bulk('hashtable'));
    await call('HDEL', 'enc', 'long');
    expect(await call('OBJECT', 'ENCODING', 'enc')).toBe(bulk('hashtable'));
    expect(await call('CONFIG', 'SET', 'hash-max-listpack-entries', '2')).toBe(OK);
    await call('HSET', 'enc2', 'a', '1', 'b', '2');
    expect(await call('OBJECT', 'ENCODING', 'enc2')).toBe(bulk('listpack'));
    await call('HSET', 'enc2', 'c', '3');
    expect(await call('OBJECT', 'ENCODING', 'enc2')).toBe(bulk('hashtable'));
    // One HSET announcing more pairs than the limit converts up front, duplicates or not.
    await call('HSET', 'enc3', 'a', '1', 'a', '2', 'a', '3');
    expect(await call('OBJECT', 'ENCODING', 'enc3')).toBe(bulk('hashtable'));
    expect(await call('CONFIG', 'SET', 'hash-max-listpack-entries', '512')).toBe(OK);
  });

  it('COPY makes an independent hash with the same order', async () => {
    await call('HSET', 'orig', 'z', '1', 'a', '2');
    expect(await call('COPY', 'orig', 'dup')).toBe(int(1));
    await call('HSET', 'orig', 'z', 'changed');
    expect(await call('HGETALL', 'dup')).toBe(bulks('z', '1', 'a', '2'));
  });
});

describe('notifications and WATCH', () => {
  it('publishes hset, hdel, del, hincrby, hincrbyfloat as Redis does', async () => {
    const sub = await RawClient.connect(server.port);
    expect(await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA')).toBe(OK);
    await sub.call('PSUBSCRIBE', '__keyevent@0__:*');
    const start = sub.received.length;
    await call('HSET', 'ev', 'a', '1');
    await call('HSETNX', 'ev', 'a', '1'); // nothing: the field exists
    await call('HMSET', 'ev', 'b', '2');
    await call('HINCRBY', 'ev', 'n', '1');
    await call('HINCRBYFLOAT', 'ev', 'n', '1.5');
    await call('HDEL', 'ev', 'nope'); // nothing: no field went
    await call('HDEL', 'ev', 'a', 'b', 'n');
    const events = ['hset', 'hset', 'hincrby', 'hincrbyfloat', 'hdel', 'del'];
    const text = await sub.replyAt(start, events.length);
    const got = [...text.matchAll(/__keyevent@0__:([a-z]+)\r\n\$2\r\nev/g)].map((m) => m[1]);
    expect(got).toEqual(events);
    expect(await call('CONFIG', 'SET', 'notify-keyspace-events', '')).toBe(OK);
    sub.close();
  });

  it('an in-place HSET by another client aborts a watching transaction', async () => {
    const other = await RawClient.connect(server.port);
    await call('HSET', 'w', 'f', '1');
    expect(await call('WATCH', 'w')).toBe(OK);
    await other.call('HSET', 'w', 'f', '2');
    expect(await call('MULTI')).toBe(OK);
    expect(await call('HGET', 'w', 'f')).toBe('+QUEUED\r\n');
    expect(await call('EXEC')).toBe('*-1\r\n');
    other.close();
  });
});

describe('COMMAND INFO rows', () => {
  it('arity, flags, key positions, categories and key specs as redis-server prints them', async () => {
    const keySpec = (flags: string[]) =>
      `*1\r\n*6\r\n$5\r\nflags\r\n*${flags.length}\r\n${flags.map((f) => `+${f}\r\n`).join('')}` +
      '$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n' +
      '$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n';
    expect(await call('COMMAND', 'INFO', 'hset')).toBe(
      '*1\r\n*10\r\n$4\r\nhset\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n' +
      '*3\r\n+@write\r\n+@hash\r\n+@fast\r\n*0\r\n' + keySpec(['RW', 'update']) + '*0\r\n');
    expect(await call('COMMAND', 'INFO', 'hgetall')).toBe(
      '*1\r\n*10\r\n$7\r\nhgetall\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n' +
      '*3\r\n+@read\r\n+@hash\r\n+@slow\r\n*1\r\n$29\r\nnondeterministic_output_order\r\n' + keySpec(['RO', 'access']) + '*0\r\n');
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/hashes.txt as redis-server does', () => replayScenario(recorded.port, 'hashes', {
    'HELLO 3': 'the server\'s version (7.0.15 there, 7.2.4 here) and the client id',
    'HELLO 2': 'the server\'s version and the client id',
    'COMMAND DOCS hsetnx': '7.2\'s summary and the display_text of each argument (a 7.2 field); the rest is 7.0\'s bytes',
  }), 60000);
});
