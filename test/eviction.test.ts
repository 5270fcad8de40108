// maxmemory and maxmemory-policy: keys evicted before a command runs while used_memory is over
// the limit, as each policy picks them; -OOM for deny-oom commands when nothing can go (and
// EXECABORT for a transaction that queued one); evicted_keys and `evicted` notifications.
// Limits are set a little above the empty server's used_memory, so tests don't depend on the heap.
import { describe, expect, it } from 'vitest';
import { RawClient, startServer, until } from './helpers.js';

const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
const VALUE = 'v'.repeat(1000);

async function server(policy: string, headroom = 200_000, extra: Record<string, string | number> = {}) {
  const s = await startServer({ 'maxmemory-policy': policy, ...extra });
  const c = await RawClient.connect(s.port);
  const used = Number(/used_memory:(\d+)/.exec(await c.call('INFO', 'memory'))![1]);
  expect(await c.call('CONFIG', 'SET', 'maxmemory', String(used + headroom))).toBe('+OK\r\n');
  return { s, c };
}

async function count(c: RawClient): Promise<number> {
  return Number(/^:(\d+)/.exec(await c.call('DBSIZE'))![1]);
}

async function exists(c: RawClient, keys: string[]): Promise<number> {
  return Number(/^:(\d+)/.exec(await c.call('EXISTS', ...keys))![1]);
}

describe('maxmemory', () => {
  it('noeviction: deny-oom commands get -OOM, reads and deletes still run; EXECABORT for a queued one', async () => {
    const { c } = await server('noeviction');
    let reply = '';
    let i = 0;
    for (; i < 1000 && reply !== OOM; i++) reply = await c.call('SET', `k${i}`, VALUE);
    expect(reply).toBe(OOM);
    expect(await count(c)).toBeGreaterThan(50);
    expect(await c.call('GET', 'k0')).toBe(`$1000\r\n${VALUE}\r\n`);
    expect(await c.call('MULTI')).toBe('+OK\r\n');
    expect(await c.call('SET', 'x', 'y')).toBe(OOM);
    expect(await c.call('EXEC')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    expect(await c.call('DEL', 'k0', 'k1', 'k2', 'k3', 'k4')).toBe(':5\r\n');
    expect(await c.call('SET', 'x', 'y')).toBe('+OK\r\n');
    expect(await c.call('INFO', 'stats')).toMatch(/evicted_keys:0\r\n/);
    expect(await c.call('INFO', 'commandstats')).toMatch(/cmdstat_set:calls=\d+,.*rejected_calls=2,/);
    c.close();
  });

  it('allkeys-random: the key count levels off, evicted_keys counts, `evicted` events are published', async () => {
    const { s, c } = await server('allkeys-random', 200_000, { 'notify-keyspace-events': 'Ee' });
    const sub = await RawClient.connect(s.port);
    await sub.call('SUBSCRIBE', '__keyevent@0__:evicted');
    for (let i = 0; i < 1000; i++) expect(await c.call('SET', `k${i}`, VALUE)).toBe('+OK\r\n');
    const n = await count(c);
    expect(n).toBeGreaterThan(50);
    expect(n).toBeLessThan(400);
    const evicted = Number(/evicted_keys:(\d+)/.exec(await c.call('INFO', 'stats'))![1]);
    expect(evicted).toBe(1000 - n);
    const info = await c.call('INFO', 'memory');
    expect(Number(/used_memory:(\d+)/.exec(info)![1])).toBeLessThanOrEqual(Number(/maxmemory:(\d+)/.exec(info)![1]));
    expect(await sub.waitMatch(/\$21\r\n__keyevent@0__:evicted\r\n\$\d+\r\nk\d+\r\n/)).toBeTruthy();
    sub.close();
    c.close();
  });

  it('volatile-*: keys without a deadline are never evicted; with none left, -OOM', async () => {
    for (const policy of ['volatile-random', 'volatile-lru', 'volatile-lfu', 'volatile-ttl']) {
      const { c } = await server(policy);
      for (let i = 0; i < 60; i++) await c.call('SET', `p${i}`, VALUE);
      let reply = '';
      for (let i = 0; i < 400; i++) {
        reply = await c.call('SET', `v${i}`, VALUE, 'EX', '1000');
        if (reply !== '+OK\r\n') break;
      }
      expect(await exists(c, Array.from({ length: 60 }, (_, i) => `p${i}`)), policy).toBe(60);
      // Filling on with persistent keys: the volatile ones go first, then nothing can.
      for (let i = 60; i < 1000 && reply !== OOM; i++) reply = await c.call('SET', `p${i}`, VALUE);
      expect(reply, policy).toBe(OOM);
      expect(await c.call('EXISTS', 'v399'), policy).toBe(':0\r\n');
      c.close();
    }
  });

  it('volatile-ttl evicts the nearest deadlines first', async () => {
    const { c } = await server('volatile-ttl', 200_000, { 'maxmemory-samples': 10 });
    // Far deadlines first, then keys that expire sooner.
    for (let i = 0; i < 100; i++) await c.call('SET', `far${i}`, VALUE, 'EX', '100000');
    for (let i = 0; i < 300; i++) await c.call('SET', `near${i}`, VALUE, 'EX', String(1000 + i));
    const far = await exists(c, Array.from({ length: 100 }, (_, i) => `far${i}`));
    const near = await exists(c, Array.from({ length: 300 }, (_, i) => `near${i}`));
    expect(far + near).toBeLessThan(400);
    // What went was (almost) all near ones.
    expect(100 - far).toBeLessThan((300 - near) / 4);
    c.close();
  });

  it('allkeys-lru keeps recently used keys rather than idle ones', async () => {
    const { c } = await server('allkeys-lru', 200_000, { 'maxmemory-samples': 10 });
    for (let i = 0; i < 100; i++) await c.call('SET', `old${i}`, VALUE);
    // The LRU clock counts seconds: wait until the old keys show an idle second.
    await until(() => c.call('OBJECT', 'IDLETIME', 'old99'), (r) => r !== ':0\r\n', 5000, 50);
    for (let i = 0; i < 100; i++) await c.call('SET', `new${i}`, VALUE);
    const old = await exists(c, Array.from({ length: 100 }, (_, i) => `old${i}`));
    const young = await exists(c, Array.from({ length: 100 }, (_, i) => `new${i}`));
    expect(old + young).toBeLessThan(200);
    expect(100 - old).toBeGreaterThan((100 - young) * 3);
    c.close();
  });

  it('allkeys-lfu keeps frequently used keys rather than rarely used ones', async () => {
    const { c } = await server('allkeys-lfu', 200_000, { 'maxmemory-samples': 10, 'lfu-log-factor': 0 });
    for (let i = 0; i < 100; i++) await c.call('SET', `hot${i}`, VALUE);
    for (let r = 0; r < 5; r++) for (let i = 0; i < 100; i++) await c.call('GET', `hot${i}`);
    for (let i = 0; i < 100; i++) await c.call('SET', `cold${i}`, VALUE);
    const hot = await exists(c, Array.from({ length: 100 }, (_, i) => `hot${i}`));
    const cold = await exists(c, Array.from({ length: 100 }, (_, i) => `cold${i}`));
    expect(hot + cold).toBeLessThan(200);
    expect(100 - cold).toBeGreaterThan((100 - hot) * 3);
    c.close();
  });
});
