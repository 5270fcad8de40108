// Hash field expiration (Redis 7.4): HEXPIRE and siblings with their per-field reply codes and
// errors, HTTL and siblings, HPERSIST, what the other hash commands see of expired fields (hidden,
// lazily deleted with 'hexpired', HLEN still counting them), active expiry with its events,
// OBJECT ENCODING listpackex, RENAME/COPY/MOVE carrying deadlines, and DEBUG DIGEST-VALUE.
// Expected replies come from 7.4.1's t_hash.c and tests/unit/type/hash-field-expire.tcl.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bulk, bulks, err, int, OK, parseBulks, RawClient, startServer, until } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
afterAll(() => client.close());

const call = (...args: string[]) => client.call(...args);
const ints = (...ns: number[]) => `*${ns.length}\r\n` + ns.map(int).join('');
const NULL = '$-1\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const ERR_FIELDS = err('Mandatory argument FIELDS is missing or not at the right position');
const ERR_MATCH = err('The `numfields` parameter must match the number of arguments');
const ERR_NUMFIELDS = err('Parameter `numFields` should be greater than 0');
const ERR_POSITIVE = err('Number of fields must be a positive integer');

/**
 * Polls until none of `fields` shows in HKEYS, which leaves out (without deleting) a field whose
 * deadline is before now: then every lazy path sees it expired too (HTTL on a listpackex already
 * answers -2 in the deadline's own millisecond).
 */
async function untilExpired(key: string, ...fields: string[]): Promise<void> {
  const gone = (r: string) => parseBulks(r).every((f) => !fields.includes(f));
  expect(gone(await until(() => call('HKEYS', key), gone))).toBe(true);
  expect(await call('HPTTL', key, 'FIELDS', String(fields.length), ...fields)).toBe(ints(...fields.map(() => -2)));
}

/** Subscribes a new client to every keyevent of db 0; `events()` parses what arrived for `key`. */
async function subscriber(key: string): Promise<{ events: (n: number) => Promise<string[]>; close: () => void }> {
  const sub = await RawClient.connect(server.port);
  await sub.call('PSUBSCRIBE', '__keyevent@0__:*');
  const start = sub.received.length;
  return {
    events: async (n) => {
      const text = await sub.replyAt(start, n);
      return [...text.matchAll(new RegExp(`__keyevent@0__:([a-z]+)\\r\\n\\$${key.length}\\r\\n${key}\\r\\n`, 'g'))].map((m) => m[1]!);
    },
    close: () => sub.close(),
  };
}

beforeEach(async () => {
  await call('FLUSHALL');
  await call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
});

