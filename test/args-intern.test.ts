// Args.str interns short arguments (keys above all) by a hash of their bytes, a byte at a time
// below 8 bytes and a word at a time from there, comparing a hit with the stored string's bytes.
// Whatever the length, the alignment in the arena, the bytes, a near miss (one byte different) or
// an arena that changes between commands, the string must be the argument's bytes.
import { describe, expect, it } from 'vitest';
import { Args } from '../src/engine/args.js';

/** A seeded generator: the same cases every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x >>> 24;
  };
}

/** Binds `args` to `values` laid out in a fresh arena at offset `shift` (unaligned on purpose). */
function bindAt(args: Args, values: Buffer[], shift: number): void {
  const arena = Buffer.alloc(shift + values.reduce((n, v) => n + v.length + 2, 0));
  const rec = new Uint32Array(values.length * 2);
  let off = shift;
  values.forEach((v, i) => {
    v.copy(arena, off);
    rec[2 * i] = off;
    rec[2 * i + 1] = v.length;
    off += v.length + 2;
  });
  args.bind(rec, 0, values.length, arena, undefined);
}

describe('Args.str interning', () => {
  it('gives each argument its own bytes: every length up to past the limit, hits, near misses, moved arenas', () => {
    const next = lcg(7);
    const args = new Args();
    const bases: Buffer[] = [];
    for (let len = 0; len <= 40; len++) bases.push(Buffer.from(Array.from({ length: len }, () => next())));
    for (let round = 0; round < 3; round++) {
      for (const base of bases) {
        // The value itself (a hit from the second round on), then one copy for each position
        // with that byte changed: same length, same words but one, so a hash hit must compare.
        const variants = [base];
        for (let k = 0; k < base.length; k++) {
          const v = Buffer.from(base);
          v[k] = v[k]! ^ (1 << (k % 8));
          variants.push(v);
        }
        for (const [j, v] of variants.entries()) {
          // Argument 1 and argument 2 intern apart (keys, values): both positions.
          bindAt(args, [Buffer.from('cmd'), v, v], (round + j) % 4);
          expect(args.str(1)).toBe(v.toString('latin1'));
          expect(args.str(2)).toBe(v.toString('latin1'));
          bindAt(args, [Buffer.from('cmd'), base], j % 3);
          expect(args.str(1)).toBe(base.toString('latin1'));
        }
      }
    }
  });

  it('keeps hot keys right while random ones turn interning off and back on', () => {
    const next = lcg(11);
    const args = new Args();
    const hot = Buffer.from('key:__rand_int__');
    for (let i = 0; i < 40_000; i++) {
      // A phase of distinct keys (interning measures a low hit rate and turns off), then hot ones.
      const distinct = i % 20_000 < 10_000;
      const key = distinct ? Buffer.from(`key:${String(next() * 65536 + i).padStart(12, '0')}`) : hot;
      bindAt(args, [Buffer.from('get'), key], i % 5);
      expect(args.str(1)).toBe(key.toString('latin1'));
    }
  });
});
