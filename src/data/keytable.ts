// The storage of one database, column by column, as Redis's dict + expires keep it but without an
// object per key. Per slot: its key and value (JS arrays in chunks of 1024, so growth never copies
// or leaves behind a big array), the hash of its key, its access clock (Uint32: the LRU time in
// seconds or the LFU word) and where its deadline is (Int32: 1 + its index among the volatile
// keys, 0 without one). Deadlines live only for keys that have one, in two parallel arrays (slot,
// ms) that the active expiry cycle walks.
//
// Keys are found through an open-addressing table of slot numbers (Int32Array, linear probing,
// at most three quarters full, deletion by backward shift so there are no tombstones) keyed by
// a seeded FNV-1a hash of the key's chars (one per byte). A V8 Map costs about 28 bytes per
// entry plus its old backing stores while growing; this costs 4 bytes of hash and 5-11 bytes of
// table per key, and a replaced typed array is freed at once (release.ts).
//
// A deleted key's slot goes on a free list and is reused by a later insertion. Live keys never move,
// so a slot number is a SCAN cursor: a key present for the whole scan keeps its slot and is visited
// once; a key deleted and added again may land ahead of the cursor and be returned twice (which
// Redis allows too). Only free slots at the top are given back (the arrays shrink from the end).
import { freeArrayBuffer } from '../engine/release.js';

/** Slots are added in powers of two from this many. */
const MIN_CAPACITY = 16;
/** The smallest lookup table (a power of two). */
const MIN_BUCKETS = 16;
/** Keys and values are kept in chunks of 2^CHUNK_BITS slots. */
const CHUNK_BITS = 10;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** Tries before a random pick falls back to a walk. */
const RANDOM_TRIES = 64;

/**
 * Per-process seed, so the bucket a key lands in can't be known in advance. (Redis seeds
 * SipHash; this is FNV-1a with a seeded basis and a murmur3 finaliser: cheaper in JS, and enough
 * to spread real key sets, though not a defence against a determined collision search.)
 */
const SEED = (Math.random() * 0x100000000) | 0;

/**
 * The last key hashed and its hash: a command that looks its key up more than once, or a client
 * hitting one key, pays for the hash once. The comparison is a pointer check for the same string
 * (Args hands out one string per hot key) and a short compare otherwise.
 */
let memoKey = '';
let memoHash = keyHashOf('');

/** The table's hash of `key` (an int32). */
export function keyHash(key: string): number {
  if (key === memoKey) return memoHash;
  const h = keyHashOf(key);
  memoKey = key;
  memoHash = h;
  return h;
}

