// The batch's pending replication stream (src/replication/pending-stream.ts): growth past its first
// buffer keeps every byte, clear() starts over, and a burst's large buffer is let go.
import { describe, expect, it } from 'vitest';
import { SHORT_COPY_MAX } from '../src/util/short-copy.js';
import { PENDING_MAX, PendingStream } from '../src/replication/pending-stream.js';
import { below, rng } from './helpers.js';

describe('pending replication stream', () => {
  it('keeps every byte appended across its growth, in order, and starts over when cleared', () => {
    const next = below(rng(7));
    const p = new PendingStream();
    const want: Buffer[] = [];
    let total = 0;
    // Short commands and longer ones (copied by set()), past the first 16 KiB buffer several times.
    while (total < 200 * 1024) {
      const b = Buffer.alloc(next(3) === 0 ? 100 + next(3000) : 1 + next(SHORT_COPY_MAX));
      for (let i = 0; i < b.length; i++) b[i] = next(256);
      // The bytes lie inside a larger source, as a command lies in the batch's arena.
      const start = next(5);
      const src = Buffer.concat([Buffer.alloc(start, 0xaa), b, Buffer.alloc(next(5), 0xbb)]);
      p.append(src, start, start + b.length);
      want.push(b);
      total += b.length;
    }
    expect(p.length).toBe(total);
    expect(p.bytes().subarray(0, p.length).equals(Buffer.concat(want))).toBe(true);
    expect(p.length).toBeLessThanOrEqual(PENDING_MAX);
    p.clear();
    expect(p.length).toBe(0);
    // The buffer the burst grew (past 64 KiB) is let go: the next one starts small.
    expect(p.bytes().length).toBe(16 * 1024);
    p.append(Buffer.from('*1\r\n$4\r\nPING\r\n'), 0, 14);
    expect(p.bytes().subarray(0, p.length).toString()).toBe('*1\r\n$4\r\nPING\r\n');
  });
});
