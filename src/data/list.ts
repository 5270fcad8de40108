// The list value: a deque of owned strings (RedisString: binary string or Buffer) on a growable ring (power-of-two capacity), so pushes
// and pops at either end are O(1) amortised and index access is O(1). The ring starts small and
// shrinks again when a list empties out, so the many short lists a keyspace holds stay cheap.
// Invariant: elements live at ring[(head + i) & mask] for 0 <= i < length; other slots are undefined.
import type { RedisString } from './string.js';

const MIN_CAPACITY = 4;

export class RedisList {
  private ring: (RedisString | undefined)[];
  private head = 0;
  private size = 0;
  private mask: number;

  constructor() {
    this.ring = new Array<RedisString | undefined>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
  }

  get length(): number {
    return this.size;
  }

  /** LPUSH: `value` becomes element 0. The list keeps the RedisString (callers pass an owned copy). */
  pushHead(value: RedisString): void {
    if (this.size === this.ring.length) this.resize(this.ring.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.ring[this.head] = value;
    this.size++;
  }

  /** RPUSH: `value` becomes the last element. */
  pushTail(value: RedisString): void {
    if (this.size === this.ring.length) this.resize(this.ring.length * 2);
    this.ring[(this.head + this.size) & this.mask] = value;
    this.size++;
  }

  popHead(): RedisString | undefined {
    if (this.size === 0) return undefined;
    const v = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    this.maybeShrink();
    return v;
  }

  popTail(): RedisString | undefined {
    if (this.size === 0) return undefined;
    const i = (this.head + this.size - 1) & this.mask;
    const v = this.ring[i];
    this.ring[i] = undefined;
    this.size--;
    this.maybeShrink();
    return v;
  }

  /** Element `index` (0-based from the head); the caller keeps 0 <= index < length. */
  at(index: number): RedisString {
    return this.ring[(this.head + index) & this.mask]!;
  }

  /** LSET: replaces element `index`; the caller keeps 0 <= index < length. */
  set(index: number, value: RedisString): void {
    this.ring[(this.head + index) & this.mask] = value;
  }

  /**
   * Replaces the whole content with `items`, head first (LINSERT, LREM, LTRIM rebuild the list
   * in one pass). The ring is sized for the new length.
   */
  replaceAll(items: readonly RedisString[]): void {
    let cap = MIN_CAPACITY;
    while (cap < items.length) cap *= 2;
    this.ring = new Array<RedisString | undefined>(cap).fill(undefined);
    for (let i = 0; i < items.length; i++) this.ring[i] = items[i];
    this.head = 0;
    this.size = items.length;
    this.mask = cap - 1;
  }

  /** COPY: an independent list with the same elements (strings are immutable; Buffers are copied). */
  clone(): RedisList {
    const c = new RedisList();
    if (this.size > c.ring.length) c.resize(1 << Math.ceil(Math.log2(this.size)));
    for (let i = 0; i < this.size; i++) {
      const v = this.at(i);
      c.ring[i] = typeof v === 'string' ? v : Buffer.from(v);
    }
    c.size = this.size;
    return c;
  }

  /** A copy of the elements, head first (tests, debugging). */
  toArray(): RedisString[] {
    const out: RedisString[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  /** Capacity of the ring (tests). */
  get capacity(): number {
    return this.ring.length;
  }

  /** Halves the ring once it is at most a quarter full, so a drained list gives its memory back. */
  private maybeShrink(): void {
    const cap = this.ring.length;
    if (cap > MIN_CAPACITY && this.size <= cap >>> 2) this.resize(cap >>> 1);
  }

  private resize(capacity: number): void {
    const next = new Array<RedisString | undefined>(capacity).fill(undefined);
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.head + i) & this.mask];
    this.ring = next;
    this.head = 0;
    this.mask = capacity - 1;
  }
}