function keyHashOf(key: string): number {
  const n = key.length;
  let h = 0x811c9dc5 ^ SEED ^ n;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ key.charCodeAt(k), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

export class KeyTable<V> {
  /** Slot -> key (undefined: free), in chunks; slots >= `top` are never used. */
  private readonly kc: (string | undefined)[][] = [];
  /** Slot -> value (undefined: free), in chunks like the keys. */
  private readonly vc: (V | undefined)[][] = [];
  /** Slot -> the hash of its key. */
  private hashes = new Int32Array(MIN_CAPACITY);
  /** Slot -> the access clock: LRU time in seconds, or the LFU word. */
  clock = new Uint32Array(MIN_CAPACITY);
  /**
   * Slot -> 1 + its index in volSlot/volWhen, 0 when the key has no deadline; empty until the
   * first deadline is set, so a database without volatile keys pays nothing for it. Read it
   * through volIndex().
   */
  private vol = new Int32Array(0);
  /** The slots of the keys with a deadline, and the deadlines (absolute ms), index for index. */
  readonly volSlot: number[] = [];
  readonly volWhen: number[] = [];
  /** One past the highest slot ever used since the top was last trimmed. */
  top = 0;
  /** Freed slots below `top` (may hold stale entries: checked when popped). */
  private readonly free: number[] = [];
  /** The lookup table: 1 + a slot, 0 for an empty bucket. */
  private buckets = new Int32Array(MIN_BUCKETS);
  private mask = MIN_BUCKETS - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The key in slot `s`, undefined when the slot is free. */
  keyAt(s: number): string | undefined {
    return this.kc[s >>> CHUNK_BITS]![s & CHUNK_MASK];
  }

  /** The value in slot `s`, undefined when the slot is free. */
  valueAt(s: number): V | undefined {
    return this.vc[s >>> CHUNK_BITS]![s & CHUNK_MASK];
  }

  /** Replaces the value of the live slot `s`. */
  setValue(s: number, value: V): void {
    this.vc[s >>> CHUNK_BITS]![s & CHUNK_MASK] = value;
  }

  /** The slot of `key`, -1 when absent. */
  slotOf(key: string): number {
    const h = keyHash(key);
    const b = this.buckets;
    const hashes = this.hashes;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = b[i]!;
      if (e === 0) return -1;
      const s = e - 1;
      if (hashes[s] === h && this.kc[s >>> CHUNK_BITS]![s & CHUNK_MASK] === key) return s;
    }
  }

  /** Adds `key` (absent) with `value` and `clock`, no deadline; returns its slot. */
  add(key: string, value: V, clock: number): number {
    if ((this.count + 1) * 4 > this.buckets.length * 3) this.rehash(this.buckets.length * 2);
    const s = this.takeSlot();
    const h = keyHash(key);
    this.kc[s >>> CHUNK_BITS]![s & CHUNK_MASK] = key;
    this.vc[s >>> CHUNK_BITS]![s & CHUNK_MASK] = value;
    this.hashes[s] = h;
    this.clock[s] = clock;
    this.place(s, h);
    this.count++;
    return s;
  }

  /** Removes the key in slot `s` (live), deadline included. */
  remove(s: number): void {
    if (this.volIndex(s) !== 0) this.dropDeadline(s);
    this.unplace(s);
    this.count--;
    this.kc[s >>> CHUNK_BITS]![s & CHUNK_MASK] = undefined;
    this.vc[s >>> CHUNK_BITS]![s & CHUNK_MASK] = undefined;
    this.clock[s] = 0;
    if (s === this.top - 1) this.trimTop();
    else this.free.push(s);
    if (this.buckets.length > MIN_BUCKETS && this.count * 16 < this.buckets.length) this.rehash(this.buckets.length / 2);
  }

  /** 1 + the index of slot `s` among the volatile keys (volSlot, volWhen), 0 without a deadline. */
  volIndex(s: number): number {
    return this.volSlot.length === 0 ? 0 : this.vol[s]!;
  }

  /** The deadline of slot `s` in ms, -1 without one. */
  deadline(s: number): number {
    const vi = this.volIndex(s);
    return vi === 0 ? -1 : this.volWhen[vi - 1]!;
  }

  /** Sets (or replaces) the deadline of slot `s`. */
  setDeadline(s: number, whenMs: number): void {
    if (this.vol.length === 0) this.vol = new Int32Array(this.clock.length);
    const vi = this.volIndex(s);
    if (vi !== 0) {
      this.volWhen[vi - 1] = whenMs;
      return;
    }
    this.volSlot.push(s);
    this.volWhen.push(whenMs);
    this.vol[s] = this.volSlot.length;
  }

  /** Drops the deadline of slot `s`, which has one (swap-remove: the last volatile key moves in). */
  dropDeadline(s: number): void {
    const i = this.vol[s]! - 1;
    const lastSlot = this.volSlot.pop()!;
    const lastWhen = this.volWhen.pop()!;
    if (lastSlot !== s) {
      this.volSlot[i] = lastSlot;
      this.volWhen[i] = lastWhen;
      this.vol[lastSlot] = i + 1;
    }
    this.vol[s] = 0;
  }

  /**
   * One cursor step: appends to `out` the keys of up to `count` live slots from slot `cursor` on,
   * looking at no more than 10 * `count` free ones (as Redis bounds its empty visits), and
   * returns the slot to continue from, 0 when the walk is done.
   */
  scan(cursor: number, count: number, out: string[]): number {
    const top = this.top;
    let i = cursor;
    let n = 0;
    let empty = count * 10;
    while (i < top && n < count) {
      const k = this.keyAt(i++);
      if (k !== undefined) {
        out.push(k);
        n++;
      } else if (--empty <= 0) {
        break;
      }
    }
    return i < top ? i : 0;
  }

  /** A live slot chosen at random, -1 when empty. */
  randomSlot(): number {
    if (this.count === 0) return -1;
    const top = this.top;
    for (let t = 0; t < RANDOM_TRIES; t++) {
      const s = Math.floor(Math.random() * top);
      if (this.keyAt(s) !== undefined) return s;
    }
    // Mostly free slots: walk on from a random one.
    const start = Math.floor(Math.random() * top);
    for (let j = 0; j < top; j++) {
      const s = (start + j) % top;
      if (this.keyAt(s) !== undefined) return s;
    }
    return -1;
  }

  /** Frees the table's large blocks now (FLUSHDB): the table must not be used afterwards. */
  dispose(): void {
    freeArrayBuffer(this.buckets);
    freeArrayBuffer(this.hashes);
    freeArrayBuffer(this.clock);
    freeArrayBuffer(this.vol);
    this.buckets = new Int32Array(MIN_BUCKETS);
    this.mask = MIN_BUCKETS - 1;
    this.hashes = new Int32Array(MIN_CAPACITY);
    this.clock = new Uint32Array(MIN_CAPACITY);
    this.vol = new Int32Array(0);
    this.kc.length = this.vc.length = 0;
    this.volSlot.length = this.volWhen.length = 0;
    this.free.length = 0;
    this.top = this.count = 0;
  }

  /** Puts slot `s`, whose key hashes to `h`, in the first empty bucket from its home. */
  private place(s: number, h: number): void {
    const b = this.buckets;
    const mask = this.mask;
    let i = h & mask;
    while (b[i] !== 0) i = (i + 1) & mask;
    b[i] = s + 1;
  }

  /** Takes slot `s` out of the lookup table, shifting back the entries probed past it. */
  private unplace(s: number): void {
    const b = this.buckets;
    const mask = this.mask;
    const hashes = this.hashes;
    let i = hashes[s]! & mask;
    while (b[i] !== s + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const e = b[j]!;
      if (e === 0) break;
      // The entry at j (home k) may fill the hole at i only if i lies on its probe path k..j.
      const k = hashes[e - 1]! & mask;
      if (((j - k) & mask) >= ((j - i) & mask)) {
        b[i] = e;
        i = j;
      }
    }
    b[i] = 0;
  }

  /** Rebuilds the lookup table with `size` buckets (a power of two) from the stored hashes. */
  private rehash(size: number): void {
    freeArrayBuffer(this.buckets);
    this.buckets = new Int32Array(size);
    this.mask = size - 1;
    const hashes = this.hashes;
    for (let s = 0; s < this.top; s++) if (this.keyAt(s) !== undefined) this.place(s, hashes[s]!);
  }

  private takeSlot(): number {
    const free = this.free;
    while (free.length > 0) {
      const s = free.pop()!;
      if (s < this.top && this.keyAt(s) === undefined) return s;
    }
    const s = this.top++;
    if (s >= this.clock.length) this.resize(this.clock.length * 2);
    const c = s >>> CHUNK_BITS;
    if (c === this.kc.length) {
      this.kc.push([]);
      this.vc.push([]);
    }
    // Slots are taken in order past the top, so the chunk grows by exactly this one.
    this.kc[c]!.push(undefined);
    this.vc[c]!.push(undefined);
    return s;
  }

  /** Moves the per-slot typed arrays to `cap` slots (>= top), freeing the old blocks. */
  private resize(cap: number): void {
    const hashes = new Int32Array(cap);
    hashes.set(this.hashes.subarray(0, Math.min(cap, this.hashes.length)));
    freeArrayBuffer(this.hashes);
    this.hashes = hashes;
    const clock = new Uint32Array(cap);
    clock.set(this.clock.subarray(0, Math.min(cap, this.clock.length)));
    freeArrayBuffer(this.clock);
    this.clock = clock;
    if (this.vol.length === 0) return;
    const vol = new Int32Array(cap);
    vol.set(this.vol.subarray(0, Math.min(cap, this.vol.length)));
    freeArrayBuffer(this.vol);
    this.vol = vol;
  }

  /** Gives back the free slots at the top, and the memory once a quarter of it is used. */
  private trimTop(): void {
    let top = this.top - 1;
    while (top > 0 && this.keyAt(top - 1) === undefined) top--;
    this.top = top;
    if (top === 0) this.free.length = 0;
    // Chunks hold exactly the slots below the top (takeSlot appends to them one by one).
    const chunks = (top + CHUNK_MASK) >>> CHUNK_BITS;
    this.kc.length = this.vc.length = chunks;
    if (chunks > 0 && (top & CHUNK_MASK) !== 0) this.kc[chunks - 1]!.length = this.vc[chunks - 1]!.length = top & CHUNK_MASK;
    const cap = this.clock.length;
    if (cap > MIN_CAPACITY && top < cap / 4) this.resize(Math.max(MIN_CAPACITY, cap / 2));
  }
}
