// The list commands end to end: byte-exact replies and errors over raw sockets (as redis-server
// 7 answers them), WRONGTYPE both ways, a model-based run against a plain array, and the
// blocking forms (served at once, timed out, woken by pushes, inside MULTI).
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bulks, expectReply, OK, RawClient, replayScenario, resp, startServer, untilBlocked } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);
const others: RawClient[] = [];
afterAll(() => {
  client.close();
  for (const c of others) c.close();
});

async function connection(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  others.push(c);
  return c;
}

/** Asks INFO clients for untilBlocked (never blocked itself), so the order clients blocked in is certain. */
const probe = await connection();

const sendExpect = (expected: string, ...args: string[]) => expectReply(client, expected, ...args);

/** The RESP2 encoding of an array of bulk strings. */

const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NULL_BULK = '$-1\r\n';
const NULL_ARRAY = '*-1\r\n';
const EMPTY = '*0\r\n';

describe('LPUSH, RPUSH, LLEN, LRANGE', () => {
  it('pushes reply the new length; LPUSH prepends in argument order, RPUSH appends', async () => {
    await sendExpect(':3\r\n', 'LPUSH', 'pl', 'a', 'b', 'c');
    await sendExpect(':5\r\n', 'RPUSH', 'pl', 'd', 'e');
    await sendExpect(bulks('c', 'b', 'a', 'd', 'e'), 'LRANGE', 'pl', '0', '-1');
    await sendExpect(':5\r\n', 'LLEN', 'pl');
    await sendExpect(':0\r\n', 'LLEN', 'nolist');
  });
  it('keeps elements byte for byte, empty ones included', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'bin', '', '\0\r\n\xff', 'x'.repeat(70000));
    const reply = await client.exchange(resp('LRANGE', 'bin', '0', '1'), bulks('', '\0\r\n\xff').length);
    expect(reply).toBe(bulks('', '\0\r\n\xff'));
    await sendExpect(bulks('x'.repeat(70000)), 'LRANGE', 'bin', '2', '2');
  });
  it('arity errors', async () => {
    await sendExpect("-ERR wrong number of arguments for 'lpush' command\r\n", 'LPUSH', 'pl');
    await sendExpect("-ERR wrong number of arguments for 'rpush' command\r\n", 'RPUSH');
    await sendExpect("-ERR wrong number of arguments for 'llen' command\r\n", 'LLEN', 'a', 'b');
    await sendExpect("-ERR wrong number of arguments for 'lrange' command\r\n", 'LRANGE', 'pl', '0');
  });
  it('LRANGE index arithmetic as Redis does it', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'r', 'a', 'b', 'c');
    await sendExpect(bulks('a', 'b', 'c'), 'LRANGE', 'r', '-100', '100');
    await sendExpect(bulks('b'), 'LRANGE', 'r', '1', '1');
    await sendExpect(bulks('c'), 'LRANGE', 'r', '-1', '-1');
    await sendExpect(bulks('b', 'c'), 'LRANGE', 'r', '-2', '5');
    await sendExpect(EMPTY, 'LRANGE', 'r', '2', '1');
    await sendExpect(EMPTY, 'LRANGE', 'r', '3', '10');
    await sendExpect(EMPTY, 'LRANGE', 'r', '0', '-4');
    await sendExpect(bulks('a', 'b', 'c'), 'LRANGE', 'r', '-9223372036854775808', '9223372036854775807');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'LRANGE', 'r', '0', '9223372036854775808');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'LRANGE', 'r', 'x', '1');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'LRANGE', 'nolist', '0', '1.5');
    await sendExpect(EMPTY, 'LRANGE', 'nolist', '0', '-1');
  });
});

