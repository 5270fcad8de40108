// The keyspace: `databases` dictionaries of key -> value, as Redis keeps them (db.ts), with what
// they share: the notifier and the hooks of saves, replication and cluster mode, the batch clock,
// the eviction policy's LRU/LFU settings and the keyspace hit and miss counts.
import { Db, Lookup, lruSeconds } from './db.js';
import type { KeyIndex } from './key-index.js';
import type { KeyTable } from './keytable.js';
import type { KeyspaceConfig, KeyspaceNotifier, KeyspaceObserver } from './keyspace-types.js';
import { lfuAccessed, lfuDecayed, lfuInitial } from './lfu.js';
import type { Value } from './value.js';

export { activeExpireCycle } from './active-expire.js';
export type { ExpiresMap } from './db-views.js';
export { Db, Lookup } from './db.js';

export { cloneValue, isString, modelledEncoding, typeName, type Value } from './value.js';

export type { KeyIndex } from './key-index.js';
export type { KeyspaceConfig, KeyspaceNotifier, KeyspaceObserver, SweepResult } from './keyspace-types.js';

export class Keyspace {
  readonly dbs: Db[];
  /** Raises 'new', 'expired' and 'keymiss'; the server sets it (see wireKeyspace in commands/notify.ts). */
  notifier: KeyspaceNotifier | undefined;
  /**
   * Told of a value the keyspace let go of (overwritten by `replacement`, deleted, expired), so
   * that native memory behind it can be freed at once; RENAME and MOVE move values, not drop them.
   */
  dropped: ((v: Value, replacement: Value | undefined) => void) | undefined;
  /**
   * A background save in progress (persistence/snapshot.ts): told before the key in slot `s` of
   * `db` changes value or deadline or goes, and before a database is emptied or swapped, so that
   * it writes what the key held when the save started.
   */
  beforeChange: ((db: Db, s: number) => void) | undefined;
  /** A key or a hash field expired (lazily or actively): the propagation stream's DEL or HDEL. */
  expiredKey: ((db: number, key: string) => void) | undefined;
  expiredField: ((db: number, key: string, field: string) => void) | undefined;
  beforeClear: ((db: Db) => void) | undefined;
  /** Cluster mode's keys by slot; undefined in standalone mode (one undefined check per insert and removal). */
  keyIndex: KeyIndex | undefined;
  /** CLIENT PAUSE: expired keys read as missing but stay, and the active cycle does nothing. */
  expiryPaused = false;
  /** A replica: expiry stays paused, the master sends the DELs (expireIfNeeded on a replica). */
  isReplica = false;
  /** The master client's command runs: keys past their deadline are still there for it. */
  masterRunning = false;
  /**
   * The time of the running command or expiry cycle, ms (Redis's commandTimeSnapshot): set by every
   * lookup given a clock and by the expiry cycle; lookupNow and writes given no clock use it.
   */
  clock = Date.now();
  /** INFO keyspace_hits / keyspace_misses: lookups made with Lookup.Read. */
  hits = 0;
  misses = 0;
  /** maxmemory-policy is an LFU one: the access clocks written hold LFU words, not LRU seconds. */
  lfu = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Small integers are shared objects (OBJECT REFCOUNT): maxmemory 0 or a non-LRU/LFU policy. */
  sharedIntegers = true;
  activeExpireEffort = 1;
  /** Active expiry state carried from one cycle to the next (Redis keeps these in statics). */
  expireDb = 0;
  timelimitExit = false;
  /** The field cycle's database and how many fields it expired there without catching up. */
  hfeDb = 0;
  hfeSequence = 0;
  private configured = false;

  constructor(databases: number) {
    this.dbs = Array.from({ length: databases }, (_, i) => new Db(i, this));
  }

  observe(o: KeyspaceObserver): void {
    for (const db of this.dbs) db.observer = o;
  }

  /** Follows maxmemory-policy, lfu-log-factor, lfu-decay-time, active-expire-effort. Once. */
  useConfig(config: KeyspaceConfig): void {
    if (this.configured) return;
    this.configured = true;
    const read = () => {
      const policy = config.str('maxmemory-policy');
      this.lfu = policy.endsWith('-lfu');
      this.lfuLogFactor = config.int('lfu-log-factor');
      this.lfuDecayTime = config.int('lfu-decay-time');
      this.activeExpireEffort = config.int('active-expire-effort');
      const lruOrLfu = policy.endsWith('-lru') || policy.endsWith('-lfu');
      this.sharedIntegers = config.str('maxmemory') === '0' || !lruOrLfu;
    };
    read();
    config.onChange((name) => {
      if (name === 'maxmemory-policy' || name === 'maxmemory' || name.startsWith('lfu-') || name === 'active-expire-effort') read();
    });
  }

  flushAll(): number {
    let n = 0;
    for (const db of this.dbs) n += db.clear();
    return n;
  }

  /** SWAPDB's data part (the command handles watchers and blocked clients). */
  swap(a: number, b: number): void {
    if (a !== b) this.dbs[a]!.swapWith(this.dbs[b]!);
  }

  /** The access clock a new value starts with. */
  newLru(now: number): number {
    return this.lfu ? lfuInitial(now) : lruSeconds(now);
  }

  /** OBJECT FREQ: the LFU counter of `word` after decay. */
  lfuCounter(word: number, now: number): number {
    return lfuDecayed(word, now, this.lfuDecayTime);
  }

  /** @internal An access to slot `s` at the clock: the LRU time, or the LFU counter decayed then incremented. */
  access(t: KeyTable<unknown>, s: number): void {
    const now = this.clock;
    t.setClock(s, this.lfu ? lfuAccessed(t.clockAt(s), now, this.lfuDecayTime, this.lfuLogFactor) : lruSeconds(now));
  }

  /** @internal A read lookup found nothing. */
  keyMiss(db: number, key: string, flags: number): void {
    this.misses++;
    if (!(flags & Lookup.NoNotify)) this.notifier?.('m', 'keymiss', key, db);
  }
}
