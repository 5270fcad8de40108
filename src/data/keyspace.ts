// The keyspace: `databases` dictionaries of key -> entry, as Redis keeps them. An entry holds the
// value, its deadline and its access clock (LRU time or LFU counter) in one small object, so reads
// and in-place overwrites allocate nothing. Keys are binary strings (one char per byte); values are
// owned copies. Each database also keeps the entries that have a deadline in an array, which the
// active expiry cycle sweeps. Expired keys are never returned: every lookup checks the deadline
// against the batch clock, deleting the key (lazy expiry) unless expiry is paused.
import type { Config } from '../config/config.js';
import { KeysView, ExpiresView, type ExpiresMap } from './db-views.js';
import { OrderedDict, type DictEntry } from './dict.js';
import { RedisHash } from './hash.js';
import { lfuAccessed, lfuDecayed, lfuInitial } from './lfu.js';
import { RedisList } from './list.js';
import { RedisSet } from './set.js';
import { isRedisString, type RedisString } from './string.js';
import { RedisZset } from './zset.js';

export { activeExpireCycle } from './active-expire.js';
export type { ExpiresMap } from './db-views.js';

/** A stored value: a string, a list, a hash, a set or a sorted set. Other types join this union. */
export type Value = RedisString | RedisList | RedisHash | RedisSet | RedisZset;

/** The name TYPE prints for a value ('none' for a missing key). */
export function typeName(v: Value | undefined): string {
  if (v === undefined) return 'none';
  if (v instanceof RedisList) return 'list';
  if (v instanceof RedisHash) return 'hash';
  if (v instanceof RedisSet) return 'set';
  if (v instanceof RedisZset) return 'zset';
  return 'string';
}

/** True for string values: what GET, INCR and the other string commands accept. */
export function isString(v: Value): v is RedisString {
  return isRedisString(v);
}

/** What aggregate value classes offer COPY and OBJECT ENCODING (RedisHash, RedisSet, ...). */
interface Cloneable {
  clone(): Value;
}
interface Encoded {
  encoding(config: Config): string;
}

/** COPY's duplicate of a value: strings by value (Buffers copied), aggregates via clone(). */
export function cloneValue(v: Value): Value | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  const c = v as unknown as Partial<Cloneable>;
  return typeof c.clone === 'function' ? c.clone() : undefined;
}

/** OBJECT ENCODING of an aggregate that models its encoding, undefined if it does not. */
export function modelledEncoding(v: Value, config: Config): string | undefined {
  const e = v as unknown as Partial<Encoded>;
  return typeof e.encoding === 'function' ? e.encoding(config) : undefined;
}

/** Told about every change of a key: WATCH and client-side caching invalidation hang off it. */
export interface KeyspaceObserver {
  keyModified(db: number, key: string): void;
  dbFlushed(db: number): void;
}

/** Keyspace events raised by the keyspace itself; the server turns them into notifications. */
export type KeyspaceNotifier = (cls: 'n' | 'x' | 'm', event: 'new' | 'expired' | 'keymiss', key: string, db: number) => void;

/** How a lookup treats the key, as Redis's LOOKUP_* flags. */
export const enum Lookup {
  /** Leave the access clock alone (TYPE, TTL, OBJECT..., or a CLIENT NO-TOUCH client). */
  NoTouch = 1,
  /** A read: counts keyspace hits and misses, and a miss raises 'keymiss'. */
  Read = 2,
  /** With Read: no 'keymiss' event on a miss. */
  NoNotify = 4,
}

/** One key: its value, deadline and access clock. Owned by its Db; commands only read it. */
export class KeyEntry implements DictEntry {
  seq = 0;
  /** Absolute deadline in ms; meaningful only while `vi >= 0`. */
  expire = 0;
  /** Index in the Db's array of entries with a deadline, -1 without one. */
  vi = -1;
  /** The last access in ms (LRU policies), or Redis's LFU word: minutes << 8 | counter. */
  lru: number;

  constructor(readonly key: string, public v: Value, lru: number) {
    this.lru = lru;
  }
}

/** What one Db.sweepExpired saw: keys sampled and expired, and the TTLs of the live ones. */
export interface SweepResult {
  sampled: number;
  expired: number;
  ttlSum: number;
  ttlSamples: number;
}

