// One database of the keyspace (keyspace.ts): Redis's dict + expires for one db number. It stores
// its keys column by column (keytable.ts): no object per key, so a key costs little more than its
// strings; reads and in-place overwrites allocate nothing. Each key has an access clock (LRU time in
// seconds or LFU word); keys with a deadline are also listed with it, and the active expiry cycle
// sweeps that list. Keys are binary strings (one char per byte); values are owned copies (counters as
// numbers, string-int.ts). Expired keys are never returned: every lookup checks the deadline
// against the batch clock, deleting the key (lazy expiry) unless expiry is paused.
import { KeysView, ExpiresView, type ExpiresMap } from './db-views.js';
import { RedisHash } from './hash.js';
import type { Keyspace } from './keyspace.js';
import type { KeyspaceObserver, SweepResult } from './keyspace-types.js';
import { KeyTable } from './keytable.js';
import { intText, type StoredValue } from './string-int.js';
import type { Value } from './value.js';

/** How a lookup treats the key, as Redis's LOOKUP_* flags. */
export const enum Lookup {
  /** Leave the access clock alone (TYPE, TTL, OBJECT..., or a CLIENT NO-TOUCH client). */
  NoTouch = 1,
  /** A read: counts keyspace hits and misses, and a miss raises 'keymiss'. */
  Read = 2,
  /** With Read: no 'keymiss' event on a miss. */
  NoNotify = 4,
}

export class Db {
  /** The keys, values, access clocks and deadlines, column by column (keytable.ts). */
  private t = new KeyTable<StoredValue<Value>>();
  /** Where the active expiry sweep resumes among the keys with a deadline. */
  private expireCursor = 0;
  /** The key the last lookup found and its slot: a write that follows its lookup skips a search. */
  private lastKey: string | undefined;
  private lastSlot = -1;
  /** Running average of the TTL of swept keys, ms (INFO keyspace avg_ttl). */
  avgTtl = 0;
  /** Keys removed because their deadline passed (INFO expired_keys). */
  expiredKeys = 0;
  /** Hash fields removed because their deadline passed (Redis 7.4's stat_expired_subkeys). */
  expiredSubkeys = 0;
  /**
   * Hashes that may have field deadlines, by key (Redis's db->hexpires), for the active field
   * cycle (active-expire.ts). An entry whose key was since deleted or overwritten is stale and
   * dropped when the cycle meets it, as is one whose hash no longer has a field deadline.
   */
  hexpires = new Map<string, RedisHash>();
  /** No registered hash has a field due before this (ms): the field cycle skips the db till then. */
  hexpiresNext = Infinity;
  observer: KeyspaceObserver | undefined;
  private readonly keysView: ReadonlyMap<string, Value>;
  private readonly expiresView: ExpiresMap;

  constructor(readonly id: number, private readonly ks: Keyspace) {
    this.keysView = new KeysView(this);
    this.expiresView = new ExpiresView(this);
  }

  /** The keyspace this database belongs to (its notifier, clock and flags). */
  get keyspace(): Keyspace {
    return this.ks;
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
    return this.t.size;
  }

  /** Number of keys with a deadline. */
  get volatileCount(): number {
    return this.t.volSlot.length;
  }

  /** Registers the hash at `key` as having field deadlines, for the active field cycle. */
  registerFieldTtls(key: string, h: RedisHash): void {
    this.hexpires.set(key, h);
    const min = h.ttls?.minExpire() ?? Infinity;
    if (min < this.hexpiresNext) this.hexpiresNext = min;
  }

  /** Signals an in-place change of `key` (a list push, a hash field...): Redis's signalModifiedKey. */
  touch(key: string): void {
    this.observer?.keyModified(this.id, key);
  }

  /**
   * The live value of `key`, expiring it first if its deadline passed at `now` (which becomes the
   * keyspace's clock). Updates the access clock unless `flags` has Lookup.NoTouch; pass that for a
   * client in CLIENT NO-TOUCH mode.
   */
  lookup(key: string, now: number, flags = 0): Value | undefined {
    this.ks.clock = now;
    return this.lookupNow(key, flags);
  }

