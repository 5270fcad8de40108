// Model-based tests of the sorted set: random operation sequences (fixed seeds) checked against
// a plain sorted array. First the skiplist-backed RedisZset directly (every rank, range and
// invariant after each step), then the server through ioredis with ZADD/ZINCRBY/ZREM/ZRANGE/
// ZRANK/ZPOPMIN/ZREMRANGEBYSCORE, on sets large enough to pass the listpack limit.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { LexRange, ScoreRange } from '../src/data/zset-range.js';
import { NIL, RedisZset } from '../src/data/zset.js';
import { startServer, rng } from './helpers.js';

type Item = [member: string, score: number];

/** The model: member -> score, sorted on demand by (score, member bytes). */
class Model {
  readonly scores = new Map<string, number>();
  sorted(): Item[] {
    return [...this.scores].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

const inScore = (s: number, r: ScoreRange) =>
  (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max);
const inLex = (m: string, r: LexRange) => {
  const lo = r.min.inf === -1 || (r.min.inf === 0 && (r.min.ex ? m > r.min.value : m >= r.min.value));
  const hi = r.max.inf === 1 || (r.max.inf === 0 && (r.max.ex ? m < r.max.value : m <= r.max.value));
  return lo && hi && r.min.inf !== 1 && r.max.inf !== -1;
};

describe('RedisZset and its skiplist against a sorted array', () => {
  it('keeps order, ranks, spans and ranges right through 3,000 random operations', () => {
    const rand = rng(20240611);
    const int = (n: number) => Math.floor(rand() * n);
    const zs = new RedisZset(rng(7));
    const model = new Model();
    const lexZs = new RedisZset(rng(8));
    const lexModel = new Model();
    let largest = 0;
    const member = () => `m${int(250)}`;
    const score = () => (int(8) === 0 ? [-Infinity, Infinity][int(2)] : int(40) / 2 - 5);
    const scoreRange = (): ScoreRange => {
      const a = score();
      const b = score();
      return { min: Math.min(a, b), max: Math.max(a, b), minex: int(2) === 0, maxex: int(2) === 0 };
    };
    const lexRange = (): LexRange => {
      const bound = (): LexRange['min'] =>
        int(6) === 0 ? { inf: int(2) === 0 ? -1 : 1 } : { inf: 0, value: member(), ex: int(2) === 0 };
      return { min: bound(), max: bound() };
    };
    for (let step = 0; step < 3000; step++) {
      // Phases of growth (removals mostly skipped) and of churn, so the set gets large and small.
      const growing = step % 1000 < 600;
      let op = int(10);
      if (growing && (op === 3 || op === 4 || op === 7) && int(5) !== 0) op = 0;
      const where = `step ${step} op ${op}`;
      if (op <= 2) {
        const m = member();
        const s = score();
        if (model.scores.has(m)) zs.setScore(m, s);
        else zs.insert(m, s);
        model.scores.set(m, s);
      } else if (op === 3) {
        const m = member();
        expect(zs.delete(m), where).toBe(model.scores.delete(m));
      } else if (op === 4 && model.scores.size > 0) {
        const max = int(2) === 0;
        const sorted = model.sorted();
        const want = max ? sorted[sorted.length - 1] : sorted[0];
        const got = max ? zs.last : zs.first;
        expect([zs.memberOf(got), zs.scoreOf(got)], where).toEqual(want);
        expect(zs.delete(want[0]), where).toBe(true);
        model.scores.delete(want[0]);
      } else if (op === 5) {
        const r = scoreRange();
        const sorted = model.sorted();
        const hit = sorted.filter(([, s]) => inScore(s, r));
        expect(zs.countScoreRange(r), where).toBe(hit.length);
        const first = zs.firstInScoreRange(r);
        const last = zs.lastInScoreRange(r);
        expect(first, where).toBe(hit.length ? sorted.indexOf(hit[0]) : -1);
        expect(last, where).toBe(hit.length ? sorted.indexOf(hit[hit.length - 1]) : -1);
        if (!growing && int(3) === 0) {
          expect(zs.deleteScoreRange(r), where).toBe(hit.length);
          for (const [m] of hit) model.scores.delete(m);
        }
      } else if (op === 6) {
        // Lex ranges are meant for members of equal score: a second set where every score is 0.
        const m = member();
        if (int(2) === 0) {
          if (!lexModel.scores.has(m)) lexZs.insert(m, 0);
          lexModel.scores.set(m, 0);
        } else {
          expect(lexZs.delete(m), where).toBe(lexModel.scores.delete(m));
        }
        const r = lexRange();
        const sorted = lexModel.sorted();
        const hit = sorted.filter(([x]) => inLex(x, r));
        expect(lexZs.countLexRange(r), where).toBe(hit.length);
        expect(lexZs.firstInLexRange(r), where).toBe(hit.length ? sorted.indexOf(hit[0]) : -1);
        expect(lexZs.lastInLexRange(r), where).toBe(hit.length ? sorted.indexOf(hit[hit.length - 1]) : -1);
        if (int(4) === 0) {
          expect(lexZs.deleteLexRange(r), where).toBe(hit.length);
          for (const [x] of hit) lexModel.scores.delete(x);
        }
        lexZs.check();
      } else if (op === 7 && model.scores.size > 0) {
        const sorted = model.sorted();
        const a = int(sorted.length);
        const b = Math.min(sorted.length - 1, a + int(4));
        expect(zs.deleteRankRange(a, b), where).toBe(b - a + 1);
        for (const [m] of sorted.slice(a, b + 1)) model.scores.delete(m);
      } else {
        const sorted = model.sorted();
        const m = member();
        const rank = sorted.findIndex(([x]) => x === m);
        expect(zs.rank(m, false), where).toBe(rank);
        expect(zs.rank(m, true), where).toBe(rank < 0 ? -1 : sorted.length - 1 - rank);
        expect(zs.score(m), where).toBe(model.scores.get(m));
        const r = int(sorted.length + 2) - 1;
        const node = zs.at(r);
        expect(node === NIL ? null : [zs.memberOf(node), zs.scoreOf(node)], where).toEqual(sorted[r] ?? null);
      }
      expect(zs.size, where).toBe(model.scores.size);
      largest = Math.max(largest, zs.size);
      if (step % 50 === 0 || step === 2999) {
        zs.check();
        const walk: Item[] = [];
        for (let n = zs.first; n !== NIL; n = zs.next(n)) walk.push([zs.memberOf(n), zs.scoreOf(n)]);
        expect(walk, where).toEqual(model.sorted());
        const back: Item[] = [];
        for (let n = zs.last; n !== NIL; n = zs.prev(n)) back.push([zs.memberOf(n), zs.scoreOf(n)]);
        expect(back.reverse(), where).toEqual(walk);
      }
    }
    expect(largest).toBeGreaterThan(100);
  });

  it('clone() is an independent copy; scan() visits members present throughout exactly once', () => {
    const rand = rng(99);
    const zs = new RedisZset(rng(3));
    for (let i = 0; i < 400; i++) zs.insert(`k${i}`, Math.floor(rand() * 50));
    const copy = zs.clone();
    copy.check();
    copy.delete('k1');
    expect(zs.score('k1')).toBeDefined();
    const seen = new Map<string, number>();
    let cursor = 0;
    let round = 0;
    do {
      cursor = zs.scan(cursor, 7, (n) => seen.set(zs.memberOf(n), (seen.get(zs.memberOf(n)) ?? 0) + 1));
      zs.insert(`new${round}`, round);
      zs.delete(`k${399 - round}`);
      zs.setScore(`k${round}`, 1000 + round);
      round++;
    } while (cursor !== 0);
    for (let i = 0; i < 400 - round; i++) expect(seen.get(`k${i}`), `k${i}`).toBe(1);
    for (const n of seen.values()) expect(n).toBe(1);
    zs.check();
  });
});

describe('the server against a sorted array', () => {
  it('agrees through 3,000 random ZADD/ZINCRBY/ZREM/ZRANGE/ZRANK/ZPOPMIN/ZREMRANGEBYSCORE', async () => {
    const server = await startServer();
    const redis = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    try {
      const rand = rng(424242);
      const int = (n: number) => Math.floor(rand() * n);
      const keys = ['ma', 'mb'];
      const models = new Map(keys.map((k) => [k, new Model()]));
      const member = () => `e${int(220)}`;
      const score = () => int(60) / 2 - 10;
      const flat = (items: Item[]) => items.flatMap(([m, s]) => [m, String(s)]);
      let largest = 0;
      for (let step = 0; step < 3000; step++) {
        const key = keys[int(keys.length)];
        const model = models.get(key)!;
        // Phases of growth (removals mostly skipped) and of churn: past the listpack limit and back.
        const growing = step % 1000 < 600;
        let op = int(9);
        if (growing && (op === 3 || op === 6 || op === 7) && int(4) !== 0) op = 0;
        const where = `step ${step} op ${op} on ${key}`;
        if (op <= 1) {
          const pairs: Item[] = Array.from({ length: 1 + int(4) }, () => [member(), score()]);
          const flags = [[], ['NX'], ['XX'], ['GT'], ['LT'], ['CH']][int(6)];
          const got = await redis.call('ZADD', key, ...flags, ...pairs.flatMap(([m, s]) => [String(s), m]));
          let added = 0;
          let changed = 0;
          for (const [m, s] of pairs) {
            const cur = model.scores.get(m);
            if (cur === undefined) {
              if (flags[0] === 'XX') continue;
              model.scores.set(m, s);
              added++;
            } else {
              if (flags[0] === 'NX' || (flags[0] === 'GT' && s <= cur) || (flags[0] === 'LT' && s >= cur)) continue;
              if (s !== cur) changed++;
              model.scores.set(m, s);
            }
          }
          expect(got, where).toBe(flags[0] === 'CH' ? added + changed : added);
        } else if (op === 2) {
          const m = member();
          const by = score();
          const next = (model.scores.get(m) ?? 0) + by;
          expect(Number(await redis.zincrby(key, by, m)), where).toBe(next);
          model.scores.set(m, next);
        } else if (op === 3) {
          const ms = [member(), member()];
          let n = 0;
          for (const m of new Set(ms)) if (model.scores.delete(m)) n++;
          expect(await redis.zrem(key, ...ms), where).toBe(n);
        } else if (op === 4) {
          const sorted = model.sorted();
          const a = int(sorted.length + 4) - 2;
          const b = int(sorted.length + 4) - 2;
          const s = a < 0 ? Math.max(sorted.length + a, 0) : a;
          const e = b < 0 ? sorted.length + b : Math.min(b, sorted.length - 1);
          const want = s > e || s >= sorted.length ? [] : sorted.slice(s, e + 1);
          expect(await redis.zrange(key, a, b, 'WITHSCORES'), where).toEqual(flat(want));
          const lo = score();
          const hi = lo + int(10);
          const byScore = sorted.filter(([, x]) => x > lo && x <= hi).reverse();
          expect(await redis.zrange(key, hi, `(${lo}`, 'BYSCORE', 'REV'), where).toEqual(byScore.map(([m]) => m));
        } else if (op === 5) {
          const sorted = model.sorted();
          const m = int(4) === 0 ? 'nosuch' : (sorted[int(sorted.length)]?.[0] ?? 'nosuch');
          const r = sorted.findIndex(([x]) => x === m);
          expect(await redis.zrank(key, m), where).toBe(r < 0 ? null : r);
          expect(await redis.zrevrank(key, m), where).toBe(r < 0 ? null : sorted.length - 1 - r);
        } else if (op === 6) {
          const n = 1 + int(3);
          const sorted = model.sorted();
          const want = sorted.slice(0, n);
          expect(await redis.zpopmin(key, n), where).toEqual(flat(want));
          for (const [m] of want) model.scores.delete(m);
        } else if (op === 7) {
          const lo = score();
          const hi = lo + int(4);
          const hit = model.sorted().filter(([, x]) => x >= lo && x < hi);
          expect(await redis.zremrangebyscore(key, lo, `(${hi}`), where).toBe(hit.length);
          for (const [m] of hit) model.scores.delete(m);
        } else {
          expect(await redis.zcard(key), where).toBe(model.scores.size);
          expect(await redis.exists(key), where).toBe(model.scores.size > 0 ? 1 : 0);
        }
        largest = Math.max(largest, model.scores.size);
        if (step % 250 === 249) {
          for (const k of keys) {
            const m = models.get(k)!;
            expect(await redis.zrange(k, 0, -1, 'WITHSCORES'), `${k} at step ${step}`).toEqual(flat(m.sorted()));
          }
        }
      }
      // The walk went past the listpack limit (128 members) on the way.
      expect(largest).toBeGreaterThan(128);
    } finally {
      redis.disconnect();
    }
  });
});
