// The list value on its own: a ring-buffer deque checked against an array, including growth,
// wrap-around and shrinking back once drained.
import { describe, expect, it } from 'vitest';
import { RedisList } from '../src/data/list.js';

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
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
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
});
