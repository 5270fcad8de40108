// The list value on its own: a ring-buffer deque, then a ring of blocks past 16384 elements,
// checked against an array, including growth, wrap-around and shrinking back once drained.
import { describe, expect, it } from 'vitest';
import { RedisList } from '../src/data/list.js';
import { below, rng } from './helpers.js';

const b = (s: string) => Buffer.from(s);
const strings = (l: RedisList) => l.toArray().map((x) => x.toString());

describe('RedisList', () => {
  it('pushes and pops at both ends, with index access', () => {
    const l = new RedisList();
    l.pushTail(b('b'));
    l.pushHead(b('a'));
    l.pushTail(b('c'));
    expect(l.length).toBe(3);
    expect(l.at(0).toString()).toBe('a');
    expect(l.at(2).toString()).toBe('c');
    expect(l.popTail()?.toString()).toBe('c');
    expect(l.popHead()?.toString()).toBe('a');
    expect(l.popHead()?.toString()).toBe('b');
    expect(l.popHead()).toBeUndefined();
    expect(l.popTail()).toBeUndefined();
    expect(l.length).toBe(0);
  });
  it('agrees with an array over random operations, across growth and wrap-around', () => {
    const l = new RedisList();
    const model: string[] = [];
    const rand = below(rng(7));
    for (let i = 0; i < 20000; i++) {
      const op = rand(5);
      // Pushes slightly outweigh pops, so the list grows through several capacities.
      if (op === 0) {
        l.pushHead(b(String(i)));
        model.unshift(String(i));
      } else if (op === 1) {
        l.pushTail(b(String(i)));
        model.push(String(i));
      } else if (op === 2) {
        expect(l.popHead()?.toString()).toBe(model.shift());
      } else if (op === 3) {
        expect(l.popTail()?.toString()).toBe(model.pop());
      } else if (model.length > 0) {
        const k = rand(model.length);
        expect(l.at(k).toString()).toBe(model[k]);
      }
      expect(l.length).toBe(model.length);
    }
    expect(strings(l)).toEqual(model);
  });
  it('starts small, grows by doubling and gives memory back when drained', () => {
    const l = new RedisList();
    expect(l.capacity).toBe(4);
    for (let i = 0; i < 1000; i++) l.pushTail(b(String(i)));
    expect(l.capacity).toBe(1024);
    for (let i = 0; i < 998; i++) l.popHead();
    expect(l.capacity).toBe(4);
    expect(strings(l)).toEqual(['998', '999']);
  });
  it('becomes blocks past 16384 elements without copying them, and agrees with an array across both forms (fixed seed)', () => {
    const l = new RedisList();
    const model: string[] = [];
    const rand = below(rng(11));
    // Phases: grow to ~23000 from both ends, drain below the ring threshold, grow again.
    const phases: [number, number][] = [[80000, 4], [80000, 0], [70000, 4]];
    let i = 0;
    const lengths: number[] = [];
    for (const [steps, pushWeight] of phases) {
      for (let k = 0; k < steps; k++, i++) {
        const op = rand(pushWeight + 3);
        if (op < pushWeight) {
          if (rand(2) === 0) {
            l.pushHead(String(i));
            model.unshift(String(i));
          } else {
            l.pushTail(String(i));
            model.push(String(i));
          }
        } else if (op === pushWeight) {
          expect(l.popHead()).toBe(model.shift());
        } else if (op === pushWeight + 1) {
          expect(l.popTail()).toBe(model.pop());
        } else if (model.length > 0) {
          const at = rand(model.length);
          expect(l.at(at)).toBe(model[at]);
          if (rand(4) === 0) {
            l.set(at, `set${i}`);
            model[at] = `set${i}`;
          }
        }
        expect(l.length).toBe(model.length);
      }
      expect(l.toArray()).toEqual(model);
      lengths.push(model.length);
    }
    // The phases did cross the thresholds: into blocks, back to a ring, into blocks again.
    expect(lengths[0]).toBeGreaterThan(16384);
    expect(lengths[1]).toBeLessThan(4096);
    expect(lengths[2]).toBeGreaterThan(16384);
  });

  it('holds a large list in blocks of 16384 and goes back to one small ring when drained', () => {
    const n = 100_000;
    const l = new RedisList();
    for (let i = 0; i < n; i++) l.pushHead(String(i));
    // Seven blocks hold 100000: the capacity never exceeds the elements by more than two blocks.
    expect(l.capacity).toBeGreaterThanOrEqual(n);
    expect(l.capacity).toBeLessThanOrEqual(n + 2 * 16384);
    expect(l.at(0)).toBe(String(n - 1));
    expect(l.at(n - 1)).toBe('0');
    for (let i = 0; i < n - 10; i++) l.popTail();
    expect(l.capacity).toBeLessThanOrEqual(64);
    expect(l.toArray()).toEqual(Array.from({ length: 10 }, (_, k) => String(n - 1 - k)));
    const c = new RedisList();
    c.replaceAll(Array.from({ length: 40_000 }, (_, k) => String(k)));
    expect(c.capacity).toBeLessThanOrEqual(40_000 + 2 * 16384);
    expect(c.clone().toArray()).toEqual(c.toArray());
    expect(c.at(39_999)).toBe('39999');
  });
});
