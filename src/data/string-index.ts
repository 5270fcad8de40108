// A hash index from strings to small integer ids that their owner keeps the strings for: the
// keyspace (key -> slot, keytable.ts) and the sorted set (member -> skiplist node, zset.ts).
// Open addressing over an Int32Array of ids (linear probing, at most three quarters full,
// deletion by backward shift so there are no tombstones), with each id's hash in a second
// Int32Array so probes compare integers before strings and a rehash never hashes a string again.
// A V8 Map costs about 28 bytes per entry, and leaves its old backing stores behind for a major
// GC as it grows; this costs 4 bytes of hash and 5-11 bytes of table per entry, and the arrays it
// replaces are freed at once (release.ts).
import { freeArrayBuffer, resized } from '../engine/release.js';

/** The smallest table (a power of two), and the smallest hash column. */
const MIN_BUCKETS = 16;
const MIN_IDS = 16;

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
  /** 1 + an id, 0 for an empty bucket. */
  private buckets = new Int32Array(MIN_BUCKETS);
  private mask = MIN_BUCKETS - 1;
  /** Id -> the hash of its string (meaningful for the ids held only). */
  private hashes = new Int32Array(MIN_IDS);
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
    const hashes = this.hashes;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = b[i]!;
      if (e === 0) return -1;
      if (hashes[e - 1] === h && this.src.keyAt(e - 1) === key) return e - 1;
    }
  }

  /** Adds `id`, whose string is `key` (absent from the index). */
  add(id: number, key: string): void {
    if ((this.count + 1) * 4 > this.buckets.length * 3) this.rehash(this.buckets.length * 2);
    if (id >= this.hashes.length) this.fitIds(Math.max(id + 1, this.hashes.length * 2));
    const h = this.hash(key);
    this.hashes[id] = h;
    this.place(id, h);
    this.count++;
  }

  /** Removes `id` (held). */
  remove(id: number): void {
    this.unplace(id);
    this.count--;
    if (this.buckets.length > MIN_BUCKETS && this.count * 16 < this.buckets.length) this.rehash(this.buckets.length / 2);
  }

  /** Resizes the hash column to `cap` ids; every id held must be below it. */
  fitIds(cap: number): void {
    cap = Math.max(MIN_IDS, cap);
    if (cap !== this.hashes.length) this.hashes = resized(this.hashes, cap);
  }

  /** Empties the index, freeing its large blocks now. */
  clear(): void {
    freeArrayBuffer(this.buckets);
    freeArrayBuffer(this.hashes);
    this.buckets = new Int32Array(MIN_BUCKETS);
    this.mask = MIN_BUCKETS - 1;
    this.hashes = new Int32Array(MIN_IDS);
    this.count = 0;
  }

  /** Puts `id`, whose string hashes to `h`, in the first empty bucket from its home. */
  private place(id: number, h: number): void {
    const b = this.buckets;
    const mask = this.mask;
    let i = h & mask;
    while (b[i] !== 0) i = (i + 1) & mask;
    b[i] = id + 1;
  }

  /** Takes `id` out of the table, shifting back the entries probed past it. */
  private unplace(id: number): void {
    const b = this.buckets;
    const mask = this.mask;
    const hashes = this.hashes;
    let i = hashes[id]! & mask;
    while (b[i] !== id + 1) i = (i + 1) & mask;
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

  /** Moves the entries to a table of `size` buckets (a power of two), from the stored hashes. */
  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(size);
    this.mask = size - 1;
    const hashes = this.hashes;
    for (let i = 0; i < old.length; i++) {
      const e = old[i]!;
      if (e !== 0) this.place(e - 1, hashes[e - 1]!);
    }
    freeArrayBuffer(old);
  }
}