/** Directive reads and change notices: what useConfig needs of a Config. */
export interface KeyspaceConfig {
  str(name: string): string;
  int(name: string): number;
  onChange(listener: (name: string, value: string) => void): void;
}

export class Db {
  private entries = new OrderedDict<KeyEntry>();
  /** Entries with a deadline (KeyEntry.vi is the index), swept by the active expiry cycle. */
  private volatile: KeyEntry[] = [];
  /** Where the active expiry sweep resumes in `volatile`. */
  private expireCursor = 0;
  /** The entry the last lookup found: a write that follows its lookup skips a second search. */
  private last: KeyEntry | undefined;
  /** Running average of the TTL of swept keys, ms (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /** Keys removed because their deadline passed (INFO expired_keys). */
  expiredKeys = 0;
  observer: KeyspaceObserver | undefined;
  private readonly keysView: ReadonlyMap<string, Value>;
  private readonly expiresView: ExpiresMap;

  constructor(readonly id: number, private readonly ks: Keyspace) {
    this.keysView = new KeysView(this);
    this.expiresView = new ExpiresView(this);
  }

  /** Every key with its value, expired ones not yet reclaimed included (read-only view). */
  get dict(): ReadonlyMap<string, Value> {
    return this.keysView;
  }

  /** The keys that have a deadline, with it in ms (a view; size is INFO's expires=). */
  get expires(): ExpiresMap {
    return this.expiresView;
  }

  /** Keys counted as Redis's DBSIZE does: expired keys not yet reclaimed included. */
  get size(): number {
    return this.entries.size;
  }

  /** Number of keys with a deadline. */
  get volatileCount(): number {
    return this.volatile.length;
  }

  /** Signals an in-place change of `key` (a list push, a hash field...): Redis's signalModifiedKey. */
  touch(key: string): void {
    this.observer?.keyModified(this.id, key);
  }

  /**
   * The live value of `key`, expiring it first if its deadline passed. Updates the access clock
   * unless `flags` has Lookup.NoTouch; pass that for a client in CLIENT NO-TOUCH mode.
   */
  lookup(key: string, now: number, flags = 0): Value | undefined {
    const e = this.live(key, now);
    if (e === undefined) {
      if (flags & Lookup.Read) this.ks.keyMiss(this.id, key, flags);
      return undefined;
    }
    if (!(flags & Lookup.NoTouch)) this.ks.access(e, now);
    if (flags & Lookup.Read) this.ks.hits++;
    return e.v;
  }

  exists(key: string, now: number, flags = Lookup.NoTouch): boolean {
    return this.lookup(key, now, flags) !== undefined;
  }

  /** The live entry of `key` without touching it (OBJECT, TTL...), expiring it if due. */
  peek(key: string, now: number): Readonly<KeyEntry> | undefined {
    return this.live(key, now);
  }

  /**
   * Stores a value (Redis's setKey): a new key raises 'new'; an existing one is overwritten in
   * place, its deadline dropped unless `keepTtl`. `now` defaults to the keyspace's last clock.
   */
  set(key: string, value: Value, keepTtl = false, now = this.ks.clock): void {
    const last = this.last;
    let e = last !== undefined && last.key === key ? last : this.entries.get(key);
    if (e !== undefined && e.vi >= 0 && now > e.expire && !this.ks.expiryPaused) {
      this.expireEntry(e);
      e = undefined;
    }
    if (e === undefined) {
      this.insert(key, value, this.ks.newLru(now), -1);
    } else {
      e.v = value;
      // A new object in Redis: a fresh LRU time, but LFU keeps the old counter (dbSetValue).
      if (!this.ks.lfu) e.lru = now;
      if (!keepTtl && e.vi >= 0) this.unlinkVolatile(e);
    }
    this.observer?.keyModified(this.id, key);
  }

