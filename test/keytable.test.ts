// KeyTable (src/data/keytable.ts), the columnar storage of a database: slot reuse, deadlines kept
// only for volatile keys, cursor walks that never miss a key present throughout, and the top
// given back when the last slots empty. SCAN, RANDOMKEY and the active expiry cycle rest on these.
import { describe, expect, it } from 'vitest';
import { KeyTable } from '../src/data/keytable.js';
import { hashOf as keyHash } from '../src/data/string-index.js';
import { setDetacher } from '../src/engine/release.js';
import { rng } from './helpers.js';

/** A full cursor walk, `count` per step, with `between` run after every step. */
function walk(t: KeyTable<number>, count: number, between: () => void = () => {}): string[] {
  const seen: string[] = [];
  let cursor = 0;
  do {
    cursor = t.scan(cursor, count, seen);
    between();
  } while (cursor !== 0);
  return seen;
}

function remove(t: KeyTable<number>, key: string): void {
  t.remove(t.slotOf(key));
}

describe('KeyTable', () => {
  it('adds, finds and removes keys; a freed slot is reused', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 40; i++) t.add(`k${i}`, i, 0);
    expect(t.size).toBe(40);
    expect(t.valueAt(t.slotOf('k7'))).toBe(7);
    const s = t.slotOf('k7');
    remove(t, 'k7');
    expect(t.slotOf('k7')).toBe(-1);
    expect(t.add('again', 1, 0)).toBe(s);
    expect(t.size).toBe(40);
  });

  it('keeps deadlines only for volatile keys, swap-removing them', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 5; i++) t.add(`k${i}`, i, 0);
    for (let i = 0; i < 5; i += 2) t.setDeadline(t.slotOf(`k${i}`), 1000 + i);
    expect(t.volSlot.length).toBe(3);
    expect(t.deadline(t.slotOf('k1'))).toBe(-1);
    expect(t.deadline(t.slotOf('k2'))).toBe(1002);
    t.setDeadline(t.slotOf('k2'), 5);
    expect(t.deadline(t.slotOf('k2'))).toBe(5);
    expect(t.volSlot.length).toBe(3);
    t.dropDeadline(t.slotOf('k0'));
    remove(t, 'k4');
    expect(t.volSlot.length).toBe(1);
    expect(t.volSlot[0]).toBe(t.slotOf('k2'));
    expect(t.deadline(t.slotOf('k2'))).toBe(5);
  });

  it('gives back the free slots at the top, and the memory once mostly empty', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 1000; i++) t.add(`k${i}`, i, 0);
    for (let i = 999; i >= 10; i--) remove(t, `k${i}`);
    expect(t.top).toBe(10);
    expect(t.capacity).toBeLessThan(1000);
    // Out-of-order deletions: the top comes down once the highest slot goes.
    remove(t, 'k3');
    expect(t.top).toBe(10);
    remove(t, 'k9');
    expect(t.top).toBe(9);
    for (let i = 0; i < 9; i++) if (i !== 3) remove(t, `k${i}`);
    expect(t.top).toBe(0);
    expect(t.size).toBe(0);
    expect(t.add('x', 1, 0)).toBe(0);
  });

  it('a walk never misses a key present throughout under churn, nor repeats one never re-added (fixed seed)', () => {
    const rand = rng(7);
    const t = new KeyTable<number>();
    const stable: string[] = [];
    for (let i = 0; i < 300; i++) {
      stable.push(`s${i}`);
      t.add(`s${i}`, i, 0);
      t.add(`d${i}`, i, 0);
    }
    let fresh = 0;
    const live: string[] = [];
    const seen = walk(t, 7, () => {
      for (let k = 0; k < 5; k++) {
        const key = `n${fresh++}`;
        t.add(key, 0, 0);
        live.push(key);
      }
      for (let k = 0; k < 4 && live.length; k++) remove(t, live.splice(Math.floor(rand() * live.length), 1)[0]!);
      for (let k = 0; k < 3; k++) {
        const key = `d${Math.floor(rand() * 300)}`;
        if (t.slotOf(key) >= 0) remove(t, key);
      }
    });
    expect(new Set(seen).size).toBe(seen.length);
    const set = new Set(seen);
    for (const k of stable) expect(set.has(k), k).toBe(true);
  });

  it('a step looks at no more than 10 * count free slots', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 200; i++) t.add(`k${i}`, i, 0);
    for (let i = 0; i < 199; i++) remove(t, `k${i}`);
    const out: string[] = [];
    const next = t.scan(0, 2, out);
    expect(out).toEqual([]);
    expect(next).toBe(20);
    expect(walk(t, 2)).toEqual(['k199']);
  });

  it('random picks only live slots and reaches all of them', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 100; i++) t.add(`k${i}`, i, 0);
    for (let i = 0; i < 100; i++) if (i % 20 !== 0) remove(t, `k${i}`);
    const left = new Set(walk(t, 100));
    const got = new Set<string>();
    for (let i = 0; i < 2000; i++) got.add(t.keyAt(t.randomSlot())!);
    expect(got).toEqual(left);
    expect(new KeyTable<number>().randomSlot()).toBe(-1);
  });

  it('finds exactly the keys a Map model holds through random growth, deletion and shrinking (fixed seed)', () => {
    const rand = rng(11);
    const t = new KeyTable<number>();
    const model = new Map<string, number>();
    // Binary keys (every char a byte), the empty key and keys differing only near the end.
    const universe: string[] = [''];
    for (let i = 0; i < 2500; i++) {
      if (i % 3 === 0) universe.push(`user:${i}`);
      else if (i % 3 === 1) universe.push(String.fromCharCode(...Array.from({ length: 1 + (i % 9) }, (_, k) => (i * 31 + k * 97) & 255)));
      else universe.push(`k${'x'.repeat(i % 40)}${i}`);
    }
    const check = (key: string): void => {
      const s = t.slotOf(key);
      if (!model.has(key)) {
        expect(s, key).toBe(-1);
        return;
      }
      expect(s, key).toBeGreaterThanOrEqual(0);
      expect(t.keyAt(s)).toBe(key);
      expect(t.valueAt(s)).toBe(model.get(key));
    };
    // Present keys, for picking one to delete: swap-remove by position.
    const present: string[] = [];
    const pos = new Map<string, number>();
    const drop = (key: string): void => {
      const i = pos.get(key)!;
      const last = present.pop()!;
      if (last !== key) {
        present[i] = last;
        pos.set(last, i);
      }
      pos.delete(key);
      model.delete(key);
    };
    let ops = 0;
    // Grow to most of the universe, shrink to a handful, twice: the lookup table doubles and
    // halves, and deletions shift entries back across wrapped probe runs.
    for (const target of [1800, 8, 2100, 0]) {
      const growing = model.size < target;
      while (growing ? model.size < target : model.size > target) {
        if (rand() < (growing ? 0.9 : 0.2)) {
          const key = universe[Math.floor(rand() * universe.length)]!;
          const s = t.slotOf(key);
          if (s < 0) {
            t.add(key, ops, 0);
            pos.set(key, present.length);
            present.push(key);
          } else {
            t.setValue(s, ops);
          }
          model.set(key, ops);
        } else if (present.length > 0) {
          const key = present[Math.floor(rand() * present.length)]!;
          t.remove(t.slotOf(key));
          drop(key);
        }
        ops++;
        expect(t.size).toBe(model.size);
        if (ops % 7 === 0) check(universe[Math.floor(rand() * universe.length)]!);
      }
      for (const key of universe) check(key);
    }
    expect(t.size).toBe(0);
    expect(t.top).toBe(0);
  });

  it('hashes a key the same whichever string object holds it', () => {
    const a = `key:${12345}`;
    const b = ['key:', '12345'].join('');
    const h = keyHash(a);
    keyHash('something else');
    expect(keyHash(b)).toBe(h);
    expect(keyHash('key:12346')).not.toBe(h);
  });

  it('keeps deadlines when the first one is set after many keys, and across growth', () => {
    const t = new KeyTable<number>();
    for (let i = 0; i < 3000; i++) t.add(`k${i}`, i, 0);
    expect(t.volIndex(t.slotOf('k2999'))).toBe(0);
    t.setDeadline(t.slotOf('k2999'), 42);
    for (let i = 3000; i < 10000; i++) t.add(`k${i}`, i, 0);
    t.setDeadline(t.slotOf('k9999'), 43);
    expect(t.deadline(t.slotOf('k2999'))).toBe(42);
    expect(t.deadline(t.slotOf('k9999'))).toBe(43);
    expect(t.deadline(t.slotOf('k5000'))).toBe(-1);
    t.remove(t.slotOf('k2999'));
    expect(t.volSlot).toEqual([t.slotOf('k9999')]);
  });

  it('frees the blocks it replaces, and all of them on dispose', () => {
    const freed: number[] = [];
    setDetacher((ab) => freed.push(ab.byteLength));
    const t = new KeyTable<number>();
    for (let i = 0; i < 40000; i++) t.add(`k${i}`, i, 0);
    // The lookup table (8 bytes a bucket) doubled from 8K to 64K buckets on the way: the 64, 128
    // and 256 KiB tables it left were freed at once.
    for (const size of [65536, 131072, 262144]) expect(freed).toContain(size);
    freed.length = 0;
    t.setDeadline(0, 1);
    t.dispose();
    // The lookup table and the deadline positions.
    expect(freed.length).toBe(2);
    expect(t.size).toBe(0);
    expect(t.slotOf('k1')).toBe(-1);
    t.add('again', 1, 0);
    expect(t.valueAt(t.slotOf('again'))).toBe(1);
  });
});
