// A hash index from strings to small integer ids that their owner keeps the strings for: the
// keyspace (key -> slot, keytable.ts) and the sorted set (member -> skiplist node, zset.ts).
// Open addressing over one Int32Array (linear probing, at most three quarters full, deletion by
// backward shift so there are no tombstones). A bucket is two int32s, the id and its string's
// hash: a probe compares integers before strings, a rehash never hashes a string again, and the
// bucket a probe reads holds the hash it needs (a hash column beside the ids cost a second memory
// miss per lookup). A V8 Map costs about 28 bytes per entry, and leaves its old backing stores
// behind for a major GC as it grows; this costs 11-22 bytes of table per entry, and the arrays it
// replaces are freed at once (release.ts).
import { freeArrayBuffer } from '../engine/release.js';

/** The smallest table (a power of two). */
const MIN_BUCKETS = 16;

/**
 * Per-process seed, so the bucket a key lands in can't be known in advance. (Redis seeds
 * SipHash; this is FNV-1a with a seeded basis and a murmur3 finaliser: cheaper in JS, and enough
 * to spread real key sets, though not a defence against a determined collision search.)
 */
const SEED = (Math.random() * 0x100000000) | 0;

/** The index's hash of `key` (an int32). */
export function hashOf(key: string): number {
  const n = key.length;
  let h = 0x811c9dc5 ^ SEED ^ n;
  for (let k = 0; k < n; k++) h = Math.imul(h ^ key.charCodeAt(k), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Where the index reads the string of an id it holds. */
export interface KeySource {
  keyAt(id: number): string | undefined;
}

export class StringIndex {
  /** Per bucket: 1 + an id (0: empty), then the hash of the id's string. */
  private buckets = new Int32Array(2 * MIN_BUCKETS);
  /** The number of buckets - 1 (a power of two - 1). */
  private mask = MIN_BUCKETS - 1;
  private count = 0;
  /**
   * The last string this index hashed and its hash: a command that looks its key up more than
   * once, or clients hitting one key, pay for the hash once. Per index, so that ZADD's key and
   * member, hashed in turn by the keyspace and by the set, each keep theirs. The comparison is a
   * pointer check for the same string (Args hands out one string per hot key), a short compare
   * otherwise.
   */
  private memoKey = '';
  private memoHash = hashOf('');

  constructor(private readonly src: KeySource) {}

  private hash(key: string): number {
    if (key === this.memoKey) return this.memoHash;
    const h = hashOf(key);
    this.memoKey = key;
    this.memoHash = h;
    return h;
  }

  get size(): number {
    return this.count;
  }

  /** The id of `key`, -1 when absent. */
  find(key: string): number {
    const h = this.hash(key);
    const b = this.buckets;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = b[2 * i]!;
      if (e === 0) return -1;
      if (b[2 * i + 1] === h && this.src.keyAt(e - 1) === key) return e - 1;
    }
  }

  /** Adds `id`, whose string is `key` (absent from the index). */
  add(id: number, key: string): void {
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.rehash((this.mask + 1) * 2);
    this.place(id, this.hash(key));
    this.count++;
  }

  /** Removes `id` (held), whose string is `key`. */
  remove(id: number, key: string): void {
    this.unplace(id, this.hash(key));
    this.count--;
    const n = this.mask + 1;
    if (n > MIN_BUCKETS && this.count * 16 < n) this.rehash(n / 2);
  }

  /** Empties the index, freeing its large block now. */
  clear(): void {
    freeArrayBuffer(this.buckets);
    this.buckets = new Int32Array(2 * MIN_BUCKETS);
    this.mask = MIN_BUCKETS - 1;
    this.count = 0;
  }

  /** Puts `id`, whose string hashes to `h`, in the first empty bucket from its home. */
  private place(id: number, h: number): void {
    const b = this.buckets;
    const mask = this.mask;
    let i = h & mask;
    while (b[2 * i] !== 0) i = (i + 1) & mask;
    b[2 * i] = id + 1;
    b[2 * i + 1] = h;
  }

  /** Takes `id` (hash `h`) out of the table, shifting back the entries probed past it. */
  private unplace(id: number, h: number): void {
    const b = this.buckets;
    const mask = this.mask;
    let i = h & mask;
    while (b[2 * i] !== id + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const e = b[2 * j]!;
      if (e === 0) break;
      // The entry at j (home k) may fill the hole at i only if i lies on its probe path k..j.
      const hj = b[2 * j + 1]!;
      const k = hj & mask;
      if (((j - k) & mask) >= ((j - i) & mask)) {
        b[2 * i] = e;
        b[2 * i + 1] = hj;
        i = j;
      }
    }
    b[2 * i] = 0;
    b[2 * i + 1] = 0;
  }

  /** Moves the entries to a table of `size` buckets (a power of two), from the stored hashes. */
  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let i = 0; i < old.length; i += 2) {
      const e = old[i]!;
      if (e !== 0) this.place(e - 1, old[i + 1]!);
    }
    freeArrayBuffer(old);
  }
}
