// The RDB side of the server: SAVE, loading at start-up and DEBUG RELOAD, the save on SHUTDOWN,
// and INFO persistence. Redis's log lines and counters: `rdb_changes_since_last_save` is the
// server's dirty counter, reset by every successful save; `lastsave` is the time of the last one.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import type { Logger } from '../util/log.js';
import { REDIS_VERSION } from '../config/version.js';
import { BackgroundSave, type BackgroundSaveOptions } from './bgsave.js';
import { LOAD_CANCELLED, loadInSlices, LoadingState, RdbLoad, type LoadOptions } from './loading.js';
import type { SaveSink } from './save-sink.js';
import { RDB_FILE_VERSION, RDB_FILE_VERSION_HFE, writeRdbFile, type EncodeValue } from './rdb.js';
import { RdbParser } from './rdb-parser.js';
import { Snapshot, type KeyOf } from './snapshot.js';

/** The AOF as writes and WAITAOF see it. */
export interface AofStatus {
  /** appendonly is on (aof_enabled). */
  readonly enabled: boolean;
  /** Bytes fed to the AOF since the start, and how many of them are known to be on disk. */
  readonly fedOffset: number;
  readonly fsyncedOffset: number;
  /** The last write or fsync failed: writes are refused (-MISCONF) until one succeeds. */
  readonly writeError: string | undefined;
}

/** What persistence needs of the server around it. */
export interface PersistenceHost {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly log: Logger;
  dirty: number;
  /** Function library codes, for the file; and loading them back (an error text on failure). */
  libraries(): string[];
  loadLibraries(codes: readonly string[], replace: boolean): string | undefined;
  flushLibraries(): void;
  usedMemory(): number;
  /** OBJECT ENCODING of a value, and how a list splits into quicklist nodes. */
  encodingOf(v: import('../data/keyspace.js').Value): string;
  listNodes(l: RedisList): number[];
}

/** A blocking sleep of the main thread (SAVE under rdb-key-save-delay, a test knob). */
function sleepMicroseconds(us: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, us / 1000);
}

export class Persistence {
  /** Unix seconds of the last successful save (the start time before any). */
  lastSave = Math.floor(Date.now() / 1000);
  lastStatus: 'ok' | 'err' = 'ok';
  saves = 0;
  /** server.loading and the loading_* figures (loading.ts). */
  readonly loadingState = new LoadingState();
  lastLoad = { loaded: 0, expired: 0 };
  /** The aux fields of the last image loaded (a replica reads repl-stream-db from its payload). */
  lastAux: ReadonlyMap<string, string> = new Map();

  constructor(readonly host: PersistenceHost) {}

  /** A load is in progress (processCommand's one check before -LOADING). */
  get loading(): boolean {
    return this.loadingState.active;
  }

  get asyncLoading(): boolean {
    return this.loadingState.async;
  }

  /** dir/dbfilename. */
  get path(): string {
    const c = this.host.config;
    return join(c.str('dir'), c.str('dbfilename'));
  }

  /** How values are written into a file of `version` (10, or 12 when the dataset needs it). */
  encode(version: 10 | 12): EncodeValue {
    const { config } = this.host;
    const compress = config.bool('rdbcompression');
    return (v) => ({ config, encoding: this.host.encodingOf(v), listNodes: v instanceof RedisList ? this.host.listNodes(v) : undefined, compress, rdbVersion: version });
  }

  /**
   * The version a file of the dataset as it is now gets: 10, so that Redis 7.0 loads it, unless a
   * hash holds field deadlines, which only RDB 12's hash types keep (Redis 7.4 writes 12 always;
   * 7.0 and 7.2 refuse such a file, as they would 7.4's). A background save decides at its start:
   * keys are written as they were then.
   */
  private fileVersion(): 10 | 12 {
    for (const db of this.host.keyspace.dbs) {
      for (const [key, h] of db.hexpires) {
        if (h.ttls !== null && h.ttls.size > 0 && db.dict.get(key) === h) return RDB_FILE_VERSION_HFE;
      }
    }
    return RDB_FILE_VERSION;
  }

