// The replication stream a batch produced and the online replicas have not been sent yet. Redis
// appends each command once to its replication buffer and writes the replicas from there; here
// the bytes are copied once into this buffer and each replica gets them as one write at the end
// of the batch, not as a write of its own after every command (which also cut the running
// client's replies into one record per command).
import { copyShort, SHORT_COPY_MAX, SourceView, viewOf } from '../util/short-copy.js';

const INITIAL = 16 * 1024;
/** Past this the batch's stream goes out at once, and a larger command is sent on its own. */
export const PENDING_MAX = 1024 * 1024;

export class PendingStream {
  private buf = Buffer.allocUnsafeSlow(INITIAL);
  private view = viewOf(this.buf);
  private readonly srcView = new SourceView();
  /** Bytes 0..length of bytes() are pending. */
  length = 0;

  /** Room for `n` more bytes (n + length <= PENDING_MAX: the caller sends first otherwise). */
  append(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    let buf = this.buf;
    const at = this.length;
    if (at + n > buf.length) {
      let size = buf.length * 2;
      while (size < at + n) size *= 2;
      const grown = Buffer.allocUnsafeSlow(Math.min(size, PENDING_MAX));
      buf.copy(grown, 0, 0, at);
      this.buf = buf = grown;
      this.view = viewOf(grown);
    }
    if (n <= SHORT_COPY_MAX) copyShort(this.view, at, this.srcView.of(src), start, n);
    else buf.set(src.subarray(start, end), at);
    this.length = at + n;
  }

  /** The buffer the pending bytes are in (valid until the next append). */
  bytes(): Buffer {
    return this.buf;
  }

  /** Sent: empty again, the buffer kept (and given back once a burst made it large). */
  clear(): void {
    this.length = 0;
    if (this.buf.length > 4 * INITIAL) {
      this.buf = Buffer.allocUnsafeSlow(INITIAL);
      this.view = viewOf(this.buf);
    }
  }
}
