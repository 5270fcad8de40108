// The byte-level utilities RDB and DUMP payloads are built on: Redis's CRC-64 and LZF.
import { describe, expect, it } from 'vitest';
import { crc64 } from '../src/util/crc64.js';
import { lzfCompress, lzfDecompress } from '../src/util/lzf.js';
import { rng } from './helpers.js';

describe('crc64', () => {
  it('gives the check value of Redis crc64.c', () => {
    expect(crc64(0n, Buffer.from('123456789')).toString(16)).toBe('e9c6d914c4b8d9ca');
    expect(crc64(0n, Buffer.alloc(0))).toBe(0n);
  });
});

describe('lzf', () => {
  it('round-trips text, runs and random bytes (fixed seed); refuses what does not shrink', () => {
    const rand = rng(7);
    const inputs = [
      Buffer.from('a'.repeat(1000)),
      Buffer.from('hello hello hello hello world world world'.repeat(20)),
      Buffer.from(Array.from({ length: 5000 }, () => Math.floor(rand() * 4) + 97)),
    ];
    for (const input of inputs) {
      const c = lzfCompress(input, input.length - 4);
      expect(c).toBeDefined();
      expect(c!.length).toBeLessThan(input.length);
      expect(Buffer.from(lzfDecompress(c!, input.length)!).equals(input)).toBe(true);
    }
    const noise = Buffer.from(Array.from({ length: 200 }, () => Math.floor(rand() * 256)));
    expect(lzfCompress(noise, noise.length - 4)).toBeUndefined();
  });

  it('rejects corrupt input instead of reading outside it', () => {
    const c = lzfCompress(Buffer.from('abcabcabcabcabcabcabcabc'), 20)!;
    expect(lzfDecompress(c, 10)).toBeUndefined();
    expect(lzfDecompress(Uint8Array.from([0xe0, 0x05]), 50)).toBeUndefined();
    expect(lzfDecompress(Uint8Array.from([0x05, 0x61]), 6)).toBeUndefined();
  });
});
