// The storage of one database, slot by slot, as Redis's dict + expires keep it but without an
// object per key. Per slot, three neighbouring elements of one JS array (chunks of 1024 slots, so
// growth never copies or leaves behind a big array): its key, its value and its access clock (the
// LRU time in seconds or the LFU word, a small integer). A lookup that finds a key therefore reads
// its value and clock from the cache line it read the key pointer from: with 100k keys, memory
// misses are most of a lookup's cost, and separate key, value and clock columns cost one each.
// Deadlines live only for keys that have one: where a slot's deadline is (Int32: 1 + its index among
// the volatile keys, 0 without one), and two parallel arrays (slot, ms) that the active expiry
// cycle walks.
//
// Keys are found through a StringIndex (string-index.ts) of slot numbers rather than a Map: 11-22
// bytes per key instead of about 28, and nothing left behind for a major GC as it grows.
//
// A deleted key's slot goes on a free list and is reused by a later insertion. Live keys never move,
// so a slot number is a SCAN cursor: a key present for the whole scan keeps its slot and is visited
// once; a key deleted and added again may land ahead of the cursor and be returned twice (which
// Redis allows too). Only free slots at the top are given back (the arrays shrink from the end).
import { freeArrayBuffer, resized } from '../engine/release.js';
import { StringIndex } from './string-index.js';

/** Slots are added in powers of two from this many. */
const MIN_CAPACITY = 16;
/** Records are kept in chunks of 2^CHUNK_BITS slots. */
const CHUNK_BITS = 10;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;
/** Elements per slot in a chunk: key, value, clock. */
const STRIDE = 3;
const VALUE = 1;
const CLOCK = 2;
/** Tries before a random pick falls back to a walk. */
const RANDOM_TRIES = 64;

/** A chunk's elements: per slot its key (undefined: free), value and access clock. */
type Chunk = unknown[];

export class KeyTable<V> {
  /** Slot -> its record, in chunks; slots >= `top` are never used. */
  private readonly rc: Chunk[] = [];
  /** Slots the deadline positions (vol) have room for: a power of two >= top. */
  private cap = MIN_CAPACITY;
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
  /** key -> slot. */
  private readonly index = new StringIndex(this);

  get size(): number {
    return this.index.size;
  }

  /** Slots the table has room for before it grows (tests watch it shrink). */
  get capacity(): number {
    return this.cap;
  }

  /** The key in slot `s`, undefined when the slot is free. */
  keyAt(s: number): string | undefined {
    return this.rc[s >>> CHUNK_BITS]![(s & CHUNK_MASK) * STRIDE] as string | undefined;
  }

  /** The value in slot `s`, undefined when the slot is free. */
  valueAt(s: number): V | undefined {
    return this.rc[s >>> CHUNK_BITS]![(s & CHUNK_MASK) * STRIDE + VALUE] as V | undefined;
  }

  /** Replaces the value of the live slot `s`. */
  setValue(s: number, value: V): void {
    this.rc[s >>> CHUNK_BITS]![(s & CHUNK_MASK) * STRIDE + VALUE] = value;
  }

  /** The access clock of slot `s`: LRU time in seconds, or the LFU word (0 when free). */
  clockAt(s: number): number {
    return this.rc[s >>> CHUNK_BITS]![(s & CHUNK_MASK) * STRIDE + CLOCK] as number;
  }

  /** Sets the access clock of the live slot `s` (a uint32: a small integer in the chunk, no allocation). */
  setClock(s: number, clock: number): void {
    this.rc[s >>> CHUNK_BITS]![(s & CHUNK_MASK) * STRIDE + CLOCK] = clock;
  }

  /** The slot of `key`, -1 when absent. */
  slotOf(key: string): number {
    return this.index.find(key);
  }

  /** Adds `key` (absent) with `value` and `clock`, no deadline; returns its slot. */
  add(key: string, value: V, clock: number): number {
    const s = this.takeSlot();
    const c = this.rc[s >>> CHUNK_BITS]!;
    const o = (s & CHUNK_MASK) * STRIDE;
    c[o] = key;
    c[o + VALUE] = value;
    c[o + CLOCK] = clock;
    this.index.add(s, key);
    return s;
  }

  /** Removes the key in slot `s` (live), deadline included. */
  remove(s: number): void {
    if (this.volIndex(s) !== 0) this.dropDeadline(s);
    const c = this.rc[s >>> CHUNK_BITS]!;
    const o = (s & CHUNK_MASK) * STRIDE;
    this.index.remove(s, c[o] as string);
    c[o] = undefined;
    c[o + VALUE] = undefined;
    c[o + CLOCK] = 0;
    if (s === this.top - 1) this.trimTop();
    else this.free.push(s);
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
    if (this.vol.length === 0) this.vol = new Int32Array(this.cap);
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
    if (this.index.size === 0) return -1;
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

  /** Empties the table (FLUSHDB), freeing its large blocks now rather than at a later GC. */
  dispose(): void {
    this.index.clear();
    freeArrayBuffer(this.vol);
    this.cap = MIN_CAPACITY;
    this.vol = new Int32Array(0);
    this.rc.length = 0;
    this.volSlot.length = this.volWhen.length = 0;
    this.free.length = 0;
    this.top = 0;
  }

  private takeSlot(): number {
    const free = this.free;
    while (free.length > 0) {
      const s = free.pop()!;
      if (s < this.top && this.keyAt(s) === undefined) return s;
    }
    const s = this.top++;
    if (s >= this.cap) this.resize(this.cap * 2);
    const c = s >>> CHUNK_BITS;
    if (c === this.rc.length) this.rc.push([]);
    // Slots are taken in order past the top, so the chunk grows by exactly this one.
    this.rc[c]!.push(undefined, undefined, 0);
    return s;
  }

  /** Moves the deadline positions to `cap` slots (>= top). */
  private resize(cap: number): void {
    this.cap = cap;
    if (this.vol.length !== 0) this.vol = resized(this.vol, cap);
  }

  /** Gives back the free slots at the top, and the memory once a quarter of it is used. */
  private trimTop(): void {
    let top = this.top - 1;
    while (top > 0 && this.keyAt(top - 1) === undefined) top--;
    this.top = top;
    if (top === 0) this.free.length = 0;
    // Chunks hold exactly the slots below the top (takeSlot appends to them one by one).
    const chunks = (top + CHUNK_MASK) >>> CHUNK_BITS;
    this.rc.length = chunks;
    if (chunks > 0 && (top & CHUNK_MASK) !== 0) this.rc[chunks - 1]!.length = (top & CHUNK_MASK) * STRIDE;
    const cap = this.cap;
    if (cap > MIN_CAPACITY && top < cap / 4) this.resize(Math.max(MIN_CAPACITY, cap / 2));
  }
}
