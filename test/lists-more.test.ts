// LINDEX, LINSERT, LSET, LREM, LTRIM, LPOS, LPUSHX, RPUSHX, RPOPLPUSH, BRPOPLPUSH end to end:
// byte-exact replies and errors over raw sockets, as redis-server 7 answers them.
import { afterAll, describe, expect, it } from 'vitest';
import { bulks, OK, RawClient, startServer } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const others: RawClient[] = [];
afterAll(() => {
  client.close();
  for (const c of others) c.close();
});

const call = (...args: string[]) => client.call(...args);
const ints = (...n: number[]) => `*${n.length}\r\n` + n.map((i) => `:${i}\r\n`).join('');
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NOT_INT = '-ERR value is not an integer or out of range\r\n';
const SYNTAX = '-ERR syntax error\r\n';
const NULL_BULK = '$-1\r\n';
const arity = (cmd: string) => `-ERR wrong number of arguments for '${cmd}' command\r\n`;

async function list(key: string, ...items: string[]): Promise<void> {
  await call('DEL', key);
  if (items.length > 0) expect(await call('RPUSH', key, ...items)).toBe(`:${items.length}\r\n`);
}
const range = (key: string) => call('LRANGE', key, '0', '-1');

describe('LINDEX', () => {
  it('positive and negative indexes, out of range, missing key', async () => {
    await list('li', 'a', 'b', 'c');
    expect(await call('LINDEX', 'li', '0')).toBe('$1\r\na\r\n');
    expect(await call('LINDEX', 'li', '-1')).toBe('$1\r\nc\r\n');
    expect(await call('LINDEX', 'li', '-3')).toBe('$1\r\na\r\n');
    expect(await call('LINDEX', 'li', '3')).toBe(NULL_BULK);
    expect(await call('LINDEX', 'li', '-4')).toBe(NULL_BULK);
    expect(await call('LINDEX', 'nokey', '0')).toBe(NULL_BULK);
  });
  it('errors: not an integer (key looked up first), WRONGTYPE, arity', async () => {
    expect(await call('LINDEX', 'li', 'x')).toBe(NOT_INT);
    expect(await call('LINDEX', 'nokey', 'x')).toBe(NULL_BULK);
    await call('SET', 'str', 'v');
    expect(await call('LINDEX', 'str', 'x')).toBe(WRONGTYPE);
    expect(await call('LINDEX', 'li')).toBe(arity('lindex'));
  });
});

describe('LSET', () => {
  it('sets by index, negative too', async () => {
    await list('ls', 'a', 'b', 'c');
    expect(await call('LSET', 'ls', '1', 'B')).toBe(OK);
    expect(await call('LSET', 'ls', '-1', 'C')).toBe(OK);
    expect(await range('ls')).toBe(bulks('a', 'B', 'C'));
  });
  it('errors', async () => {
    expect(await call('LSET', 'nokey', '0', 'v')).toBe('-ERR no such key\r\n');
    expect(await call('LSET', 'nokey', 'x', 'v')).toBe('-ERR no such key\r\n');
    await call('SET', 'str', 'v');
    expect(await call('LSET', 'str', 'x', 'v')).toBe(WRONGTYPE);
    expect(await call('LSET', 'ls', 'x', 'v')).toBe(NOT_INT);
    expect(await call('LSET', 'ls', '3', 'v')).toBe('-ERR index out of range\r\n');
    expect(await call('LSET', 'ls', '-4', 'v')).toBe('-ERR index out of range\r\n');
    expect(await call('LSET', 'ls', '0')).toBe(arity('lset'));
  });
});