  /** Sets the deadline (absolute ms) of an existing key. */
  setExpire(key: string, whenMs: number): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    if (e.vi < 0) {
      e.vi = this.volatile.length;
      this.volatile.push(e);
    }
    e.expire = whenMs;
    this.observer?.keyModified(this.id, key);
  }

  /** The deadline of `key` in ms, -1 when it has none (or is missing). */
  getExpire(key: string): number {
    const e = this.entries.get(key);
    return e !== undefined && e.vi >= 0 ? e.expire : -1;
  }

  /** Drops the deadline of `key` (PERSIST) and signals the change; false when it had none. */
  persist(key: string): boolean {
    if (!this.dropExpire(key)) return false;
    this.observer?.keyModified(this.id, key);
    return true;
  }

  /** Drops the deadline of `key` without signalling (Db.expires.delete); false when it had none. */
  dropExpire(key: string): boolean {
    const e = this.entries.get(key);
    if (e === undefined || e.vi < 0) return false;
    this.unlinkVolatile(e);
    return true;
  }

  /** Deletes a live key; false if it was missing (an expired key is expired first, as DEL does). */
  delete(key: string, now: number): boolean {
    const e = this.live(key, now);
    if (e === undefined) return false;
    this.unlink(e);
    this.observer?.keyModified(this.id, key);
    return true;
  }

  /**
   * RENAME's move of `src` (live) to `dst` (absent): the value keeps its access clock and
   * deadline, as Redis moves the object itself. Raises 'new' for dst and signals both keys.
   */
  rename(src: string, dst: string): void {
    const e = this.entries.get(src);
    if (e === undefined) return;
    this.adopt(dst, e);
    this.unlink(e);
    this.observer?.keyModified(this.id, src);
  }

  /** MOVE: `key` (live here, absent in `to`) goes to `to` with its deadline and access clock. */
  moveTo(key: string, to: Db): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    to.adopt(key, e);
    this.unlink(e);
    this.observer?.keyModified(this.id, key);
  }

  /** COPY: stores a duplicate `value` at `key` (absent) with `expire` (-1: none), a fresh clock. */
  addCopy(key: string, value: Value, expire: number, now: number): void {
    this.insert(key, value, this.ks.newLru(now), expire);
    this.observer?.keyModified(this.id, key);
  }

  /** KEYS: the names of live keys `match` accepts; expired keys are skipped, not deleted. */
  keys(now: number, match: ((key: string) => boolean) | undefined): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (match !== undefined && !match(e.key)) continue;
      if (e.vi >= 0 && now > e.expire) continue;
      out.push(e.key);
    }
    return out;
  }

  /** One SCAN step (see OrderedDict.scan): entries, expired ones included; returns the cursor. */
  scan(cursor: number, count: number, out: KeyEntry[]): number {
    return this.entries.scan(cursor, count, out);
  }

  /** RANDOMKEY: a random live key, expiring the expired ones it draws. */
  randomKey(now: number): string | undefined {
    for (;;) {
      const e = this.entries.random();
      if (e === undefined) return undefined;
      if (e.vi < 0 || now <= e.expire) return e.key;
      if (this.ks.expiryPaused) {
        // Nothing can be reclaimed: give up once every key is known to be expired.
        if (this.keys(now, undefined).length === 0) return undefined;
        continue;
      }
      this.expireEntry(e);
    }
  }

  /** Removes every key (FLUSHDB); returns how many there were. Watchers are told first. */
  clear(): number {
    const n = this.entries.size;
    this.observer?.dbFlushed(this.id);
    this.entries = new OrderedDict<KeyEntry>();
    this.volatile = [];
    this.expireCursor = 0;
    this.avgTtl = 0;
    this.last = undefined;
    return n;
  }

  /** SWAPDB: exchanges contents (keys, deadlines, expiry sweep state) with `other`. */
  swapWith(other: Db): void {
    this.last = other.last = undefined;
    const { entries, volatile, expireCursor, avgTtl } = this;
    this.entries = other.entries;
    this.volatile = other.volatile;
    this.expireCursor = other.expireCursor;
    this.avgTtl = other.avgTtl;
    other.entries = entries;
    other.volatile = volatile;
    other.expireCursor = expireCursor;
    other.avgTtl = avgTtl;
  }

  /** Live entries in insertion order, expired ones not yet reclaimed included. */
  rawEntries(): IterableIterator<KeyEntry> {
    return this.entries.values();
  }

  /**
   * One sweep of the active expiry cycle (active-expire.ts): examines up to `num` keys with a
   * deadline from where the last sweep stopped, expiring those past it; counts go to `r`.
   */
  sweepExpired(now: number, num: number, r: SweepResult): void {
    r.sampled = r.expired = r.ttlSum = r.ttlSamples = 0;
    while (r.sampled < num && this.volatile.length > 0) {
      if (this.expireCursor >= this.volatile.length) this.expireCursor = 0;
      const e = this.volatile[this.expireCursor]!;
      const ttl = e.expire - now;
      r.sampled++;
      if (now > e.expire) {
        // The last entry moves into this slot: the cursor stays to look at it next.
        this.expireEntry(e);
        r.expired++;
      } else {
        this.expireCursor++;
      }
      if (ttl > 0) {
        r.ttlSum += ttl;
        r.ttlSamples++;
      }
    }
  }

  /** The entry of `key` unless its deadline passed (then it is expired, or kept while paused). */
  private live(key: string, now: number): KeyEntry | undefined {
    this.ks.clock = now;
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.vi < 0 || now <= e.expire) return (this.last = e);
    if (!this.ks.expiryPaused) this.expireEntry(e);
    return undefined;
  }

  /** Redis's deleteExpiredKeyAndPropagate: removed, 'expired' raised, watchers told. */
  private expireEntry(e: KeyEntry): void {
    this.unlink(e);
    this.expiredKeys++;
    this.ks.notifier?.('x', 'expired', e.key, this.id);
    this.observer?.keyModified(this.id, e.key);
  }

  /** Adds `from`'s value, clock and deadline under `key` (absent here), as a new key. */
  private adopt(key: string, from: KeyEntry): void {
    this.insert(key, from.v, from.lru, from.vi >= 0 ? from.expire : -1);
    this.observer?.keyModified(this.id, key);
  }

  /** Redis's dbAdd: a new entry for `key` (absent), raising 'new'. `expire` -1: none. */
  private insert(key: string, v: Value, lru: number, expire: number): void {
    const e = new KeyEntry(key, v, lru);
    this.entries.add(e);
    if (expire >= 0) {
      e.vi = this.volatile.length;
      e.expire = expire;
      this.volatile.push(e);
    }
    this.ks.notifier?.('n', 'new', key, this.id);
  }

  private unlink(e: KeyEntry): void {
    if (this.last === e) this.last = undefined;
    this.entries.delete(e.key);
    if (e.vi >= 0) this.unlinkVolatile(e);
  }

  /** Swap-remove from `volatile`. */
  private unlinkVolatile(e: KeyEntry): void {
    const last = this.volatile.pop()!;
    if (last !== e) {
      this.volatile[e.vi] = last;
      last.vi = e.vi;
    }
    e.vi = -1;
  }

  /** @internal for ExpiresView */
  volatileEntries(): readonly KeyEntry[] {
    return this.volatile;
  }

  /** @internal for the views */
  rawEntry(key: string): KeyEntry | undefined {
    return this.entries.get(key);
  }
}

