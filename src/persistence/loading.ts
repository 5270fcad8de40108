// Loading an RDB into the dataset (rdb.c rdbLoadRio's key loop, startLoading/stopLoading and the
// loading_* figures of INFO persistence). A load runs in one go (DEBUG RELOAD, the AOF's base) or
// in slices (start-up, a replica's full sync): a slice stops after loading-process-events-interval-bytes
// or a few milliseconds, and the event loop runs before the next one, so clients are answered
// meanwhile (commands without the `loading` flag get -LOADING, see commands/loading-guard.ts).
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';
import { RedisHash } from '../data/hash.js';
import type { Logger } from '../util/log.js';
import type { RdbParser } from './rdb-parser.js';

/** What a load needs of the server: the dataset, the log, the function libraries. */
export interface LoadTarget {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly log: Logger;
  /** Loads function libraries: an error text on failure. */
  loadLibraries(codes: readonly string[], replace: boolean): string | undefined;
}

export interface LoadOptions {
  /** DEBUG RELOAD MERGE: keys already there are replaced, not an error. */
  allowDuplicates?: boolean;
  /** A replica keeps keys past their deadline: their DEL comes from the master (rdbLoad's iAmMaster). */
  keepExpired?: boolean;
  /** Where the keys go instead of the server's dataset (repl-diskless-load swapdb's side keyspace). */
  target?: LoadTarget;
  /** The old dataset is served meanwhile (async_loading): only no_async_loading commands are refused. */
  async?: boolean;
}

/** What a load in slices stopped by the server closing reports instead of an error. */
export const LOAD_CANCELLED = 'the server closed during the load';

/** The longest a slice runs before the event loop gets a turn (ms). */
const SLICE_MS = 10;

/** server.loading, async_loading and the loading_* fields (startLoading, loadingAbsProgress, stopLoading). */
export class LoadingState {
  /** A load is in progress, whichever kind: the one boolean processCommand checks. */
  active = false;
  /** repl-diskless-load swapdb's kind: the old dataset is still served (INFO async_loading). */
  async = false;
  startTime = 0;
  totalBytes = 0;
  rdbUsedMem = 0;
  loadedBytes = 0;

  start(totalBytes: number, async = false): void {
    this.active = true;
    this.async = async;
    this.startTime = Math.floor(Date.now() / 1000);
    this.totalBytes = totalBytes;
    this.rdbUsedMem = 0;
    this.loadedBytes = 0;
  }

  stop(): void {
    this.active = false;
    this.async = false;
  }

  /** INFO persistence's `loading` and `async_loading`. */
  flags(): [string, number][] {
    return [
      ['loading', this.active && !this.async ? 1 : 0],
      ['async_loading', this.async ? 1 : 0],
    ];
  }

  /** The loading_* fields, while a load runs (genRedisInfoString). */
  progressFields(nowMs: number): [string, string | number][] {
    if (!this.active) return [];
    let perc = 0;
    let remaining = 1;
    if (this.totalBytes) {
      perc = (this.loadedBytes / this.totalBytes) * 100;
      remaining = this.totalBytes - this.loadedBytes;
    } else if (this.rdbUsedMem) {
      // used-mem is only an estimate of the file's size: never over 100%.
      perc = Math.min(99.99, (this.loadedBytes / this.rdbUsedMem) * 100);
      remaining = Math.max(1, this.rdbUsedMem - this.loadedBytes);
    }
    const elapsed = Math.floor(nowMs / 1000) - this.startTime;
    // A fake 1 second while there is nothing to extrapolate from, as Redis says.
    const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (this.loadedBytes + 1));
    return [
      ['loading_start_time', this.startTime],
      ['loading_total_bytes', this.totalBytes],
      ['loading_rdb_used_mem', this.rdbUsedMem],
      ['loading_loaded_bytes', this.loadedBytes],
      ['loading_loaded_perc', perc.toFixed(2)],
      ['loading_eta_seconds', eta],
    ];
  }
}

/** debugDelay: a negative value sleeps 1 µs once in -n keys, statistically. */
function debugDelay(us: number): void {
  if (us < 0) us = Math.floor(Math.random() * -us) === 0 ? 1 : 0;
  if (us > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, us / 1000);
}

/** The keys of one RDB going into the dataset, as far as each step() gets. */
export class RdbLoad {
  loaded = 0;
  expired = 0;
  readonly started = performance.now();
  private readonly now = Date.now();
  private headerDone = false;

  constructor(
    private readonly target: LoadTarget,
    readonly parser: RdbParser,
    private readonly opts: LoadOptions,
    private readonly state?: LoadingState,
  ) {}