describe('HEXPIRE and siblings', () => {
  it('replies -2 for a missing field or key, 1 when set, 0 when NX/XX/GT/LT is not met', async () => {
    await call('HSET', 'h', 'f1', 'v1', 'f2', 'v2', 'f3', 'v3');
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '2', 'f1', 'nope')).toBe(ints(1, -2));
    expect(await call('HEXPIRE', 'missing', '100', 'FIELDS', '2', 'a', 'b')).toBe(ints(-2, -2));
    // NX: only fields without a deadline.
    expect(await call('HEXPIRE', 'h', '200', 'NX', 'FIELDS', '2', 'f1', 'f2')).toBe(ints(0, 1));
    // XX: only fields with one (f3 has none).
    expect(await call('HEXPIRE', 'h', '300', 'XX', 'FIELDS', '2', 'f1', 'f3')).toBe(ints(1, 0));
    // GT: a field without a deadline never meets it; f1 300 -> 250 is not greater.
    expect(await call('HEXPIRE', 'h', '250', 'gt', 'FIELDS', '2', 'f1', 'f3')).toBe(ints(0, 0));
    expect(await call('HEXPIRE', 'h', '400', 'GT', 'FIELDS', '1', 'f1')).toBe(ints(1));
    // LT: a field without a deadline meets it.
    expect(await call('HEXPIRE', 'h', '500', 'LT', 'FIELDS', '2', 'f1', 'f3')).toBe(ints(0, 1));
    expect(await call('HEXPIRE', 'h', '100', 'lt', 'FIELDS', '1', 'f1')).toBe(ints(1));
    expect(await call('HTTL', 'h', 'FIELDS', '3', 'f1', 'f2', 'f3')).toBe(ints(100, 200, 500));
  });

  it('replies 2 and deletes a field given a time already past; the key goes with its last field', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2');
    expect(await call('HPEXPIREAT', 'h', '1', 'FIELDS', '1', 'a')).toBe(ints(2));
    expect(await call('HEXPIRE', 'h', '0', 'FIELDS', '2', 'b', 'zz')).toBe(ints(2, -2));
    expect(await call('EXISTS', 'h')).toBe(int(0));
  });

  it('sets deadlines in seconds or ms, relative or absolute, read back by all four getters', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const at = Date.now() + 100_000;
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'a')).toBe(ints(1));
    expect(await call('HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'b')).toBe(ints(1));
    expect(await call('HEXPIREAT', 'h', String(Math.ceil(at / 1000)), 'FIELDS', '1', 'c')).toBe(ints(1));
    expect(await call('HPEXPIREAT', 'h', String(at), 'FIELDS', '1', 'd')).toBe(ints(1));
    expect(await call('HPEXPIRETIME', 'h', 'FIELDS', '1', 'd')).toBe(ints(at));
    expect(await call('HEXPIRETIME', 'h', 'FIELDS', '1', 'c')).toBe(ints(Math.ceil(at / 1000)));
    const [a, b] = (await call('HPTTL', 'h', 'FIELDS', '2', 'a', 'b')).match(/:\d+/g)!.map((s) => Number(s.slice(1)));
    expect(a).toBeGreaterThan(99_000);
    expect(a).toBeLessThanOrEqual(100_000);
    expect(b).toBeGreaterThan(99_000);
    expect(b).toBeLessThanOrEqual(100_000);
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'a')).toBe(ints(100));
  });

  it('refuses bad arguments with 7.4.1 texts, in its order', async () => {
    await call('HSET', 'h', 'f', 'v');
    await call('SET', 's', 'x');
    expect(await call('HEXPIRE', 's', '100', 'FIELDS', '1', 'f')).toBe(WRONGTYPE);
    expect(await call('HEXPIRE', 'h', 'abc', 'FIELDS', '1', 'f')).toBe(err('value is not an integer or out of range'));
    expect(await call('HEXPIRE', 'h', '-1', 'FIELDS', '1', 'f')).toBe(err('invalid expire time, must be >= 0'));
    expect(await call('HPEXPIRE', 'h', '-1', 'FIELDS', '1', 'f')).toBe(err('invalid expire time, must be >= 0'));
    // Past EB_EXPIRE_TIME_MAX >> 2 ms.
    expect(await call('HEXPIRE', 'h', '70368744178', 'FIELDS', '1', 'f')).toBe(err("invalid expire time in 'hexpire' command"));
    expect(await call('HPEXPIREAT', 'h', '70368744177664', 'FIELDS', '1', 'f')).toBe(err("invalid expire time in 'hpexpireat' command"));
    expect(await call('HPEXPIREAT', 'h', '70368744177663', 'FIELDS', '1', 'f')).toBe(ints(1));
    expect(await call('HPEXPIRE', 'h', '70368744177663', 'FIELDS', '1', 'f')).toBe(err("invalid expire time in 'hpexpire' command"));
    expect(await call('HEXPIRE', 'h', '100', 'FIELDZ', '1', 'f')).toBe(ERR_FIELDS);
    expect(await call('HEXPIRE', 'h', '100', 'XX', '1', 'f')).toBe(ERR_FIELDS);
    expect(await call('HEXPIRE', 'h', '100', 'XY', 'FIELDS', '1', 'f')).toBe(ERR_FIELDS);
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '0', 'f')).toBe(ERR_NUMFIELDS);
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', 'x', 'f')).toBe(ERR_NUMFIELDS);
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '2', 'f')).toBe(ERR_MATCH);
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'f', 'g')).toBe(ERR_MATCH);
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '1')).toBe(err("wrong number of arguments for 'hexpire' command"));
    // A missing key still has its arguments checked.
    expect(await call('HEXPIRE', 'nokey', '100', 'FIELDS', '2', 'f')).toBe(ERR_MATCH);
  });

  it('raises hexpire, or hdel when a field went (and del with the last), and counts each field as dirty', async () => {
    await call('HSET', 'ev', 'a', '1', 'b', '2', 'c', '3');
    const sub = await subscriber('ev');
    const dirty = async () => server.server.dirty;
    const d0 = await dirty();
    await call('HEXPIRE', 'ev', '100', 'FIELDS', '2', 'a', 'b');
    expect((await dirty()) - d0).toBe(2);
    await call('HEXPIRE', 'ev', '100', 'NX', 'FIELDS', '1', 'a'); // nothing: no event, not dirty
    expect((await dirty()) - d0).toBe(2);
    await call('HEXPIRE', 'ev', '0', 'FIELDS', '2', 'a', 'c'); // both deleted in the past
    await call('HEXPIRE', 'ev', '200', 'FIELDS', '1', 'b');
    await call('HPEXPIREAT', 'ev', '1', 'FIELDS', '1', 'b');
    expect(await sub.events(5)).toEqual(['hexpire', 'hdel', 'hexpire', 'hdel', 'del']);
    expect((await dirty()) - d0).toBe(6);
    sub.close();
  });
});