export class Keyspace {
  readonly dbs: Db[];
  /** Raises 'new', 'expired' and 'keymiss'; the server sets it (see wireKeyspace in commands/notify.ts). */
  notifier: KeyspaceNotifier | undefined;
  /** CLIENT PAUSE: expired keys read as missing but stay, and the active cycle does nothing. */
  expiryPaused = false;
  /** The last batch clock seen by a lookup or expiry cycle: the time of writes given no clock. */
  clock = Date.now();
  /** INFO keyspace_hits / keyspace_misses: lookups made with Lookup.Read. */
  hits = 0;
  misses = 0;
  /** maxmemory-policy is an LFU one: KeyEntry.lru holds LFU words. */
  lfu = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** Small integers are shared objects (OBJECT REFCOUNT): maxmemory 0 or a non-LRU/LFU policy. */
  sharedIntegers = true;
  activeExpireEffort = 1;
  /** Active expiry state carried from one cycle to the next (Redis keeps these in statics). */
  expireDb = 0;
  timelimitExit = false;
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
    return this.lfu ? lfuInitial(now) : now;
  }

  /** OBJECT FREQ: the LFU counter of `word` after decay. */
  lfuCounter(word: number, now: number): number {
    return lfuDecayed(word, now, this.lfuDecayTime);
  }

  /** @internal An access to `e`: the LRU time, or the LFU counter decayed then incremented. */
  access(e: KeyEntry, now: number): void {
    e.lru = this.lfu ? lfuAccessed(e.lru, now, this.lfuDecayTime, this.lfuLogFactor) : now;
  }

  /** @internal A read lookup found nothing. */
  keyMiss(db: number, key: string, flags: number): void {
    this.misses++;
    if (!(flags & Lookup.NoNotify)) this.notifier?.('m', 'keymiss', key, db);
  }
}
