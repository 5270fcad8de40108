// SORT and SORT_RO end to end: numeric and ALPHA order, LIMIT arithmetic, BY nosort on each type,
// BY/GET patterns with hash fields, STORE (with the notifications, the dirty count, blocked
// clients woken, the empty result deleting), scripts sorting unsorted sets, key extraction and
// ACL key checks, a model-based run against a sorted array, and the recorded scenario.
import { afterAll, describe, expect, it } from 'vitest';
import { bulk, bulks, expectReply, RawClient, replayScenario, resp, startServer, untilBlocked, rng } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const others: RawClient[] = [];
afterAll(() => {
  client.close();
  for (const c of others) c.close();
});

async function connection(port = server.port): Promise<RawClient> {
  const c = await RawClient.connect(port);
  others.push(c);
  return c;
}

const sendExpect = (expected: string, ...args: string[]) => expectReply(client, expected, ...args);
const ERR_SCORES = "-ERR One or more scores can't be converted into double\r\n";
const NULL_BULK = '$-1\r\n';

describe('numeric and ALPHA order', () => {
  it('sorts a list numerically, ties by the elements\' bytes, DESC reversing both', async () => {
    await sendExpect(':6\r\n', 'RPUSH', 'n1', '10', '2', '1.0', '1', '-3', '1e0');
    await sendExpect(bulks('-3', '1', '1.0', '1e0', '2', '10'), 'SORT', 'n1');
    await sendExpect(bulks('10', '2', '1e0', '1.0', '1', '-3'), 'SORT', 'n1', 'DESC');
    await sendExpect(bulks('-3', '1', '1.0', '10', '1e0', '2'), 'SORT', 'n1', 'ALPHA');
  });
  it('reads weights as strtod: leading space, hex, inf, an empty string as 0', async () => {
    await sendExpect(':5\r\n', 'RPUSH', 'n2', ' 7', '0x10', '-inf', '', '3');
    await sendExpect(bulks('-inf', '', '3', ' 7', '0x10'), 'SORT', 'n2');
  });
  it('fails the whole command on a weight that is not a number, even with STORE', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'n3', '1', 'x', '2');
    await sendExpect(ERR_SCORES, 'SORT', 'n3');
    await sendExpect(ERR_SCORES, 'SORT', 'n3', 'STORE', 'n3dst');
    await sendExpect(':0\r\n', 'EXISTS', 'n3dst');
    await sendExpect(':1\r\n', 'RPUSH', 'n4', 'nan');
    await sendExpect(ERR_SCORES, 'SORT', 'n4');
    // Not sorting, nothing is converted.
    await sendExpect(bulks('1', 'x', '2'), 'SORT', 'n3', 'BY', 'nosort');
  });
  it('ALPHA replies compare C strings (up to a NUL), ALPHA STORE whole bytes', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'bin', 'a\0z', 'a\0b', 'a');
    await sendExpect(bulks('a\0z', 'a\0b', 'a'), 'SORT', 'bin', 'ALPHA');
    await sendExpect(':3\r\n', 'SORT', 'bin', 'ALPHA', 'STORE', 'bindst');
    await sendExpect(bulks('a', 'a\0b', 'a\0z'), 'LRANGE', 'bindst', '0', '-1');
  });
});

describe('LIMIT', () => {
  it('clamps offsets and counts as sort.c does', async () => {
    await sendExpect(':5\r\n', 'RPUSH', 'lim', '5', '4', '3', '2', '1');
    await sendExpect(bulks('2', '3'), 'SORT', 'lim', 'LIMIT', '1', '2');
    await sendExpect(bulks('1', '2'), 'SORT', 'lim', 'LIMIT', '-3', '2');
    await sendExpect(bulks('4', '5'), 'SORT', 'lim', 'LIMIT', '3', '-1');
    await sendExpect('*0\r\n', 'SORT', 'lim', 'LIMIT', '5', '1');
    await sendExpect('*0\r\n', 'SORT', 'lim', 'LIMIT', '0', '0');
    await sendExpect(bulks('1', '2', '3', '4', '5'), 'SORT', 'lim', 'LIMIT', '0', '9223372036854775807');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'SORT', 'lim', 'LIMIT', '0', 'x');
    await sendExpect('-ERR syntax error\r\n', 'SORT', 'lim', 'LIMIT', '0');
  });
});

