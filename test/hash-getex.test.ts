// HGETDEL, HGETEX and HSETEX (Redis 8.0): replies, every error text, the fields' deadlines they
// set or drop, the events they raise, and the key going with its last field. Expected replies
// follow Redis 8.0's t_hash.c (hgetdelCommand, hgetexCommand, hsetexParseArgs, hsetexCommand).
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { bulk, err, int, RawClient, startServer, until } from './helpers.js';

const server = await startServer({ 'enable-debug-command': 'yes' });
const client = await RawClient.connect(server.port);
afterAll(() => client.close());

const call = (...args: string[]) => client.call(...args);
const ints = (...ns: number[]) => `*${ns.length}\r\n` + ns.map(int).join('');
const arr = (...items: (string | null)[]) => `*${items.length}\r\n` + items.map((s) => (s === null ? '$-1\r\n' : bulk(s))).join('');
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

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
  await call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
});

describe('HGETDEL', () => {
  it('returns the values and deletes the fields; the key goes with its last field', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const sub = await subscriber('h');
    expect(await call('HGETDEL', 'h', 'FIELDS', '2', 'a', 'nope')).toBe(arr('1', null));
    expect(await call('HGETALL', 'h')).toBe(arr('b', '2', 'c', '3'));
    expect(await call('HGETDEL', 'h', 'FIELDS', '2', 'b', 'c')).toBe(arr('2', '3'));
    expect(await call('EXISTS', 'h')).toBe(int(0));
    expect(await sub.events(3)).toEqual(['hdel', 'hdel', 'del']);
    sub.close();
    expect(await call('HGETDEL', 'missing', 'FIELDS', '1', 'a')).toBe(arr(null));
  });

  it('errors as Redis words them', async () => {
    await call('SET', 's', 'v');
    expect(await call('HGETDEL', 's', 'FIELDS', '1', 'a')).toBe(WRONGTYPE);
    expect(await call('HGETDEL', 'h', 'FOO', '1', 'a')).toBe(err('Mandatory argument FIELDS is missing or not at the right position'));
    expect(await call('HGETDEL', 'h', 'FIELDS', '0', 'a')).toBe(err('Number of fields must be a positive integer'));
    expect(await call('HGETDEL', 'h', 'FIELDS', 'x', 'a')).toBe(err('Number of fields must be a positive integer'));
    expect(await call('HGETDEL', 'h', 'FIELDS', '2', 'a')).toBe(err('The `numfields` parameter must match the number of arguments'));
    expect(await call('HGETDEL', 'h', 'FIELDS', '1')).toBe(err("wrong number of arguments for 'hgetdel' command"));
  });
});

describe('HGETEX', () => {
  it('reads like HMGET, and sets (EX/PX/EXAT/PXAT) or drops (PERSIST) the deadlines of fields read', async () => {
    await call('HSET', 'h', 'a', '1', 'b', '2');
    expect(await call('HGETEX', 'h', 'FIELDS', '2', 'a', 'x')).toBe(arr('1', null));
    expect(await call('OBJECT', 'ENCODING', 'h')).toBe(bulk('listpack'));
    const sub = await subscriber('h');
    expect(await call('HGETEX', 'h', 'EX', '100', 'FIELDS', '2', 'a', 'x')).toBe(arr('1', null));
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'a', 'b')).toBe(ints(100, -1));
    expect(await call('HGETEX', 'h', 'PX', '50000', 'FIELDS', '1', 'b')).toBe(arr('2'));
    const at = Date.now() + 900_000;
    expect(await call('HGETEX', 'h', 'PXAT', String(at), 'FIELDS', '1', 'a')).toBe(arr('1'));
    expect(await call('HPEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toBe(ints(at));
    expect(await call('HGETEX', 'h', 'EXAT', String(Math.floor(at / 1000)), 'FIELDS', '1', 'a')).toBe(arr('1'));
    expect(await call('HEXPIRETIME', 'h', 'FIELDS', '1', 'a')).toBe(ints(Math.floor(at / 1000)));
    expect(await call('HGETEX', 'h', 'PERSIST', 'FIELDS', '2', 'a', 'b')).toBe(arr('1', '2'));
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'a', 'b')).toBe(ints(-1, -1));
    expect(await sub.events(5)).toEqual(['hexpire', 'hexpire', 'hexpire', 'hexpire', 'hpersist']);
    // A PERSIST with nothing to drop changes nothing and raises nothing.
    expect(await call('HGETEX', 'h', 'PERSIST', 'FIELDS', '1', 'a')).toBe(arr('1'));
    // A deadline already past deletes the fields after reading them, then the key.
    expect(await call('HGETEX', 'h', 'PXAT', '1', 'FIELDS', '2', 'a', 'b')).toBe(arr('1', '2'));
    expect(await call('EXISTS', 'h')).toBe(int(0));
    expect(await sub.events(7)).toEqual(['hexpire', 'hexpire', 'hexpire', 'hexpire', 'hpersist', 'hdel', 'del']);
    sub.close();
    expect(await call('HGETEX', 'missing', 'EX', '10', 'FIELDS', '1', 'a')).toBe(arr(null));
  });

  it('an expired field reads as nil, is deleted and raises one hexpired', async () => {
    // The active cycle off: the field must still be there, expired, when HGETEX meets it.
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await call('HSET', 'h', 'a', '1', 'b', '2');
    await call('HPEXPIRE', 'h', '20', 'FIELDS', '1', 'a');
    await until(() => call('HKEYS', 'h'), (r) => !r.includes('$1\r\na\r\n'));
    const sub = await subscriber('h');
    expect(await call('HGETEX', 'h', 'FIELDS', '2', 'a', 'b')).toBe(arr(null, '2'));
    expect(await call('HLEN', 'h')).toBe(int(1));
    expect(await sub.events(1)).toEqual(['hexpired']);
    sub.close();
    await call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  });

  it('errors as Redis words them', async () => {
    await call('HSET', 'h', 'a', '1');
    expect(await call('HGETEX', 'h', 'EX', 'x', 'FIELDS', '1', 'a')).toBe(err('value is not an integer or out of range'));
    expect(await call('HGETEX', 'h', 'EX', '-1', 'FIELDS', '1', 'a')).toBe(err('invalid expire time, must be >= 0'));
    expect(await call('HGETEX', 'h', 'EX', '99999999999999', 'FIELDS', '1', 'a')).toBe(err("invalid expire time in 'hgetex' command"));
    expect(await call('HGETEX', 'h', 'FOO', 'FIELDS', '1', 'a')).toBe(err('Mandatory argument FIELDS is missing or not at the right position'));
    expect(await call('HGETEX', 'h', 'PERSIST', 'FIELDS', '-1', 'a')).toBe(err('Number of fields must be a positive integer'));
    expect(await call('HGETEX', 'h', 'FIELDS', '3', 'a', 'b')).toBe(err('The `numfields` parameter must match the number of arguments'));
  });
});

