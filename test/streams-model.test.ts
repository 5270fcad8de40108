// Streams against a model: a seeded random run of XADD (explicit, ms-* and trimming), XDEL, XTRIM
// (exact and ~), XREADGROUP, XACK, XCLAIM and XAUTOCLAIM, with every read (XRANGE, XREVRANGE,
// XLEN, XPENDING, XINFO GROUPS) compared with a plain array-and-maps model of what Redis
// specifies. Small nodes (stream-node-max-entries 4, -max-bytes 200) make every run split,
// tombstone and drop many listpack nodes.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { rng, startServer } from './helpers.js';

const server = await startServer();
const redis = new Redis(server.port, '127.0.0.1');
afterAll(async () => {
  await redis.quit();
});

type Id = [number, number];
const cmp = (a: Id, b: Id): number => a[0] - b[0] || a[1] - b[1];
const fmt = (id: Id): string => `${id[0]}-${id[1]}`;
const parse = (s: string): Id => s.split('-').map(Number) as Id;

interface Pending {
  consumer: string;
  count: number;
}
interface Group {
  last: Id;
  pel: Map<string, Pending>;
  consumers: Set<string>;
}

class Model {
  entries: { id: Id; fv: string[] }[] = [];
  last: Id = [0, 0];
  groups = new Map<string, Group>();

  add(id: Id, fv: string[]): void {
    this.entries.push({ id, fv });
    this.last = id;
  }
  del(id: Id): number {
    const i = this.entries.findIndex((e) => cmp(e.id, id) === 0);
    if (i < 0) return 0;
    this.entries.splice(i, 1);
    return 1;
  }
  range(start: Id, end: Id): { id: Id; fv: string[] }[] {
    return this.entries.filter((e) => cmp(e.id, start) >= 0 && cmp(e.id, end) <= 0);
  }
  has(id: string): boolean {
    return this.entries.some((e) => fmt(e.id) === id);
  }
}

const asReply = (es: { id: Id; fv: string[] }[]): [string, string[]][] => es.map((e) => [fmt(e.id), e.fv]);

