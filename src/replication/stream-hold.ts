// The replication stream held back for replicas in a full sync: what happens while their
// snapshot is made and sent, given to them after it (after their first REPLCONF ACK for a
// diskless transfer). In Redis it waits in the replica's output buffer, so it counts towards the
// replica class of client-output-buffer-limit: a replica whose held stream passes the hard limit,
// or the soft one for longer than its seconds, is disconnected. The RDB payload itself never
// counts (Redis writes it from a file or a pipe, outside the output buffer).
import type { BufferLimit } from '../config/config.js';

export class StreamHold {
  private chunks: Buffer[] = [];
  bytes = 0;
  /** When the soft limit was first reached (ms), 0 while under it. */
  private softSince = 0;

  add(b: Buffer): void {
    this.chunks.push(b);
    this.bytes += b.length;
  }

  /** A copy that goes on on its own (each replica of a transfer waits for its own ACK). */
  fork(): StreamHold {
    const h = new StreamHold();
    h.chunks = [...this.chunks];
    h.bytes = this.bytes;
    h.softSince = this.softSince;
    return h;
  }

  /** Everything held, once; the hold is empty after. */
  take(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.bytes = 0;
    this.softSince = 0;
    return all;
  }

  /** checkClientOutputBufferLimits over the held bytes: hard at once, soft once held past its seconds. */
  overLimit(l: BufferLimit, nowMs: number): boolean {
    const used = this.bytes;
    if (used === 0) return false;
    if (l.hard > 0 && used >= l.hard) return true;
    if (l.soft > 0 && used >= l.soft) {
      if (this.softSince === 0) {
        this.softSince = nowMs;
        return false;
      }
      return Math.floor(nowMs / 1000) - Math.floor(this.softSince / 1000) > l.softSeconds;
    }
    this.softSince = 0;
    return false;
  }
}
