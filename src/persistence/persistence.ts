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
import { BackgroundSave } from './bgsave.js';
import { readRdb, writeRdbFile, type EncodeValue } from './rdb.js';
import { Snapshot, type KeyOf } from './snapshot.js';

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

export class Persistence {
  /** Unix seconds of the last successful save (the start time before any). */
  lastSave = Math.floor(Date.now() / 1000);
  lastStatus: 'ok' | 'err' = 'ok';
  saves = 0;
  loading = false;
  lastLoad = { loaded: 0, expired: 0 };
  /** The aux fields of the last image loaded (a replica reads repl-stream-db from its payload). */
  lastAux: ReadonlyMap<string, string> = new Map();

  constructor(private readonly host: PersistenceHost) {}

  /** dir/dbfilename. */
  get path(): string {
    const c = this.host.config;
    return join(c.str('dir'), c.str('dbfilename'));
  }

  private get encode(): EncodeValue {
    const { config } = this.host;
    const compress = config.bool('rdbcompression');
    return (v) => ({ config, encoding: this.host.encodingOf(v), listNodes: v instanceof RedisList ? this.host.listNodes(v) : undefined, compress, rdbVersion: 10 });
  }

  /** The aux fields a file starts with (rdbSaveInfoAuxFields). */
  private aux(now: number): [string, string | number][] {
    return [
      ['redis-ver', REDIS_VERSION],
      ['redis-bits', 64],
      ['ctime', Math.floor(now / 1000)],
      ['used-mem', this.host.usedMemory()],
      ['aof-base', 0],
    ];
  }

  /** How a key is written: its deadline, and its idle time or frequency under an LRU or LFU policy. */
  private keyOf(now: number): KeyOf {
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
    writeRdbFile(path, `${path}.tmp`, config.bool('rdbchecksum'), (w) => {
      w.header([...this.aux(now), ...extra], this.host.libraries());
      new Snapshot(keyspace, w, this.encode, this.keyOf(now)).step(Infinity, Infinity);
    });
    try {
      return readFileSync(path);
    } finally {
      unlinkSync(path);
    }
  }

  /** rdbSave: the whole dataset to dir/dbfilename now. An error text when it failed. */
  save(): string | undefined {
    if (this.bg) return 'Background save already in progress';
    const { config, keyspace, log } = this.host;
    const temp = join(config.str('dir'), `temp-${process.pid}.rdb`);
    const now = Date.now();
    try {
      writeRdbFile(this.path, temp, config.bool('rdbchecksum'), (w) => {
        w.header(this.aux(now), this.host.libraries());
        const snap = new Snapshot(keyspace, w, this.encode, this.keyOf(now));
        snap.step(Infinity, Infinity);
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
  lastBgsaveSeconds = -1;

  /** BGSAVE [SCHEDULE]: the status text to reply, or an error text. */
  bgsave(schedule: boolean): { ok: string } | { error: string } {
    // SCHEDULE waits for another kind of child (an AOF rewrite): never for a save in progress.
    void schedule;
    if (this.bg) return { error: 'Background save already in progress' };
    const err = this.startBackground();
    return err === undefined ? { ok: 'Background saving started' } : { error: err };
  }

  private startBackground(): string | undefined {
    const { config, keyspace, log } = this.host;
    const now = Date.now();
    this.lastBgsaveTry = now;
    const dirtyBefore = this.host.dirty;
    try {
      this.bg = new BackgroundSave({
        path: this.path,
        temp: join(config.str('dir'), `temp-${process.pid}.rdb`),
        checksum: config.bool('rdbchecksum'),
        keyspace,
        aux: this.aux(now),
        libraries: this.host.libraries(),
        encode: this.encode,
        keyOf: this.keyOf(now),
        keyDelayUs: () => config.int('rdb-key-save-delay'),
        done: (error) => this.backgroundDone(error, dirtyBefore),
      });
    } catch (e) {
      this.lastStatus = 'err';
      log.warning(`Can't save in background: ${(e as Error).message}`);
      return (e as Error).message;
    }
    log.notice('Background saving started');
    return undefined;
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
  }

  /** serverCron's save points: a BGSAVE when enough changes are old enough. */
  cron(now: number): void {
    if (this.bg || !this.hasSavePoints) return;
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

  /** Start-up: load, or throw Redis's fatal message. */
  loadOrThrow(): void {
    const err = this.load();
    if (err !== undefined) throw new Error(`Fatal error loading the DB: ${err}. Exiting.`);
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
    const started = performance.now();
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      return (e as Error).message;
    }
    return this.loadBuffer(data, allowDuplicates, started);
  }

  /**
   * Loads an RDB image into the keyspace as it is (DEBUG RELOAD and start-up load the file, a
   * replica the payload of a full sync, into a keyspace just flushed).
   */
  loadBuffer(data: Uint8Array, allowDuplicates = false, started = performance.now(), keepExpired = false): string | undefined {
    const { config, keyspace, log } = this.host;
    this.loading = true;
    try {
      const now = Date.now();
      const contents = readRdb(data, config, now);
      if (typeof contents === 'string') return contents;
      this.lastAux = contents.aux;
      const ver = contents.aux.get('redis-ver');
      if (ver) log.notice(`Loading RDB produced by version ${ver}`);
      const ctime = contents.aux.get('ctime');
      if (ctime) log.notice(`RDB age ${Math.floor(now / 1000) - Number(ctime)} seconds`);
      const mem = contents.aux.get('used-mem');
      if (mem) log.notice(`RDB memory usage when created ${(Number(mem) / 1024 / 1024).toFixed(2)} Mb`);
      const libErr = this.host.loadLibraries(contents.libraries, allowDuplicates);
      if (libErr) return libErr;
      let loaded = 0;
      let expired = 0;
      for (const { db: id, k } of contents.keys) {
        const db = keyspace.dbs[id];
        if (!db) return `FATAL: Data file was created with a Redis server configured to handle more than ${keyspace.dbs.length} databases. Exiting\n`;
        // A replica keeps keys past their deadline: their DEL comes from the master (rdbLoad's iAmMaster).
        if (k.expire !== -1 && k.expire < now && !keepExpired) {
          expired++;
          continue;
        }
        if (!allowDuplicates && db.peek(k.key, now) !== undefined) return `RDB has duplicated key '${k.key}' in DB ${id}`;
        db.set(k.key, k.value, false, now);
        if (k.expire !== -1) db.setExpire(k.key, k.expire);
        if (keyspace.lfu && k.freq !== undefined) db.setAccessClock(k.key, ((Math.floor(now / 60000) & 0xffff) << 8) | k.freq);
        else if (!keyspace.lfu && k.idle !== undefined) db.setAccessClock(k.key, Math.floor(now / 1000) - k.idle);
        loaded++;
      }
      this.lastLoad = { loaded, expired };
      log.notice(`Done loading RDB, keys loaded: ${loaded}, keys expired: ${expired}.`);
      log.notice(`DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
      return undefined;
    } finally {
      this.loading = false;
    }
  }

  /** The RDB part of INFO persistence (the AOF part stays at its defaults: no AOF yet). */
  infoFields(): [string, string | number][] {
    return [
      ['loading', this.loading ? 1 : 0],
      ['async_loading', 0],
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
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
    ];
  }
}