describe('LINSERT', () => {
  it('BEFORE and AFTER the first matching pivot, any case', async () => {
    await list('lin', 'a', 'b', 'a');
    expect(await call('LINSERT', 'lin', 'BEFORE', 'a', 'x')).toBe(':4\r\n');
    expect(await call('LINSERT', 'lin', 'after', 'a', 'y')).toBe(':5\r\n');
    expect(await call('LINSERT', 'lin', 'After', 'b', 'z')).toBe(':6\r\n');
    expect(await range('lin')).toBe(bulks('x', 'a', 'y', 'b', 'z', 'a'));
  });
  it('pivot not found, missing key, errors', async () => {
    expect(await call('LINSERT', 'lin', 'BEFORE', 'nope', 'x')).toBe(':-1\r\n');
    expect(await call('LINSERT', 'nokey', 'BEFORE', 'a', 'x')).toBe(':0\r\n');
    expect(await call('EXISTS', 'nokey')).toBe(':0\r\n');
    expect(await call('LINSERT', 'nokey', 'middle', 'a', 'x')).toBe(SYNTAX);
    await call('SET', 'str', 'v');
    expect(await call('LINSERT', 'str', 'before', 'a', 'b')).toBe(WRONGTYPE);
    expect(await call('LINSERT', 'str', 'middle', 'a', 'b')).toBe(SYNTAX);
    expect(await call('LINSERT', 'lin', 'before', 'a')).toBe(arity('linsert'));
  });
  it('matches big (Buffer) elements byte for byte', async () => {
    const big = 'q'.repeat(10000);
    await list('linb', 'a', big, 'c');
    expect(await call('LINSERT', 'linb', 'AFTER', big, 'd')).toBe(':4\r\n');
    expect(await call('LINDEX', 'linb', '2')).toBe('$1\r\nd\r\n');
    expect(await call('LINSERT', 'linb', 'AFTER', big.slice(1) + 'r', 'd')).toBe(':-1\r\n');
  });
});

describe('LREM', () => {
  it('count > 0 from the head, < 0 from the tail, 0 all', async () => {
    await list('lr', 'a', 'b', 'a', 'c', 'a', 'b');
    expect(await call('LREM', 'lr', '2', 'a')).toBe(':2\r\n');
    expect(await range('lr')).toBe(bulks('b', 'c', 'a', 'b'));
    await list('lr', 'a', 'b', 'a', 'c', 'a', 'b');
    expect(await call('LREM', 'lr', '-2', 'a')).toBe(':2\r\n');
    expect(await range('lr')).toBe(bulks('a', 'b', 'c', 'b'));
    expect(await call('LREM', 'lr', '0', 'b')).toBe(':2\r\n');
    expect(await range('lr')).toBe(bulks('a', 'c'));
    expect(await call('LREM', 'lr', '0', 'zz')).toBe(':0\r\n');
  });
  it('removing every element deletes the key', async () => {
    await list('lr2', 'x', 'x');
    expect(await call('LREM', 'lr2', '0', 'x')).toBe(':2\r\n');
    expect(await call('EXISTS', 'lr2')).toBe(':0\r\n');
  });
  it('errors: count parsed before the key is looked up', async () => {
    expect(await call('LREM', 'nokey', '1', 'a')).toBe(':0\r\n');
    expect(await call('LREM', 'nokey', 'x', 'a')).toBe(NOT_INT);
    await call('SET', 'str', 'v');
    expect(await call('LREM', 'str', 'x', 'a')).toBe(NOT_INT);
    expect(await call('LREM', 'str', '1', 'a')).toBe(WRONGTYPE);
    expect(await call('LREM', 'str', '1')).toBe(arity('lrem'));
  });
});

describe('LTRIM', () => {
  it('keeps the range, Redis index arithmetic', async () => {
    await list('lt', 'a', 'b', 'c', 'd', 'e');
    expect(await call('LTRIM', 'lt', '1', '-2')).toBe(OK);
    expect(await range('lt')).toBe(bulks('b', 'c', 'd'));
    expect(await call('LTRIM', 'lt', '-100', '100')).toBe(OK);
    expect(await range('lt')).toBe(bulks('b', 'c', 'd'));
    expect(await call('LTRIM', 'lt', '1', '1')).toBe(OK);
    expect(await range('lt')).toBe(bulks('c'));
  });
  it('an empty range deletes the key; a missing key is OK', async () => {
    await list('lt2', 'a', 'b');
    expect(await call('LTRIM', 'lt2', '2', '5')).toBe(OK);
    expect(await call('EXISTS', 'lt2')).toBe(':0\r\n');
    await list('lt2', 'a', 'b');
    expect(await call('LTRIM', 'lt2', '1', '0')).toBe(OK);
    expect(await call('EXISTS', 'lt2')).toBe(':0\r\n');
    expect(await call('LTRIM', 'nokey', '0', '1')).toBe(OK);
  });
  it('errors', async () => {
    expect(await call('LTRIM', 'nokey', 'a', '1')).toBe(NOT_INT);
    expect(await call('LTRIM', 'nokey', '0', 'b')).toBe(NOT_INT);
    await call('SET', 'str', 'v');
    expect(await call('LTRIM', 'str', '0', '1')).toBe(WRONGTYPE);
    expect(await call('LTRIM', 'str', '0')).toBe(arity('ltrim'));
  });
});

