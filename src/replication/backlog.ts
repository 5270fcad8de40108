// The replication backlog (repl-backlog-size): the last bytes of the replication stream, so that
// a replica that lost its link for a while continues from its offset (+CONTINUE) instead of a
// full resynchronization. Offsets are the master's: the first byte ever sent is offset 1.
import { copyRange, SourceView, viewOf } from '../util/short-copy.js';

export class Backlog {
  private buf: Buffer;
  private view: DataView;
  private readonly srcView = new SourceView();
  /** Where the next byte goes in `buf`. */
  private idx = 0;
  /** Bytes held (at most the size). */
  histlen = 0;

  constructor(size: number, /** master_repl_offset when it was created */ private offset: number) {
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
    this.view = viewOf(this.buf);
  }

  get size(): number {
    return this.buf.length;
  }

  /** repl_backlog_first_byte_offset. */
  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  append(b: Uint8Array): void {
    this.appendRange(b, 0, b.length);
  }

  /** Appends bytes start..end of `src` (no view of them is made for a short run). */
  appendRange(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.offset += n;
    const buf = this.buf;
    const size = buf.length;
    if (n > size) {
      start = end - size;
      this.idx = 0;
      buf.set(src.subarray(start, end), 0);
      this.histlen = size;
      return;
    }
    const first = Math.min(n, size - this.idx);
    const idx = this.idx;
    copyRange(buf, this.view, idx, this.srcView, src, start, start + first);
    if (first < n) buf.set(src.subarray(start + first, end), 0);
    this.idx = (idx + n) % size;
    this.histlen = Math.min(size, this.histlen + n);
  }

  /** The bytes from offset `from` (the replica's offset + 1) on, or null when not held. */
  from(from: number): Buffer | null {
    // The replica has everything (nothing was sent since): it continues with nothing to catch up.
    if (from === this.offset + 1) return Buffer.alloc(0);
    const first = this.firstByteOffset;
    if (this.histlen === 0 || from < first || from > this.offset + 1) return null;
    const n = this.offset + 1 - from;
    const out = Buffer.allocUnsafe(n);
    const size = this.buf.length;
    let start = (this.idx - n + size) % size;
    for (let o = 0; o < n; ) {
      const k = Math.min(n - o, size - start);
      this.buf.copy(out, o, start, start + k);
      o += k;
      start = 0;
    }
    return out;
  }

  /** CONFIG SET repl-backlog-size: a new size, the newest bytes kept. */
  resize(size: number): void {
    const keep = this.from(this.firstByteOffset) ?? Buffer.alloc(0);
    const end = this.offset;
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
    this.view = viewOf(this.buf);
    this.idx = 0;
    this.histlen = 0;
    this.offset = end - keep.length;
    this.append(keep);
  }
}