  /** The aux fields a file starts with (rdbSaveInfoAuxFields). */
  aux(now: number, aofBase = false): [string, string | number][] {
    return [
      ['redis-ver', REDIS_VERSION],
      ['redis-bits', 64],
      ['ctime', Math.floor(now / 1000)],
      ['used-mem', this.host.usedMemory()],
      ['aof-base', aofBase ? 1 : 0],
    ];
  }

  /** How a key is written: its deadline, and its idle time or frequency under an LRU or LFU policy. */
  keyOf(now: number): KeyOf {
    const { config, keyspace } = this.host;
    const lfu = keyspace.lfu;
    const lru = config.str('maxmemory-policy').includes('lru');
    return (_db, e) => ({
      key: e.key,
      value: e.value,
      expire: e.expire,
      idle: lru ? Math.max(0, Math.floor(now / 1000) - e.clock) : undefined,
      freq: lfu ? keyspace.lfuCounter(e.clock, now) : undefined,
    });
  }

  /**
   * The whole dataset as an RDB payload, for a replica's full synchronization: written to a
   * temporary file (as a disk-based sync does) and read back, with the replication aux fields.
   */
  payload(extra: readonly [string, string | number][]): Buffer {
    const { config, keyspace } = this.host;
    const now = Date.now();
    const path = join(tmpdir(), `respd-repl-${process.pid}-${now}.rdb`);
    const version = this.fileVersion();
    writeRdbFile(path, `${path}.tmp`, config.bool('rdbchecksum'), (w) => {
      w.header([...this.aux(now), ...extra], this.host.libraries(), version);
      new Snapshot(keyspace, w, this.encode(version), this.keyOf(now)).step(Infinity, Infinity);
    });
    try {
      return readFileSync(path);
    } finally {
      unlinkSync(path);
    }
  }

  /**
   * A replicas' full sync to disk (rdbSaveBackground for SYNC): the dataset written in the
   * background, as BGSAVE writes it, to a temporary file, then handed over as a payload. False
   * when a background save already runs. While it runs it is the background save INFO reports
   * and BGSAVE waits for.
   */
  snapshotForReplicas(extra: readonly [string, string | number][], done: (payload: Buffer | undefined, error?: string) => void): boolean {
    const path = join(tmpdir(), `respd-repl-${process.pid}-${Date.now()}.rdb`);
    return this.startForReplicas(extra, { path, temp: `${path}.tmp` }, (error) => {
      if (error !== undefined) return done(undefined, error);
      try {
        done(readFileSync(path));
      } finally {
        unlinkSync(path);
      }
    });
  }

  /**
   * A diskless full sync (rdbSaveToSlavesSockets): the dataset serialized in the background
   * straight into `sink` (the replicas' sockets), no file. False when a background save runs.
   */
  snapshotToSockets(extra: readonly [string, string | number][], sink: SaveSink, done: (error: string | undefined) => void): boolean {
    return this.startForReplicas(extra, { sink }, done);
  }

  private startForReplicas(extra: readonly [string, string | number][], target: { path: string; temp: string } | { sink: SaveSink },
    done: (error: string | undefined) => void): boolean {
    if (this.bg) return false;
    const { config, keyspace, log } = this.host;
    const now = Date.now();
    const version = this.fileVersion();
    const end = (error: string | undefined): void => {
      this.bg = undefined;
      this.replicaSyncDone = undefined;
      if (error !== undefined) log.warning(`Background RDB transfer error: ${error}`);
      else log.notice('Background RDB transfer terminated with success');
      done(error);
    };
    try {
      this.bg = new BackgroundSave({
        ...target,
        checksum: config.bool('rdbchecksum'),
        keyspace,
        aux: [...this.aux(now), ...extra],
        libraries: this.host.libraries(),
        version,
        encode: this.encode(version),
        keyOf: this.keyOf(now),
        keyDelayUs: () => config.int('rdb-key-save-delay'),
        done: end,
      });
    } catch {
      return false;
    }
    // stat_rdb_saves counts the replicas' saves too (rdbSaveBackground, rdbSaveToSlavesSockets).
    this.saves++;
    this.replicaSyncDone = done;
    log.notice('Background RDB transfer started');
    return true;
  }

