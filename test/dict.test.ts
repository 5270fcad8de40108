// OrderedDict (src/data/dict.ts): insertion order, seq cursors that survive growth, deletion
// and compaction, and uniform-enough random picks. SCAN, HSCAN and SSCAN rest on these.
import { describe, expect, it } from 'vitest';
import { OrderedDict, type DictEntry } from '../src/data/dict.js';
import { rng } from './helpers.js';

interface E extends DictEntry {
  v: number;
}

const entry = (key: string, v = 0): E => ({ key, seq: 0, v });

/** A full cursor walk, `count` per step, with `between` run after every step. */
function walk(d: OrderedDict<E>, count: number, between: () => void = () => {}): string[] {
  const seen: string[] = [];
  let cursor = 0;
  do {
    const out: E[] = [];
    cursor = d.scan(cursor, count, out);
    for (const e of out) seen.push(e.key);
    between();
  } while (cursor !== 0);
  return seen;
}

describe('OrderedDict', () => {
  it('keeps insertion order; seqs start at 1 and only grow', () => {
    const d = new OrderedDict<E>();
    for (const k of ['c', 'a', 'b']) d.add(entry(k));
    expect([...d.values()].map((e) => e.key)).toEqual(['c', 'a', 'b']);
    expect([...d.values()].map((e) => e.seq)).toEqual([1, 2, 3]);
    d.delete('c');
    d.add(entry('c'));
    expect([...d.values()].map((e) => [e.key, e.seq])).toEqual([['a', 2], ['b', 3], ['c', 4]]);
    expect(d.size).toBe(3);
    expect(d.get('a')?.seq).toBe(2);
    expect(d.has('zz')).toBe(false);
    expect(d.delete('zz')).toBeUndefined();
  });

  it('scan returns the next seq as cursor and 0 at the end', () => {
    const d = new OrderedDict<E>();
    for (let i = 0; i < 5; i++) d.add(entry(`k${i}`));
    const out: E[] = [];
    expect(d.scan(0, 2, out)).toBe(3);
    expect(d.scan(3, 2, out)).toBe(5);
    expect(d.scan(5, 2, out)).toBe(0);
    expect(out.map((e) => e.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(d.scan(99, 10, [])).toBe(0);
    expect(new OrderedDict<E>().scan(0, 10, [])).toBe(0);
  });

  it('tombstones are skipped and compacted away once they are half the slots', () => {
    const d = new OrderedDict<E>();
    for (let i = 0; i < 100; i++) d.add(entry(`k${i}`));
    for (let i = 0; i < 100; i += 2) d.delete(`k${i}`);
    expect(d.size).toBe(50);
    expect(walk(d, 7)).toEqual([...d.values()].map((e) => e.key));
    for (let i = 1; i < 100; i += 2) d.delete(`k${i}`);
    expect(d.size).toBe(0);
    expect([...d.values()]).toEqual([]);
    expect(d.random()).toBeUndefined();
  });

  it('a walk never misses an entry present throughout, nor returns one twice, under churn (fixed seed)', () => {
    for (const seed of [1, 2, 3]) {
      const rand = rng(seed);
      const d = new OrderedDict<E>();
      const stable = new Set<string>();
      for (let i = 0; i < 300; i++) {
        d.add(entry(`s${i}`));
        stable.add(`s${i}`);
      }
      let next = 0;
      const churn: string[] = [];
      // A walk ends while the dictionary grows slower than it advances (as Redis's SCAN).
      const seen = walk(d, 5 + Math.floor(rand() * 20), () => {
        // Grow by more than we shrink, delete at random: compactions happen along the way.
        for (let k = 0; k < 14; k++) {
          const key = `c${next++}`;
          d.add(entry(key));
          churn.push(key);
        }
        for (let k = 0; k < 12 && churn.length; k++) d.delete(churn.splice(Math.floor(rand() * churn.length), 1)[0]!);
      });
      for (const k of stable) expect(seen).toContain(k);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it('an iterator survives deletions and compaction under it', () => {
    const d = new OrderedDict<E>();
    for (let i = 0; i < 50; i++) d.add(entry(`k${i}`));
    const got: string[] = [];
    for (const e of d.values()) {
      got.push(e.key);
      // Delete everything behind and a few ahead: compaction replaces the array mid-walk.
      if (e.key === 'k10') for (let i = 0; i < 40; i++) if (i !== 10) d.delete(`k${i}`);
    }
    expect(got).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10',
      ...Array.from({ length: 10 }, (_, i) => `k${40 + i}`)]);
  });

  it('random picks only live entries and reaches all of them', () => {
    const d = new OrderedDict<E>();
    for (let i = 0; i < 10; i++) d.add(entry(`k${i}`));
    for (let i = 0; i < 10; i += 3) d.delete(`k${i}`);
    const hits = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const k = d.random()!.key;
      hits.set(k, (hits.get(k) ?? 0) + 1);
    }
    expect([...hits.keys()].sort()).toEqual([...d.values()].map((e) => e.key).sort());
    for (const n of hits.values()) expect(n).toBeGreaterThan(400);
  });
});