  /**
   * lookup() at the keyspace's clock (Keyspace.clock, Redis's commandTimeSnapshot: the caller sets
   * it to the command's time). The hot commands use it: a clock handed to a function V8 did not
   * inline is boxed, a heap number per call, and those set how often scavenges pause the server.
   */
  lookupNow(key: string, flags = 0): Value | undefined {
    const v = this.lookupStoredNow(key, flags);
    return typeof v === 'number' ? intText(v) : v;
  }

  /** As lookup, but an integer-encoded string comes as its number (INCR and its siblings). */
  lookupStored(key: string, now: number, flags = 0): StoredValue<Value> | undefined {
    this.ks.clock = now;
    return this.lookupStoredNow(key, flags);
  }

  /** lookupStored() at the keyspace's clock (see lookupNow). */
  lookupStoredNow(key: string, flags = 0): StoredValue<Value> | undefined {
    const s = this.live(key);
    if (s < 0) {
      if (flags & Lookup.Read) this.ks.keyMiss(this.id, key, flags);
      return undefined;
    }
    if (!(flags & Lookup.NoTouch)) this.ks.access(this.t, s);
    if (flags & Lookup.Read) this.ks.hits++;
    return this.t.valueAt(s)!;
  }

  exists(key: string, now: number, flags = Lookup.NoTouch): boolean {
    return this.lookup(key, now, flags) !== undefined;
  }

  /** The live value of `key` without touching it (OBJECT, TTL...), expiring it if due. */
  peek(key: string, now: number): Value | undefined {
    this.ks.clock = now;
    const s = this.live(key);
    return s < 0 ? undefined : this.valueIn(s);
  }

  /** The value in live slot `s` as everyone but the keyspace sees it: an integer as its text. */
  private valueIn(s: number): Value {
    const v = this.t.valueAt(s)!;
    return typeof v === 'number' ? intText(v) : v;
  }

  /**
   * The access clock of `key` as stored, undefined when missing (deadline not checked): under an
   * LRU policy the time of the last access in seconds (Redis's LRU clock resolution), under an LFU
   * one Redis's LFU word (lfu.ts). OBJECT IDLETIME and FREQ read it.
   */
  accessClock(key: string): number | undefined {
    const s = this.t.slotOf(key);
    return s < 0 ? undefined : this.t.clockAt(s);
  }

  /** Overwrites the access clock of `key` (tests back-date it rather than wait). */
  setAccessClock(key: string, word: number): void {
    const s = this.t.slotOf(key);
    if (s >= 0) this.t.setClock(s, word);
  }

  /**
   * Stores a value (Redis's setKey): a new key raises 'new'; an existing one is overwritten in
   * place, its deadline dropped unless `keepTtl`. `now` defaults to the keyspace's last clock, read
   * in store(): a clock handed on as an argument costs a heap number per call.
   */
  set(key: string, value: Value, keepTtl = false, now?: number): void {
    this.store(key, value, keepTtl, now);
  }

  /** Stores the safe integer `n` as an integer-encoded string (INCR): GET and all others see String(n). */
  setInteger(key: string, n: number, keepTtl: boolean): void {
    this.store(key, n, keepTtl, undefined);
  }

