// The list value: a deque of owned strings (RedisString: binary string or Buffer), so pushes and
// pops at either end are O(1) amortised and index access is O(1).
//
// A short list is one growable ring (power-of-two capacity) that starts small and shrinks again
// when the list empties out, so the many short lists a keyspace holds stay cheap. Past BLOCK
// (16384) elements the list becomes a ring of fixed blocks of BLOCK slots (as Redis's quicklist is
// a chain of nodes): growing adds a block and never copies the elements. A single ring of a
// million slots was copied whole (8 MB) at each doubling, a stall that grew with the list. A
// block is just past V8's largest regular object (128 KiB), so it is born in the large-object
// space and promoted without a copy.
// Invariants: as a ring, elements live at ring[(head + i) & mask] for 0 <= i < length; as blocks,
// element i lives at position g = start + i of the blocks in order (block g >> BLOCK_BITS, slot
// g & BLOCK_MASK), blocks[(bhead + k) & bmask] being the k-th of `nblocks`. Free slots hold
// undefined.
import type { RedisString } from './string.js';

const MIN_CAPACITY = 4;
const BLOCK_BITS = 14;
/** Slots of a block, and the most a ring holds. */
const BLOCK = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK - 1;
/** A list of blocks that shrinks to this many elements goes back to a ring. */
const UNBLOCK_AT = BLOCK >>> 2;

type Slots = (RedisString | undefined)[];

function slots(n: number): Slots {
  return new Array<RedisString | undefined>(n).fill(undefined);
}

export class RedisList {
  private ring: Slots;
  private head = 0;
  private size = 0;
  private mask: number;
  /** The blocks, as a ring of their own; undefined while the list is a single ring. */
  private blocks: (Slots | undefined)[] | undefined;
  private bhead = 0;
  private bmask = 0;
  private nblocks = 0;
  /** Where the first element sits in the first block. */
  private start = 0;

