// The AOF buffer and the file it goes to (aof.c feedAppendOnlyFile / flushAppendOnlyFile): every
// command of the propagation stream is appended to an in-memory buffer (with a SELECT when its
// database differs from the last one written, and a `#TS:` annotation each new second with
// aof-timestamp-enabled); the buffer is written once per event-loop turn before that turn's
// replies leave. appendfsync always: write + fdatasync there (one fsync for the whole turn);
// everysec: an fdatasync off the main thread at most once a second, a write postponed while one
// is still running (up to two seconds, then written anyway and counted in aof_delayed_fsync);
// no: the kernel decides.
import { close, closeSync, fdatasync, fdatasyncSync, ftruncateSync, writeSync } from 'node:fs';
import { ByteBuffer } from '../../util/byte-buffer.js';
import type { Logger } from '../../util/log.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface AofWriterOptions {
  log: Logger;
  policy(): FsyncPolicy;
  timestamps(): boolean;
  /** no-appendfsync-on-rewrite yes while a rewrite or a save runs: no fsync. */
  skipFsync(): boolean;
  /** A write or fsync failed under appendfsync always: Redis exits. */
  fatal(message: string): void;
  /** A background save or rewrite runs (the aof-write-active-child latency event). */
  childActive(): boolean;
  /** latencyAddSampleIfNeeded. */
  latency(event: string, ms: number): void;
  /** The background fsync (fs.fdatasync on libuv's thread pool unless a test gives its own). */
  backgroundFdatasync?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
}

const SELECT_CACHE: Buffer[] = [];
function selectCommand(db: number): Buffer {
  let b = SELECT_CACHE[db];
  if (b === undefined) {
    const n = String(db);
    b = Buffer.from(`*2\r\n$6\r\nSELECT\r\n$${n.length}\r\n${n}\r\n`, 'latin1');
    if (db < 1024) SELECT_CACHE[db] = b;
  }
  return b;
}

export class AofWriter {
  /** The incr file being appended to (-1: none). */
  fd = -1;
  /** aof_buf: the commands fed since the last write, copied in (no Buffer per command). */
  private readonly buf = new ByteBuffer();
  /** Bytes in the buffer (aof_buf's length). */
  get pending(): number {
    return this.buf.length;
  }
  /** The database the file's last command ran in (-1: the next one writes a SELECT). */
  selectedDb = -1;
  private curTimestamp = 0;
  /** Bytes of the files the manifest lists (base + incr), and of the current incr file. */
  currentSize = 0;
  lastIncrSize = 0;
  lastIncrFsyncOffset = 0;
  /** Unix seconds of the last fsync started. */
  lastFsync = Math.floor(Date.now() / 1000);
  private flushPostponedStart = 0;
  delayedFsync = 0;
  /** Background fsyncs not finished (aof_pending_bio_fsync). */
  fsyncsInFlight = 0;
  /** Per descriptor: background fsyncs running on it, and whether it is to be closed after them. */
  private readonly inFlight = new Map<number, { n: number; close: boolean }>();
  lastWriteOk = true;
  bioFsyncOk = true;
  lastWriteError = '';
  private lastWriteErrorLog = 0;
  /** Called when everything written so far is on disk (WAITAOF's fsynced offset). */
  onFsynced: ((offset: number) => void) | undefined;
  /** Bytes fed since the start, the offset WAITAOF counts in. */
  fedOffset = 0;

  constructor(private readonly o: AofWriterOptions) {}

  /** feedAppendOnlyFile. `command` is RESP; db -1 needs no SELECT. */
  feed(db: number, command: Buffer): void {
    this.feedRange(db, command, 0, command.length);
  }

  /** feed() for bytes start..end of `src` (a command where the client's request lies), copied. */
  feedRange(db: number, src: Uint8Array, start: number, end: number): void {
    if (this.o.timestamps()) {
      const now = Math.floor(Date.now() / 1000);
      if (this.curTimestamp < now) {
        this.curTimestamp = now;
        this.push(Buffer.from(`#TS:${now}\r\n`, 'latin1'));
      }
    }
    if (db !== -1 && db !== this.selectedDb) {
      this.push(selectCommand(db));
      this.selectedDb = db;
    }
    this.buf.append(src, start, end);
    this.fedOffset += end - start;
  }

  /** A `#TS:` annotation now, whatever the last one (a rewrite's file starts with one). */
  forceTimestamp(): Buffer {
    this.curTimestamp = Math.floor(Date.now() / 1000);
    return Buffer.from(`#TS:${this.curTimestamp}\r\n`, 'latin1');
  }

  private push(b: Buffer): void {
    this.buf.append(b, 0, b.length);
    this.fedOffset += b.length;
  }

  /** Drops the buffer (stopAppendOnly after its flush, a failed first rewrite). */
  clear(): void {
    this.buf.clear();
  }