  private store(key: string, value: StoredValue<Value>, keepTtl: boolean, at: number | undefined): void {
    const now = at === undefined ? this.ks.clock : +at;
    const t = this.t;
    let s = this.lastKey === key ? this.lastSlot : t.slotOf(key);
    if (s >= 0 && t.volIndex(s) !== 0 && now > t.volWhen[t.volIndex(s) - 1]! && !this.ks.expiryPaused) {
      this.expireSlot(s);
      s = -1;
    }
    if (s < 0) {
      this.insert(key, value, this.ks.newLru(now), -1);
    } else {
      this.ks.beforeChange?.(this, s);
      const old = t.valueAt(s)!;
      t.setValue(s, value);
      if (old !== value && typeof old !== 'number') this.ks.dropped?.(old, typeof value === 'number' ? undefined : value);
      // A new object in Redis: a fresh LRU time, but LFU keeps the old counter (dbSetValue).
      if (!this.ks.lfu) t.setClock(s, lruSeconds(now));
      if (!keepTtl && t.volIndex(s) !== 0) t.dropDeadline(s);
    }
    this.observer?.keyModified(this.id, key);
  }

  /** Sets the deadline (absolute ms) of an existing key. */
  setExpire(key: string, whenMs: number): void {
    const s = this.t.slotOf(key);
    if (s < 0) return;
    this.ks.beforeChange?.(this, s);
    this.t.setDeadline(s, whenMs);
    this.observer?.keyModified(this.id, key);
  }

  /** The deadline of `key` in ms, -1 when it has none (or is missing). */
  getExpire(key: string): number {
    const s = this.t.slotOf(key);
    return s < 0 ? -1 : this.t.deadline(s);
  }

  /** Drops the deadline of `key` (PERSIST) and signals the change; false when it had none. */
  persist(key: string): boolean {
    if (!this.dropExpire(key)) return false;
    this.observer?.keyModified(this.id, key);
    return true;
  }

  /** Drops the deadline of `key` without signalling (Db.expires.delete); false when it had none. */
  dropExpire(key: string): boolean {
    const s = this.t.slotOf(key);
    if (s < 0 || this.t.volIndex(s) === 0) return false;
    this.ks.beforeChange?.(this, s);
    this.t.dropDeadline(s);
    return true;
  }

  /** Deletes a live key; false if it was missing (an expired key is expired first, as DEL does). */
  delete(key: string, now: number): boolean {
    this.ks.clock = now;
    const s = this.live(key);
    if (s < 0) return false;
    const v = this.t.valueAt(s)!;
    this.unlink(s);
    if (typeof v !== 'number') this.ks.dropped?.(v, undefined);
    this.observer?.keyModified(this.id, key);
    return true;
  }

  /**
   * RENAME's move of `src` (live) to `dst` (absent): the value keeps its access clock and
   * deadline, as Redis moves the object itself. Raises 'new' for dst and signals both keys.
   */
  rename(src: string, dst: string): void {
    const s = this.t.slotOf(src);
    if (s < 0) return;
    this.adopt(dst, this, s);
    this.unlink(s);
    this.observer?.keyModified(this.id, src);
  }

  /** MOVE: `key` (live here, absent in `to`) goes to `to` with its deadline and access clock. */
  moveTo(key: string, to: Db): void {
    const s = this.t.slotOf(key);
    if (s < 0) return;
    to.adopt(key, this, s);
    this.unlink(s);
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
    const t = this.t;
    for (let s = 0; s < t.top; s++) {
      const key = t.keyAt(s);
      if (key === undefined) continue;
      if (match !== undefined && !match(key)) continue;
      const vi = t.volIndex(s);
      if (vi !== 0 && now > t.volWhen[vi - 1]!) continue;
      out.push(key);
    }
    return out;
  }

  /**
   * One SCAN step (see KeyTable.scan): appends keys, expired ones included, to `out`; returns the
   * cursor to continue from (0: done).
   */
  scan(cursor: number, count: number, out: string[]): number {
    return this.t.scan(cursor, count, out);
  }

  /** RANDOMKEY: a random live key, expiring the expired ones it draws. */
  randomKey(now: number): string | undefined {
    const t = this.t;
    for (;;) {
      const s = t.randomSlot();
      if (s < 0) return undefined;
      const vi = t.volIndex(s);
      if (vi === 0 || now <= t.volWhen[vi - 1]!) return t.keyAt(s);
      if (this.ks.expiryPaused) {
        // Nothing can be reclaimed: give up once every key is known to be expired.
        if (this.keys(now, undefined).length === 0) return undefined;
        continue;
      }
      this.expireSlot(s);
    }
  }