describe('HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST', () => {
  it('answer -2 for a missing field or key and -1 for a field without a deadline, in either encoding', async () => {
    await call('HSET', 'h', 'f', 'v');
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'f', 'g')).toBe(ints(-1, -2));
    expect(await call('HPERSIST', 'h', 'FIELDS', '2', 'f', 'g')).toBe(ints(-1, -2));
    expect(await call('HPEXPIRETIME', 'nokey', 'FIELDS', '1', 'f')).toBe(ints(-2));
    expect(await call('HPERSIST', 'nokey', 'FIELDS', '1', 'f')).toBe(ints(-2));
    await call('CONFIG', 'SET', 'hash-max-listpack-entries', '1');
    await call('HSET', 'big', 'a', '1', 'b', '2');
    expect(await call('HEXPIRE', 'big', '100', 'FIELDS', '1', 'a')).toBe(ints(1));
    expect(await call('OBJECT', 'ENCODING', 'big')).toBe(bulk('hashtable'));
    expect(await call('HTTL', 'big', 'FIELDS', '3', 'a', 'b', 'c')).toBe(ints(100, -1, -2));
    expect(await call('HPERSIST', 'big', 'FIELDS', '3', 'a', 'b', 'c')).toBe(ints(1, -1, -2));
    expect(await call('HTTL', 'big', 'FIELDS', '1', 'a')).toBe(ints(-1));
    await call('CONFIG', 'SET', 'hash-max-listpack-entries', '128');
  });

  it('refuse bad arguments: WRONGTYPE, FIELDS, numfields', async () => {
    await call('SET', 's', 'x');
    await call('HSET', 'h', 'f', 'v');
    for (const cmd of ['HTTL', 'HPTTL', 'HEXPIRETIME', 'HPEXPIRETIME', 'HPERSIST']) {
      expect(await call(cmd, 's', 'FIELDS', '1', 'f')).toBe(WRONGTYPE);
      expect(await call(cmd, 'h', 'FIELD', '1', 'f')).toBe(ERR_FIELDS);
      expect(await call(cmd, 'h', 'FIELDS', '0', 'f')).toBe(ERR_POSITIVE);
      expect(await call(cmd, 'h', 'FIELDS', '-1', 'f')).toBe(ERR_POSITIVE);
      expect(await call(cmd, 'h', 'FIELDS', '2', 'f')).toBe(ERR_MATCH);
      expect(await call(cmd, 'h', 'FIELDS', '1')).toBe(err(`wrong number of arguments for '${cmd.toLowerCase()}' command`));
    }
  });

  it('HPERSIST drops deadlines with one hpersist event, counted once as dirty', async () => {
    await call('HSET', 'p', 'a', '1', 'b', '2');
    await call('HEXPIRE', 'p', '100', 'FIELDS', '2', 'a', 'b');
    const sub = await subscriber('p');
    expect(await call('HPERSIST', 'p', 'FIELDS', '3', 'a', 'b', 'c')).toBe(ints(1, 1, -2));
    expect(await call('HPERSIST', 'p', 'FIELDS', '1', 'a')).toBe(ints(-1)); // no event
    await call('HSET', 'p', 'z', '1');
    expect(await sub.events(2)).toEqual(['hpersist', 'hset']);
    expect(await call('HTTL', 'p', 'FIELDS', '2', 'a', 'b')).toBe(ints(-1, -1));
    sub.close();
  });
});

