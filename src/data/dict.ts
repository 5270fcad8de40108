// An insertion-ordered dictionary whose entries carry a sequence number, so that an iteration can
// stop and resume from a cursor: SCAN (and HSCAN/SSCAN/ZSCAN) hand out the seq of the next entry.
// An entry keeps its seq for as long as its key stays in the dictionary (overwriting the value in
// place keeps it too), and seqs only grow, so a resumed scan never misses a key that was present
// for the whole scan and never returns one twice, however the dictionary grows or shrinks between calls.
//
// Layout: a Map for lookups plus, in seq order, an array of entries and a parallel array of their
// seqs. Deleting leaves a hole in the entries (so no dead entry keeps its value alive) while its seq
// stays, keeping the seqs sorted for binary search (which never touches the entries); both arrays
// are compacted once half the slots are holes.

export interface DictEntry {
  readonly key: string;
  /** Assigned by OrderedDict.add; >= 1. */
  seq: number;
}

/** Tries before RANDOMKEY-style picks fall back to a walk (tombstones are at most half the slots). */
const RANDOM_TRIES = 64;

export class OrderedDict<E extends DictEntry> {
  private readonly map = new Map<string, E>();
  /** Live entries in increasing seq order; undefined where an entry was deleted. */
  private slots: (E | undefined)[] = [];
  /** seqs[i] is the seq of the entry in slots[i], live or deleted. */
  private seqs: number[] = [];
  private dead = 0;
  private nextSeq = 1;

  get size(): number {
    return this.map.size;
  }

  get(key: string): E | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Adds an entry whose key is not present, giving it the next seq. */
  add(e: E): void {
    const seq = this.nextSeq++;
    e.seq = seq;
    this.map.set(e.key, e);
    this.slots.push(e);
    this.seqs.push(seq);
  }

  /** Removes `key`; returns its entry (undefined if absent). */
  delete(key: string): E | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.slots[this.lowerBound(e.seq)] = undefined;
    this.dead++;
    if (this.dead * 2 > this.slots.length) this.compact();
    return e;
  }

  clear(): void {
    this.map.clear();
    this.slots = [];
    this.seqs = [];
    this.dead = 0;
  }

  /** Live entries in seq order. Entries added during the walk are visited; deleted ones are not. */
  *values(): IterableIterator<E> {
    let slots = this.slots;
    let i = 0;
    let last = 0;
    for (;;) {
      if (slots !== this.slots) {
        // Compacted under us: find our place again by seq.
        slots = this.slots;
        i = this.lowerBound(last + 1);
      }
      if (i >= slots.length) return;
      last = this.seqs[i]!;
      const e = slots[i++];
      if (e !== undefined) yield e;
    }
  }

  /**
   * One step of a cursor walk: appends to `out` up to `count` live entries with seq >= `cursor`
   * (in seq order) and returns the cursor to continue from, 0 when the walk is done.
   */
  scan(cursor: number, count: number, out: E[]): number {
    const slots = this.slots;
    let i = cursor <= 1 ? 0 : this.lowerBound(cursor);
    let n = 0;
    while (i < slots.length && n < count) {
      const e = slots[i++];
      if (e === undefined) continue;
      out.push(e);
      n++;
    }
    return i < slots.length ? this.seqs[i]! : 0;
  }

  /** A live entry chosen uniformly at random, undefined when empty. */
  random(): E | undefined {
    if (this.map.size === 0) return undefined;
    const slots = this.slots;
    for (let t = 0; t < RANDOM_TRIES; t++) {
      const e = slots[Math.floor(Math.random() * slots.length)];
      if (e !== undefined) return e;
    }
    for (const e of slots) if (e !== undefined) return e;
    return undefined;
  }

  /** Index of the first slot whose seq is >= `seq`. */
  private lowerBound(seq: number): number {
    const seqs = this.seqs;
    let lo = 0;
    let hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid]! < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops the holes into new arrays (walks in progress notice the swap and re-seek). */
  private compact(): void {
    const slots: E[] = [];
    const seqs: number[] = [];
    for (const e of this.slots) {
      if (e === undefined) continue;
      slots.push(e);
      seqs.push(e.seq);
    }
    this.slots = slots;
    this.seqs = seqs;
    this.dead = 0;
  }
}