describe('HSETEX', () => {
  it('sets fields with a deadline, KEEPTTL keeps theirs, and without either drops them', async () => {
    const sub = await subscriber('h');
    expect(await call('HSETEX', 'h', 'EX', '100', 'FIELDS', '2', 'a', '1', 'b', '2')).toBe(int(1));
    expect(await call('HTTL', 'h', 'FIELDS', '2', 'a', 'b')).toBe(ints(100, 100));
    expect(await call('HSETEX', 'h', 'KEEPTTL', 'FIELDS', '1', 'a', 'new')).toBe(int(1));
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'a')).toBe(ints(100));
    expect(await call('HSETEX', 'h', 'FIELDS', '1', 'a', 'newer')).toBe(int(1));
    expect(await call('HTTL', 'h', 'FIELDS', '1', 'a')).toBe(ints(-1));
    expect(await call('HGETALL', 'h')).toBe(arr('b', '2', 'a', 'newer'));
    expect(await sub.events(4)).toEqual(['hset', 'hexpire', 'hset', 'hset']);
    // A deadline in the past sets and deletes at once; the hash goes with its last field.
    expect(await call('HSETEX', 'h', 'PXAT', '1', 'FIELDS', '2', 'a', '1', 'b', '2')).toBe(int(1));
    expect(await call('EXISTS', 'h')).toBe(int(0));
    expect(await sub.events(7)).toEqual(['hset', 'hexpire', 'hset', 'hset', 'hset', 'hdel', 'del']);
    sub.close();
  });

  it('FNX sets only when no field exists, FXX only when all do (0 otherwise, nothing set)', async () => {
    expect(await call('HSETEX', 'h', 'FXX', 'FIELDS', '1', 'a', '1')).toBe(int(0));
    expect(await call('EXISTS', 'h')).toBe(int(0));
    expect(await call('HSETEX', 'h', 'FNX', 'FIELDS', '1', 'a', '1')).toBe(int(1));
    expect(await call('HSETEX', 'h', 'FNX', 'FIELDS', '2', 'a', '2', 'b', '2')).toBe(int(0));
    expect(await call('HSETEX', 'h', 'FXX', 'PX', '100000', 'FIELDS', '2', 'a', '3', 'b', '3')).toBe(int(0));
    expect(await call('HSETEX', 'h', 'FXX', 'PX', '100000', 'FIELDS', '1', 'a', '3')).toBe(int(1));
    expect(await call('HGETALL', 'h')).toBe(arr('a', '3'));
    expect(await call('HPTTL', 'h', 'FIELDS', '1', 'a')).toMatch(/^\*1\r\n:\d{5,6}\r\n$/);
  });

  it('errors as Redis words them', async () => {
    await call('SET', 's', 'v');
    expect(await call('HSETEX', 's', 'FIELDS', '1', 'a', '1')).toBe(WRONGTYPE);
    expect(await call('HSETEX', 'h', 'EX', '1', 'PX', '1', 'FIELDS', '1', 'a', '1')).toBe(err('Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified'));
    expect(await call('HSETEX', 'h', 'KEEPTTL', 'EX', '1', 'FIELDS', '1', 'a', '1')).toBe(err('Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified'));
    expect(await call('HSETEX', 'h', 'FNX', 'FXX', 'FIELDS', '1', 'a', '1')).toBe(err('Only one of FXX or FNX arguments can be specified'));
    expect(await call('HSETEX', 'h', 'FOO', 'FIELDS', '1', 'a', '1')).toBe(err('unknown argument: FOO'));
    expect(await call('HSETEX', 'h', 'FIELDS', '0', 'a', '1')).toBe(err('invalid number of fields'));
    expect(await call('HSETEX', 'h', 'FIELDS', '2', 'a', '1')).toBe(err("wrong number of arguments for 'hsetex' command"));
    expect(await call('HSETEX', 'h', 'FIELDS', '1', 'a', '1', 'b')).toBe(err("wrong number of arguments for 'hsetex' command"));
    expect(await call('HSETEX', 'h', 'EX', '-5', 'FIELDS', '1', 'a', '1')).toBe(err('invalid expire time, must be >= 0'));
    expect(await call('HSETEX', 'h', 'FIELDS', '1', 'a')).toBe(err("wrong number of arguments for 'hsetex' command"));
    expect(await call('EXISTS', 'h')).toBe(int(0));
  });
});
