// Real libraries whose every operation is a Lua script, run unchanged against respd: redlock
// (EVALSHA, EVAL after NOSCRIPT) acquiring, extending and releasing locks with contention, and
// rate-limiter-flexible's RateLimiterRedis (a defineCommand script) counting and blocking.
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import Redlock, { ExecutionError } from 'redlock';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './helpers.js';

const server = await startServer();
const redis = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect();
afterAll(() => redis.disconnect());

describe('redlock', () => {
  it('acquires, extends and releases; a second lock on the same resource waits its turn', async () => {
    const redlock = new Redlock([redis], { retryCount: 0 });
    const lock = await redlock.acquire(['rl:resource'], 5000);
    expect(await redis.get('rl:resource')).toBe(lock.value);
    const ttl = await redis.pttl('rl:resource');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
    // Held: another attempt fails at once (no retries).
    await expect(redlock.acquire(['rl:resource'], 5000)).rejects.toBeInstanceOf(ExecutionError);
    const extended = await lock.extend(20000);
    expect(await redis.pttl('rl:resource')).toBeGreaterThan(5000);
    await extended.release();
    expect(await redis.exists('rl:resource')).toBe(0);
    // Free again.
    const again = await redlock.acquire(['rl:resource'], 1000);
    await again.release();
  });

  it('a lock on several resources is all or nothing', async () => {
    const redlock = new Redlock([redis], { retryCount: 0 });
    await redis.set('rl:b', 'someone-else');
    await expect(redlock.acquire(['rl:a', 'rl:b'], 5000)).rejects.toBeInstanceOf(ExecutionError);
    expect(await redis.exists('rl:a')).toBe(0);
    await redis.del('rl:b');
    const lock = await redlock.acquire(['rl:a', 'rl:b'], 5000);
    expect(await redis.exists('rl:a', 'rl:b')).toBe(2);
    await lock.release();
    expect(await redis.exists('rl:a', 'rl:b')).toBe(0);
  });

  it('works after SCRIPT FLUSH (NOSCRIPT, then EVAL)', async () => {
    const redlock = new Redlock([redis], { retryCount: 0 });
    await redis.script('FLUSH');
    const lock = await redlock.acquire(['rl:flushed'], 2000);
    await lock.release();
    expect(await redis.exists('rl:flushed')).toBe(0);
  });
});

describe('rate-limiter-flexible', () => {
  it('RateLimiterRedis allows the points, then refuses with the time left', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rlf', points: 3, duration: 60 });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await limiter.consume('user1'));
    expect(results.map((r) => r.remainingPoints)).toEqual([2, 1, 0]);
    const refused = await limiter.consume('user1').then(
      () => undefined,
      (r: { remainingPoints: number; msBeforeNext: number }) => r,
    );
    expect(refused).toBeDefined();
    expect(refused!.remainingPoints).toBe(0);
    expect(refused!.msBeforeNext).toBeGreaterThan(0);
    expect(refused!.msBeforeNext).toBeLessThanOrEqual(60000);
    // Another key has its own points.
    expect((await limiter.consume('user2')).remainingPoints).toBe(2);
    expect(Number(await redis.get('rlf:user1'))).toBe(4);
  });

  it('penalty and reward adjust the count', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rlf2', points: 10, duration: 60 });
    await limiter.consume('u', 2);
    await limiter.penalty('u', 3);
    await limiter.reward('u', 1);
    expect((await limiter.get('u'))!.consumedPoints).toBe(4);
  });
});
