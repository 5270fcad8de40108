// MIGRATE between two respd servers over the native core's outgoing connections: keys DUMPed,
// RESTOREd on the target (TTL kept), deleted here unless COPY, NOKEY, KEYS, REPLACE, AUTH, the
// target's errors and an unreachable target; the caller waits, other clients are served.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module shared with the recording script
import { captureStream } from '../scripts/propagation-lib.mjs';
import { startServer, until } from './helpers.js';

describe('MIGRATE', async () => {
  const src = await startServer();
  const dst = await startServer();
  const locked = await startServer({ requirepass: 'secret' });
  const a = new Redis(src.port, '127.0.0.1');
  const b = new Redis(dst.port, '127.0.0.1');
  const c = new Redis(locked.port, '127.0.0.1', { password: 'secret' });
  afterAll(() => {
    a.disconnect();
    b.disconnect();
    c.disconnect();
  });

  it('moves a key with its TTL, and answers NOKEY when there is none', async () => {
    await a.set('k', 'v', 'PX', 100000);
    expect(await a.migrate('127.0.0.1', dst.port, 'k', 3, 5000)).toBe('OK');
    expect(await a.exists('k')).toBe(0);
    await b.select(3);
    expect(await b.get('k')).toBe('v');
    expect(await b.pttl('k')).toBeGreaterThan(90000);
    expect(await a.migrate('127.0.0.1', dst.port, 'k', 3, 5000)).toBe('NOKEY');
  });

  it('KEYS, COPY and REPLACE; the target\'s BUSYKEY error', async () => {
    await a.rpush('l', 'x', 'y');
    await a.hset('h', 'f', '1');
    expect(await a.call('MIGRATE', '127.0.0.1', String(dst.port), '', '0', '5000', 'COPY', 'KEYS', 'l', 'h', 'missing')).toBe('OK');
    expect(await a.exists('l', 'h')).toBe(2);
    await b.select(0);
    expect(await b.lrange('l', 0, -1)).toEqual(['x', 'y']);
    await expect(a.call('MIGRATE', '127.0.0.1', String(dst.port), 'l', '0', '5000')).rejects.toThrow('Target instance replied with error: BUSYKEY Target key name already exists.');
    expect(await a.exists('l')).toBe(1);
    expect(await a.call('MIGRATE', '127.0.0.1', String(dst.port), '', '0', '5000', 'REPLACE', 'KEYS', 'l', 'h')).toBe('OK');
    expect(await a.exists('l', 'h')).toBe(0);
    expect(await b.hgetall('h')).toEqual({ f: '1' });
  });

  it('AUTH and AUTH2 to a server with a password', async () => {
    await a.set('p', '1');
    await expect(a.call('MIGRATE', '127.0.0.1', String(locked.port), 'p', '0', '5000')).rejects.toThrow('Target instance replied with error: NOAUTH');
    await expect(a.call('MIGRATE', '127.0.0.1', String(locked.port), 'p', '0', '5000', 'AUTH', 'wrong')).rejects.toThrow('Target instance replied with error: WRONGPASS');
    expect(await a.call('MIGRATE', '127.0.0.1', String(locked.port), 'p', '0', '5000', 'AUTH', 'secret')).toBe('OK');
    expect(await c.get('p')).toBe('1');
    await a.set('p2', '2');
    expect(await a.call('MIGRATE', '127.0.0.1', String(locked.port), 'p2', '0', '5000', 'AUTH2', 'default', 'secret')).toBe('OK');
    expect(await c.get('p2')).toBe('2');
  });

  it('IOERR for an unreachable target; Redis\'s argument errors', async () => {
    await a.set('q', '1');
    const { createServer: netServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = netServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await expect(a.call('MIGRATE', '127.0.0.1', String(port), 'q', '0', '1000')).rejects.toThrow('IOERR error or timeout connecting to the client');
    expect(await a.exists('q')).toBe(1);
    await expect(a.call('MIGRATE', '127.0.0.1', String(dst.port), 'q', '0', '1000', 'KEYS', 'q')).rejects.toThrow('When using MIGRATE KEYS option, the key argument must be set to the empty string');
    await expect(a.call('MIGRATE', '127.0.0.1', String(dst.port), 'q', '0', '1000', 'BOGUS')).rejects.toThrow('syntax error');
    await expect(a.call('MIGRATE', '127.0.0.1', String(dst.port), 'q', 'x', '1000')).rejects.toThrow('value is not an integer or out of range');
  });

  it('a target that never answers: the caller gets IOERR at the timeout, others are served meanwhile', async () => {
    const { createServer: netServer } = await import('node:net');
    const silent = netServer((sock) => sock.on('data', () => undefined));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    await a.set('s', '1');
    const other = new Redis(src.port, '127.0.0.1');
    const pending = a.call('MIGRATE', '127.0.0.1', String(port), 's', '0', '300');
    expect(await other.ping()).toBe('PONG');
    // It waits for its target, counted as blocked, and CLIENT UNBLOCK can't cut that short.
    const line = ((await other.client('LIST')) as string).split('\n').find((l) => l.includes('cmd=migrate'));
    expect(line).toMatch(/flags=b/);
    expect(await other.client('UNBLOCK', /id=(\d+)/.exec(line!)![1]!)).toBe(0);
    await expect(pending).rejects.toThrow('IOERR error or timeout reading to target instance');
    expect(await a.exists('s')).toBe(1);
    other.disconnect();
    silent.close();
  });

  it('sends again a key written or deleted here while it travelled: the target ends with what it last held', async () => {
    await a.set('w1', 'old');
    await a.set('w2', 'doomed');
    await a.set('w3', 'same');
    const t = new Redis(dst.port, '127.0.0.1');
    const mover = new Redis(src.port, '127.0.0.1');
    try {
      await t.select(7);
      await t.flushdb();
      // The target holds writes (the RESTOREs) until unpaused, so the keys change here meanwhile.
      expect(await t.client('PAUSE', 60000, 'WRITE')).toBe('OK');
      const moved = mover.call('MIGRATE', '127.0.0.1', String(dst.port), '', '7', '10000', 'KEYS', 'w1', 'w2', 'w3');
      await until(async () => Number((await a.info('clients')).match(/blocked_clients:(\d+)/)![1]), (n) => n === 1);
      expect(await a.set('w1', 'new')).toBe('OK');
      expect(await a.del('w2')).toBe(1);
      expect(await t.client('UNPAUSE')).toBe('OK');
      expect(await moved).toBe('OK');
      expect(await a.exists('w1', 'w2', 'w3')).toBe(0);
      expect(await t.mget('w1', 'w2', 'w3')).toEqual(['new', null, 'same']);
    } finally {
      t.disconnect();
      mover.disconnect();
    }
  });

  it('is propagated as the DEL of the keys the target took, or not at all', async () => {
    const stream = (await captureStream(src.port, `
      SET m1 a
      SET m2 b
      MIGRATE 127.0.0.1 ${dst.port} "" 5 5000 REPLACE KEYS m1 m2 nothere
      SET m3 c
      MIGRATE 127.0.0.1 ${dst.port} m3 5 5000 COPY REPLACE
    `)) as string[][];
    expect(stream).toEqual([['SELECT', '0'], ['SET', 'm1', 'a'], ['SET', 'm2', 'b'], ['DEL', 'm1', 'm2'], ['SET', 'm3', 'c']]);
  });
});
