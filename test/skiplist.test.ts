// The columnar skiplist on its own: node ids and pool blocks are reused after removals, the
// arrays grow across many doublings (old buffers handed to the detacher, as a server does), ranks
// and order agree with a sorted array through random inserts and deletes, and RedisZset gives a
// drained set's arrays back without breaking a ZSCAN under way.
import { describe, expect, it } from 'vitest';
import { freeArrayBuffer, setDetacher } from '../src/engine/release.js';
import { NIL, SkipList } from '../src/data/skiplist.js';
import { RedisZset } from '../src/data/zset.js';
import { rng } from './helpers.js';

type Item = [member: string, score: number];
const byScoreThenMember = (a: Item, b: Item) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A `random` for SkipList that gives the nodes exactly these levels, in turn. */
function levels(...wanted: number[]): () => number {
  const draws: number[] = [];
  for (const l of wanted) {
    for (let i = 1; i < l; i++) draws.push(0);
    draws.push(0.99);
  }
  return () => {
    const d = draws.shift();
    if (d === undefined) throw new Error('more nodes than levels given');
    return d;
  };
}

function walk(zsl: SkipList): Item[] {
  const out: Item[] = [];
  for (let id = zsl.first; id !== NIL; id = zsl.next(id)) out.push([zsl.member(id), zsl.score(id)]);
  return out;
}

describe('SkipList storage', () => {
  it('reuses the ids of removed nodes before growing', () => {
    const zsl = new SkipList(rng(1));
    const ids = Array.from({ length: 100 }, (_, i) => zsl.insert(i, `m${i}`));
    expect(new Set(ids).size).toBe(100);
    const capacity = zsl.capacity;
    const freed = ids.filter((_, i) => i % 2 === 0);
    for (const id of freed) zsl.remove(id);
    zsl.check();
    const again = Array.from({ length: 50 }, (_, i) => zsl.insert(i + 0.5, `n${i}`));
    expect(new Set(again)).toEqual(new Set(freed));
    expect(zsl.capacity).toBe(capacity);
    zsl.check();
    for (let i = 0; i < 50; i++) {
      expect(zsl.member(again[i])).toBe(`n${i}`);
      expect(zsl.score(again[i])).toBe(i + 0.5);
    }
    // One id past the old ones: the next insert takes a fresh id.
    const fresh = zsl.insert(1000, 'fresh');
    expect(ids.includes(fresh)).toBe(false);
    zsl.check();
  });

  it('gives a level-1 node no pool block and reuses freed blocks level by level', () => {
    const zsl = new SkipList(levels(9, 1, 1, 1, 5, 3, 2, 3, 1, 5, 3, 3, 2, 6, 2));
    // A level-9 node first: the header grows from 4 levels to 16 (its old block goes free).
    const headFirst = zsl.poolUsed;
    zsl.insert(0, 'A');
    expect(zsl.poolUsed).toBe(headFirst + 17 + 31);
    const before = zsl.poolUsed;
    zsl.insert(1, 'a');
    zsl.insert(2, 'b');
    zsl.insert(3, 'c');
    expect(zsl.poolUsed).toBe(before);
    const high = [zsl.insert(4, 'd'), zsl.insert(5, 'e'), zsl.insert(6, 'f'), zsl.insert(7, 'g')];
    expect(high.map((id) => zsl.level(id))).toEqual([5, 3, 2, 3]);
    // Blocks of 2L - 1 slots: 9 + 5 + 3 + 5.
    expect(zsl.poolUsed).toBe(before + 22);
    const filled = zsl.poolUsed;
    zsl.insert(8, 'h');
    expect(zsl.poolUsed).toBe(filled);
    for (const id of high) zsl.remove(id);
    zsl.check();
    // The same levels again, in another order: every block comes off a free list.
    zsl.insert(10, 'i');
    zsl.insert(11, 'j');
    zsl.insert(12, 'k');
    zsl.insert(13, 'l');
    expect(zsl.poolUsed).toBe(filled);
    zsl.check();
    // A level no freed node had takes new slots, and one whose free list is empty too.
    zsl.insert(14, 'm');
    expect(zsl.poolUsed).toBe(filled + 11);
    zsl.insert(15, 'n');
    expect(zsl.poolUsed).toBe(filled + 14);
    zsl.check();
    expect(walk(zsl).map(([m]) => m)).toEqual(['A', 'a', 'b', 'c', 'h', 'i', 'j', 'k', 'l', 'm', 'n']);
  });

  it('grows across many doublings, big old buffers going to the detacher', () => {
    const detached: number[] = [];
    // Detach for real (a transfer), so a stale view would read as empty and the checks fail.
    setDetacher((ab) => {
      detached.push(ab.byteLength);
      structuredClone(ab, { transfer: [ab] });
    });
    try {
      const rand = rng(5);
      const zsl = new SkipList(rng(6));
      const n = 200_000;
      const items: Item[] = [];
      for (let i = 0; i < n; i++) {
        const item: Item = [`member:${i}`, Math.floor(rand() * 50_000)];
        items.push(item);
        zsl.insert(item[1], item[0]);
      }
      // 4 slots doubled up to 2^18 (the header takes one).
      expect(zsl.capacity).toBe(262_144);
      expect(zsl.length).toBe(n);
      zsl.check();
      items.sort(byScoreThenMember);
      expect(walk(zsl)).toEqual(items);
      for (let r = 0; r < n; r += 997) {
        const id = zsl.at(r);
        expect([zsl.member(id), zsl.score(id)]).toEqual(items[r]);
        expect(zsl.rankOf(items[r][1], items[r][0])).toBe(r);
      }
      expect(detached.length).toBeGreaterThan(0);
      expect(detached.every((b) => b >= 65536)).toBe(true);
    } finally {
      setDetacher(() => {});
    }
  });

  it('keeps ranks and order right through random inserts and deletes, against a sorted array', () => {
    const rand = rng(77);
    const int = (k: number) => Math.floor(rand() * k);
    const zsl = new SkipList(rng(78));
    const ids = new Map<string, number>();
    const scores = new Map<string, number>();
    for (let step = 0; step < 6000; step++) {
      const m = `k${int(1500)}`;
      const op = int(10);
      if (op < 5 && !ids.has(m)) {
        const s = int(100) / 4;
        ids.set(m, zsl.insert(s, m));
        scores.set(m, s);
      } else if (op < 8 && ids.has(m)) {
        zsl.remove(ids.get(m)!);
        ids.delete(m);
        scores.delete(m);
      } else if (op === 8 && ids.has(m)) {
        const s = int(100) / 4;
        zsl.updateScore(ids.get(m)!, s);
        scores.set(m, s);
      } else {
        const sorted = [...scores].sort(byScoreThenMember);
        const r = int(sorted.length + 2) - 1;
        const id = zsl.at(r);
        expect(id === NIL ? null : [zsl.member(id), zsl.score(id)], `step ${step}`).toEqual(sorted[r] ?? null);
        const want = sorted.findIndex(([x]) => x === m);
        expect(zsl.rankOf(scores.get(m) ?? 0, m), `step ${step}`).toBe(want);
      }
      if (step % 500 === 0) {
        zsl.check();
        expect(walk(zsl)).toEqual([...scores].sort(byScoreThenMember));
      }
    }
    zsl.check();
    const sorted = [...scores].sort(byScoreThenMember);
    expect(walk(zsl)).toEqual(sorted);
    sorted.forEach(([m, s], r) => expect(zsl.rankOf(s, m)).toBe(r));
    const back: Item[] = [];
    for (let id = zsl.last; id !== NIL; id = zsl.prev(id)) back.push([zsl.member(id), zsl.score(id)]);
    expect(back.reverse()).toEqual(sorted);
  });

  it('freeArrayBuffer leaves small buffers to the collector', () => {
    const seen: number[] = [];
    setDetacher((ab) => seen.push(ab.byteLength));
    try {
      freeArrayBuffer(new ArrayBuffer(65535));
      freeArrayBuffer(new ArrayBuffer(65536));
      expect(seen).toEqual([65536]);
    } finally {
      setDetacher(() => {});
    }
  });
});