  /** The replicas waiting on the background save in progress, if it is theirs. */
  private replicaSyncDone: ((error: string) => void) | undefined;

  /** A replicas' save stopped because no replica is left to receive it (killRDBChild, no error). */
  abortForReplicas(): void {
    if (!this.bg || !this.replicaSyncDone) return;
    this.bg.abort();
    this.bg = undefined;
    this.replicaSyncDone = undefined;
    this.host.log.warning('Background transfer terminated by signal 10');
  }

  /** rdbSave: the whole dataset to dir/dbfilename now. An error text when it failed. */
  save(): string | undefined {
    if (this.bg) return 'Background save already in progress';
    const { config, keyspace, log } = this.host;
    const temp = join(config.str('dir'), `temp-${process.pid}.rdb`);
    const now = Date.now();
    try {
      const version = this.fileVersion();
      writeRdbFile(this.path, temp, config.bool('rdbchecksum'), (w) => {
        w.header(this.aux(now), this.host.libraries(), version);
        const snap = new Snapshot(keyspace, w, this.encode(version), this.keyOf(now));
        // rdb-key-save-delay (µs per key) blocks SAVE as Redis's usleep in rdbSaveKeyValuePair does.
        const delay = config.int('rdb-key-save-delay');
        if (delay > 0) while (!snap.step(1, Infinity)) sleepMicroseconds(delay);
        else snap.step(Infinity, Infinity);
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      log.warning(`Failed opening the temp RDB file ${temp} (in server root dir ${config.str('dir')}) for saving: ${err.message}`);
      this.lastStatus = 'err';
      return err.message;
    }
    log.notice('DB saved on disk');
    this.host.dirty = 0;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastStatus = 'ok';
    return undefined;
  }

  // ---- BGSAVE -----------------------------------------------------------------------------------

  /** The background save in progress. */
  bg: BackgroundSave | undefined;
  private lastBgsaveTry = 0;
  /** INFO persistence's aof_* fields (the AOF sets it; these are its fields while it is off). */
  aofInfo: () => [string, string | number][] = () => [
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
  ];
  /** The fields 7.2 adds while the AOF is on (aof_current_size ...). */
  aofInfoTail: () => [string, string | number][] = () => [];
  /** The AOF as writes and WAITAOF see it (the AOF sets it; off until then). */
  aofStatus: AofStatus = { enabled: false, fedOffset: 0, fsyncedOffset: 0, writeError: undefined };
  /** DEBUG LOADAOF: the AOF files loaded again into the emptied dataset (false: failed). */
  loadAofForDebug: () => boolean = () => true;
  /** An AOF rewrite runs (Redis's other kind of child): BGSAVE waits or is refused. */
  otherChildActive: () => boolean = () => false;
  /** BGSAVE SCHEDULE during an AOF rewrite: started by the cron once it is over. */
  bgsaveScheduled = false;
  lastBgsaveSeconds = -1;

  /**
   * BGSAVE [SCHEDULE] (bgsaveCommand): the status text to reply, or an error text. A save in
   * progress is an error even with SCHEDULE, which waits only for another kind of child (an AOF
   * rewrite); inside EXEC the save is scheduled for the cron, as Redis does.
   */
  bgsave(schedule: boolean, inExec = false): { ok: string } | { error: string } {
    if (this.bg) return { error: 'Background save already in progress' };
    if (this.otherChildActive() || inExec) {
      if (!inExec && !schedule) return { error: "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible." };
      this.bgsaveScheduled = true;
      return { ok: 'Background saving scheduled' };
    }
    const err = this.startBackground();
    return err === undefined ? { ok: 'Background saving started' } : { error: err };
  }

  private startBackground(): string | undefined {
    const { config, log } = this.host;
    const now = Date.now();
    this.lastBgsaveTry = now;
    this.bgsaveScheduled = false;
    const dirtyBefore = this.host.dirty;
    // stat_rdb_saves counts every background save started (the save points' too), as rdbSaveBackground does.
    this.saves++;
    try {
      this.bg = new BackgroundSave(this.backgroundOptions(this.path, join(config.str('dir'), `temp-${process.pid}.rdb`), false, (error) => this.backgroundDone(error, dirtyBefore)));
    } catch (e) {
      // In Redis the child fails after the fork: the save has started, and fails just after.
      log.notice('Background saving started');
      const temp = `temp-${process.pid}.rdb`;
      setImmediate(() => {
        log.warning(`Failed opening the temp RDB file ${temp} (in server root dir ${config.str('dir')}) for saving: ${(e as Error).message}`);
        log.warning('Background saving error');
        this.lastStatus = 'err';
      });
      return undefined;
    }
    log.notice('Background saving started');
    return undefined;
  }

  /** What a BackgroundSave of the dataset needs: to `path` through `temp`, as an AOF base or not. */
  backgroundOptions(path: string, temp: string, aofBase: boolean, done: (error: string | undefined) => void): BackgroundSaveOptions {
    const { config, keyspace } = this.host;
    const now = Date.now();
    const version = this.fileVersion();
    return {
      path,
      temp,
      checksum: config.bool('rdbchecksum'),
      keyspace,
      aux: this.aux(now, aofBase),
      libraries: this.host.libraries(),
      version,
      encode: this.encode(version),
      keyOf: this.keyOf(now),
      keyDelayUs: () => config.int('rdb-key-save-delay'),
      done,
    };
  }

  /** rdbSave into `path` through `temp` now, as an AOF base (rewriteAppendOnlyFile with the preamble). Throws on I/O errors. */
  writeAofBase(path: string, temp: string): void {
    const { config, keyspace } = this.host;
    const now = Date.now();
    const version = this.fileVersion();
    writeRdbFile(path, temp, config.bool('rdbchecksum'), (w) => {
      w.header(this.aux(now, true), this.host.libraries(), version);
      new Snapshot(keyspace, w, this.encode(version), this.keyOf(now)).step(Infinity, Infinity);
    });
  }

  private backgroundDone(error: string | undefined, dirtyBefore: number): void {
    const bg = this.bg!;
    this.bg = undefined;
    this.lastBgsaveSeconds = Math.round((Date.now() - bg.startedMs) / 1000);
    const log = this.host.log;
    if (error === undefined) {
      log.notice('DB saved on disk');
      log.notice('Background saving terminated with success');
      // Changes made while it ran stay counted (dirty - dirty_before_bgsave).
      this.host.dirty = Math.max(0, this.host.dirty - dirtyBefore);
      this.lastSave = Math.floor(Date.now() / 1000);
      this.lastStatus = 'ok';
    } else {
      log.warning(`Background saving error: ${error}`);
      this.lastStatus = 'err';
    }
  }

  /** killRDBChild: FLUSHALL and SHUTDOWN stop a background save (its temp file removed). */
  abortBackground(): void {
    if (!this.bg) return;
    this.bg.abort();
    this.bg = undefined;
    this.host.log.warning('Background saving terminated by signal');
    // A replicas' sync killed: they are dropped and sync again (Background transfer terminated).
    const repl = this.replicaSyncDone;
    this.replicaSyncDone = undefined;
    repl?.('terminated by signal');
  }

  /** serverCron's save points: a BGSAVE when enough changes are old enough. */
  cron(now: number): void {
    if (this.bg || this.otherChildActive()) return;
    // A scheduled BGSAVE: started now, or after CONFIG_BGSAVE_RETRY_DELAY when the last one failed.
    if (this.bgsaveScheduled && (now - this.lastBgsaveTry > 5000 || this.lastStatus === 'ok')) {
      if (this.startBackground() === undefined) this.bgsaveScheduled = false;
      return;
    }
    if (!this.hasSavePoints) return;
    const words = this.host.config.str('save').trim().split(/\s+/).map(Number);
    const sinceSave = Math.floor(now / 1000) - this.lastSave;
    for (let i = 0; i + 1 < words.length; i += 2) {
      const seconds = words[i]!;
      const changes = words[i + 1]!;
      // After a failed save, a retry waits CONFIG_BGSAVE_RETRY_DELAY (5 s).
      if (this.host.dirty >= changes && sinceSave > seconds && (now - this.lastBgsaveTry > 5000 || this.lastStatus === 'ok')) {
        this.host.log.notice(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBackground();
        return;
      }
    }
  }

  /** prepareForShutdown: the final snapshot with save points (unless NOSAVE) or with SAVE; false when it failed and FORCE was not given. */
  beforeShutdown(how: { save: boolean; nosave: boolean; force: boolean }): boolean {
    this.abortBackground();
    // prepareForShutdown: never a save of a dataset half loaded.
    if (this.loading) return true;
    if (!((this.hasSavePoints && !how.nosave) || how.save)) return true;
    const log = this.host.log;
    log.notice('Saving the final RDB snapshot before exiting.');
    if (this.save() === undefined) return true;
    if (how.force) {
      log.warning('Error trying to save the DB. Exit anyway.');
      return true;
    }
    log.warning("Error trying to save the DB, can't exit.");
    return false;
  }

  /** `save` has save points: FLUSHALL and SHUTDOWN then save (Redis's saveparamslen > 0). */
  get hasSavePoints(): boolean {
    return this.host.config.str('save').trim() !== '';
  }

  /** flushAllDataAndResetRDB: after FLUSHALL, an empty dump when save points are set. */
  afterFlushAll(): void {
    this.abortBackground();
    if (this.hasSavePoints) this.save();
  }

  /** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back. */
  reload(opts: { save: boolean; flush: boolean; merge: boolean }): string | undefined {
    if (opts.save && this.save() !== undefined) return 'ERR';
    if (opts.flush) {
      this.host.keyspace.flushAll();
      this.host.flushLibraries();
    }
    const err = this.load(opts.merge);
    if (err !== undefined) {
      this.host.log.warning(`Error trying to load the RDB dump: ${err}`);
      return 'Error trying to load the RDB dump, check server logs.';
    }
    this.host.log.notice('DB reloaded by DEBUG RELOAD');
    return undefined;
  }

  /**
   * Loads dir/dbfilename if it exists (rdbLoad at start-up, DEBUG RELOAD): keys whose deadline
   * passed are dropped and counted. Returns an error text when the file is there but unreadable.
   */
  load(allowDuplicates = false): string | undefined {
    const path = this.path;
    if (!existsSync(path)) return undefined;
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      return (e as Error).message;
    }
    const started = performance.now();
    const err = this.loadBuffer(data, allowDuplicates);
    if (err === undefined) this.host.log.notice(`DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
    return err;
  }

  /**
   * Start-up's load of dir/dbfilename (loadDataFromDisk), in slices: `done` hears undefined
   * (loaded, or no file) or Redis's fatal message.
   */
  loadAtStartUp(done: (fatal: string | undefined) => void): void {
    const path = this.path;
    if (!existsSync(path)) return done(undefined);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      return done(`Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
    }
    this.loadInBackground(data, {}, (r) => {
      if (r === LOAD_CANCELLED) return done(r);
      if (typeof r === 'string') return done(`Fatal error loading the DB: ${r}. Exiting.`);
      this.host.log.notice(`DB loaded from disk: ${((performance.now() - r.started) / 1000).toFixed(3)} seconds`);
      done(undefined);
    });
  }

  /**
   * Loads an RDB image into the keyspace as it is, in one go (DEBUG RELOAD loads the file into a
   * keyspace just flushed, or merges it).
   */
  loadBuffer(data: Uint8Array, allowDuplicates = false): string | undefined {
    this.loadingState.start(data.length);
    try {
      const r = this.loadRdb(Buffer.from(data.buffer, data.byteOffset, data.byteLength), allowDuplicates);
      return typeof r === 'string' ? r : undefined;
    } finally {
      this.loadingState.stop();
    }
  }

  /**
   * rdbLoadRio over a buffer in one go (a dump.rdb, or an AOF's RDB base or preamble): the keys,
   * their deadlines and access clocks, and the function libraries go into the dataset. An error
   * text, or where the RDB ended in `data`.
   */
  loadRdb(data: Buffer, allowDuplicates = false): { end: number; started: number } | string {
    const load = this.openLoad(data, { allowDuplicates });
    if (typeof load === 'string') return load;
    const r = load.run();
    if (r !== null) return r;
    this.loadDone(load);
    return { end: load.parser.end, started: load.started };
  }

  /**
   * Loads an RDB image in slices, serving clients between them (start-up, a replica's full
   * sync, an AOF's base): INFO shows loading:1 and the progress meanwhile. `done` hears where the
   * RDB ended in `data`, or the error text. The keyspace is loaded as it is (the caller flushed it).
   */
  loadInBackground(data: Buffer, opts: LoadOptions, done: (r: { end: number; started: number } | string) => void): void {
    const state = this.loadingState;
    state.start(data.length, opts.async);
    const load = this.openLoad(data, opts);
    if (typeof load === 'string') {
      state.stop();
      done(load);
      return;
    }
    // rdb_last_load_keys_* count from the start, and grow as the load goes (startLoading).
    this.lastLoad = { loaded: 0, expired: 0 };
    const progress = () => (this.lastLoad = { loaded: load.loaded, expired: load.expired });
    this.cancelLoad = loadInSlices(load, state, this.host.config, progress, (error) => {
      this.cancelLoad = undefined;
      state.stop();
      if (error !== null) return done(error);
      this.loadDone(load);
      done({ end: load.parser.end, started: load.started });
    });
  }

  /** Stops a load in slices (the server closing): its callback hears LOAD_CANCELLED. */
  cancelLoad: (() => void) | undefined;

  private openLoad(data: Buffer, opts: LoadOptions): RdbLoad | string {
    const parser = RdbParser.open(data, this.host.config, Date.now());
    if (typeof parser === 'string') return parser;
    this.lastAux = parser.aux;
    return new RdbLoad(opts.target ?? this.host, parser, opts, this.loadingState);
  }

  private loadDone(load: RdbLoad): void {
    this.lastLoad = { loaded: load.loaded, expired: load.expired };
    load.logDone();
  }

  /** INFO persistence: the RDB fields, then the AOF's. */
  infoFields(): [string, string | number][] {
    return [
      ...this.loadingState.flags(),
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', this.bg?.keysDone ?? 0],
      ['current_save_keys_total', this.bg?.keysTotal ?? 0],
      ['rdb_changes_since_last_save', this.host.dirty],
      ['rdb_bgsave_in_progress', this.bg ? 1 : 0],
      ['rdb_last_save_time', this.lastSave],
      ['rdb_last_bgsave_status', this.lastStatus],
      ['rdb_last_bgsave_time_sec', this.lastBgsaveSeconds],
      ['rdb_current_bgsave_time_sec', this.bg ? Math.round((Date.now() - this.bg.startedMs) / 1000) : -1],
      ['rdb_saves', this.saves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', this.lastLoad.expired],
      ['rdb_last_load_keys_loaded', this.lastLoad.loaded],
      ...this.aofInfo(),
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
      ...this.aofInfoTail(),
      ...this.loadingState.progressFields(Date.now()),
    ];
  }
}