describe('expired fields and the other hash commands', () => {
  it('reads hide an expired field, HLEN counts it until it is deleted, HGET deletes it with hexpired', async () => {
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await call('HPEXPIRE', 'h', '20', 'FIELDS', '1', 'a');
    await untilExpired('h', 'a');
    expect(await call('HLEN', 'h')).toBe(int(3));
    expect(await call('HGETALL', 'h')).toBe(bulks('b', '2', 'c', '3'));
    expect(await call('HKEYS', 'h')).toBe(bulks('b', 'c'));
    expect(await call('HVALS', 'h')).toBe(bulks('2', '3'));
    expect(await call('HSCAN', 'h', '0')).toBe('*2\r\n' + bulk('0') + bulks('b', '2', 'c', '3'));
    expect(await call('HPERSIST', 'h', 'FIELDS', '1', 'a')).toBe(ints(-2));
    expect(await call('HLEN', 'h')).toBe(int(3));
    const sub = await subscriber('h');
    expect(await call('HGET', 'h', 'a')).toBe(NULL);
    expect(await sub.events(1)).toEqual(['hexpired']);
    expect(await call('HLEN', 'h')).toBe(int(2));
    sub.close();
  });

  it('HEXISTS, HSTRLEN, HINCRBY, HSETNX delete an expired field; the key goes with the last one', async () => {
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await call('HSET', 'h', 'a', '10', 'b', 'xyz', 'c', '5', 'd', 'old');
    await call('HPEXPIRE', 'h', '20', 'FIELDS', '4', 'a', 'b', 'c', 'd');
    await untilExpired('h', 'a', 'b', 'c', 'd');
    const sub = await subscriber('h');
    expect(await call('HEXISTS', 'h', 'a')).toBe(int(0));
    expect(await call('HSTRLEN', 'h', 'b')).toBe(int(0));
    // HINCRBY starts again from 0, a field without a deadline.
    expect(await call('HINCRBY', 'h', 'c', '3')).toBe(int(3));
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'c')).toBe(ints(-1));
    expect(await call('HDEL', 'h', 'c')).toBe(int(1));
    // d is the last field: its expiry deletes the key, and HSETNX creates a new hash.
    expect(await call('HSETNX', 'h', 'd', 'new')).toBe(int(1));
    expect(await call('HGETALL', 'h')).toBe(bulks('d', 'new'));
    expect(await sub.events(8)).toEqual(['hexpired', 'hexpired', 'hexpired', 'hincrby', 'hdel', 'hexpired', 'del', 'hset']);
    sub.close();
  });

  it('HMGET deletes expired fields with one hexpired; HRANDFIELD expires every due field first', async () => {
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await call('HPEXPIRE', 'h', '20', 'FIELDS', '2', 'a', 'b');
    await untilExpired('h', 'a', 'b');
    const sub = await subscriber('h');
    expect(await call('HMGET', 'h', 'a', 'b', 'c')).toBe('*3\r\n' + NULL + NULL + bulk('3'));
    expect(await call('HLEN', 'h')).toBe(int(1));
    await call('HSET', 'r', 'x', '1', 'y', '2');
    await call('HPEXPIRE', 'r', '20', 'FIELDS', '1', 'x');
    await untilExpired('r', 'x');
    expect(await call('HRANDFIELD', 'r', '-5')).toBe(bulks('y', 'y', 'y', 'y', 'y'));
    expect(await call('HLEN', 'r')).toBe(int(1));
    await call('HPEXPIRE', 'r', '20', 'FIELDS', '1', 'y');
    await untilExpired('r', 'y');
    expect(await call('HRANDFIELD', 'r')).toBe(NULL);
    expect(await call('EXISTS', 'r')).toBe(int(0));
    expect(await sub.events(1)).toEqual(['hexpired']);
    sub.close();
  });

  it('HSET drops a field\'s deadline, HINCRBY and HINCRBYFLOAT keep it', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    await call('HEXPIRE', 'h', '100', 'FIELDS', '3', 'a', 'b', 'c');
    await call('HSET', 'h', 'a', 'x');
    await call('HINCRBY', 'h', 'b', '1');
    await call('HINCRBYFLOAT', 'h', 'c', '0.5');
    expect(await call('HTTL', 'h', 'FIELDS', '3', 'a', 'b', 'c')).toBe(ints(-1, 100, 100));
    expect(await call('HMGET', 'h', 'a', 'b', 'c')).toBe('*3\r\n' + bulk('x') + bulk('3') + bulk('3.5'));
  });
});

