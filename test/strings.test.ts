// String commands end to end, byte for byte: SET and its options, the counters, and the
// strings, bitmap and LCS scenario recorded from redis-server (test/scenarios/strings.txt).
import { describe, expect, it } from 'vitest';
import { RawClient, replayScenario, resp, startServer, until } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);

/** Sends a command and returns the reply (waiting for `len` bytes). */
const send = (len: number, ...args: string[]) => client.exchange(resp(...args), len);
const sendExpect = async (expected: string, ...args: string[]) => expect(await send(expected.length, ...args)).toBe(expected);

describe('SET and its options', () => {
  it('EX, PX, NX, XX, GET, KEEPTTL', async () => {
    await sendExpect('+OK\r\n', 'SET', 's1', 'v1');
    await sendExpect('$-1\r\n', 'SET', 's1', 'v2', 'NX');
    await sendExpect('+OK\r\n', 'SET', 's1', 'v2', 'XX');
    await sendExpect('$-1\r\n', 'SET', 'nokey', 'v', 'XX');
    await sendExpect('$2\r\nv2\r\n', 'SET', 's1', 'v3', 'GET');
    await sendExpect('$-1\r\n', 'SET', 'fresh', 'v', 'GET');
    await sendExpect('$2\r\nv3\r\n', 'GET', 's1');
    await sendExpect('+OK\r\n', 'SET', 'ttl', 'v', 'PX', '100000');
    await sendExpect('+OK\r\n', 'SET', 'ttl', 'w', 'KEEPTTL');
    await sendExpect('$1\r\nw\r\n', 'GET', 'ttl');
    // KEEPTTL kept the deadline: it is still there, and when it passes the new value goes too.
    const pttl = Number((await client.call('PTTL', 'ttl')).slice(1));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(100000);
    await sendExpect(':1\r\n', 'PEXPIRE', 'ttl', '1', 'XX');
    await until(() => client.call('GET', 'ttl'), (r) => r === '$-1\r\n');
    await sendExpect(':0\r\n', 'EXISTS', 'ttl');
  });
  it('EXAT and PXAT in the past expire at once', async () => {
    await sendExpect('+OK\r\n', 'SET', 'past', 'v', 'PXAT', '1000');
    await sendExpect('$-1\r\n', 'GET', 'past');
    await sendExpect('+OK\r\n', 'SET', 'future', 'v', 'EXAT', String(Math.floor(Date.now() / 1000) + 100));
    await sendExpect('$1\r\nv\r\n', 'GET', 'future');
  });
  it('syntax and expire errors', async () => {
    await sendExpect('-ERR syntax error\r\n', 'SET', 'k', 'v', 'NX', 'XX');
    await sendExpect('-ERR syntax error\r\n', 'SET', 'k', 'v', 'EX', '10', 'PX', '10');
    await sendExpect('-ERR syntax error\r\n', 'SET', 'k', 'v', 'EX');
    await sendExpect('-ERR syntax error\r\n', 'SET', 'k', 'v', 'KEEPTTL', 'EX', '1');
    await sendExpect('-ERR syntax error\r\n', 'SET', 'k', 'v', 'BOGUS');
    await sendExpect("-ERR invalid expire time in 'set' command\r\n", 'SET', 'k', 'v', 'EX', '0');
    await sendExpect("-ERR invalid expire time in 'set' command\r\n", 'SET', 'k', 'v', 'PX', '-5');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'SET', 'k', 'v', 'EX', '1.5');
    await sendExpect(':0\r\n', 'EXISTS', 'k');
  });
});

describe('counters', () => {
  it('INCR, DECR, INCRBY, DECRBY', async () => {
    await sendExpect(':1\r\n', 'INCR', 'n');
    await sendExpect(':11\r\n', 'INCRBY', 'n', '10');
    await sendExpect(':8\r\n', 'DECRBY', 'n', '3');
    await sendExpect(':7\r\n', 'DECR', 'n');
    await sendExpect('$1\r\n7\r\n', 'GET', 'n');
  });
  it('64-bit range, overflow and non-integers', async () => {
    await sendExpect('+OK\r\n', 'SET', 'big', '9223372036854775806');
    await sendExpect(':9223372036854775807\r\n', 'INCR', 'big');
    await sendExpect('-ERR increment or decrement would overflow\r\n', 'INCR', 'big');
    await sendExpect('+OK\r\n', 'SET', 'small', '-9223372036854775808');
    await sendExpect('-ERR increment or decrement would overflow\r\n', 'DECR', 'small');
    await sendExpect('-ERR decrement would overflow\r\n', 'DECRBY', 'n', '-9223372036854775808');
    await sendExpect('+OK\r\n', 'SET', 'text', 'abc');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'INCR', 'text');
    await sendExpect('+OK\r\n', 'SET', 'spaced', ' 1');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'INCR', 'spaced');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'INCRBY', 'n', '1x');
  });
});

describe('recorded from redis-server', () => {
  it('answers test/scenarios/strings.txt as redis-server does', () => replayScenario(server.port, 'strings'), 60000);
});