  /**
   * Loads keys until `bytes` more of the file are read or `deadline` (performance.now) passes:
   * 'more' when keys are left, null when the RDB ended, or an error text.
   */
  step(bytes: number, deadline: number): 'more' | null | string {
    const { keyspace, config } = this.target;
    const p = this.parser;
    const now = this.now;
    const { allowDuplicates = false, keepExpired = false } = this.opts;
    const lfu = keyspace.lfu;
    const delay = config.int('key-load-delay');
    const until = p.pos + bytes;
    for (let n = 1; ; n++) {
      const k = p.next();
      if (p.notes.length) this.logNotes();
      if (typeof k === 'string') return k;
      if (!this.headerDone) {
        const err = this.header();
        if (err !== undefined) return err;
      }
      if (k === null) return null;
      const id = p.db;
      const db = keyspace.dbs[id];
      if (!db) return `FATAL: Data file was created with a Redis server configured to handle more than ${keyspace.dbs.length} databases. Exiting\n`;
      if (k.expire !== -1 && k.expire < now && !keepExpired) this.expired++;
      else {
        if (!allowDuplicates && db.peek(k.key, now) !== undefined) return `RDB has duplicated key '${k.key}' in DB ${id}`;
        db.set(k.key, k.value, false, now);
        // A hash with field deadlines joins the field expiry, which deletes those already past.
        if (k.value instanceof RedisHash && k.value.ttls !== null && k.value.ttls.size > 0) db.registerFieldTtls(k.key, k.value);
        if (k.expire !== -1) db.setExpire(k.key, k.expire);
        if (lfu && k.freq !== undefined) db.setAccessClock(k.key, ((Math.floor(now / 60000) & 0xffff) << 8) | k.freq);
        else if (!lfu && k.idle !== undefined) db.setAccessClock(k.key, Math.floor(now / 1000) - k.idle);
        this.loaded++;
      }
      // key-load-delay: µs per key, to make a load slow on purpose (tests).
      if (delay !== 0) debugDelay(delay);
      if (p.pos >= until || ((delay !== 0 || (n & 63) === 0) && performance.now() >= deadline)) return 'more';
    }
  }

  /** The whole RDB now: null or an error text. */
  run(): null | string {
    let r: 'more' | null | string;
    do r = this.step(Infinity, Infinity);
    while (r === 'more');
    return r;
  }

  /** Before the first key: what the aux fields say, logged, and the function libraries loaded. */
  private header(): string | undefined {
    this.headerDone = true;
    const { log } = this.target;
    const aux = this.parser.aux;
    const ver = aux.get('redis-ver');
    if (ver) log.notice(`Loading RDB produced by version ${ver}`);
    const ctime = aux.get('ctime');
    if (ctime) log.notice(`RDB age ${Math.floor(this.now / 1000) - Number(ctime)} seconds`);
    const mem = aux.get('used-mem');
    if (mem) {
      log.notice(`RDB memory usage when created ${(Number(mem) / 1024 / 1024).toFixed(2)} Mb`);
      if (this.state) this.state.rdbUsedMem = Number(mem) || 0;
    }
    return this.target.loadLibraries(this.parser.libraries, this.opts.allowDuplicates ?? false);
  }

  private logNotes(): void {
    for (const note of this.parser.notes) this.target.log.notice(note);
    this.parser.notes.length = 0;
  }

  /** rdbLoadRio's last line. */
  logDone(): void {
    const empty = this.parser.emptySkipped ? `, empty keys skipped: ${this.parser.emptySkipped}` : '';
    this.target.log.notice(`Done loading RDB, keys loaded: ${this.loaded}, keys expired: ${this.expired}${empty}.`);
  }
}

/**
 * Runs `load` in slices, yielding to the event loop between them (setImmediate), with the
 * loading state's progress kept current and `progress` told after each slice. `done` hears null
 * or the error text; the returned function stops the load (the server closing): `done` then
 * hears LOAD_CANCELLED at once.
 */
export function loadInSlices(load: RdbLoad, state: LoadingState, config: Config, progress: () => void, done: (error: string | null) => void): () => void {
  let cancelled = false;
  const slice = (): void => {
    if (cancelled) return;
    let r: 'more' | null | string;
    try {
      r = load.step(config.int('loading-process-events-interval-bytes'), performance.now() + SLICE_MS);
    } catch (e) {
      r = (e as Error).message;
    }
    state.loadedBytes = load.parser.pos;
    progress();
    if (r === 'more') {
      load.parser.advanceChecksum();
      setImmediate(slice);
      return;
    }
    done(r);
  };
  setImmediate(slice);
  return () => {
    if (cancelled) return;
    cancelled = true;
    done(LOAD_CANCELLED);
  };
}