describe('active expiry of fields', () => {
  it('deletes due fields in the background with hexpired, and the key with del when none is left', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const sub = await subscriber('h');
    await call('HPEXPIRE', 'h', '20', 'FIELDS', '2', 'a', 'b');
    const len = await until(() => call('HLEN', 'h'), (r) => r === int(1));
    expect(len).toBe(int(1));
    await call('HPEXPIRE', 'h', '20', 'FIELDS', '1', 'c');
    const exists = await until(() => call('EXISTS', 'h'), (r) => r === int(0));
    expect(exists).toBe(int(0));
    // a and b go in one pass: one hexpired.
    expect(await sub.events(5)).toEqual(['hexpire', 'hexpired', 'hexpire', 'hexpired', 'del']);
    sub.close();
  });

  it('follows a renamed, moved or copied hash', async () => {
    await call('HSET', 'src', 'a', '1', 'b', '2');
    await call('HPEXPIRE', 'src', '50', 'FIELDS', '1', 'a');
    expect(await call('COPY', 'src', 'cp')).toBe(int(1));
    expect(await call('RENAME', 'src', 'dst')).toBe(OK);
    expect(await call('MOVE', 'cp', '1')).toBe(int(1));
    const n = await until(() => call('HLEN', 'dst'), (r) => r === int(1));
    expect(n).toBe(int(1));
    expect(await call('HGETALL', 'dst')).toBe(bulks('b', '2'));
    await call('SELECT', '1');
    const m = await until(() => call('HLEN', 'cp'), (r) => r === int(1));
    expect(m).toBe(int(1));
    await call('SELECT', '0');
  });
});

describe('encoding, order, copies and digest', () => {
  it('OBJECT ENCODING is listpackex once HEXPIRE touched a listpack hash, even setting nothing', async () => {
    await call('HSET', 'h', 'a', '1');
    expect(await call('OBJECT', 'ENCODING', 'h')).toBe(bulk('listpack'));
    expect(await call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'nope')).toBe(ints(-2));
    expect(await call('OBJECT', 'ENCODING', 'h')).toBe(bulk('listpackex'));
    expect(await call('HPERSIST', 'h', 'FIELDS', '1', 'a')).toBe(ints(-1));
    expect(await call('OBJECT', 'ENCODING', 'h')).toBe(bulk('listpackex'));
    await call('HSET', 'h', 'long', 'x'.repeat(100));
    expect(await call('OBJECT', 'ENCODING', 'h')).toBe(bulk('hashtable'));
  });

  it('a listpackex answers in deadline order, fields without one last, as Redis stores it', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const at = Date.now() + 300_000;
    await call('HPEXPIREAT', 'h', String(at), 'FIELDS', '1', 'c');
    await call('HPEXPIREAT', 'h', String(at - 1000), 'FIELDS', '1', 'd');
    await call('HPEXPIREAT', 'h', String(at), 'FIELDS', '1', 'a'); // same as c: goes before it
    expect(await call('HKEYS', 'h')).toBe(bulks('d', 'a', 'c', 'b'));
    await call('HSET', 'h', 'd', '4', 'e', '5'); // d loses its deadline: to the end, then e
    expect(await call('HKEYS', 'h')).toBe(bulks('a', 'c', 'b', 'd', 'e'));
    await call('HPERSIST', 'h', 'FIELDS', '1', 'a');
    expect(await call('HKEYS', 'h')).toBe(bulks('c', 'b', 'd', 'e', 'a'));
  });

  it('COPY carries deadlines; DEBUG DIGEST-VALUE marks fields with one', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2');
    await call('HSET', 'plain', 'a', '1', 'b', '2');
    const plain = await call('DEBUG', 'DIGEST-VALUE', 'plain');
    await call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'nope');
    expect(await call('DEBUG', 'DIGEST-VALUE', 'h')).toBe(plain);
    await call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'a');
    const timed = await call('DEBUG', 'DIGEST-VALUE', 'h');
    expect(timed).not.toBe(plain);
    expect(await call('COPY', 'h', 'h2')).toBe(int(1));
    expect(await call('HTTL', 'h2', 'FIELDS', '2', 'a', 'b')).toBe(ints(100, -1));
    expect(await call('OBJECT', 'ENCODING', 'h2')).toBe(bulk('listpackex'));
    expect(await call('DEBUG', 'DIGEST-VALUE', 'h2')).toBe(timed);
    // The copy is independent.
    await call('HPERSIST', 'h2', 'FIELDS', '1', 'a');
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'a')).toBe(ints(100));
  });
});

