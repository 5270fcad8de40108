// The replication backlog (repl-backlog-size): the last bytes of the replication stream, so that
// a replica that lost its link for a while continues from its offset (+CONTINUE) instead of a
// full resynchronization. Offsets are the master's: the first byte ever sent is offset 1.
export class Backlog {
  private buf: Buffer;
  /** Where the next byte goes in `buf`. */
  private idx = 0;
  /** Bytes held (at most the size). */
  histlen = 0;

  constructor(size: number, /** master_repl_offset when it was created */ private offset: number) {
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
  }

  get size(): number {
    return this.buf.length;
  }

  /** repl_backlog_first_byte_offset. */
  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  append(b: Uint8Array): void {
    this.offset += b.length;
    const size = this.buf.length;
    let src = b;
    if (src.length > size) src = src.subarray(src.length - size);
    const first = Math.min(src.length, size - this.idx);
    this.buf.set(src.subarray(0, first), this.idx);
    if (first < src.length) this.buf.set(src.subarray(first), 0);
    this.idx = (this.idx + src.length) % size;
    this.histlen = Math.min(size, this.histlen + src.length);
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
    this.idx = 0;
    this.histlen = 0;
    this.offset = end - keep.length;
    this.append(keep);
  }
}