describe('LPOP and RPOP', () => {
  it('pop one element as a bulk string, and delete the key with its last element', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'p1', 'a', 'b', 'c');
    await sendExpect('$1\r\na\r\n', 'LPOP', 'p1');
    await sendExpect('$1\r\nc\r\n', 'RPOP', 'p1');
    await sendExpect('$1\r\nb\r\n', 'RPOP', 'p1');
    await sendExpect(':0\r\n', 'EXISTS', 'p1');
    await sendExpect(NULL_BULK, 'LPOP', 'p1');
    await sendExpect(NULL_BULK, 'RPOP', 'p1');
  });
  it('with a count: an array in pop order, capped at the length; 0 gives an empty array', async () => {
    await sendExpect(':5\r\n', 'RPUSH', 'p2', 'a', 'b', 'c', 'd', 'e');
    await sendExpect(EMPTY, 'LPOP', 'p2', '0');
    await sendExpect(bulks('e', 'd'), 'RPOP', 'p2', '2');
    await sendExpect(bulks('a'), 'LPOP', 'p2', '1');
    await sendExpect(bulks('b', 'c'), 'LPOP', 'p2', '9223372036854775807');
    await sendExpect(':0\r\n', 'EXISTS', 'p2');
    await sendExpect(NULL_ARRAY, 'LPOP', 'p2', '0');
    await sendExpect(NULL_ARRAY, 'RPOP', 'p2', '3');
  });
  it('count and arity errors (the count is checked before the key)', async () => {
    await sendExpect(':1\r\n', 'RPUSH', 'p3', 'a');
    await sendExpect('-ERR value is out of range, must be positive\r\n', 'LPOP', 'p3', '-1');
    await sendExpect('-ERR value is out of range, must be positive\r\n', 'RPOP', 'p3', 'x');
    await sendExpect('-ERR value is out of range, must be positive\r\n', 'LPOP', 'nolist', '9223372036854775808');
    await sendExpect("-ERR wrong number of arguments for 'lpop' command\r\n", 'LPOP', 'p3', '1', '2');
    await sendExpect("-ERR wrong number of arguments for 'rpop' command\r\n", 'RPOP', 'p3', '1', '2');
    await sendExpect("-ERR wrong number of arguments for 'rpop' command\r\n", 'RPOP');
  });
  it('RESP3 nulls', async () => {
    const c = await connection();
    await c.exchange(resp('HELLO', '3'), 1);
    await c.waitMatch(/modules\r\n\*0\r\n$/);
    await expectReply(c, '_\r\n', 'LPOP', 'nolist');
    await expectReply(c, '_\r\n', 'RPOP', 'nolist', '2');
    await expectReply(c, '_\r\n', 'LMPOP', '1', 'nolist', 'LEFT');
  });
});

describe('LMOVE', () => {
  it('moves between ends, creating the destination and deleting an emptied source', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'src', 'a', 'b', 'c');
    await sendExpect('$1\r\na\r\n', 'LMOVE', 'src', 'dst', 'LEFT', 'RIGHT');
    await sendExpect('$1\r\nc\r\n', 'LMOVE', 'src', 'dst', 'right', 'left');
    await sendExpect(bulks('c', 'a'), 'LRANGE', 'dst', '0', '-1');
    await sendExpect('$1\r\nb\r\n', 'LMOVE', 'src', 'dst', 'Left', 'Left');
    await sendExpect(':0\r\n', 'EXISTS', 'src');
    await sendExpect(bulks('b', 'c', 'a'), 'LRANGE', 'dst', '0', '-1');
    await sendExpect(NULL_BULK, 'LMOVE', 'src', 'dst', 'LEFT', 'RIGHT');
  });
  it('rotates a list onto itself, a one-element list included', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'rot', 'a', 'b', 'c');
    await sendExpect('$1\r\nc\r\n', 'LMOVE', 'rot', 'rot', 'RIGHT', 'LEFT');
    await sendExpect(bulks('c', 'a', 'b'), 'LRANGE', 'rot', '0', '-1');
    await sendExpect(':1\r\n', 'RPUSH', 'one', 'x');
    await sendExpect('$1\r\nx\r\n', 'LMOVE', 'one', 'one', 'LEFT', 'RIGHT');
    await sendExpect(bulks('x'), 'LRANGE', 'one', '0', '-1');
  });
  it('syntax, arity and type errors leave both lists as they were', async () => {
    await sendExpect('-ERR syntax error\r\n', 'LMOVE', 'rot', 'dst', 'middle', 'left');
    await sendExpect('-ERR syntax error\r\n', 'LMOVE', 'rot', 'dst', 'left', 'x');
    await sendExpect("-ERR wrong number of arguments for 'lmove' command\r\n", 'LMOVE', 'a', 'b', 'c');
    await sendExpect('+OK\r\n', 'SET', 'str', 'v');
    await sendExpect(WRONGTYPE, 'LMOVE', 'rot', 'str', 'LEFT', 'RIGHT');
    await sendExpect(WRONGTYPE, 'LMOVE', 'str', 'rot', 'LEFT', 'RIGHT');
    await sendExpect(NULL_BULK, 'LMOVE', 'nolist', 'str', 'LEFT', 'RIGHT');
    await sendExpect(bulks('c', 'a', 'b'), 'LRANGE', 'rot', '0', '-1');
  });
});