describe('the hashtable encoding and the rest of the keyspace', () => {
  it('a hashtable hides, lazily deletes and actively expires fields the same way', async () => {
    await call('CONFIG', 'SET', 'hash-max-listpack-entries', '0');
    try {
      await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
      expect(await call('OBJECT', 'ENCODING', 'h')).toBe(bulk('hashtable'));
      await call('HPEXPIRE', 'h', '20', 'FIELDS', '2', 'a', 'b');
      await untilExpired('h', 'a', 'b');
      expect(await call('HLEN', 'h')).toBe(int(3));
      expect(await call('HGETALL', 'h')).toBe(bulks('c', '3'));
      // A scan step of COUNT 2 may well come back empty, with a cursor to go on from.
      const first = await call('HSCAN', 'h', '0', 'COUNT', '2');
      expect(first).toBe('*2\r\n' + bulk('3') + '*0\r\n');
      expect(await call('HSCAN', 'h', '3', 'COUNT', '2')).toBe('*2\r\n' + bulk('0') + bulks('c', '3'));
      expect(await call('HEXISTS', 'h', 'a')).toBe(int(0));
      expect(await call('HLEN', 'h')).toBe(int(2));
      await call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
      const n = await until(() => call('HLEN', 'h'), (r) => r === int(1));
      expect(n).toBe(int(1));
    } finally {
      await call('CONFIG', 'SET', 'hash-max-listpack-entries', '128');
    }
  });

  it('SORT BY and GET lazily delete an expired hash field, the key with its last one', async () => {
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await call('RPUSH', 'l', '1', '2');
    await call('HSET', 'w_1', 'n', '5', 'm', 'x');
    await call('HSET', 'w_2', 'n', '3');
    await call('HPEXPIRE', 'w_1', '20', 'FIELDS', '1', 'n');
    await call('HPEXPIRE', 'w_2', '20', 'FIELDS', '1', 'n');
    await untilExpired('w_1', 'n');
    await untilExpired('w_2', 'n');
    expect(await call('SORT', 'l', 'BY', 'w_*->n', 'GET', 'w_*->m')).toBe('*2\r\n' + bulk('x') + NULL);
    expect(await call('HLEN', 'w_1')).toBe(int(1));
    expect(await call('EXISTS', 'w_2')).toBe(int(0));
  });

  it('HINCRBY on a hash whose only field expired creates a new hash (7.4.1 hash-field-expire.tcl)', async () => {
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await call('HSET', 'h2', 'f1', '10');
    expect(await call('HINCRBY', 'h2', 'f1', '2')).toBe(int(12));
    await call('HPEXPIRE', 'h2', '10', 'FIELDS', '1', 'f1');
    await untilExpired('h2', 'f1');
    expect(await call('HINCRBY', 'h2', 'f1', '1')).toBe(int(1));
    expect(await call('OBJECT', 'ENCODING', 'h2')).toBe(bulk('listpack'));
    expect(await call('HINCRBYFLOAT', 'h2', 'f1', '1.5')).toBe(bulk('2.5'));
  });

  it('SWAPDB takes pending field deadlines along; FLUSHALL drops them; DEBUG LISTPACK takes a listpackex', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2');
    await call('HPEXPIRE', 'h', '40', 'FIELDS', '1', 'a');
    expect(await call('DEBUG', 'LISTPACK', 'h')).toBe('+Listpack structure printed on stdout\r\n');
    expect(await call('SWAPDB', '0', '1')).toBe(OK);
    await call('SELECT', '1');
    const n = await until(() => call('HLEN', 'h'), (r) => r === int(1));
    expect(n).toBe(int(1));
    await call('SELECT', '0');
    await call('HSET', 'g', 'a', '1');
    await call('HPEXPIRE', 'g', '20', 'FIELDS', '1', 'a');
    expect(await call('FLUSHALL')).toBe(OK);
    await call('HSET', 'g', 'a', '1');
    expect(await call('HTTL', 'g', 'FIELDS', '1', 'a')).toBe(ints(-1));
    expect(await call('OBJECT', 'ENCODING', 'g')).toBe(bulk('listpack'));
  });
});