  /**
   * evictionPoolPopulate's dictGetSomeKeys: up to `count` random keys (only keys with a deadline
   * when `volatileOnly`), each with its access clock and deadline (-1: none). Expired keys are
   * candidates too, as in Redis.
   */
  sample(volatileOnly: boolean, count: number, cb: (key: string, clock: number, deadline: number) => void): void {
    const t = this.t;
    for (let i = 0; i < count; i++) {
      let s: number;
      if (volatileOnly) {
        if (t.volSlot.length === 0) return;
        s = t.volSlot[Math.floor(Math.random() * t.volSlot.length)]!;
      } else {
        s = t.randomSlot();
        if (s < 0) return;
      }
      cb(t.keyAt(s)!, t.clockAt(s), t.deadline(s));
    }
  }

  /** Removes every key (FLUSHDB); returns how many there were. Watchers are told first. */
  clear(): number {
    this.ks.beforeClear?.(this);
    this.ks.keyIndex?.cleared(this.id);
    const n = this.t.size;
    this.observer?.dbFlushed(this.id);
    this.t.dispose();
    this.hexpires.clear();
    this.hexpiresNext = Infinity;
    this.expireCursor = 0;
    this.avgTtl = 0;
    this.lastKey = undefined;
    return n;
  }

  /** SWAPDB: exchanges contents (keys, deadlines, expiry sweep state) with `other`. */
  swapWith(other: Db): void {
    this.ks.beforeClear?.(this);
    this.ks.beforeClear?.(other);
    this.lastKey = other.lastKey = undefined;
    const { t, expireCursor, avgTtl, hexpires, hexpiresNext } = this;
    this.t = other.t;
    this.expireCursor = other.expireCursor;
    this.avgTtl = other.avgTtl;
    this.hexpires = other.hexpires;
    this.hexpiresNext = other.hexpiresNext;
    other.t = t;
    other.expireCursor = expireCursor;
    other.avgTtl = avgTtl;
    other.hexpires = hexpires;
    other.hexpiresNext = hexpiresNext;
  }

  /** One past the highest slot in use: slots below it may hold keys (a snapshot walks them). */
  get slotTop(): number {
    return this.t.top;
  }

  /** The key in slot `s` with its value, deadline (-1: none) and access clock; undefined when free. */
  slotEntry(s: number): { key: string; value: Value; expire: number; clock: number } | undefined {
    const t = this.t;
    const key = t.keyAt(s);
    if (key === undefined) return undefined;
    return { key, value: this.valueIn(s), expire: t.deadline(s), clock: t.clockAt(s) };
  }

  /** A background save in progress is told that `key` is about to change in place. */
  willChange(key: string): void {
    const hook = this.ks.beforeChange;
    if (hook === undefined) return;
    const s = this.t.slotOf(key);
    if (s >= 0) hook(this, s);
  }

  /** The slot of `key` (-1: absent), deadline not checked. */
  slotOf(key: string): number {
    return this.t.slotOf(key);
  }

  /**
   * Calls `cb` with each key and its value in slot order, expired ones not yet reclaimed included.
   * Keys added during the walk may or may not be visited; keys deleted before their turn are not.
   */
  forEachRaw(cb: (key: string, value: Value) => void): void {
    const t = this.t;
    for (let s = 0; s < t.top; s++) {
      const key = t.keyAt(s);
      if (key !== undefined) cb(key, this.valueIn(s));
    }
  }

  /** The keys with a deadline and their deadlines (ms), copied: safe to change the Db meanwhile. */
  volatileSnapshot(): [keys: string[], deadlines: number[]] {
    const t = this.t;
    return [t.volSlot.map((s) => t.keyAt(s)!), [...t.volWhen]];
  }

