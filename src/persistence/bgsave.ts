// One background save: the header written, then the snapshot (snapshot.ts) written a slice per
// event-loop turn (about 2 ms, or one key per rdb-key-save-delay when that test knob is set)
// while the keyspace tells it of every change first; at the end the checksum and the sink's own
// end (a file's fsync and rename). The bytes go to a sink (save-sink.ts): a file written off the
// main thread, or the replicas' sockets of a diskless sync; serialization waits while the sink
// is full. An error or an abort leaves nothing behind (the temporary file removed).
import type { Keyspace } from '../data/keyspace.js';
import { RdbWriter, type EncodeValue } from './rdb.js';
import { FileSink, type SaveSink } from './save-sink.js';
import { Snapshot, type KeyOf, type SnapshotWriter } from './snapshot.js';

/** A file the snapshot is written into: its start, the keys, its end. */
export interface BackgroundWriter extends SnapshotWriter {
  header(aux: readonly [string, string | number][], libraries: readonly string[], version?: 10 | 12): void;
  finish(): void;
}

/** What any background save needs: the dataset, how it is written, and who hears the end. */
export interface SaveOptions {
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
  /** Called once: undefined on success, else the error. Not called after abort(). */
  done: (error: string | undefined) => void;
}

/** A save into a file: `temp`, renamed over `path` at the end. */
export interface BackgroundSaveOptions extends SaveOptions {
  path: string;
  temp: string;
  /** The format written (an RDB unless given: an AOF rewrite may write commands). */
  writer?: (fd: number) => BackgroundWriter;
}

/** A save into another sink (an RDB streamed to replicas). */
export interface StreamSaveOptions extends SaveOptions {
  sink: SaveSink;
}

/** Keys per slice when nothing slows the save down, and the time a slice may take (ms). */
const SLICE_KEYS = 2000;
const SLICE_MS = 2;

export class BackgroundSave {
  readonly startedMs = Date.now();
  private readonly sink: SaveSink;
  private readonly writer: BackgroundWriter;
  private readonly snapshot: Snapshot;
  /** A stream sink gets what each slice produced at once (a socket wants bytes as they come). */
  private readonly rdb: RdbWriter | undefined;
  private readonly streaming: boolean;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private finished = false;
  private readonly sinkFull = (): boolean => this.sink.full;

  constructor(private readonly o: BackgroundSaveOptions | StreamSaveOptions) {
    if ('sink' in o) {
      this.sink = o.sink;
      this.streaming = true;
      this.writer = this.rdb = new RdbWriter(-1, o.checksum, (chunk) => this.sink.push(chunk));
    } else {
      const file = new FileSink(o.path, o.temp);
      this.sink = file;
      this.streaming = false;
      // A writer of another format (the AOF's commands base) writes to the file itself; the RDB
      // writer hands its buffers to the file's queue.
      this.writer = o.writer ? o.writer(file.fd) : (this.rdb = new RdbWriter(file.fd, o.checksum, (chunk) => file.push(chunk)));
    }
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
    if (this.sink.failed !== undefined) {
      this.fail(this.sink.failed);
      return;
    }
    // The sink is behind: let what is queued go out first.
    if (this.sink.full) {
      this.timer = setTimeout(() => this.slice(), 1);
      return;
    }
    this.guard(() => {
      const delay = this.o.keyDelayUs();
      // A slice of big values stops as soon as the sink is behind, not after its budget.
      const complete = this.snapshot.step(delay > 0 ? 1 : SLICE_KEYS, performance.now() + SLICE_MS, this.sinkFull);
      if (!complete) {
        if (this.streaming) this.rdb?.handOver();
        if (!this.finished) this.schedule();
        return;
      }
      this.unhook();
      this.writer.finish();
      this.finished = true;
      this.sink.finish((err) => {
        if (this.aborted) return;
        this.o.done(err);
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

  /** Stops without a result (FLUSHALL, SHUTDOWN, the last replica of a transfer gone). */
  abort(): void {
    if (!this.aborted) this.cleanup();
  }

  private aborted = false;

  private cleanup(): void {
    this.finished = true;
    this.aborted = true;
    this.unhook();
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.sink.abort();
  }

  private unhook(): void {
    this.o.keyspace.beforeChange = undefined;
    this.o.keyspace.beforeClear = undefined;
  }
}