describe('LPOS', () => {
  it('first match, RANK, COUNT, MAXLEN', async () => {
    await list('lp', 'a', 'b', 'c', 'a', 'b', 'a');
    expect(await call('LPOS', 'lp', 'a')).toBe(':0\r\n');
    expect(await call('LPOS', 'lp', 'b')).toBe(':1\r\n');
    expect(await call('LPOS', 'lp', 'z')).toBe(NULL_BULK);
    expect(await call('LPOS', 'lp', 'a', 'RANK', '2')).toBe(':3\r\n');
    expect(await call('LPOS', 'lp', 'a', 'RANK', '-1')).toBe(':5\r\n');
    expect(await call('LPOS', 'lp', 'a', 'RANK', '-3')).toBe(':0\r\n');
    expect(await call('LPOS', 'lp', 'a', 'RANK', '4')).toBe(NULL_BULK);
    expect(await call('LPOS', 'lp', 'a', 'COUNT', '0')).toBe(ints(0, 3, 5));
    expect(await call('LPOS', 'lp', 'a', 'COUNT', '2')).toBe(ints(0, 3));
    expect(await call('LPOS', 'lp', 'a', 'COUNT', '0', 'RANK', '-1')).toBe(ints(5, 3, 0));
    expect(await call('LPOS', 'lp', 'a', 'count', '0', 'rank', '2')).toBe(ints(3, 5));
    expect(await call('LPOS', 'lp', 'z', 'COUNT', '0')).toBe('*0\r\n');
    expect(await call('LPOS', 'lp', 'a', 'COUNT', '0', 'MAXLEN', '4')).toBe(ints(0, 3));
    expect(await call('LPOS', 'lp', 'a', 'COUNT', '0', 'MAXLEN', '2', 'RANK', '-1')).toBe(ints(5));
    expect(await call('LPOS', 'lp', 'c', 'MAXLEN', '2')).toBe(NULL_BULK);
  });
  it('missing key: null, or an empty array with COUNT', async () => {
    expect(await call('LPOS', 'nokey', 'a')).toBe(NULL_BULK);
    expect(await call('LPOS', 'nokey', 'a', 'COUNT', '0')).toBe('*0\r\n');
  });
  it('errors, checked before the key is looked up', async () => {
    expect(await call('LPOS', 'lp', 'a', 'RANK', '0')).toBe(
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    );
    expect(await call('LPOS', 'lp', 'a', 'RANK', 'x')).toBe(NOT_INT);
    expect(await call('LPOS', 'lp', 'a', 'COUNT', '-1')).toBe("-ERR COUNT can't be negative\r\n");
    expect(await call('LPOS', 'lp', 'a', 'COUNT', 'abc')).toBe("-ERR COUNT can't be negative\r\n");
    expect(await call('LPOS', 'lp', 'a', 'MAXLEN', '-1')).toBe("-ERR MAXLEN can't be negative\r\n");
    expect(await call('LPOS', 'lp', 'a', 'RANK')).toBe(SYNTAX);
    expect(await call('LPOS', 'lp', 'a', 'FOO', '1')).toBe(SYNTAX);
    await call('SET', 'str', 'v');
    expect(await call('LPOS', 'str', 'a', 'RANK', '0')).toBe(
      "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n",
    );
    expect(await call('LPOS', 'str', 'a')).toBe(WRONGTYPE);
    expect(await call('LPOS', 'lp')).toBe(arity('lpos'));
  });
});

describe('LPUSHX, RPUSHX', () => {
  it('push onto existing lists only', async () => {
    await list('lx', 'm');
    expect(await call('LPUSHX', 'lx', 'a', 'b')).toBe(':3\r\n');
    expect(await call('RPUSHX', 'lx', 'y', 'z')).toBe(':5\r\n');
    expect(await range('lx')).toBe(bulks('b', 'a', 'm', 'y', 'z'));
    expect(await call('LPUSHX', 'nokey', 'a')).toBe(':0\r\n');
    expect(await call('RPUSHX', 'nokey', 'a')).toBe(':0\r\n');
    expect(await call('EXISTS', 'nokey')).toBe(':0\r\n');
  });
  it('errors', async () => {
    await call('SET', 'str', 'v');
    expect(await call('LPUSHX', 'str', 'a')).toBe(WRONGTYPE);
    expect(await call('RPUSHX', 'str', 'a')).toBe(WRONGTYPE);
    expect(await call('LPUSHX', 'lx')).toBe(arity('lpushx'));
    expect(await call('RPUSHX', 'lx')).toBe(arity('rpushx'));
  });
});