describe('LMPOP', () => {
  it('pops from the first non-empty key: [key, [elements]] in pop order', async () => {
    await sendExpect(':4\r\n', 'RPUSH', 'm1', 'a', 'b', 'c', 'd');
    await sendExpect(`*2\r\n$2\r\nm1\r\n${bulks('d', 'c')}`, 'LMPOP', '2', 'nolist', 'm1', 'RIGHT', 'COUNT', '2');
    await sendExpect(`*2\r\n$2\r\nm1\r\n${bulks('a')}`, 'LMPOP', '1', 'm1', 'left');
    await sendExpect(`*2\r\n$2\r\nm1\r\n${bulks('b')}`, 'LMPOP', '1', 'm1', 'left', 'count', '10');
    await sendExpect(':0\r\n', 'EXISTS', 'm1');
    await sendExpect(NULL_ARRAY, 'LMPOP', '2', 'm1', 'nolist', 'LEFT');
  });
  it("Redis's errors, in Redis's order", async () => {
    await sendExpect("-ERR wrong number of arguments for 'lmpop' command\r\n", 'LMPOP', '1', 'm1');
    await sendExpect('-ERR numkeys should be greater than 0\r\n', 'LMPOP', '0', 'm1', 'LEFT');
    await sendExpect('-ERR numkeys should be greater than 0\r\n', 'LMPOP', 'x', 'm1', 'LEFT');
    await sendExpect('-ERR numkeys should be greater than 0\r\n', 'LMPOP', '-1', 'm1', 'LEFT');
    await sendExpect('-ERR syntax error\r\n', 'LMPOP', '2', 'm1', 'LEFT');
    await sendExpect('-ERR syntax error\r\n', 'LMPOP', '9223372036854775807', 'm1', 'LEFT');
    await sendExpect('-ERR syntax error\r\n', 'LMPOP', '1', 'm1', 'MIDDLE');
    await sendExpect('-ERR count should be greater than 0\r\n', 'LMPOP', '1', 'm1', 'LEFT', 'COUNT', '0');
    await sendExpect('-ERR count should be greater than 0\r\n', 'LMPOP', '1', 'm1', 'LEFT', 'COUNT', 'x');
    await sendExpect('-ERR syntax error\r\n', 'LMPOP', '1', 'm1', 'LEFT', 'COUNT');
    await sendExpect('-ERR syntax error\r\n', 'LMPOP', '1', 'm1', 'LEFT', 'COUNT', '1', 'COUNT', '1');
    await sendExpect('-ERR syntax error\r\n', 'LMPOP', '1', 'm1', 'LEFT', 'BOGUS');
  });
  it('stops at the first key of another type', async () => {
    await sendExpect('+OK\r\n', 'SET', 'mstr', 'v');
    await sendExpect(':1\r\n', 'RPUSH', 'm2', 'a');
    await sendExpect(WRONGTYPE, 'LMPOP', '2', 'mstr', 'm2', 'LEFT');
    await sendExpect(`*2\r\n$2\r\nm2\r\n${bulks('a')}`, 'LMPOP', '2', 'm2', 'mstr', 'LEFT');
  });
});