describe('RedisZset over the columnar skiplist', () => {
  it('rebuilds a drained set at its size, keeping a ZSCAN under way exact', () => {
    const zs = new RedisZset(rng(9));
    for (let i = 0; i < 20_000; i++) zs.insert(`m${i}`, i % 37);
    expect(zs.capacity).toBe(32_768);
    const seen = new Map<string, number>();
    const visit = (id: number) => seen.set(zs.memberOf(id), (seen.get(zs.memberOf(id)) ?? 0) + 1);
    let cursor = zs.scan(0, 100, visit);
    // Drain all but the members m0..m199 (ZREM one by one, then a ZREMRANGEBYSCORE-like sweep).
    for (let i = 200; i < 10_000; i++) zs.delete(`m${i}`);
    zs.check();
    for (let i = 10_000; i < 20_000; i++) zs.setScore(`m${i}`, 1000);
    expect(zs.deleteScoreRange({ min: 1000, max: 1000, minex: false, maxex: false })).toBe(10_000);
    zs.check();
    expect(zs.size).toBe(200);
    expect(zs.capacity).toBeLessThan(4096);
    while (cursor !== 0) cursor = zs.scan(cursor, 100, visit);
    for (let i = 0; i < 200; i++) expect(seen.get(`m${i}`), `m${i}`).toBe(1);
    for (const n of seen.values()) expect(n).toBe(1);
    // Still a working set after the rebuild.
    zs.insert('late', -1);
    expect(zs.rank('late', false)).toBe(0);
    const sorted: Item[] = [['late', -1], ...Array.from({ length: 200 }, (_, i): Item => [`m${i}`, i % 37])];
    sorted.sort(byScoreThenMember);
    sorted.forEach(([m], r) => expect(zs.rank(m, false), m).toBe(r));
    zs.check();
  });
});