  constructor() {
    this.ring = slots(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
  }

  get length(): number {
    return this.size;
  }

  /** LPUSH: `value` becomes element 0. The list keeps the RedisString (callers pass an owned copy). */
  pushHead(value: RedisString): void {
    if (this.blocks === undefined) {
      if (this.size < this.ring.length) {
        this.head = (this.head - 1) & this.mask;
        this.ring[this.head] = value;
        this.size++;
        return;
      }
      if (this.ring.length < BLOCK) {
        this.resize(this.ring.length * 2);
        this.pushHead(value);
        return;
      }
      this.toBlocks();
    }
    if (this.start === 0) {
      this.addBlock(true);
      this.start = BLOCK;
    }
    this.start--;
    this.blocks![this.bhead]![this.start] = value;
    this.size++;
  }

  /** RPUSH: `value` becomes the last element. */
  pushTail(value: RedisString): void {
    if (this.blocks === undefined) {
      if (this.size < this.ring.length) {
        this.ring[(this.head + this.size) & this.mask] = value;
        this.size++;
        return;
      }
      if (this.ring.length < BLOCK) {
        this.resize(this.ring.length * 2);
        this.pushTail(value);
        return;
      }
      this.toBlocks();
    }
    const g = this.start + this.size;
    if (g >>> BLOCK_BITS === this.nblocks) this.addBlock(false);
    this.blockAt(g)[g & BLOCK_MASK] = value;
    this.size++;
  }

  popHead(): RedisString | undefined {
    if (this.size === 0) return undefined;
    let v: RedisString | undefined;
    if (this.blocks === undefined) {
      v = this.ring[this.head];
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
      this.size--;
    } else {
      const first = this.blocks[this.bhead]!;
      v = first[this.start];
      first[this.start] = undefined;
      this.start++;
      this.size--;
      if (this.start === BLOCK) {
        this.dropBlock(true);
        this.start = 0;
      }
    }
    this.maybeShrink();
    return v;
  }

  popTail(): RedisString | undefined {
    if (this.size === 0) return undefined;
    let v: RedisString | undefined;
    if (this.blocks === undefined) {
      const i = (this.head + this.size - 1) & this.mask;
      v = this.ring[i];
      this.ring[i] = undefined;
      this.size--;
    } else {
      const g = this.start + this.size - 1;
      const b = this.blockAt(g);
      v = b[g & BLOCK_MASK];
      b[g & BLOCK_MASK] = undefined;
      this.size--;
      // The last block emptied: it goes (the first one stays while it holds the head).
      if ((g & BLOCK_MASK) === 0 && this.nblocks > 1) this.dropBlock(false);
    }
    this.maybeShrink();
    return v;
  }

  /** Element `index` (0-based from the head); the caller keeps 0 <= index < length. */
  at(index: number): RedisString {
    if (this.blocks === undefined) return this.ring[(this.head + index) & this.mask]!;
    const g = this.start + index;
    return this.blockAt(g)[g & BLOCK_MASK]!;
  }

  /** LSET: replaces element `index`; the caller keeps 0 <= index < length. */
  set(index: number, value: RedisString): void {
    if (this.blocks === undefined) {
      this.ring[(this.head + index) & this.mask] = value;
      return;
    }
    const g = this.start + index;
    this.blockAt(g)[g & BLOCK_MASK] = value;
  }

  /**
   * Replaces the whole content with `items`, head first (LINSERT, LREM, LTRIM rebuild the list
   * in one pass).
   */
  replaceAll(items: readonly RedisString[]): void {
    this.blocks = undefined;
    this.nblocks = this.start = this.bhead = this.bmask = 0;
    let cap = MIN_CAPACITY;
    while (cap < items.length && cap < BLOCK) cap *= 2;
    this.ring = slots(cap);
    this.head = 0;
    this.size = 0;
    this.mask = cap - 1;
    for (const item of items) this.pushTail(item);
  }

  /** COPY: an independent list with the same elements (strings are immutable; Buffers are copied). */
  clone(): RedisList {
    const c = new RedisList();
    const items: RedisString[] = [];
    for (let i = 0; i < this.size; i++) {
      const v = this.at(i);
      items.push(typeof v === 'string' ? v : Buffer.from(v));
    }
    c.replaceAll(items);
    return c;
  }

  /** A copy of the elements, head first (tests, debugging). */
  toArray(): RedisString[] {
    const out: RedisString[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  /** Slots allocated for elements (tests): the ring's, or the blocks'. */
  get capacity(): number {
    return this.blocks === undefined ? this.ring.length : this.nblocks * BLOCK;
  }

  /** A ring at most a quarter full halves; blocks down to UNBLOCK_AT elements become a ring again. */
  private maybeShrink(): void {
    if (this.blocks !== undefined) {
      if (this.size <= UNBLOCK_AT) this.toRing();
      return;
    }
    const cap = this.ring.length;
    if (cap > MIN_CAPACITY && this.size <= cap >>> 2) this.resize(cap >>> 1);
  }

  private resize(capacity: number): void {
    const next = slots(capacity);
    for (let i = 0; i < this.size; i++) next[i] = this.ring[(this.head + i) & this.mask];
    this.ring = next;
    this.head = 0;
    this.mask = capacity - 1;
  }

  /** The block holding position `g` of the blocks in order (element g - start). */
  private blockAt(g: number): Slots {
    return this.blocks![(this.bhead + (g >>> BLOCK_BITS)) & this.bmask]!;
  }

  /** The full ring of BLOCK elements becomes the first block. */
  private toBlocks(): void {
    const first = slots(BLOCK);
    for (let i = 0; i < this.size; i++) first[i] = this.ring[(this.head + i) & this.mask];
    this.blocks = [first, undefined, undefined, undefined];
    this.bhead = 0;
    this.bmask = 3;
    this.nblocks = 1;
    this.start = 0;
    this.ring = slots(0);
    this.head = 0;
    this.mask = 0;
  }

  /** Back to one ring, sized for the elements left. */
  private toRing(): void {
    let cap = MIN_CAPACITY;
    while (cap < this.size * 2 && cap < BLOCK) cap *= 2;
    const ring = slots(cap);
    for (let i = 0; i < this.size; i++) ring[i] = this.at(i);
    this.blocks = undefined;
    this.nblocks = this.start = this.bhead = this.bmask = 0;
    this.ring = ring;
    this.head = 0;
    this.mask = cap - 1;
  }

  /** A new empty block before the first (`front`) or after the last. */
  private addBlock(front: boolean): void {
    let blocks = this.blocks!;
    if (this.nblocks === blocks.length) {
      const grown = new Array<Slots | undefined>(blocks.length * 2).fill(undefined);
      for (let k = 0; k < this.nblocks; k++) grown[k] = blocks[(this.bhead + k) & this.bmask]!;
      blocks = this.blocks = grown;
      this.bhead = 0;
      this.bmask = grown.length - 1;
    }
    if (front) {
      this.bhead = (this.bhead - 1) & this.bmask;
      blocks[this.bhead] = slots(BLOCK);
    } else {
      blocks[(this.bhead + this.nblocks) & this.bmask] = slots(BLOCK);
    }
    this.nblocks++;
  }

  /** Drops the first (`front`) or the last block, empty by now. */
  private dropBlock(front: boolean): void {
    const blocks = this.blocks!;
    if (front) {
      blocks[this.bhead] = undefined;
      this.bhead = (this.bhead + 1) & this.bmask;
    } else {
      blocks[(this.bhead + this.nblocks - 1) & this.bmask] = undefined;
    }
    this.nblocks--;
  }
}