describe('BY nosort', () => {
  it('serves a list in its own order, from the tail for DESC, LIMIT taken from it', async () => {
    await sendExpect(':4\r\n', 'RPUSH', 'ns', 'c', 'a', 'd', 'b');
    await sendExpect(bulks('c', 'a', 'd', 'b'), 'SORT', 'ns', 'BY', 'nosort');
    await sendExpect(bulks('a', 'd'), 'SORT', 'ns', 'BY', 'nosort', 'LIMIT', '1', '2');
    await sendExpect(bulks('d', 'a'), 'SORT', 'ns', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '2');
  });
  it('serves a sorted set in score order and converts it to a skiplist', async () => {
    await sendExpect(':3\r\n', 'ZADD', 'nz', '2', 'b', '1', 'c', '3', 'a');
    await sendExpect('$8\r\nlistpack\r\n', 'OBJECT', 'ENCODING', 'nz');
    await sendExpect(bulks('c', 'b', 'a'), 'SORT', 'nz', 'BY', 'nosort');
    await sendExpect(bulks('b', 'c'), 'SORT', 'nz', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '5');
    await sendExpect('$8\r\nskiplist\r\n', 'OBJECT', 'ENCODING', 'nz');
  });
  it('sorts a set ALPHA after all when storing or called from a script', async () => {
    await sendExpect(':3\r\n', 'SADD', 'nset', 'pear', 'apple', 'fig');
    await sendExpect(':3\r\n', 'SORT', 'nset', 'BY', 'nosort', 'STORE', 'nsetdst');
    await sendExpect(bulks('apple', 'fig', 'pear'), 'LRANGE', 'nsetdst', '0', '-1');
    await sendExpect(bulks('pear', 'fig', 'apple'), 'EVAL', "return redis.call('sort', KEYS[1], 'by', 'x', 'desc')", '1', 'nset');
  });
});

describe('BY and GET patterns', () => {
  it('weights from strings and hash fields; GET # and missing keys as nulls', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'p', 'x', 'y', 'z');
    await sendExpect('+OK\r\n', 'MSET', 'pw_x', '3', 'pw_y', '1', 'pv_x', 'X');
    await sendExpect(':2\r\n', 'HSET', 'ph_x', 'f', '9', 'g', 'gx');
    await sendExpect(':1\r\n', 'HSET', 'ph_z', 'f', '5');
    // z has no weight: 0, first.
    await sendExpect(bulks('z', 'y', 'x'), 'SORT', 'p', 'BY', 'pw_*');
    await sendExpect(`*6\r\n${bulk('z')}${NULL_BULK}${bulk('y')}${NULL_BULK}${bulk('x')}${bulk('X')}`, 'SORT', 'p', 'BY', 'pw_*', 'GET', '#', 'GET', 'pv_*');
    await sendExpect(bulks('y', 'z', 'x'), 'SORT', 'p', 'BY', 'ph_*->f');
    await sendExpect(`*3\r\n$2\r\ngx\r\n${NULL_BULK}${NULL_BULK}`, 'SORT', 'p', 'BY', 'ph_*->f', 'DESC', 'GET', 'ph_*->g', 'LIMIT', '0', '3');
    // ALPHA by a pattern: a missing weight sorts first.
    await sendExpect(bulks('y', 'z', 'x'), 'SORT', 'p', 'BY', 'pv_*', 'ALPHA');
    // No '*': GET gives nulls.
    await sendExpect(`*3\r\n${NULL_BULK}${NULL_BULK}${NULL_BULK}`, 'SORT', 'p', 'BY', 'nosort', 'GET', 'constant');
  });
  it('a weight that is not a number is an error; a hash where a string is wanted weighs 0', async () => {
    await sendExpect('+OK\r\n', 'SET', 'pw_z', 'abc');
    await sendExpect(ERR_SCORES, 'SORT', 'p', 'BY', 'pw_*');
    await sendExpect(bulks('z', 'y', 'x'), 'SORT', 'p', 'BY', 'ph_*', 'DESC');
  });
  it('GET in a stored result: missing values become empty strings', async () => {
    await sendExpect(':6\r\n', 'SORT', 'p', 'BY', 'nosort', 'GET', '#', 'GET', 'pv_*', 'STORE', 'pdst');
    await sendExpect(bulks('x', 'X', 'y', '', 'z', ''), 'LRANGE', 'pdst', '0', '-1');
  });
});

