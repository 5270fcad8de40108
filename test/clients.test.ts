// Real client libraries against the server: ioredis and node-redis, RESP2 and RESP3.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { RawClient, resp, startServer } from './helpers.js';

const server = await startServer();

describe('ioredis', () => {
  const redis = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  afterAll(() => redis.disconnect());

  it('connects through its INFO ready check and PINGs', async () => {
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.ping('hello')).toBe('hello');
  });

  it('SET/GET keep every byte value', async () => {
    const value = Buffer.alloc(256);
    for (let i = 0; i < 256; i++) value[i] = i;
    const key = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]);
    expect(await redis.set(key, value)).toBe('OK');
    expect((await redis.getBuffer(key))!.equals(value)).toBe(true);
    expect(await redis.get('missing')).toBeNull();
  });

  it('a pipeline of 10,000 commands answers each in order', async () => {
    const p = redis.pipeline();
    for (let i = 0; i < 10000; i++) {
      if (i % 3 === 0) p.set(`p:${i}`, String(i));
      else if (i % 3 === 1) p.incr('p:counter');
      else p.get(`p:${i - 2}`);
    }
    const results = await p.exec();
    expect(results).toHaveLength(10000);
    let counter = 0;
    for (let i = 0; i < 10000; i++) {
      const [err, v] = results![i];
      expect(err).toBeNull();
      if (i % 3 === 0) expect(v).toBe('OK');
      else if (i % 3 === 1) expect(v).toBe(++counter);
      else expect(v).toBe(String(i - 2));
    }
  });

  it('unknown commands reject with Redis\'s text', async () => {
    await expect(redis.call('NOSUCH', 'a', 'b')).rejects.toThrow(
      "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
    );
  });

  it('MSET, MGET, EXISTS, DEL, DBSIZE, SELECT, FLUSHDB', async () => {
    await redis.select(3);
    expect(await redis.dbsize()).toBe(0);
    expect(await redis.mset('a', '1', 'b', '2', 'c', '3')).toBe('OK');
    expect(await redis.mget('a', 'b', 'x', 'c')).toEqual(['1', '2', null, '3']);
    expect(await redis.exists('a', 'b', 'x', 'a')).toBe(3);
    expect(await redis.dbsize()).toBe(3);
    expect(await redis.del('a', 'x')).toBe(1);
    expect(await redis.flushdb()).toBe('OK');
    expect(await redis.dbsize()).toBe(0);
    await redis.select(0);
  });
});

describe('node-redis', () => {
  it('RESP2: SET/GET, INCR, binary values', async () => {
    const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false } });
    await client.connect();
    try {
      expect(await client.set('nr:k', 'v')).toBe('OK');
      expect(await client.get('nr:k')).toBe('v');
      expect(await client.incrBy('nr:n', 5)).toBe(5);
      expect(await client.decr('nr:n')).toBe(4);
      const bin = Buffer.from([0, 255, 13, 10, 0]);
      await client.set('nr:bin', bin);
      const back = await client.withTypeMapping({ [36]: Buffer }).get('nr:bin');
      expect(Buffer.isBuffer(back) && back.equals(bin)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('RESP3: HELLO 3 on connect, replies in RESP3', async () => {
    const client = createClient({ RESP: 3, socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false } });
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.set('r3:k', 'v3')).toBe('OK');
      expect(await client.get('r3:k')).toBe('v3');
      expect(await client.get('r3:none')).toBeNull();
    } finally {
      client.destroy();
    }
  });
});

describe('HELLO and RESP3 on the wire', () => {
  it('HELLO 3 answers a map of 7 in RESP3 and later nulls are _', async () => {
    const c = await RawClient.connect(server.port);
    c.write(resp('HELLO', '3'));
    const head = await c.waitBytes(4);
    expect(head.startsWith('%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n')).toBe(true);
    await c.waitMatch(/modules\r\n\*0\r\n$/);
    expect(c.received).toMatch(/\$5\r\nproto\r\n:3\r\n\$2\r\nid\r\n:\d+\r\n\$4\r\nmode\r\n\$10\r\nstandalone\r\n\$4\r\nrole\r\n\$6\r\nmaster\r\n\$7\r\nmodules\r\n\*0\r\n$/);
    const before = c.received.length;
    expect(await c.exchange(resp('GET', 'hello:none'), 3)).toBe('_\r\n');
    expect(c.received.length).toBe(before + 3);
    c.close();
  });

  it('HELLO errors: bad version, unknown option', async () => {
    const c = await RawClient.connect(server.port);
    const np = '-NOPROTO unsupported protocol version\r\n';
    expect(await c.exchange(resp('HELLO', '4'), np.length)).toBe(np);
    const a = "-ERR Protocol version is not an integer or out of range\r\n";
    expect(await c.exchange(resp('HELLO', 'x'), a.length)).toBe(a);
    const b = "-ERR Syntax error in HELLO option 'foo'\r\n";
    expect(await c.exchange(resp('HELLO', '2', 'foo'), b.length)).toBe(b);
    c.close();
  });
});
