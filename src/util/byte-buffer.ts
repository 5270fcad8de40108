// A growable byte buffer that commands are appended to (Redis's sds buffers: the AOF's aof_buf,
// the replication buffer). A short command is copied 4 bytes at a time (short-copy.ts), a longer
// one with set(); nothing is allocated per append, unlike a Buffer per command and a concat.
import { copyRange, SourceView, viewOf } from './short-copy.js';

const INITIAL = 16 * 1024;
/** A buffer grown past this by a burst is let go when emptied. */
const KEEP = 64 * 1024;

export class ByteBuffer {
  private buf = Buffer.allocUnsafeSlow(INITIAL);
  private view = viewOf(this.buf);
  private readonly srcView = new SourceView();
  /** Bytes 0..length of bytes() are held. */
  length = 0;

  /** Appends bytes start..end of `src`. */
  append(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    let buf = this.buf;
    const at = this.length;
    if (at + n > buf.length) {
      let size = buf.length * 2;
      while (size < at + n) size *= 2;
      const grown = Buffer.allocUnsafeSlow(size);
      buf.copy(grown, 0, 0, at);
      this.buf = buf = grown;
      this.view = viewOf(grown);
    }
    copyRange(buf, this.view, at, this.srcView, src, start, end);
    this.length = at + n;
  }

  /** The buffer the bytes are in (valid until the next append or clear). */
  bytes(): Buffer {
    return this.buf;
  }

  /** Drops the first `n` bytes (a short write took them); the rest moves to the front. */
  drop(n: number): void {
    if (n >= this.length) {
      this.clear();
      return;
    }
    this.buf.copyWithin(0, n, this.length);
    this.length -= n;
  }

  /** Empty again, the buffer kept (and given back once a burst made it large). */
  clear(): void {
    this.length = 0;
    if (this.buf.length > KEEP) {
      this.buf = Buffer.allocUnsafeSlow(INITIAL);
      this.view = viewOf(this.buf);
    }
  }
}
