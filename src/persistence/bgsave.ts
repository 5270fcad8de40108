// One BGSAVE: the file opened, the header written, then the snapshot (snapshot.ts) written a slice
// per event-loop turn (about 2 ms, or one key per rdb-key-save-delay when that test knob is
// set) while the keyspace tells it of every change first; at the end the checksum, fsync and the
// rename over dir/dbfilename. An error or an abort removes the temporary file.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import type { Keyspace } from '../data/keyspace.js';
import { RdbWriter, type EncodeValue } from './rdb.js';
import { Snapshot, type KeyOf, type SnapshotWriter } from './snapshot.js';

/** A file the snapshot is written into: its start, the keys, its end. */
export interface BackgroundWriter extends SnapshotWriter {
  header(aux: readonly [string, string | number][], libraries: readonly string[]): void;
  finish(): void;
}

export interface BackgroundSaveOptions {
  path: string;
  temp: string;
  checksum: boolean;
  keyspace: Keyspace;
  aux: [string, string | number][];
  libraries: string[];
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
  private readonly fd: number;
  private readonly writer: BackgroundWriter;
  private readonly snapshot: Snapshot;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private finished = false;

  constructor(private readonly o: BackgroundSaveOptions) {
    this.fd = openSync(o.temp, 'w');
    this.writer = o.writer ? o.writer(this.fd) : new RdbWriter(this.fd, o.checksum);
    this.writer.header(o.aux, o.libraries);
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
    this.guard(() => {
      const delay = this.o.keyDelayUs();
      const complete = this.snapshot.step(delay > 0 ? 1 : SLICE_KEYS, performance.now() + SLICE_MS);
      if (!complete) {
        this.schedule();
        return;
      }
      this.unhook();
      this.writer.finish();
      fsyncSync(this.fd);
      closeSync(this.fd);
      renameSync(this.o.temp, this.o.path);
      this.finished = true;
      this.o.done(undefined);
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
    if (this.finished) return;
    this.cleanup();
    this.o.done(message);
  }

  /** Stops without a file (FLUSHALL, SHUTDOWN). */
  abort(): void {
    if (!this.finished) this.cleanup();
  }

  private cleanup(): void {
    this.finished = true;
    this.unhook();
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    try {
      closeSync(this.fd);
    } catch {
      // closed already
    }
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
