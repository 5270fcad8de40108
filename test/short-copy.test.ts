// The short copy (src/util/short-copy.ts) against Buffer#copy at every length it takes and at odd
// offsets, and over a slice of a larger ArrayBuffer.
import { describe, expect, it } from 'vitest';
import { copyShort, SHORT_COPY_MAX, SourceView, viewOf } from '../src/util/short-copy.js';

describe('short copy', () => {
  it('copies every length up to SHORT_COPY_MAX between any offsets, touching nothing else', () => {
    const src = Buffer.alloc(300);
    for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 0xff;
    const views = new SourceView();
    for (let n = 0; n <= SHORT_COPY_MAX; n++) {
      for (const [from, to] of [[0, 0], [1, 3], [5, 2], [300 - n, 0], [0, 200 - n]] as const) {
        const dst = Buffer.alloc(200, 0xee);
        const want = Buffer.alloc(200, 0xee);
        src.copy(want, to, from, from + n);
        copyShort(viewOf(dst), to, views.of(src), from, n);
        expect(dst.equals(want), `n ${n} from ${from} to ${to}`).toBe(true);
      }
    }
  });

  it('reads a slice of a larger ArrayBuffer at its own offset', () => {
    const whole = Buffer.from('0123456789abcdefghij');
    const slice = whole.subarray(7, 17);
    const dst = Buffer.alloc(10);
    copyShort(viewOf(dst), 0, new SourceView().of(slice), 0, 10);
    expect(dst.toString()).toBe('789abcdefg');
  });
});