describe('WRONGTYPE both ways', () => {
  it('list commands on a string', async () => {
    await sendExpect('+OK\r\n', 'SET', 'ws', 'v');
    await sendExpect(WRONGTYPE, 'LPUSH', 'ws', 'a');
    await sendExpect(WRONGTYPE, 'RPUSH', 'ws', 'a');
    await sendExpect(WRONGTYPE, 'LPOP', 'ws');
    await sendExpect(WRONGTYPE, 'RPOP', 'ws', '0');
    await sendExpect(WRONGTYPE, 'LLEN', 'ws');
    await sendExpect(WRONGTYPE, 'LRANGE', 'ws', '0', '-1');
    await sendExpect(WRONGTYPE, 'BLPOP', 'ws', '0');
    await sendExpect(WRONGTYPE, 'BLMOVE', 'ws', 'x', 'LEFT', 'LEFT', '0');
    await sendExpect(WRONGTYPE, 'BLMPOP', '0', '1', 'ws', 'LEFT');
    await sendExpect('$1\r\nv\r\n', 'GET', 'ws');
  });
  it('string commands on a list; MGET gives nil; SET replaces the list', async () => {
    await sendExpect(':1\r\n', 'RPUSH', 'wl', 'a');
    await sendExpect(WRONGTYPE, 'GET', 'wl');
    await sendExpect(WRONGTYPE, 'SET', 'wl', 'x', 'GET');
    await sendExpect(WRONGTYPE, 'SET', 'wl', 'x', 'NX', 'GET');
    await sendExpect(WRONGTYPE, 'INCR', 'wl');
    await sendExpect(WRONGTYPE, 'DECR', 'wl');
    await sendExpect(WRONGTYPE, 'INCRBY', 'wl', '2');
    await sendExpect(WRONGTYPE, 'DECRBY', 'wl', '2');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'INCRBY', 'wl', 'x');
    await sendExpect('*3\r\n$-1\r\n$-1\r\n$1\r\nv\r\n', 'MGET', 'wl', 'nokey', 'ws');
    await sendExpect('+list\r\n', 'TYPE', 'wl');
    await sendExpect('+string\r\n', 'TYPE', 'ws');
    await sendExpect('+none\r\n', 'TYPE', 'nokey');
    await sendExpect('$-1\r\n', 'SET', 'wl', 'x', 'NX');
    await sendExpect('+OK\r\n', 'SET', 'wl', 'x', 'XX');
    await sendExpect('+string\r\n', 'TYPE', 'wl');
    await sendExpect('$1\r\nx\r\n', 'GET', 'wl');
    await sendExpect(':1\r\n', 'RPUSH', 'wl2', 'a');
    await sendExpect('+OK\r\n', 'MSET', 'wl2', '5');
    await sendExpect(':6\r\n', 'INCR', 'wl2');
  });
});

describe('WATCH sees lists changed in place', () => {
  it('pushes, pops and moves abort a watching transaction; LPOP with count 0 does not', async () => {
    const other = await connection();
    await sendExpect(':3\r\n', 'RPUSH', 'wt', 'a', 'b', 'c');
    /** WATCH, `change` from another connection (answered `changeReply`), then MULTI LLEN EXEC. */
    const attempt = async (exec: string, changeReply: string, ...change: string[]) => {
      await sendExpect('+OK\r\n', 'WATCH', 'wt');
      await expectReply(other, changeReply, ...change);
      await sendExpect('+OK\r\n', 'MULTI');
      await sendExpect('+QUEUED\r\n', 'LLEN', 'wt');
      await sendExpect(exec, 'EXEC');
    };
    await attempt(NULL_ARRAY, '$1\r\na\r\n', 'LPOP', 'wt');
    await attempt(NULL_ARRAY, ':3\r\n', 'RPUSH', 'wt', 'z');
    await attempt(NULL_ARRAY, '$1\r\nb\r\n', 'LMOVE', 'wt', 'wt-other', 'LEFT', 'RIGHT');
    await attempt(NULL_ARRAY, '$1\r\nb\r\n', 'LMOVE', 'wt-other', 'wt', 'LEFT', 'RIGHT');
    await attempt('*1\r\n:3\r\n', EMPTY, 'LPOP', 'wt', '0');
  });
});

