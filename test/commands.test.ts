// The first command set, byte for byte over raw sockets: connection, strings, keys, server
// and introspection commands, with Redis's errors.
import { describe, expect, it } from 'vitest';
import { RawClient, resp, startServer, until } from './helpers.js';

const server = await startServer();
const client = await RawClient.connect(server.port);

/** Sends a command and returns the reply (waiting for `len` bytes). */
const send = (len: number, ...args: string[]) => client.exchange(resp(...args), len);
const sendExpect = async (expected: string, ...args: string[]) => expect(await send(expected.length, ...args)).toBe(expected);

describe('connection commands', () => {
  it('PING with and without an argument, and too many arguments', async () => {
    await sendExpect('+PONG\r\n', 'PING');
    await sendExpect('$3\r\nabc\r\n', 'ping', 'abc');
    await sendExpect("-ERR wrong number of arguments for 'ping' command\r\n", 'PING', 'a', 'b');
  });
  it('ECHO', async () => {
    await sendExpect('$0\r\n\r\n', 'ECHO', '');
    await sendExpect("-ERR wrong number of arguments for 'echo' command\r\n", 'ECHO');
  });
  it('SELECT: range and integer errors', async () => {
    await sendExpect('+OK\r\n', 'SELECT', '15');
    await sendExpect('-ERR DB index is out of range\r\n', 'SELECT', '16');
    await sendExpect('-ERR DB index is out of range\r\n', 'SELECT', '-1');
    await sendExpect('-ERR value is not an integer or out of range\r\n', 'SELECT', 'x');
    await sendExpect('+OK\r\n', 'SELECT', '0');
  });
  it('unknown command text names the first arguments, up to 128 bytes', async () => {
    await sendExpect("-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n", 'foo', 'a', 'b');
    const long = 'x'.repeat(200);
    const expected = `-ERR unknown command 'foo', with args beginning with: '${'x'.repeat(128)}' \r\n`;
    await sendExpect(expected, 'foo', long, 'more');
  });
  it('unknown subcommand of a container command', async () => {
    await sendExpect("-ERR unknown subcommand 'nope'. Try COMMAND HELP.\r\n", 'COMMAND', 'nope');
    await sendExpect("-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n", 'config', 'nope');
    await sendExpect("-ERR wrong number of arguments for 'config' command\r\n", 'CONFIG');
    await sendExpect("-ERR wrong number of arguments for 'config|get' command\r\n", 'CONFIG', 'GET');
  });
  it('AUTH without a configured password', async () => {
    await sendExpect('-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n', 'AUTH', 'x');
    await sendExpect('-ERR syntax error\r\n', 'AUTH', 'a', 'b', 'c');
  });
});

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

describe('keys and databases', () => {
  it('MSET arity, MGET, DEL, EXISTS counting duplicates, DBSIZE, FLUSHDB, FLUSHALL', async () => {
    await sendExpect("-ERR wrong number of arguments for 'mset' command\r\n", 'MSET', 'a', '1', 'b');
    await sendExpect('+OK\r\n', 'FLUSHALL');
    await sendExpect('+OK\r\n', 'MSET', 'a', '1', 'b', '2');
    await sendExpect('*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n', 'MGET', 'a', 'zz', 'b');
    await sendExpect(':3\r\n', 'EXISTS', 'a', 'a', 'b');
    await sendExpect(':2\r\n', 'DBSIZE');
    await sendExpect(':1\r\n', 'DEL', 'a', 'zz');
    await sendExpect('-ERR syntax error\r\n', 'FLUSHDB', 'LATER');
    await sendExpect('+OK\r\n', 'FLUSHDB', 'ASYNC');
    await sendExpect(':0\r\n', 'DBSIZE');
  });
  it('databases are separate', async () => {
    await sendExpect('+OK\r\n', 'SET', 'db0key', 'x');
    await sendExpect('+OK\r\n', 'SELECT', '1');
    await sendExpect(':0\r\n', 'EXISTS', 'db0key');
    await sendExpect('+OK\r\n', 'SELECT', '0');
    await sendExpect(':1\r\n', 'EXISTS', 'db0key');
  });
});

describe('COMMAND', () => {
  it('COUNT matches LIST of top-level commands; INFO of GET', async () => {
    const count = await send(4, 'COMMAND', 'COUNT');
    const n = Number(count.slice(1, -2));
    expect(n).toBeGreaterThanOrEqual(20);
    client.write(resp('COMMAND', 'INFO', 'get'));
    const info = (await client.waitMatch(/limit\r\n:0\r\n\*0\r\n$/)).slice(client.received.indexOf('*1\r\n*10'));
    expect(info).toContain('+RO\r\n+access\r\n');
    expect(info.startsWith('*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n')).toBe(true);
  });
  it('GETKEYS', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.exchange(resp('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'), 14)).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    c.close();
  });
});

describe('INFO', () => {
  it('the server section has the fields clients look for', async () => {
    const c = await RawClient.connect(server.port);
    c.write(resp('INFO', 'server'));
    const text = await c.waitBytes(600);
    expect(text).toMatch(/^\$\d+\r\n# Server\r\n/);
    expect(text).toContain('redis_version:7.2.4\r\n');
    expect(text).toContain(`tcp_port:${server.port}\r\n`);
    expect(text).toContain(`process_id:${process.pid}\r\n`);
    expect(text).toContain(`listener0:name=tcp,bind=127.0.0.1,port=${server.port}\r\n`);
    expect(text).not.toContain('# Clients');
    c.close();
  });
});

describe('CONFIG', () => {
  it('GET with patterns, SET applied at once', async () => {
    await sendExpect('*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n', 'CONFIG', 'GET', 'maxclients');
    await sendExpect('+OK\r\n', 'CONFIG', 'SET', 'maxclients', '500');
    await sendExpect('*2\r\n$10\r\nmaxclients\r\n$3\r\n500\r\n', 'CONFIG', 'GET', 'maxclients');
    await sendExpect('*4\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$10\r\nmaxclients\r\n$3\r\n500\r\n', 'CONFIG', 'GET', 'timeout', 'maxc*');
  });
});

describe('keys found through a numkeys argument (find_keys keynum)', () => {
  it('COMMAND GETKEYS and the key spec in COMMAND INFO', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2')).toBe('*3\r\n$3\r\ndst\r\n$1\r\na\r\n$1\r\nb\r\n');
    expect(await c.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT')).toBe('*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    const info = await c.call('COMMAND', 'INFO', 'lmpop');
    expect(info).toContain('$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n');
    c.close();
  });

  it('ACL key patterns apply to those keys', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.call('ACL', 'SETUSER', 'kn', 'on', '>pw', '~a*', '+@all')).toBe('+OK\r\n');
    const u = await RawClient.connect(server.port);
    expect(await u.call('AUTH', 'kn', 'pw')).toBe('+OK\r\n');
    expect(await u.call('LMPOP', '1', 'a1', 'LEFT')).toBe('*-1\r\n');
    expect(await u.call('LMPOP', '2', 'a1', 'b1', 'LEFT')).toBe('-NOPERM No permissions to access a key\r\n');
    expect(await u.call('ZUNIONSTORE', 'a2', '2', 'a3', 'b3')).toBe('-NOPERM No permissions to access a key\r\n');
    u.close();
    expect(await c.call('ACL', 'DELUSER', 'kn')).toBe(':1\r\n');
    c.close();
  });
});