  /** flushAppendOnlyFile(force). */
  flush(force: boolean): void {
    if (this.fd === -1) return;
    const policy = this.o.policy();
    const now = Math.floor(Date.now() / 1000);
    let syncInProgress = false;
    if (this.pending === 0) {
      // Data written but not yet fsynced when writes stopped: fsync it now.
      if (policy === 'everysec' && this.lastIncrFsyncOffset !== this.lastIncrSize && now > this.lastFsync && this.fsyncsInFlight === 0) {
        this.tryFsync(policy, now, false);
      } else if (policy === 'always' && this.lastIncrFsyncOffset !== this.lastIncrSize) {
        this.tryFsync(policy, now, false);
      }
      return;
    }
    if (policy === 'everysec') syncInProgress = this.fsyncsInFlight > 0;
    if (policy === 'everysec' && !force && syncInProgress) {
      // write(2) would wait for the fsync anyway: postpone, at most two seconds.
      if (this.flushPostponedStart === 0) {
        this.flushPostponedStart = now;
        return;
      }
      if (now - this.flushPostponedStart < 2) return;
      this.delayedFsync++;
      this.o.log.notice('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.');
    }
    const data = this.buf.bytes();
    const length = this.buf.length;
    let written = 0;
    let error: NodeJS.ErrnoException | undefined;
    const started = performance.now();
    try {
      while (written < length) written += writeSync(this.fd, data, written, length - written);
    } catch (e) {
      error = e as NodeJS.ErrnoException;
    }
    const ms = Math.floor(performance.now() - started);
    this.o.latency(syncInProgress ? 'aof-write-pending-fsync' : this.o.childActive() ? 'aof-write-active-child' : 'aof-write-alone', ms);
    this.o.latency('aof-write', ms);
    this.flushPostponedStart = 0;
    if (error) {
      const canLog = now - this.lastWriteErrorLog > 30;
      if (canLog) this.lastWriteErrorLog = now;
      if (written > 0) {
        if (canLog) this.o.log.warning(`Short write while writing to the AOF file: (nwritten=${written}, expected=${length})`);
        try {
          ftruncateSync(this.fd, this.lastIncrSize);
          written = 0;
        } catch (e) {
          if (canLog) this.o.log.warning(`Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: ${(e as Error).message}`);
        }
        this.lastWriteError = 'No space left on device';
      } else {
        if (canLog) this.o.log.warning(`Error writing to the AOF file: ${error.message}`);
        this.lastWriteError = error.message;
      }
      if (policy === 'always') {
        this.o.fatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
        return;
      }
      this.lastWriteOk = false;
      if (written > 0) {
        this.currentSize += written;
        this.lastIncrSize += written;
        this.buf.drop(written);
      }
      return;
    }
    if (!this.lastWriteOk) {
      this.o.log.notice('AOF write error looks solved, Redis can write again.');
      this.lastWriteOk = true;
    }
    this.currentSize += written;
    this.lastIncrSize += written;
    this.buf.clear();
    this.tryFsync(policy, now, syncInProgress);
  }

  private tryFsync(policy: FsyncPolicy, now: number, syncInProgress: boolean): void {
    if (this.o.skipFsync()) return;
    if (policy === 'always') {
      const started = performance.now();
      try {
        fdatasyncSync(this.fd);
        this.o.latency('aof-fsync-always', Math.floor(performance.now() - started));
      } catch (e) {
        this.o.fatal(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${(e as Error).message}. Exiting...`);
        return;
      }
      this.lastIncrFsyncOffset = this.lastIncrSize;
      this.lastFsync = now;
      this.onFsynced?.(this.fedOffset - this.pending);
    } else if (policy === 'everysec' && now > this.lastFsync) {
      if (!syncInProgress) this.backgroundFsync(this.fd, false);
      this.lastFsync = now;
    }
  }

  /** aof_background_fsync (and _and_close): fdatasync on libuv's thread pool. */
  private backgroundFsync(fd: number, closeAfter: boolean): void {
    this.fsyncsInFlight++;
    const offset = this.fedOffset - this.pending;
    if (!closeAfter) this.lastIncrFsyncOffset = this.lastIncrSize;
    const f = this.inFlight.get(fd) ?? { n: 0, close: false };
    f.n++;
    f.close ||= closeAfter;
    this.inFlight.set(fd, f);
    (this.o.backgroundFdatasync ?? fdatasync)(fd, (err) => {
      this.fsyncsInFlight--;
      if (err) {
        this.bioFsyncOk = false;
        this.lastWriteError = err.message;
        this.o.log.warning(`Fail to fsync the AOF file: ${err.message}`);
      } else {
        this.bioFsyncOk = true;
        this.onFsynced?.(offset);
      }
      // A descriptor is closed only once no fsync runs on it any more.
      if (--f.n === 0) {
        this.inFlight.delete(fd);
        if (f.close) close(fd, () => undefined);
      }
    });
  }

  /** Closes `fd` now, or after the background fsyncs running on it. */
  private closeWhenIdle(fd: number): void {
    const f = this.inFlight.get(fd);
    if (f) f.close = true;
    else closeSync(fd);
  }

  /**
   * Switches to another incr file (openNewIncrAofForAppend): the old one is fsynced and closed
   * in the background, the new one starts empty.
   */
  switchTo(fd: number, size = 0): void {
    if (this.fd !== -1) {
      this.backgroundFsync(this.fd, true);
      this.lastFsync = Math.floor(Date.now() / 1000);
    }
    this.fd = fd;
    this.lastIncrSize = size;
    this.lastIncrFsyncOffset = size;
  }

  /** stopAppendOnly and shutdown: flush, fsync, close. */
  closeFile(): void {
    if (this.fd === -1) return;
    this.flush(true);
    try {
      fdatasyncSync(this.fd);
      this.lastFsync = Math.floor(Date.now() / 1000);
      this.onFsynced?.(this.fedOffset - this.pending);
    } catch (e) {
      this.o.log.warning(`Fail to fsync the AOF file: ${(e as Error).message}`);
    }
    this.closeWhenIdle(this.fd);
    this.fd = -1;
    this.selectedDb = -1;
    this.lastIncrSize = 0;
    this.lastIncrFsyncOffset = 0;
    this.clear();
  }

  /** The postponed flush or a failed write retried from the cron. */
  get flushPostponed(): boolean {
    return this.flushPostponedStart !== 0;
  }
}