describe('INFO expired_subkeys', () => {
  it('counts each field deleted for its deadline, lazily, by HEXPIRE in the past or actively (hash-field-expire.tcl)', async () => {
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const subkeys = async () => Number(/expired_subkeys:(\d+)/.exec(await call('INFO', 'stats'))![1]);
    await call('HSET', 'h2', '01', '01', '02', '02');
    await call('HSET', 'h3', '01', '01', '02', '02', '03', '03');
    await call('HSET', 'h6', '01', '01', '02', '02', '05', '05');
    await call('HPEXPIRE', 'h2', '1', 'NX', 'FIELDS', '2', '01', '02');
    await call('HPEXPIRE', 'h3', '1', 'NX', 'FIELDS', '1', '01');
    await call('HPEXPIRE', 'h6', '1', 'NX', 'FIELDS', '1', '05');
    await untilExpired('h2', '01', '02');
    await untilExpired('h3', '01');
    await untilExpired('h6', '05');
    expect(await call('CONFIG', 'RESETSTAT')).toBe(OK);
    expect(await call('HGET', 'h2', '01')).toBe(NULL);
    expect(await subkeys()).toBe(1);
    expect(await call('HGET', 'h2', '02')).toBe(NULL);
    expect(await subkeys()).toBe(2);
    expect(await call('HGET', 'h3', '01')).toBe(NULL);
    expect(await call('HGET', 'h3', '02')).toBe(bulk('02'));
    expect(await subkeys()).toBe(3);
    // Reads of the whole hash skip an expired field without deleting it.
    expect(await call('HKEYS', 'h6')).toBe(bulks('01', '02'));
    expect(await subkeys()).toBe(3);
    expect(await call('HEXPIRE', 'h3', '0', 'FIELDS', '1', '02')).toBe(ints(2));
    expect(await subkeys()).toBe(4);
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    const n = await until(subkeys, (v) => v === 5);
    expect(n).toBe(5);
    expect(await call('HLEN', 'h6')).toBe(int(2));
  });
});

describe('COMMAND INFO rows', () => {
  it('arity, flags, categories and key specs from 7.4.1\'s command json', async () => {
    const keySpec = (flags: string[]) =>
      `*1\r\n*6\r\n$5\r\nflags\r\n*${flags.length}\r\n${flags.map((f) => `+${f}\r\n`).join('')}` +
      '$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n' +
      '$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n';
    for (const name of ['hexpire', 'hpexpire', 'hexpireat', 'hpexpireat']) {
      expect(await call('COMMAND', 'INFO', name)).toBe(
        `*1\r\n*10\r\n${bulk(name)}:-6\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n` +
        '*3\r\n+@write\r\n+@hash\r\n+@fast\r\n*0\r\n' + keySpec(['RW', 'update']) + '*0\r\n');
    }
    for (const name of ['httl', 'hpttl', 'hexpiretime', 'hpexpiretime']) {
      expect(await call('COMMAND', 'INFO', name)).toBe(
        `*1\r\n*10\r\n${bulk(name)}:-5\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n` +
        '*3\r\n+@read\r\n+@hash\r\n+@fast\r\n*0\r\n' + keySpec(['RO', 'access']) + '*0\r\n');
    }
    expect(await call('COMMAND', 'INFO', 'hpersist')).toBe(
      '*1\r\n*10\r\n$8\r\nhpersist\r\n:-5\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n' +
      '*3\r\n+@write\r\n+@hash\r\n+@fast\r\n*0\r\n' + keySpec(['RW', 'update']) + '*0\r\n');
  });
});
