// The append-only file as a whole (Redis 7's multi-part AOF): its state (off, on, or waiting for
// the first rewrite after CONFIG SET appendonly yes), the manifest, the incr file being written
// (writer.ts), loading at start-up (loader.ts), the background rewrite (rewrite.ts) and the
// cron's part: scheduled and automatic rewrites, postponed flushes. It listens to the
// propagation stream as its AOF sink while it is not off.
import { mkdirSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/config.js';
import { Target, type PropagationSink } from '../../propagation/propagation.js';
import type { Logger } from '../../util/log.js';
import type { Persistence } from '../persistence.js';
import { AofFatal, type AofReplayer } from './loader.js';
import { AofManifest, tempIncrName, writeManifest } from './manifest.js';
import { AofRewrite } from './rewrite.js';
import { loadManifestFromDisk, reloadForDebug, startUp } from './startup.js';
import { AofWriter, type FsyncPolicy } from './writer.js';

export const enum AofState {
  Off = 0,
  On = 1,
  /** CONFIG SET appendonly yes: writes go to a temporary incr file until the first rewrite ends. */
  WaitRewrite = 2,
}

export interface AofHost {
  readonly config: Config;
  readonly log: Logger;
  readonly persistence: Persistence;
  addSink(s: PropagationSink): void;
  removeSink(s: PropagationSink): void;
  /** A client of its own that runs the file's commands without replies. */
  replayer(): AofReplayer;
  /** EXEC is running its queue (server.in_exec). */
  inExec(): boolean;
  /** Redis exits: a write or fsync failed under appendfsync always. */
  exit(message: string): void;
  /** latencyAddSampleIfNeeded: an AOF event that took `ms`. */
  latency(event: string, ms: number): void;
}

export { AofFatal };

export class Aof {
  state = AofState.Off;
  /** The AOF offset known to be on disk (fsynced_reploff's local half, for WAITAOF). */
  fsyncedOffset = 0;
  /** Told each time more of the AOF is known to be on disk. */
  onFsynced: (() => void) | undefined;
  manifest = new AofManifest();
  readonly writer: AofWriter;
  rewrite: AofRewrite | undefined;
  rewriteScheduled = false;
  /** Unix seconds the running rewrite started (-1: none), and the last one's duration. */
  private rewriteTimeStart = -1;
  private rewriteTimeLast = -1;
  private lastBgrewriteOk = true;
  rewrites = 0;
  consecutiveFailures = 0;
  /** aof_rewrite_base_size: the size after the last rewrite (auto-aof-rewrite-percentage's base). */
  baseSize = 0;
  private nextDelayMinutes = 0;
  private nextRewriteTime = 0;
  readonly sink: PropagationSink;
  private timestamps: boolean;
  private manifestLoaded = false;

  constructor(readonly host: AofHost) {
    const config = host.config;
    this.writer = new AofWriter({
      log: host.log,
      policy: () => config.str('appendfsync') as FsyncPolicy,
      timestamps: () => this.timestamps,
      skipFsync: () => config.bool('no-appendfsync-on-rewrite') && this.childActive(),
      fatal: (m) => {
        host.log.warning(m);
        host.exit(m);
      },
      childActive: () => this.childActive(),
      latency: (event, ms) => host.latency(event, ms),
    });
    this.writer.onFsynced = (offset) => {
      if (offset <= this.fsyncedOffset) return;
      this.fsyncedOffset = offset;
      this.onFsynced?.();
    };
    this.sink = {
      target: Target.Aof,
      feed: (db, command) => this.feed(db, command),
      feedRange: (db, src, start, end) => {
        if (this.feeding()) this.writer.feedRange(db, src, start, end);
      },
    };
    // Read on every fed command: kept as a field, refreshed when CONFIG SET changes it.
    this.timestamps = config.bool('aof-timestamp-enabled');
    config.onChange((name) => {
      if (name === 'aof-timestamp-enabled') this.timestamps = config.bool(name);
    });
    host.persistence.otherChildActive = () => this.rewrite !== undefined;
    host.persistence.loadAofForDebug = () => reloadForDebug(this);
    const writer = this.writer;
    const self = this;
    host.persistence.aofStatus = {
      get enabled() {
        return self.state !== AofState.Off;
      },
      get fedOffset() {
        return writer.fedOffset;
      },
      get fsyncedOffset() {
        return self.fsyncedOffset;
      },
      get writeError() {
        return self.state !== AofState.Off && !(writer.lastWriteOk && writer.bioFsyncOk) ? writer.lastWriteError : undefined;
      },
    };
    host.persistence.aofInfo = () => this.infoFields();
    host.persistence.aofInfoTail = () => this.infoTail();
  }

  get filename(): string {
    return this.host.config.str('appendfilename');
  }

  get dirPath(): string {
    const c = this.host.config;
    return join(c.str('dir'), c.str('appenddirname'));
  }

  private childActive(): boolean {
    return this.rewrite !== undefined || this.host.persistence.bg !== undefined;
  }

  private feed(db: number, command: Buffer): void {
    if (this.feeding()) this.writer.feed(db, command);
  }

  /** Commands go to the buffer: the AOF is on, or its first rewrite is running. */
  private feeding(): boolean {
    return this.state === AofState.On || (this.state === AofState.WaitRewrite && this.rewrite !== undefined);
  }

  /** beforeSleep's flushAppendOnlyFile(0): before the turn's replies go out. */
  beforeSleep(): void {
    if (this.state !== AofState.Off) this.writer.flush(false);
  }

  // ---- start-up (startup.ts) --------------------------------------------------------------------

  /** aofLoadManifestFromDisk: a manifest that can't be read stops the server. */
  loadManifestFromDisk(): void {
    loadManifestFromDisk(this);
    this.manifestLoaded = true;
  }

  /**
   * loadDataFromDisk with appendonly yes, aofOpenIfNeededOnServerStart, aofDelHistoryFiles: the
   * base's RDB in slices, then the rest. `done` hears AofFatal (logged) or another error.
   */
  startUp(done: (error?: unknown) => void): void {
    startUp(this, done);
  }

  ensureDir(): string | undefined {
    try {
      mkdirSync(this.dirPath, { recursive: true });
      return this.dirPath;
    } catch (e) {
      this.host.log.warning(`Can't open or create append-only dir ${this.host.config.str('appenddirname')}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** persistAofManifest; with `fatal`, a failure stops start-up. False when it failed. */
  persistManifest(m: AofManifest, fatal = false): boolean {
    try {
      writeManifest(this.dirPath, this.filename, m);
      return true;
    } catch (e) {
      this.host.log.warning((e as Error).message);
      if (fatal) throw new AofFatal();
      return false;
    }
  }

  /** aofDelHistoryFiles: history files removed, the manifest written without them. */
  delHistoryFiles(): void {
    const m = this.manifest;
    if (this.host.config.bool('aof-disable-auto-gc') || m.history.length === 0) return;
    for (const h of m.history) {
      this.host.log.notice(`Removing the history file ${h.name} in the background`);
      try {
        unlinkSync(join(this.dirPath, h.name));
      } catch {
        // already gone
      }
    }
    m.history = [];
    this.persistManifest(m);
  }

  // ---- BGREWRITEAOF -----------------------------------------------------------------------------

  /** bgrewriteaofCommand: the status to reply, or the error. */
  bgrewriteaof(): { ok: string } | { error: string } {
    if (this.rewrite) return { error: 'Background append only file rewriting already in progress' };
    if (this.host.persistence.bg || this.host.inExec()) {
      this.rewriteScheduled = true;
      this.consecutiveFailures = 0;
      return { ok: 'Background append only file rewriting scheduled' };
    }
    if (this.startRewrite()) return { ok: 'Background append only file rewriting started' };
    return { error: "Can't execute an AOF background rewriting. Please check the server logs for more information." };
  }

  /** An embedded server started without a directory read no manifest yet: Redis always has one. */
  private ensureManifest(): boolean {
    if (this.manifestLoaded) return true;
    try {
      this.loadManifestFromDisk();
      return true;
    } catch {
      return false;
    }
  }

  /** rewriteAppendOnlyFileBackground. */
  startRewrite(): boolean {
    if (this.childActive() || !this.ensureManifest()) return false;
    const { log, config } = this.host;
    if (this.ensureDir() === undefined) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.writer.selectedDb = -1;
    this.writer.flush(true);
    if (!this.openNewIncr()) {
      this.lastBgrewriteOk = false;
      return false;
    }
    this.rewrites++;
    const dir = config.str('dir');
    try {
      this.rewrite = new AofRewrite(this.host.persistence, {
        rdb: config.bool('aof-use-rdb-preamble'),
        timestamps: config.bool('aof-timestamp-enabled'),
        path: join(dir, `temp-rewriteaof-bg-${process.pid}.aof`),
        temp: join(dir, `temp-rewriteaof-${process.pid}.aof`),
        done: (error) => this.rewriteDone(error),
      });
    } catch (e) {
      this.lastBgrewriteOk = false;
      log.warning(`Can't rewrite append only file in background: ${(e as Error).message}`);
      return false;
    }
    log.notice(`Background append only file rewriting started by pid ${process.pid}`);
    this.rewriteScheduled = false;
    this.rewriteTimeStart = Math.floor(Date.now() / 1000);
    return true;
  }

  /** openNewIncrAofForAppend: the writes from now on go to a new incr file (a temporary one while waiting). */
  private openNewIncr(): boolean {
    if (this.state === AofState.Off) return true;
    let temp: AofManifest | undefined;
    let name: string;
    if (this.state === AofState.WaitRewrite) {
      name = tempIncrName(this.filename);
    } else {
      temp = this.manifest.clone();
      name = temp.newIncr(this.filename);
    }
    let fd: number;
    try {
      fd = openSync(join(this.dirPath, name), 'w', 0o644);
    } catch (e) {
      this.host.log.warning(`Can't open the append-only file ${name}: ${(e as Error).message}`);
      return false;
    }
    if (temp && !this.persistManifest(temp)) {
      try {
        unlinkSync(join(this.dirPath, name));
      } catch {
        // not there
      }
      return false;
    }
    this.host.log.notice(`Creating AOF incr file ${name} on background rewrite`);
    this.writer.switchTo(fd, 0);
    if (temp) this.manifest = temp;
    return true;
  }

  /** backgroundRewriteDoneHandler. */
  private rewriteDone(error: string | undefined): void {
    const rw = this.rewrite!;
    this.rewrite = undefined;
    const { log } = this.host;
    const cleanup = () => {
      try {
        unlinkSync(rw.path);
      } catch {
        // renamed or never written
      }
      if (this.state === AofState.WaitRewrite) {
        this.writer.clear();
        const name = tempIncrName(this.filename);
        log.notice(`Removing the temp incr aof file ${name} in the background`);
        try {
          unlinkSync(join(this.dirPath, name));
        } catch {
          // renamed or never written
        }
      }
      this.rewriteTimeLast = Math.floor(Date.now() / 1000) - this.rewriteTimeStart;
      this.rewriteTimeStart = -1;
      if (this.state === AofState.WaitRewrite) this.rewriteScheduled = true;
    };
    if (error !== undefined) {
      // The child's own line, then the parent's.
      log.warning(error);
      log.warning('Background AOF rewrite terminated with error');
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      cleanup();
      return;
    }
    const tmpName = `temp-rewriteaof-bg-${process.pid}.aof`;
    // The child's line, then the parent's (backgroundRewriteDoneHandler).
    log.notice(`Successfully created the temporary AOF base file ${tmpName}`);
    log.notice('Background AOF rewrite terminated with success');
    const m = this.manifest.clone();
    const base = m.newBase(this.filename, rw.rdb);
    const basePath = join(this.dirPath, base);
    const fail = () => {
      this.lastBgrewriteOk = false;
      this.consecutiveFailures++;
      cleanup();
    };
    try {
      renameSync(rw.path, basePath);
    } catch (e) {
      log.warning(`Error trying to rename the temporary AOF base file ${tmpName} into ${basePath}: ${(e as Error).message}`);
      return fail();
    }
    log.notice(`Successfully renamed the temporary AOF base file ${tmpName} into ${base}`);
    let incrPath: string | undefined;
    if (this.state === AofState.WaitRewrite) {
      const tempIncr = tempIncrName(this.filename);
      const incr = m.newIncr(this.filename);
      incrPath = join(this.dirPath, incr);
      try {
        renameSync(join(this.dirPath, tempIncr), incrPath);
      } catch (e) {
        log.warning(`Error trying to rename the temporary AOF incr file ${join(this.dirPath, tempIncr)} into ${incrPath}: ${(e as Error).message}`);
        this.unlinkQuiet(basePath);
        return fail();
      }
      log.notice(`Successfully renamed the temporary AOF incr file ${tempIncr} into ${incr}`);
    }
    m.markRewrittenIncrAsHistory(this.writer.fd !== -1);
    if (!this.persistManifest(m)) {
      this.unlinkQuiet(basePath);
      if (incrPath) this.unlinkQuiet(incrPath);
      return fail();
    }
    this.manifest = m;
    if (this.state !== AofState.Off) {
      this.writer.currentSize = statSync(basePath).size + this.writer.lastIncrSize;
      this.baseSize = this.writer.currentSize;
    }
    this.delHistoryFiles();
    this.lastBgrewriteOk = true;
    this.consecutiveFailures = 0;
    log.notice('Background AOF rewrite finished successfully');
    if (this.state === AofState.WaitRewrite) this.state = AofState.On;
    this.rewriteTimeLast = Math.floor(Date.now() / 1000) - this.rewriteTimeStart;
    this.rewriteTimeStart = -1;
    try {
      unlinkSync(rw.path);
    } catch {
      // renamed
    }
  }

  private unlinkQuiet(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // not there
    }
  }

  /** killAppendOnlyChild. */
  killRewrite(): void {
    if (!this.rewrite) return;
    this.host.log.notice(`Killing running AOF rewrite child: ${process.pid}`);
    const rw = this.rewrite;
    this.rewrite = undefined;
    rw.abort();
    this.rewriteTimeStart = -1;
  }

  // ---- CONFIG SET appendonly ------------------------------------------------------------------

  /** startAppendOnly: false when the first rewrite could not start. */
  startAppendOnly(): boolean {
    const log = this.host.log;
    if (!this.ensureManifest()) return false;
    this.state = AofState.WaitRewrite;
    this.host.addSink(this.sink);
    if (this.host.persistence.bg) {
      this.rewriteScheduled = true;
      log.notice('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (this.host.inExec()) {
      this.rewriteScheduled = true;
      log.notice('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (this.rewrite) {
        log.notice('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.killRewrite();
      }
      if (!this.startRewrite()) {
        this.state = AofState.Off;
        this.host.removeSink(this.sink);
        log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return false;
      }
    }
    this.writer.lastFsync = Math.floor(Date.now() / 1000);
    if (!this.writer.bioFsyncOk) {
      log.warning('AOF reopen, just ignore the AOF fsync error in bio job');
      this.writer.bioFsyncOk = true;
    }
    if (!this.writer.lastWriteOk) {
      log.warning('AOF reopen, just ignore the last error.');
      this.writer.lastWriteOk = true;
    }
    return true;
  }

  /** stopAppendOnly. */
  stopAppendOnly(): void {
    this.writer.closeFile();
    this.state = AofState.Off;
    this.rewriteScheduled = false;
    this.host.removeSink(this.sink);
    this.killRewrite();
  }

  /** prepareForShutdown's AOF part; false when it must not exit. */
  beforeShutdown(force: boolean): boolean {
    const log = this.host.log;
    if (this.rewrite) {
      if (this.state === AofState.WaitRewrite) {
        if (!force) {
          log.warning("Writing initial AOF, can't exit.");
          return false;
        }
        log.warning('Writing initial AOF. Exit anyway.');
      }
      log.warning('There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state !== AofState.Off) {
      log.notice('Calling fsync() on the AOF file.');
      this.writer.closeFile();
      this.host.removeSink(this.sink);
      this.state = AofState.Off;
    }
    return true;
  }

  /** The server closes (an embedded server's close()): what is buffered is written, the file closed. */
  close(): void {
    if (this.rewrite) {
      const rw = this.rewrite;
      this.rewrite = undefined;
      rw.abort();
    }
    if (this.state !== AofState.Off) {
      this.writer.closeFile();
      this.host.removeSink(this.sink);
      this.state = AofState.Off;
    }
  }

  // ---- cron -------------------------------------------------------------------------------------

  /** serverCron's AOF part. */
  cron(): void {
    const { config, log } = this.host;
    if (!this.childActive() && this.rewriteScheduled && !this.rewriteLimited()) this.startRewrite();
    if (this.state === AofState.On && !this.childActive() && config.int('auto-aof-rewrite-percentage') && this.writer.currentSize > config.int('auto-aof-rewrite-min-size')) {
      const base = this.baseSize || 1;
      const growth = Math.floor((this.writer.currentSize * 100) / base) - 100;
      if (growth >= config.int('auto-aof-rewrite-percentage') && !this.rewriteLimited()) {
        log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
    // Each tick is a turn of its own (active expiry's DELs, a postponed write, a failed one retried).
    if (this.state !== AofState.Off) this.writer.flush(false);
  }

  /** aofRewriteLimited: after three failures in a row, automatic rewrites wait 1, 2, 4 ... 60 minutes. */
  private rewriteLimited(): boolean {
    if (this.consecutiveFailures < 3) {
      this.nextDelayMinutes = 0;
      this.nextRewriteTime = 0;
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (this.nextRewriteTime !== 0) {
      if (now < this.nextRewriteTime) return true;
      this.nextRewriteTime = 0;
      return false;
    }
    this.nextDelayMinutes = Math.min(60, this.nextDelayMinutes === 0 ? 1 : this.nextDelayMinutes * 2);
    this.nextRewriteTime = now + this.nextDelayMinutes * 60;
    this.host.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.nextDelayMinutes} minutes`);
    return true;
  }

  // ---- INFO -------------------------------------------------------------------------------------

  private infoFields(): [string, string | number][] {
    const w = this.writer;
    return [
      ['aof_enabled', this.state !== AofState.Off ? 1 : 0],
      ['aof_rewrite_in_progress', this.rewrite ? 1 : 0],
      ['aof_rewrite_scheduled', this.rewriteScheduled ? 1 : 0],
      ['aof_last_rewrite_time_sec', this.rewriteTimeLast],
      ['aof_current_rewrite_time_sec', this.rewrite ? Math.floor(Date.now() / 1000) - this.rewriteTimeStart : -1],
      ['aof_last_bgrewrite_status', this.lastBgrewriteOk ? 'ok' : 'err'],
      ['aof_rewrites', this.rewrites],
      ['aof_rewrites_consecutive_failures', this.consecutiveFailures],
      ['aof_last_write_status', w.lastWriteOk && w.bioFsyncOk ? 'ok' : 'err'],
      ['aof_last_cow_size', 0],
    ];
  }

  /** Printed when appendonly is yes in the config (server.aof_enabled), as 7.2 does. */
  private infoTail(): [string, string | number][] {
    if (!this.host.config.bool('appendonly')) return [];
    const w = this.writer;
    return [
      ['aof_current_size', w.currentSize],
      ['aof_base_size', this.baseSize],
      ['aof_pending_rewrite', this.rewriteScheduled ? 1 : 0],
      ['aof_buffer_length', w.pending],
      ['aof_pending_bio_fsync', w.fsyncsInFlight],
      ['aof_delayed_fsync', w.delayedFsync],
    ];
  }
}
