// The MEMORY family: USAGE (Redis's figures for small values), MALLOC-STATS, PURGE, DOCTOR, STATS,
// and used_memory following the dataset.
import { describe, expect, it } from 'vitest';
import { RawClient, startServer } from './helpers.js';

describe('MEMORY', () => {
  it('USAGE: Redis\'s figures for small values, null for a missing key, SAMPLES', async () => {
    const s = await startServer();
    const c = await RawClient.connect(s.port);
    await c.call('SET', 'foo', 'bar');
    await c.call('SET', 'n', '123');
    await c.call('SET', 'long', 'x'.repeat(100));
    await c.call('HSET', 'h', 'a', '1', 'b', '2');
    await c.call('SADD', 's', '1', '2', '3');
    await c.call('ZADD', 'z', '1', 'a', '2', 'b');
    // redis-server 7.0.15 (jemalloc) answers the same for these.
    expect(await c.call('MEMORY', 'USAGE', 'foo')).toBe(':64\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'n')).toBe(':48\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'long')).toBe(':160\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'h')).toBe(':80\r\n');
    expect(await c.call('MEMORY', 'USAGE', 's')).toBe(':64\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'z')).toBe(':80\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'nosuch')).toBe('$-1\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'foo', 'SAMPLES', '-1')).toBe('-ERR syntax error\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'foo', 'SAMPLES', '0')).toBe(':64\r\n');
    expect(await c.call('MEMORY', 'USAGE', 'foo', 'BAD')).toBe('-ERR syntax error\r\n');
    expect(await c.call('MEMORY', 'MALLOC-STATS')).toBe('$45\r\nStats not supported for the current allocator\r\n');
    expect(await c.call('MEMORY', 'PURGE')).toBe('+OK\r\n');
    expect(await c.call('MEMORY', 'DOCTOR')).toMatch(/^\$\d+\r\nHi Sam, this instance is empty or is using very little memory/);
    expect(await c.call('MEMORY', 'STATS')).toMatch(/^\*\d+\r\n\$14\r\npeak\.allocated\r\n:\d+\r\n\$15\r\ntotal\.allocated\r\n/);
    c.close();
  });

  it('used_memory moves with the dataset: up with keys, down at once when they go', async () => {
    const s = await startServer();
    const c = await RawClient.connect(s.port);
    // Client buffers (this client's reply buffer resizes with its replies) are left out.
    const used = async () => {
      const info = await c.call('INFO', 'memory');
      return Number(/used_memory:(\d+)/.exec(info)![1]) - Number(/mem_clients_normal:(\d+)/.exec(info)![1]);
    };
    const empty = await used();
    expect(await c.call('DEBUG', 'POPULATE', '10000', 'k', '100')).toBe('+OK\r\n');
    const full = await used();
    expect(full - empty).toBeGreaterThan(10000 * 100);
    await c.call('FLUSHALL');
    expect(await used()).toBe(empty);
    c.close();
  });
});
