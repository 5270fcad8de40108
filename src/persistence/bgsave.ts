// One BGSAVE: the file opened, the header written, then the snapshot (snapshot.ts) written a slice
// per event-loop turn (about 2 ms, or one key per rdb-key-save-delay when that test knob is
// set) while the keyspace tells it of every change first; at the end the checksum, fsync and the
// rename over dir/dbfilename. The bytes are written and fsynced off the main thread (async-file.ts);
// serialization waits while too much is queued. An error or an abort removes the temporary file.
import { openSync, renameSync, unlinkSync } from 'node:fs';
import { AsyncFile } from './async-file.js';
import type { Keyspace } from '../data/keyspace.js';
import { RdbWriter, type EncodeValue } from './rdb.js';
import { Snapshot, type KeyOf, type SnapshotWriter } from './snapshot.js';

/** A file the snapshot is written into: its start, the keys, its end. */
export interface BackgroundWriter extends SnapshotWriter {
  header(aux: readonly [string, string | number][], libraries: readonly string[], version?: 10 | 12): void;
  finish(): void;
}

export interface BackgroundSaveOptions {
  path: string;
  temp: string;
  checksum: boolean;
  keyspace: Keyspace;
  aux: [string, string | number][];
  libraries: string[];
  /** The file's RDB version (10, or 12 for field deadlines). */
  version: 10 | 12;
  encode: EncodeValue;
  keyOf: KeyOf;
  /** rdb-key-save-delay, µs per key (0: none). */
  keyDelayUs: () => number;
  /** Called once: undefined on success, else the error. */
  done: (error: string | undefined) => void;
  /** The format written (an RDB unless given: an AOF rewrite may write commands). */
  writer?: (fd: number) => BackgroundWriter;
}

/** Keys per slice when nothing slows the save down, and the time a slice may take (ms). */
const SLICE_KEYS = 2000;
const SLICE_MS = 2;

export class BackgroundSave {
  readonly startedMs = Date.now();
  private readonly file: AsyncFile;
  private readonly writer: BackgroundWriter;
  private readonly snapshot: Snapshot;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private finished = false;

  constructor(private readonly o: BackgroundSaveOptions) {
    const fd = openSync(o.temp, 'w');
    this.file = new AsyncFile(fd);
    // A writer of another format (the AOF's commands base) writes to the file itself; the RDB
    // writer hands its buffers to the file's queue.
    this.writer = o.writer ? o.writer(fd) : new RdbWriter(fd, o.checksum, (chunk) => this.file.push(chunk));
    this.writer.header(o.aux, o.libraries, o.version);
    this.snapshot = new Snapshot(o.keyspace, this.writer, o.encode, o.keyOf);
    o.keyspace.beforeChange = (db, s) => this.guard(() => this.snapshot.beforeChange(db, s));
    o.keyspace.beforeClear = (db) => this.guard(() => this.snapshot.beforeClear(db));
    this.schedule();
  }

  get keysDone(): number {
    return this.snapshot.keysDone;
  }

  get keysTotal(): number {
    return this.snapshot.keysTotal;
  }

  private schedule(): void {
    const delay = this.o.keyDelayUs();
    this.timer = delay > 0 ? setTimeout(() => this.slice(), Math.ceil(delay / 1000)) : setImmediate(() => this.slice());
  }

  private slice(): void {
    this.timer = undefined;
    if (this.finished) return;
    if (this.file.failed) {
      this.fail(this.file.failed.message);
      return;
    }
    // The disk is behind: let the queued writes go out first.
    if (this.file.full) {
      this.timer = setTimeout(() => this.slice(), 1);
      return;
    }
    this.guard(() => {
      const delay = this.o.keyDelayUs();
      const complete = this.snapshot.step(delay > 0 ? 1 : SLICE_KEYS, performance.now() + SLICE_MS);
      if (!complete) {
        this.schedule();
        return;
      }
      this.unhook();
      this.writer.finish();
      this.finished = true;
      this.file.finish((err) => {
        if (this.aborted) return this.removeTemp();
        if (err) {
          this.removeTemp();
          this.o.done(err.message);
          return;
        }
        this.guard(() => {
          renameSync(this.o.temp, this.o.path);
          this.o.done(undefined);
        });
      });
    });
  }

  /** Runs a step; an I/O error ends the save with it. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  private fail(message: string): void {
    if (this.aborted) return;
    this.cleanup();
    this.o.done(message);
  }

  /** Stops without a file (FLUSHALL, SHUTDOWN). */
  abort(): void {
    if (!this.aborted) this.cleanup();
  }

  private aborted = false;

  private cleanup(): void {
    const writing = this.finished;
    this.finished = true;
    this.aborted = true;
    this.unhook();
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    // Removed now (as killRDBChild does); writes still in flight go to the unlinked file, which
    // is closed when they are done.
    this.removeTemp();
    if (!writing) this.file.finish(() => undefined);
  }

  private removeTemp(): void {
    try {
      unlinkSync(this.o.temp);
    } catch {
      // renamed or never written
    }
  }

  private unhook(): void {
    this.o.keyspace.beforeChange = undefined;
    this.o.keyspace.beforeClear = undefined;
  }
}
