// A file written off the main thread: chunks queue up and go to libuv's thread pool one write at
// a time (in order), fsync too; the main thread only hands buffers over. A background save
// pauses its serialization while more than `highWater` bytes wait, so a slow disk bounds memory
// instead of letting the queue grow.
import { close, fsync, write } from 'node:fs';

export class AsyncFile {
  private readonly queue: Buffer[] = [];
  private writing = false;
  /** Bytes handed over and not yet written. */
  pending = 0;
  private error: Error | undefined;
  private drained: (() => void) | undefined;

  constructor(private readonly fd: number, readonly highWater = 16 << 20) {}

  get full(): boolean {
    return this.pending >= this.highWater;
  }

  /** The first write error, once one happened. */
  get failed(): Error | undefined {
    return this.error;
  }

  push(chunk: Buffer): void {
    if (this.error) return;
    this.queue.push(chunk);
    this.pending += chunk.length;
    this.next();
  }

  private next(): void {
    if (this.writing) return;
    const chunk = this.queue.shift();
    if (chunk === undefined) {
      const d = this.drained;
      this.drained = undefined;
      d?.();
      return;
    }
    this.writing = true;
    this.writeAll(chunk, 0);
  }

  private writeAll(chunk: Buffer, off: number): void {
    write(this.fd, chunk, off, chunk.length - off, null, (err, n) => {
      if (err) {
        this.error = err;
        this.queue.length = 0;
        this.pending = 0;
        this.writing = false;
        const d = this.drained;
        this.drained = undefined;
        d?.();
        return;
      }
      if (off + n < chunk.length) {
        this.writeAll(chunk, off + n);
        return;
      }
      this.pending -= chunk.length;
      this.writing = false;
      this.next();
    });
  }

  /** Once everything handed over is written: fsync and close, then `done` (with the first error). */
  finish(done: (error: Error | undefined) => void): void {
    const end = () => {
      if (this.error) {
        close(this.fd, () => done(this.error));
        return;
      }
      fsync(this.fd, (err) => close(this.fd, (err2) => done(err ?? err2 ?? undefined)));
    };
    if (!this.writing && this.queue.length === 0) end();
    else this.drained = end;
  }
}