describe('RPOPLPUSH, BRPOPLPUSH', () => {
  it('RPOPLPUSH moves the tail to the head; the emptied source goes', async () => {
    await list('src', 'a', 'b');
    await call('DEL', 'dst');
    expect(await call('RPOPLPUSH', 'src', 'dst')).toBe('$1\r\nb\r\n');
    expect(await call('RPOPLPUSH', 'src', 'dst')).toBe('$1\r\na\r\n');
    expect(await range('dst')).toBe(bulks('a', 'b'));
    expect(await call('EXISTS', 'src')).toBe(':0\r\n');
    expect(await call('RPOPLPUSH', 'src', 'dst')).toBe(NULL_BULK);
    expect(await call('RPOPLPUSH', 'dst', 'dst')).toBe('$1\r\nb\r\n');
    expect(await range('dst')).toBe(bulks('b', 'a'));
  });
  it('RPOPLPUSH errors', async () => {
    await call('SET', 'str', 'v');
    expect(await call('RPOPLPUSH', 'dst', 'str')).toBe(WRONGTYPE);
    expect(await call('RPOPLPUSH', 'str', 'dst')).toBe(WRONGTYPE);
    expect(await range('dst')).toBe(bulks('b', 'a'));
    expect(await call('RPOPLPUSH', 'dst')).toBe(arity('rpoplpush'));
  });
  it('BRPOPLPUSH serves at once, times out with a null array, is woken by a push', async () => {
    await list('bsrc', 'x', 'y');
    await call('DEL', 'bdst');
    expect(await call('BRPOPLPUSH', 'bsrc', 'bdst', '0')).toBe('$1\r\ny\r\n');
    await call('DEL', 'bsrc');
    expect(await call('BRPOPLPUSH', 'bsrc', 'bdst', '0.05')).toBe('*-1\r\n');
    const waiter = await RawClient.connect(server.port);
    others.push(waiter);
    const pending = waiter.call('BRPOPLPUSH', 'bsrc', 'bdst', '5');
    for (let i = 0; i < 100 && !/blocked_clients:1/.test(await call('INFO', 'clients')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await call('RPUSH', 'bsrc', 'p', 'q')).toBe(':2\r\n');
    expect(await pending).toBe('$1\r\nq\r\n');
    expect(await range('bdst')).toBe(bulks('q', 'y'));
    expect(await range('bsrc')).toBe(bulks('p'));
  });
  it('BRPOPLPUSH errors; inside MULTI it answers a null bulk', async () => {
    expect(await call('BRPOPLPUSH', 'bsrc', 'bdst', 'x')).toBe('-ERR timeout is not a float or out of range\r\n');
    expect(await call('BRPOPLPUSH', 'bsrc', 'bdst', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await call('BRPOPLPUSH', 'bsrc', 'bdst')).toBe(arity('brpoplpush'));
    await call('SET', 'str', 'v');
    expect(await call('BRPOPLPUSH', 'str', 'bdst', '0')).toBe(WRONGTYPE);
    await call('DEL', 'none');
    expect(await call('MULTI')).toBe(OK);
    expect(await call('BRPOPLPUSH', 'none', 'bdst', '0')).toBe('+QUEUED\r\n');
    expect(await call('EXEC')).toBe('*1\r\n$-1\r\n');
  });
});

describe('COMMAND INFO rows', () => {
  it('match redis-server 7', async () => {
    const info = await call('COMMAND', 'INFO', 'lpos', 'rpoplpush');
    expect(info).toContain('$4\r\nlpos\r\n:-3\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@list\r\n+@slow\r\n');
    expect(info).toContain('$9\r\nrpoplpush\r\n:3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:2\r\n:1\r\n');
  });
});

describe('list keyspace notifications', async () => {
  const srv = await startServer({ 'notify-keyspace-events': 'Elg' });
  it('LPUSH, RPOP and the del of an emptied list are published', async () => {
    const sub = await RawClient.connect(srv.port);
    expect(await sub.call('PSUBSCRIBE', '__keyevent@0__:*')).toBe('*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n');
    const c = await RawClient.connect(srv.port);
    expect(await c.call('LPUSH', 'nl', 'a')).toBe(':1\r\n');
    expect(await c.call('RPOP', 'nl')).toBe('$1\r\na\r\n');
    const text = await sub.waitMatch(/__keyevent@0__:del\r\n\$2\r\nnl\r\n$/);
    const events = [...text.matchAll(/__keyevent@0__:(\w+)\r\n\$2\r\nnl\r\n/g)].map((m) => m[1]);
    expect(events).toEqual(['lpush', 'rpop', 'del']);
    sub.close();
    c.close();
  });
});