describe('STORE', () => {
  it('replaces the destination (and its TTL), deletes it for an empty result, counts changes', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'st', '3', '1', '2');
    await sendExpect('+OK\r\n', 'SET', 'stdst', 'v', 'EX', '100');
    const before = server.server.dirty;
    await sendExpect(':3\r\n', 'SORT', 'st', 'STORE', 'stdst');
    expect(server.server.dirty).toBe(before + 3);
    await sendExpect(bulks('1', '2', '3'), 'LRANGE', 'stdst', '0', '-1');
    await sendExpect(':-1\r\n', 'TTL', 'stdst');
    await sendExpect(':0\r\n', 'SORT', 'st', 'LIMIT', '9', '1', 'STORE', 'stdst');
    expect(server.server.dirty).toBe(before + 4);
    await sendExpect(':0\r\n', 'EXISTS', 'stdst');
    await sendExpect(':0\r\n', 'SORT', 'nokey', 'STORE', 'stdst');
    expect(server.server.dirty).toBe(before + 4);
  });
  it('SORT_RO has no STORE', async () => {
    await sendExpect('-ERR syntax error\r\n', 'SORT_RO', 'st', 'STORE', 'x');
  });
  it('wakes a client blocked on the destination', async () => {
    const waiter = await connection();
    waiter.write(resp('BLPOP', 'stwake', '0'));
    await untilBlocked(client, 1);
    await sendExpect(':3\r\n', 'SORT', 'st', 'DESC', 'STORE', 'stwake');
    expect(await waiter.waitBytes(bulks('stwake', '3').length)).toBe(bulks('stwake', '3'));
    await sendExpect(bulks('2', '1'), 'LRANGE', 'stwake', '0', '-1');
  });
  it('publishes sortstore, and del when an empty result removes the destination', async () => {
    const srv = await startServer({ 'notify-keyspace-events': 'Elg' });
    const sub = await connection(srv.port);
    expect(await sub.call('PSUBSCRIBE', '__keyevent@0__:*')).toBe('*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n');
    const c = await connection(srv.port);
    expect(await c.call('RPUSH', 'src', 'b', 'a')).toBe(':2\r\n');
    expect(await c.call('SORT', 'src', 'ALPHA', 'STORE', 'dd')).toBe(':2\r\n');
    expect(await c.call('SORT', 'src', 'ALPHA', 'LIMIT', '5', '5', 'STORE', 'dd')).toBe(':0\r\n');
    const text = await sub.waitMatch(/__keyevent@0__:del\r\n\$2\r\ndd\r\n$/);
    const events = [...text.matchAll(/__keyevent@0__:(\w+)\r\n\$2\r\ndd\r\n/g)].map((m) => m[1]);
    expect(events).toEqual(['sortstore', 'del']);
  });
});

describe('keys', () => {
  it('COMMAND GETKEYS finds the sorted key and the last STORE', async () => {
    await sendExpect(bulks('a', 'c'), 'COMMAND', 'GETKEYS', 'SORT', 'a', 'STORE', 'b', 'GET', 'x', 'BY', 'y', 'STORE', 'c');
    await sendExpect(bulks('a'), 'COMMAND', 'GETKEYS', 'SORT', 'a', 'GET', 'store', 'BY', 'store');
    await sendExpect(bulks('a'), 'COMMAND', 'GETKEYS', 'SORT_RO', 'a', 'STORE', 'b');
  });
  it('ACL checks the STORE key as written', async () => {
    await sendExpect('+OK\r\n', 'ACL', 'SETUSER', 'sorter', 'on', 'nopass', '+@all', '~src*', '%W~out*');
    const c = await connection();
    expect(await c.call('AUTH', 'sorter', 'x')).toBe('+OK\r\n');
    expect(await c.call('SORT', 'srclist', 'STORE', 'outlist')).toBe(':0\r\n');
    expect(await c.call('SORT', 'srclist', 'STORE', 'elsewhere')).toMatch(/^-NOPERM/);
    expect(await c.call('SORT', 'outlist')).toMatch(/^-NOPERM/);
  });
  it('BY and GET patterns need read access to every key', async () => {
    await sendExpect('+OK\r\n', 'ACL', 'SETUSER', 'patterns', 'on', 'nopass', '+@all', '~src*');
    const c = await connection();
    expect(await c.call('AUTH', 'patterns', 'x')).toBe('+OK\r\n');
    expect(await c.call('SORT', 'srclist', 'BY', 'w_*')).toBe('-ERR BY option of SORT denied due to insufficient ACL permissions.\r\n');
    expect(await c.call('SORT_RO', 'srclist', 'GET', '#')).toBe('-ERR GET option of SORT denied due to insufficient ACL permissions.\r\n');
    expect(await c.call('SORT', 'srclist', 'BY', 'constant')).toBe('*0\r\n');
    await sendExpect('+OK\r\n', 'ACL', 'SETUSER', 'patterns', '%R~*');
    expect(await c.call('SORT', 'srclist', 'BY', 'w_*', 'GET', '#')).toBe('*0\r\n');
  });
});

describe('model', () => {
  it('matches a sorted array over random lists, orders and limits', async () => {
    const rand = rng(16);
    for (let round = 0; round < 30; round++) {
      const n = Math.floor(rand() * 20);
      const values = Array.from({ length: n }, () => String(Math.floor(rand() * 100) - 50));
      await client.call('DEL', 'model');
      if (n > 0) await sendExpect(`:${n}\r\n`, 'RPUSH', 'model', ...values);
      const desc = rand() < 0.5;
      const offset = Math.floor(rand() * 25) - 3;
      const count = Math.floor(rand() * 25) - 3;
      const sorted = [...values].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
      if (desc) sorted.reverse();
      const start = Math.max(offset, 0);
      const want = count < 0 ? sorted.slice(start) : sorted.slice(start, start + count);
      const argv = ['SORT', 'model', 'LIMIT', String(offset), String(count), ...(desc ? ['DESC'] : [])];
      await sendExpect(bulks(...want), ...argv);
    }
  });
});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/sort.txt as redis-server does', () => replayScenario(recorded.port, 'sort', {
    'SORT pl STORE q': '7.2 says "No permissions to access a key"',
  }), 60000);
});
