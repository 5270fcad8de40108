// The growable byte buffer (src/util/byte-buffer.ts) that the batch's replication stream and the
// AOF buffer append commands to: growth keeps every byte in order, drop() keeps the rest of a
// short write, clear() starts over and lets a burst's large buffer go.
import { describe, expect, it } from 'vitest';
import { SHORT_COPY_MAX } from '../src/util/short-copy.js';
import { ByteBuffer } from '../src/util/byte-buffer.js';
import { below, rng } from './helpers.js';

describe('byte buffer', () => {
  it('keeps every byte appended across its growth, in order, and starts over when cleared', () => {
    const next = below(rng(7));
    const b = new ByteBuffer();
    const want: Buffer[] = [];
    let total = 0;
    // Short commands and longer ones (copied by set()), past the first 16 KiB buffer several times.
    while (total < 200 * 1024) {
      const cmd = Buffer.alloc(next(3) === 0 ? 100 + next(3000) : 1 + next(SHORT_COPY_MAX));
      for (let i = 0; i < cmd.length; i++) cmd[i] = next(256);
      // The bytes lie inside a larger source, as a command lies in the batch's arena.
      const start = next(5);
      const src = Buffer.concat([Buffer.alloc(start, 0xaa), cmd, Buffer.alloc(next(5), 0xbb)]);
      b.append(src, start, start + cmd.length);
      want.push(cmd);
      total += cmd.length;
    }
    // One larger than everything so far.
    const big = Buffer.alloc(700 * 1024, 0x5a);
    b.append(big, 0, big.length);
    want.push(big);
    total += big.length;
    expect(b.length).toBe(total);
    expect(b.bytes().subarray(0, b.length).equals(Buffer.concat(want))).toBe(true);
    b.clear();
    expect(b.length).toBe(0);
    // The buffer the burst grew (past 64 KiB) is let go: the next one starts small.
    expect(b.bytes().length).toBe(16 * 1024);
    b.append(Buffer.from('*1\r\n$4\r\nPING\r\n'), 0, 14);
    expect(b.bytes().subarray(0, b.length).toString()).toBe('*1\r\n$4\r\nPING\r\n');
  });

  it('drops what a short write took and keeps the rest at the front', () => {
    const b = new ByteBuffer();
    const text = Buffer.from('*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    b.append(text, 0, text.length);
    b.drop(14);
    expect(b.bytes().subarray(0, b.length).toString()).toBe('*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
    b.drop(b.length + 5);
    expect(b.length).toBe(0);
  });
});