describe('model: random operations against a plain array', () => {
  it('2,000 operations over three keys agree with the model', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      await redis.select(5);
      await redis.flushdb();
      const keys = ['ma', 'mb', 'mc'];
      const model = new Map<string, Buffer[]>(keys.map((k) => [k, []]));
      let seed = 20240611;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return (seed >>> 8) % n;
      };
      const value = () => {
        const b = Buffer.alloc(rand(6));
        for (let i = 0; i < b.length; i++) b[i] = rand(256);
        return b;
      };
      for (let step = 0; step < 2000; step++) {
        const key = keys[rand(keys.length)];
        const m = model.get(key)!;
        const op = rand(9);
        const where = `step ${step} op ${op} on ${key}`;
        if (op === 0 || op === 1) {
          const vals = Array.from({ length: 1 + rand(4) }, value);
          const n = op === 0 ? await redis.lpush(key, ...vals) : await redis.rpush(key, ...vals);
          if (op === 0) for (const v of vals) m.unshift(v);
          else m.push(...vals);
          expect(n, where).toBe(m.length);
        } else if (op === 2 || op === 3) {
          const head = op === 2;
          if (rand(2)) {
            const got = head ? await redis.lpopBuffer(key) : await redis.rpopBuffer(key);
            const want = head ? m.shift() : m.pop();
            expect(got, where).toEqual(want ?? null);
          } else {
            const count = rand(5);
            const got = (await redis.callBuffer(head ? 'LPOP' : 'RPOP', key, String(count))) as Buffer[] | null;
            let want: Buffer[] | null = null;
            if (m.length > 0) want = head ? m.splice(0, count) : m.splice(Math.max(m.length - count, 0)).reverse();
            expect(got, where).toEqual(want);
          }
        } else if (op === 4) {
          const start = rand(12) - 6;
          const stop = rand(12) - 6;
          const got = await redis.lrangeBuffer(key, start, stop);
          const len = m.length;
          const s = start < 0 ? Math.max(len + start, 0) : start;
          const e = stop < 0 ? len + stop : Math.min(stop, len - 1);
          expect(got, where).toEqual(s > e || s >= len ? [] : m.slice(s, e + 1));
        } else if (op === 5) {
          expect(await redis.llen(key), where).toBe(m.length);
        } else {
          const dst = keys[rand(keys.length)];
          const from = rand(2) ? 'LEFT' : 'RIGHT';
          const to = rand(2) ? 'LEFT' : 'RIGHT';
          const got = (await redis.callBuffer('LMOVE', key, dst, from, to)) as Buffer | null;
          const v = from === 'LEFT' ? m.shift() : m.pop();
          if (v !== undefined) {
            const d = model.get(dst)!;
            if (to === 'LEFT') d.unshift(v);
            else d.push(v);
          }
          expect(got, where).toEqual(v ?? null);
        }
        if (step % 100 === 99) {
          for (const k of keys) {
            expect(await redis.lrangeBuffer(k, 0, -1), `${k} at step ${step}`).toEqual(model.get(k));
            expect(await redis.exists(k), `${k} exists at step ${step}`).toBe(model.get(k)!.length > 0 ? 1 : 0);
          }
        }
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('blocking commands', () => {
  it('are served at once when a key has data, like their non-blocking forms', async () => {
    await sendExpect(':3\r\n', 'RPUSH', 'b1', 'a', 'b', 'c');
    await sendExpect(bulks('b1', 'a'), 'BLPOP', 'nolist', 'b1', '0');
    await sendExpect(bulks('b1', 'c'), 'BRPOP', 'b1', '1.5');
    await sendExpect('$1\r\nb\r\n', 'BLMOVE', 'b1', 'b1dst', 'LEFT', 'RIGHT', '0');
    await sendExpect(':0\r\n', 'EXISTS', 'b1');
    await sendExpect(':2\r\n', 'RPUSH', 'b1', 'x', 'y');
    await sendExpect(`*2\r\n$2\r\nb1\r\n${bulks('y', 'x')}`, 'BLMPOP', '0', '2', 'nolist', 'b1', 'RIGHT', 'COUNT', '5');
  });
  it('timeout errors (after the syntax of BLMOVE and BLMPOP, before any key is looked at)', async () => {
    await sendExpect('-ERR timeout is not a float or out of range\r\n', 'BLPOP', 'b2', 'x');
    await sendExpect('-ERR timeout is not a float or out of range\r\n', 'BLPOP', 'b2', '');
    await sendExpect('-ERR timeout is not a float or out of range\r\n', 'BLPOP', 'b2', ' 1');
    await sendExpect('-ERR timeout is not a float or out of range\r\n', 'BLPOP', 'b2', 'nan');
    await sendExpect('-ERR timeout is negative\r\n', 'BRPOP', 'b2', '-1');
    await sendExpect('-ERR timeout is negative\r\n', 'BRPOP', 'b2', '-inf');
    await sendExpect('-ERR timeout is out of range\r\n', 'BRPOP', 'b2', 'inf');
    await sendExpect('-ERR timeout is out of range\r\n', 'BLPOP', 'b2', '9223372036854775807');
    await sendExpect('-ERR syntax error\r\n', 'BLMOVE', 'b2', 'd', 'middle', 'left', 'x');
    await sendExpect('-ERR timeout is not a float or out of range\r\n', 'BLMOVE', 'b2', 'd', 'left', 'left', 'x');
    await sendExpect('-ERR numkeys should be greater than 0\r\n', 'BLMPOP', '-1', '0', 'b2', 'LEFT');
    await sendExpect('-ERR count should be greater than 0\r\n', 'BLMPOP', 'x', '1', 'b2', 'LEFT', 'COUNT', '0');
    await sendExpect('-ERR timeout is negative\r\n', 'BLMPOP', '-1', '1', 'b2', 'LEFT');
    await sendExpect("-ERR wrong number of arguments for 'blpop' command\r\n", 'BLPOP', 'b2');
    await sendExpect("-ERR wrong number of arguments for 'blmpop' command\r\n", 'BLMPOP', '0', '1', 'b2');
  });
  it('time out with a null array, BLMOVE too', async () => {
    const c = await connection();
    await expectReply(c, NULL_ARRAY, 'BLPOP', 'nolist', '0.1');
    await expectReply(c, NULL_ARRAY, 'BRPOP', 'nolist', 'nolist2', '0.05');
    await expectReply(c, NULL_ARRAY, 'BLMOVE', 'nolist', 'd', 'LEFT', 'RIGHT', '0.05');
    await expectReply(c, NULL_ARRAY, 'BLMPOP', '0.05', '1', 'nolist', 'LEFT');
    // A tenth of a millisecond rounds up to one, not down to "forever".
    await expectReply(c, NULL_ARRAY, 'BLPOP', 'nolist', '0.0001');
  });
  it('a blocked BLPOP is woken by an LPUSH from another connection', async () => {
    const waiter = await connection();
    waiter.write(resp('BLPOP', 'nolist', 'b3', '0'));
    await untilBlocked(probe, 1);
    expect(waiter.received).toBe('');
    await sendExpect(':2\r\n', 'LPUSH', 'b3', 'x', 'y');
    expect(await waiter.waitBytes(bulks('b3', 'y').length)).toBe(bulks('b3', 'y'));
    await sendExpect(bulks('x'), 'LRANGE', 'b3', '0', '-1');
  });
  it('blocked clients are served in arrival order, one element each', async () => {
    const w1 = await connection();
    const w2 = await connection();
    const w3 = await connection();
    w1.write(resp('BLPOP', 'b4', '0'));
    await untilBlocked(probe, 1);
    w2.write(resp('BRPOP', 'b4', '0'));
    await untilBlocked(probe, 2);
    w3.write(resp('BLPOP', 'b4', '0'));
    await untilBlocked(probe, 3);
    await sendExpect(':2\r\n', 'RPUSH', 'b4', 'one', 'two');
    expect(await w1.waitBytes(bulks('b4', 'one').length)).toBe(bulks('b4', 'one'));
    expect(await w2.waitBytes(bulks('b4', 'two').length)).toBe(bulks('b4', 'two'));
    // w3 is still the one client blocked: it was not served.
    await untilBlocked(probe, 1);
    expect(w3.received).toBe('');
    await sendExpect(':0\r\n', 'EXISTS', 'b4');
    await sendExpect(':1\r\n', 'RPUSH', 'b4', 'three');
    expect(await w3.waitBytes(bulks('b4', 'three').length)).toBe(bulks('b4', 'three'));
  });
  it('BLMOVE is woken by a push and its push wakes a waiter on the destination', async () => {
    const mover = await connection();
    const popper = await connection();
    mover.write(resp('BLMOVE', 'b5', 'b5dst', 'RIGHT', 'LEFT', '0'));
    popper.write(resp('BLPOP', 'b5dst', '0'));
    await untilBlocked(probe, 2);
    await sendExpect(':2\r\n', 'RPUSH', 'b5', 'a', 'b');
    expect(await mover.waitBytes(4 + 3)).toBe('$1\r\nb\r\n');
    expect(await popper.waitBytes(bulks('b5dst', 'b').length)).toBe(bulks('b5dst', 'b'));
    await sendExpect(bulks('a'), 'LRANGE', 'b5', '0', '-1');
    await sendExpect(':0\r\n', 'EXISTS', 'b5dst');
  });
  it('BLMPOP is woken with [key, elements]', async () => {
    const waiter = await connection();
    waiter.write(resp('BLMPOP', '0', '2', 'b6a', 'b6b', 'RIGHT', 'COUNT', '2'));
    await untilBlocked(probe, 1);
    await sendExpect(':3\r\n', 'RPUSH', 'b6b', 'a', 'b', 'c');
    const expected = `*2\r\n$3\r\nb6b\r\n${bulks('c', 'b')}`;
    expect(await waiter.waitBytes(expected.length)).toBe(expected);
  });
  it('a waiter whose key lost its data (or its type) before it ran keeps waiting', async () => {
    const waiter = await connection();
    waiter.write(resp('BLPOP', 'b7', '0'));
    await untilBlocked(probe, 1);
    await sendExpect('+OK\r\n', 'MULTI');
    await sendExpect('+QUEUED\r\n', 'LPUSH', 'b7', 'gone');
    await sendExpect('+QUEUED\r\n', 'LPOP', 'b7');
    await sendExpect(`*2\r\n:1\r\n$4\r\ngone\r\n`, 'EXEC');
    await sendExpect('+OK\r\n', 'MULTI');
    await sendExpect('+QUEUED\r\n', 'LPUSH', 'b7', 'x');
    await sendExpect('+QUEUED\r\n', 'SET', 'b7', 'now a string');
    await sendExpect(`*2\r\n:1\r\n+OK\r\n`, 'EXEC');
    await untilBlocked(probe, 1);
    expect(waiter.received).toBe('');
    await sendExpect(':1\r\n', 'DEL', 'b7');
    await sendExpect(':1\r\n', 'LPUSH', 'b7', 'here');
    expect(await waiter.waitBytes(bulks('b7', 'here').length)).toBe(bulks('b7', 'here'));
  });
  it('inside MULTI they answer at once as timeouts (BLMOVE with a null bulk)', async () => {
    const c = await connection();
    await expectReply(c, '+OK\r\n', 'MULTI');
    await expectReply(c, '+QUEUED\r\n', 'BLPOP', 'nolist', '0');
    await expectReply(c, '+QUEUED\r\n', 'BRPOP', 'nolist', '1');
    await expectReply(c, '+QUEUED\r\n', 'BLMOVE', 'nolist', 'd', 'LEFT', 'LEFT', '0');
    await expectReply(c, '+QUEUED\r\n', 'BLMPOP', '0', '1', 'nolist', 'LEFT');
    await expectReply(c, `*4\r\n${NULL_ARRAY}${NULL_ARRAY}${NULL_BULK}${NULL_ARRAY}`, 'EXEC');
  });
  it('ioredis: blpop resolves with [key, value] once another client pushes', async () => {
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      const pending = redis.blpop('b8', 0);
      await untilBlocked(probe, 1);
      await sendExpect(':1\r\n', 'RPUSH', 'b8', 'v');
      expect(await pending).toEqual(['b8', 'v']);
      expect(await redis.blpop('b8', 0.05)).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});

describe('COMMAND INFO rows', () => {
  it('LPUSH and BLPOP as redis-server 7 shows them', async () => {
    const spec = (flags: string[], begin: number, lastKey: number) =>
      `*6\r\n$5\r\nflags\r\n*${flags.length}\r\n${flags.map((f) => `+${f}\r\n`).join('')}` +
      `$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:${begin}\r\n` +
      `$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:${lastKey}\r\n` +
      `$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n`;
    const lpush = '*10\r\n$5\r\nlpush\r\n:-3\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n' +
      `*3\r\n+@write\r\n+@list\r\n+@fast\r\n*0\r\n*1\r\n${spec(['RW', 'insert'], 1, 0)}*0\r\n`;
    // Redis 7.2 lets scripts run the blocking commands (they do not block there): no noscript.
    const blpop = '*10\r\n$5\r\nblpop\r\n:-3\r\n*2\r\n+write\r\n+blocking\r\n:1\r\n:-2\r\n:1\r\n' +
      `*4\r\n+@write\r\n+@list\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n${spec(['RW', 'access', 'delete'], 1, -2)}*0\r\n`;
    await sendExpect(`*2\r\n${lpush}${blpop}`, 'COMMAND', 'INFO', 'lpush', 'blpop');
  });
});

describe('LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LPUSHX, RPOPLPUSH', async () => {
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
      await untilBlocked(client, 1);
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


});

describe('recorded from redis-server', async () => {
  const recorded = await startServer();
  it('answers test/scenarios/lists.txt as redis-server does', () => replayScenario(recorded.port, 'lists', {
    'BLPOP l inf': '7.2 says "timeout is out of range"',
    'COMMAND INFO lpush rpush lpop rpop llen lrange lmove blpop brpop blmove type': '7.2 dropped noscript from the blocking commands',
    'HELLO 3': 'the server\'s version (7.0.15 there, 7.2.4 here) and the client id',
  }), 60000);
});
