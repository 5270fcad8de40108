// Where a background save's bytes go (bgsave.ts): a file written off the main thread and renamed
// over its target at the end (BGSAVE, a disk-based sync, an AOF rewrite's base), or any other
// sink, such as the sockets of replicas in a diskless sync (replication/diskless.ts). The save
// pauses while the sink is full, so a slow disk or a slow socket bounds memory.
import { openSync, renameSync, unlinkSync } from 'node:fs';
import { AsyncFile } from './async-file.js';

export interface SaveSink {
  /** Takes a chunk (owned by the sink from now on). */
  push(chunk: Buffer): void;
  /** Too much is queued: the serializer waits before producing more. */
  readonly full: boolean;
  /** The first error; the save ends with it. */
  readonly failed: string | undefined;
  /** After the last push: `done` once everything is out (with the first error). */
  finish(done: (error: string | undefined) => void): void;
  /** The save stopped: nothing more comes, nothing is kept. */
  abort(): void;
}

/** A file written through a temporary name, fsynced and renamed over `path` at the end (rdbSave). */
export class FileSink implements SaveSink {
  readonly fd: number;
  private readonly file: AsyncFile;

  constructor(private readonly path: string, private readonly temp: string) {
    this.fd = openSync(temp, 'w');
    this.file = new AsyncFile(this.fd);
  }

  push(chunk: Buffer): void {
    this.file.push(chunk);
  }

  get full(): boolean {
    return this.file.full;
  }

  get failed(): string | undefined {
    return this.file.failed?.message;
  }

  private aborted = false;
  private finishing = false;

  finish(done: (error: string | undefined) => void): void {
    this.finishing = true;
    this.file.finish((err) => {
      if (this.aborted) return this.removeTemp();
      if (err) {
        this.removeTemp();
        done(err.message);
        return;
      }
      try {
        renameSync(this.temp, this.path);
      } catch (e) {
        done((e as Error).message);
        return;
      }
      done(undefined);
    });
  }

  /**
   * Removed now (as killRDBChild does); writes still in flight go to the unlinked file, which is
   * closed when they are done (by finish() when it was called already).
   */
  abort(): void {
    this.aborted = true;
    this.removeTemp();
    if (!this.finishing) this.file.finish(() => undefined);
  }

  private removeTemp(): void {
    try {
      unlinkSync(this.temp);
    } catch {
      // renamed or never written
    }
  }
}
