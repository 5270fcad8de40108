// The storage of one database, column by column, as Redis's dict + expires keep it but without an
// object per key: a Map from key to a slot number (a small integer, stored unboxed), and per slot
// its key, its value, its access clock (Uint32: the LRU time in seconds or the LFU word) and where
// its deadline is (Int32: 1 + its index among the volatile keys, 0 without one). Deadlines live
// only for keys that have one, in two parallel arrays (slot, ms) that the active expiry cycle walks.
//
// A deleted key's slot goes on a free list and is reused by a later insertion. Live keys never move,
// so a slot number is a SCAN cursor: a key present for the whole scan keeps its slot and is visited
// once; a key deleted and added again may land ahead of the cursor and be returned twice (which
// Redis allows too). Only free slots at the top are given back (the arrays shrink from the end).

/** Slots are added in powers of two from this many. */
const MIN_CAPACITY = 16;
/** Tries before a random pick falls back to a walk. */
const RANDOM_TRIES = 64;

export class KeyTable<V> {
  /** key -> slot. */
  readonly index = new Map<string, number>();
  /** Slot -> key (undefined: free); slots >= `top` are never used. */
  readonly keys: (string | undefined)[] = [];
  /** Slot -> value (undefined: free). */
  readonly values: (V | undefined)[] = [];
  /** Slot -> the access clock: LRU time in seconds, or the LFU word. */
  clock = new Uint32Array(MIN_CAPACITY);
  /** Slot -> 1 + its index in volSlot/volWhen, 0 when the key has no deadline. */
  vol = new Int32Array(MIN_CAPACITY);
  /** The slots of the keys with a deadline, and the deadlines (absolute ms), index for index. */
  readonly volSlot: number[] = [];
  readonly volWhen: number[] = [];
  /** One past the highest slot ever used since the top was last trimmed. */
  top = 0;
  /** Freed slots below `top` (may hold stale entries: checked when popped). */
  private readonly free: number[] = [];

  get size(): number {
    return this.index.size;
  }

  /** The slot of `key`, -1 when absent. */
  slotOf(key: string): number {
    const s = this.index.get(key);
    return s === undefined ? -1 : s;
  }

  /** Adds `key` (absent) with `value` and `clock`, no deadline; returns its slot. */
  add(key: string, value: V, clock: number): number {
    const s = this.takeSlot();
    this.index.set(key, s);
    this.keys[s] = key;
    this.values[s] = value;
    this.clock[s] = clock;
    return s;
  }

  /** Removes the key in slot `s` (live), deadline included. */
  remove(s: number): void {
    if (this.vol[s] !== 0) this.dropDeadline(s);
    this.index.delete(this.keys[s]!);
    this.keys[s] = undefined;
    this.values[s] = undefined;
    this.clock[s] = 0;
    if (s === this.top - 1) this.trimTop();
    else this.free.push(s);
  }

  /** The deadline of slot `s` in ms, -1 without one. */
  deadline(s: number): number {
    const vi = this.vol[s]!;
    return vi === 0 ? -1 : this.volWhen[vi - 1]!;
  }

  /** Sets (or replaces) the deadline of slot `s`. */
  setDeadline(s: number, whenMs: number): void {
    const vi = this.vol[s]!;
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
    const keys = this.keys;
    const top = this.top;
    let i = cursor;
    let n = 0;
    let empty = count * 10;
    while (i < top && n < count) {
      const k = keys[i++];
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
    const keys = this.keys;
    const top = this.top;
    for (let t = 0; t < RANDOM_TRIES; t++) {
      const s = Math.floor(Math.random() * top);
      if (keys[s] !== undefined) return s;
    }
    // Mostly free slots: walk on from a random one.
    const start = Math.floor(Math.random() * top);
    for (let j = 0; j < top; j++) {
      const s = (start + j) % top;
      if (keys[s] !== undefined) return s;
    }
    return -1;
  }

  private takeSlot(): number {
    const free = this.free;
    while (free.length > 0) {
      const s = free.pop()!;
      if (s < this.top && this.keys[s] === undefined) return s;
    }
    const s = this.top++;
    if (s >= this.clock.length) this.grow();
    if (s >= this.keys.length) {
      this.keys.push(undefined);
      this.values.push(undefined);
    }
    return s;
  }

  private grow(): void {
    const cap = this.clock.length * 2;
    const clock = new Uint32Array(cap);
    clock.set(this.clock);
    this.clock = clock;
    const vol = new Int32Array(cap);
    vol.set(this.vol);
    this.vol = vol;
  }

  /** Gives back the free slots at the top, and the memory once a quarter of it is used. */
  private trimTop(): void {
    const keys = this.keys;
    let top = this.top - 1;
    while (top > 0 && keys[top - 1] === undefined) top--;
    this.top = top;
    if (top === 0) this.free.length = 0;
    const cap = this.clock.length;
    if (cap > MIN_CAPACITY && top < cap / 4) {
      const next = Math.max(MIN_CAPACITY, cap / 2);
      this.clock = this.clock.slice(0, next);
      this.vol = this.vol.slice(0, next);
      keys.length = Math.min(keys.length, next);
      this.values.length = keys.length;
    }
  }
}