async function run(seed: number, steps: number): Promise<void> {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const key = `model:${seed}`;
  const m = new Model();
  const consumers = ['c1', 'c2', 'c3'];
  let ms = 1;
  const done = new Map<string, number>();
  const tally = (what: string): void => void done.set(what, (done.get(what) ?? 0) + 1);
  for (let step = 0; step < steps; step++) {
    const op = r();
    if (op < 0.4) {
      // XADD: a new ms, or the same ms with the next sequence (ms-*).
      const fv = r() < 0.7 ? ['f', String(step), 'g', 'x'.repeat(Math.floor(r() * 20))] : ['other', String(step)];
      let id: Id;
      let arg: string;
      if (r() < 0.3 && m.last[0] > 0) {
        id = [m.last[0], m.last[1] + 1];
        arg = `${m.last[0]}-*`;
      } else {
        ms += 1 + Math.floor(r() * 3);
        id = [ms, 0];
        arg = `${ms}-0`;
      }
      tally('xadd');
      expect(await redis.xadd(key, arg, ...fv)).toBe(fmt(id));
      m.add(id, fv);
    } else if (op < 0.5 && m.entries.length) {
      const target = r() < 0.8 ? pick(m.entries).id : [ms + 100, 0] as Id;
      tally('xdel');
      expect(await redis.xdel(key, fmt(target))).toBe(m.del(target));
    } else if (op < 0.55) {
      const keep = Math.floor(r() * 40);
      const approx = r() < 0.5;
      const removed = (await redis.call('XTRIM', key, 'MAXLEN', approx ? '~' : '=', keep)) as number;
      if (approx) {
        // Whole nodes from the head only: never below the threshold, always a prefix.
        expect(removed).toBeLessThanOrEqual(Math.max(0, m.entries.length - keep));
      } else expect(removed).toBe(Math.max(0, m.entries.length - keep));
      m.entries.splice(0, removed);
      tally(approx ? 'xtrim~' : 'xtrim=');
    } else if (op < 0.58 && m.entries.length) {
      const minid = pick(m.entries).id;
      const removed = await redis.xtrim(key, 'MINID', fmt(minid));
      const before = m.entries.findIndex((e) => cmp(e.id, minid) >= 0);
      tally('xtrim minid');
      expect(removed).toBe(before < 0 ? m.entries.length : before);
      m.entries.splice(0, removed);
    } else if (op < 0.62 && !m.groups.has('g') && m.entries.length) {
      await redis.xgroup('CREATE', key, 'g', '0');
      m.groups.set('g', { last: [0, 0], pel: new Map(), consumers: new Set() });
    } else if (op < 0.75 && m.groups.has('g')) {
      const g = m.groups.get('g')!;
      const c = pick(consumers);
      const count = 1 + Math.floor(r() * 5);
      const got = (await redis.xreadgroup('GROUP', 'g', c, 'COUNT', count, 'STREAMS', key, '>')) as [string, [string, string[]][]][] | null;
      const fresh = m.entries.filter((e) => cmp(e.id, g.last) > 0).slice(0, count);
      g.consumers.add(c);
      tally(fresh.length ? 'xreadgroup' : 'xreadgroup empty');
      if (fresh.length === 0) expect(got).toBeNull();
      else {
        expect(got).toEqual([[key, asReply(fresh)]]);
        for (const e of fresh) g.pel.set(fmt(e.id), { consumer: c, count: 1 });
        g.last = fresh[fresh.length - 1]!.id;
      }
    } else if (op < 0.82 && m.groups.get('g')?.pel.size) {
      const g = m.groups.get('g')!;
      const ids = [...g.pel.keys()].filter(() => r() < 0.5);
      tally('xack');
      expect(await redis.xack(key, 'g', ...ids, '999999-0')).toBe(ids.length);
      for (const id of ids) g.pel.delete(id);
    } else if (op < 0.88 && m.groups.get('g')?.pel.size) {
      const g = m.groups.get('g')!;
      const c = pick(consumers);
      const ids = [...g.pel.keys()].filter(() => r() < 0.4);
      const claimed = (await redis.xclaim(key, 'g', c, 0, ...(ids.length ? ids : ['1-0']), 'JUSTID')) as string[];
      // Entries deleted from the stream leave the PEL instead of being claimed.
      const live = ids.filter((id) => m.has(id));
      tally('xclaim');
      expect(claimed).toEqual(live);
      g.consumers.add(c);
      for (const id of ids) {
        if (m.has(id)) g.pel.set(id, { consumer: c, count: g.pel.get(id)!.count });
        else g.pel.delete(id);
      }
    } else if (op < 0.92 && m.groups.get('g')?.pel.size) {
      const g = m.groups.get('g')!;
      const c = pick(consumers);
      const [next, claimed, deleted] = (await redis.xautoclaim(key, 'g', c, 0, '0', 'COUNT', 3)) as [string, [string, string[] | null][], string[]];
      g.consumers.add(c);
      const order = [...g.pel.keys()].map(parse).sort(cmp).map(fmt);
      let budget = 3;
      const wantClaimed: string[] = [];
      const wantDeleted: string[] = [];
      let i = 0;
      for (; i < order.length && budget > 0; i++, budget--) (m.has(order[i]!) ? wantClaimed : wantDeleted).push(order[i]!);
      expect(claimed.map((e) => e[0])).toEqual(wantClaimed);
      tally(wantDeleted.length ? 'xautoclaim with deleted' : 'xautoclaim');
      expect(deleted).toEqual(wantDeleted);
      expect(next).toBe(i < order.length ? order[i] : '0-0');
      for (const id of wantClaimed) g.pel.set(id, { consumer: c, count: g.pel.get(id)!.count + 1 });
      for (const id of wantDeleted) g.pel.delete(id);
    } else {
      // Reads, compared whole.
      tally('reads');
      const a = m.entries.length ? pick(m.entries).id : ([0, 0] as Id);
      const b = m.entries.length ? pick(m.entries).id : ([0, 0] as Id);
      const [lo, hi] = cmp(a, b) <= 0 ? [a, b] : [b, a];
      expect(await redis.xrange(key, fmt(lo), fmt(hi))).toEqual(asReply(m.range(lo, hi)));
      expect(await redis.xrevrange(key, '+', '-', 'COUNT', 7)).toEqual(asReply([...m.entries].reverse().slice(0, 7)));
      expect(await redis.xrange(key, `(${fmt(lo)}`, '+', 'COUNT', 3)).toEqual(asReply(m.entries.filter((e) => cmp(e.id, lo) > 0).slice(0, 3)));
    }
    if (step % 25 === 0 || step === steps - 1) {
      expect(await redis.xlen(key)).toBe(m.entries.length);
      expect(await redis.xrange(key, '-', '+')).toEqual(asReply(m.entries));
      const g = m.groups.get('g');
      if (g) {
        const summary = (await redis.xpending(key, 'g')) as [number, string | null, string | null, [string, string][] | null];
        expect(summary[0]).toBe(g.pel.size);
        const perConsumer = new Map<string, number>();
        for (const p of g.pel.values()) perConsumer.set(p.consumer, (perConsumer.get(p.consumer) ?? 0) + 1);
        const want = [...perConsumer].sort(([x], [y]) => (x < y ? -1 : 1)).map(([c, n]) => [c, String(n)]);
        expect(summary[3] ?? []).toEqual(want);
        const rows = (await redis.xpending(key, 'g', '-', '+', 1000)) as [string, string, number, number][];
        expect(rows.map((x) => [x[0], x[1], x[3]])).toEqual([...g.pel].map(([id, p]) => [id, p.consumer, p.count] as const).sort((x, y) => cmp(parse(x[0]), parse(y[0]))));
        const [info] = (await redis.xinfo('GROUPS', key)) as unknown[][];
        expect(info![info!.indexOf('last-delivered-id') + 1]).toBe(fmt(g.last));
        expect(info![info!.indexOf('consumers') + 1]).toBe(g.consumers.size);
      }
    }
  }
  // Every kind of step ran (a run that skipped one would test less than it says).
  for (const what of ['xadd', 'xdel', 'xtrim~', 'xtrim=', 'xtrim minid', 'xreadgroup', 'xack', 'xclaim', 'reads']) expect(done.get(what) ?? 0).toBeGreaterThan(0);
}

describe('streams against a model', () => {
  it('three seeded runs of 400 random operations on small nodes', async () => {
    await redis.config('SET', 'stream-node-max-entries', '4');
    await redis.config('SET', 'stream-node-max-bytes', '200');
    try {
      for (const seed of [1, 2, 3]) await run(seed, 400);
    } finally {
      await redis.config('SET', 'stream-node-max-entries', '100');
      await redis.config('SET', 'stream-node-max-bytes', '4096');
    }
  }, 60000);
});