  /** The value stored at `key`, deadline not checked. */
  rawValue(key: string): Value | undefined {
    const s = this.t.slotOf(key);
    return s < 0 ? undefined : this.valueIn(s);
  }

  /** The deadline of `key` in ms, undefined when it has none or is missing (Db.expires.get). */
  rawDeadline(key: string): number | undefined {
    const s = this.t.slotOf(key);
    if (s < 0 || this.t.volIndex(s) === 0) return undefined;
    return this.t.deadline(s);
  }

  /**
   * One sweep of the active expiry cycle (active-expire.ts): examines up to `num` keys with a
   * deadline from where the last sweep stopped, expiring those past it; counts go to `r`.
   */
  sweepExpired(now: number, num: number, r: SweepResult): void {
    r.sampled = r.expired = r.ttlSum = r.ttlSamples = 0;
    const t = this.t;
    while (r.sampled < num && t.volSlot.length > 0) {
      if (this.expireCursor >= t.volSlot.length) this.expireCursor = 0;
      const when = t.volWhen[this.expireCursor]!;
      const ttl = when - now;
      r.sampled++;
      if (now > when) {
        // The last volatile key moves into this place: the cursor stays to look at it next.
        this.expireSlot(t.volSlot[this.expireCursor]!);
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

  /**
   * The slot of `key` unless missing or its deadline passed at the keyspace's clock (then it is
   * expired, or kept while paused): -1.
   */
  private live(key: string): number {
    const now = this.ks.clock;
    const t = this.t;
    const s = t.slotOf(key);
    if (s < 0) return -1;
    const vi = t.volIndex(s);
    if (vi === 0 || now <= t.volWhen[vi - 1]! || this.ks.masterRunning) {
      this.lastKey = key;
      this.lastSlot = s;
      return s;
    }
    if (!this.ks.expiryPaused) this.expireSlot(s);
    return -1;
  }

  /** Redis's deleteExpiredKeyAndPropagate: removed, 'expired' raised, watchers told. */
  private expireSlot(s: number): void {
    const key = this.t.keyAt(s)!;
    const v = this.t.valueAt(s)!;
    this.unlink(s);
    if (typeof v !== 'number') this.ks.dropped?.(v, undefined);
    this.expiredKeys++;
    this.ks.notifier?.('x', 'expired', key, this.id);
    this.ks.expiredKey?.(this.id, key);
    this.observer?.keyModified(this.id, key);
  }

  /** Adds the value, clock and deadline of slot `s` of `from` under `key` (absent here), as a new key. */
  private adopt(key: string, from: Db, s: number): void {
    const ft = from.t;
    this.insert(key, ft.valueAt(s)!, ft.clockAt(s), ft.deadline(s));
    this.observer?.keyModified(this.id, key);
  }

  /** Redis's dbAdd: a new key (absent), raising 'new'. `expire` -1: none. */
  private insert(key: string, v: StoredValue<Value>, clock: number, expire: number): void {
    const s = this.t.add(key, v, clock);
    if (this.ks.keyIndex !== undefined) this.ks.keyIndex.added(this.id, key);
    if (expire >= 0) this.t.setDeadline(s, expire);
    // RENAME, MOVE and COPY carry a hash's field deadlines: register it under its new key.
    if (v instanceof RedisHash && v.ttls !== null && v.ttls.size > 0) this.registerFieldTtls(key, v);
    this.ks.notifier?.('n', 'new', key, this.id);
  }

  private unlink(s: number): void {
    this.ks.beforeChange?.(this, s);
    if (this.lastSlot === s) this.lastKey = undefined;
    if (this.ks.keyIndex !== undefined) this.ks.keyIndex.removed(this.id, this.t.keyAt(s)!);
    this.t.remove(s);
  }
}

/** The LRU clock of an access at `now` (ms): seconds, Redis's LRU_CLOCK_RESOLUTION. */
export function lruSeconds(now: number): number {
  return Math.floor(now / 1000);
}
