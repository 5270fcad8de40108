// The sorted set's ordered index: Pugh's skiplist as t_zset.c keeps it, ordered by (score,
// member bytes), with a span on every forward link so ranks cost O(log n), and a backward link
// on level 0 for reverse walks. Members are binary strings, so JS string order is memcmp order.
// Invariant: a link's span is the number of nodes it jumps over plus one; a link to null spans
// the nodes left after its node. Score and lex ranges (zrangespec, zlexrangespec) live here too.
//
// The list is columnar: a node is an integer id into arrays the list owns (scores in a
// Float64Array, level-0 links in an Int32Array, members in chunked JS arrays), so a member costs
// no object of its own. Levels above 0 (a forward link and a span each) live in a pooled
// Int32Array, in a block per node of two levels or more; three nodes in four have none. Freed
// ids and pool blocks are reused. An id is valid from insert() until the node is removed.
import { freeArrayBuffer, resized } from '../engine/release.js';
import { lexGteMin, lexLteMax, lexRangeEmpty, scoreGteMin, scoreLteMax, scoreRangeEmpty, type LexRange, type ScoreRange } from './zset-range.js';

const MAX_LEVEL = 32;
/** Chance of a node reaching the next level (ZSKIPLIST_P). */
const P = 0.25;
/** The null link (no node). */
export const NIL = -1;
/** Node 0 is the header: a sentinel with as many levels as any node, never a member. */
const HEAD = 0;
/**
 * Int32 slots per node in `links`: the level-0 forward link, the backward link, and the offset
 * of the node's pool block (NIL for a node of one level).
 */
const LINK = 3;
/** Members are held in arrays of this many, so growing the list never copies a huge array. */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
const MIN_CAPACITY = 4;
/** The header's first block: levels enough for a small set; it grows when a node needs more. */
const HEAD_LEVEL = 4;
/**
 * Pool layout. Slots 0..MAX_LEVEL head the free lists of blocks by level (0 when empty; no block
 * starts at 0). A block of a node of level L >= 2 is 2L - 1 slots: [L, fwd(1), span(1), fwd(2),
 * span(2), ...]; a free block keeps L and links the next free block of its level in slot 1.
 */
const POOL_HEADS = MAX_LEVEL + 1;

/**
 * Search scratch shared by every list: the predecessors of a position and their ranks, per
 * level. One search at a time: nothing runs between a search and the linking it prepares but
 * deleteRankRange's callback, which must not search any list.
 */
const preds = new Int32Array(MAX_LEVEL);
const predRanks = new Int32Array(MAX_LEVEL);

export class SkipList {
  /** By node id: the score. Its length is the capacity; every array grows by doubling. */
  private scores: Float64Array;
  /** By node id, LINK slots each (see LINK). A free id's forward slot links the next free id. */
  private links: Int32Array;
  /** By node id, in chunks of CHUNK: the member ('' for the header and free ids). */
  private readonly members: string[][] = [[]];
  private pool: Int32Array;
  /** Pool slots handed out (blocks end here). */
  private poolTop: number;
  /** Ids handed out so far, the header included; ids at and above it were never used. */
  private used = 0;
  private freeIds = NIL;
  private tailId = NIL;
  private levels = 1;
  private count = 0;
  /** Where the last countWhile stopped: the last node satisfying its predicate (or the header). */
  private visited = HEAD;

  /** `capacity`: node ids to reserve up front (the header takes one). */
  constructor(private readonly random: () => number = Math.random, capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.scores = new Float64Array(cap);
    this.links = new Int32Array(cap * LINK);
    this.pool = new Int32Array(POOL_HEADS + 2 * HEAD_LEVEL - 1);
    this.poolTop = POOL_HEADS;
    const head = this.allocId();
    this.setMember(head, '');
    this.links[head * LINK] = NIL;
    this.links[head * LINK + 1] = NIL;
    this.links[head * LINK + 2] = this.allocBlock(HEAD_LEVEL);
  }

  get length(): number {
    return this.count;
  }

  /** The first node in order, or NIL. */
  get first(): number {
    return this.links[HEAD * LINK];
  }

  /** The last node in order, or NIL. */
  get last(): number {
    return this.tailId;
  }

  /** Node ids the arrays hold now (the header's included). */
  get capacity(): number {
    return this.scores.length;
  }

  /** Pool slots in use or on the free lists (tests: blocks of removed nodes are reused). */
  get poolUsed(): number {
    return this.poolTop;
  }

  /** The node after `id` in order, or NIL. */
  next(id: number): number {
    return this.links[id * LINK];
  }

  /** The node before `id` in order, or NIL (never the header). */
  prev(id: number): number {
    return this.links[id * LINK + 1];
  }

  score(id: number): number {
    return this.scores[id];
  }

  member(id: number): string {
    return this.members[id >> CHUNK_BITS][id & CHUNK_MASK];
  }

  /** The member of `id`, for the set's StringIndex (KeySource). */
  keyAt(id: number): string {
    return this.member(id);
  }

  /** How many levels the node has (1 to MAX_LEVEL). */
  level(id: number): number {
    const up = this.links[id * LINK + 2];
    return up === NIL ? 1 : this.pool[up];
  }

  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.random() < P) level++;
    return level;
  }

  /** Inserts a member that is not in the list (the caller's dictionary knows); returns its id. */
  insert(score: number, member: string): number {
    const level = this.randomLevel();
    const id = this.allocId();
    this.scores[id] = score;
    this.setMember(id, member);
    this.links[id * LINK + 2] = level > 1 ? this.allocBlock(level) : NIL;
    this.link(id);
    return id;
  }

  /** Unlinks node `id`, which must be in the list, and frees the id. */
  remove(id: number): void {
    this.findPredecessors(this.scores[id], this.member(id));
    this.unlink(id);
    this.freeNode(id);
  }

  /**
   * Moves node `id` to `score` (zslUpdateScore): in place when its neighbours still bracket the
   * new score, else unlinked and linked again. The node keeps its id and its level.
   */
  updateScore(id: number, score: number): void {
    const member = this.member(id);
    const back = this.prev(id);
    const fwd = this.next(id);
    const s = this.scores;
    if ((back === NIL || s[back] < score || (s[back] === score && this.member(back) < member)) &&
        (fwd === NIL || s[fwd] > score || (s[fwd] === score && this.member(fwd) > member))) {
      s[id] = score;
      return;
    }
    this.findPredecessors(s[id], member);
    this.unlink(id);
    s[id] = score;
    this.link(id);
  }

  /** 0-based rank of the member with this score, or -1 when absent. */
  rankOf(score: number, member: string): number {
    const s = this.scores;
    let x = HEAD;
    let rank = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = this.fwd(x, i);
      while (f !== NIL && (s[f] < score || (s[f] === score && this.member(f) <= member))) {
        rank += this.span(x, i);
        x = f;
        f = this.fwd(x, i);
      }
      if (x !== HEAD && this.member(x) === member) return rank - 1;
    }
    return -1;
  }

  /** The node at 0-based `rank`, or NIL when out of range. */
  at(rank: number): number {
    if (rank < 0 || rank >= this.count) return NIL;
    const target = rank + 1;
    let x = HEAD;
    let traversed = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = this.fwd(x, i);
      while (f !== NIL && traversed + this.span(x, i) <= target) {
        traversed += this.span(x, i);
        x = f;
        f = this.fwd(x, i);
      }
      if (traversed === target) return x;
    }
    return NIL;
  }

  // ---- ranges ------------------------------------------------------------------------------------

  /** 0-based rank of the first node with a score in the range, or -1. */
  firstInScoreRange(r: ScoreRange): number {
    if (!this.overlapsScores(r)) return -1;
    const rank = this.countWhile((n) => !scoreGteMin(this.scores[n], r));
    const n = this.next(this.visited);
    return n !== NIL && scoreLteMax(this.scores[n], r) ? rank : -1;
  }

  /** 0-based rank of the last node with a score in the range, or -1. */
  lastInScoreRange(r: ScoreRange): number {
    if (!this.overlapsScores(r)) return -1;
    const rank = this.countWhile((n) => scoreLteMax(this.scores[n], r)) - 1;
    const n = this.visited;
    return n !== HEAD && scoreGteMin(this.scores[n], r) ? rank : -1;
  }

  /** 0-based rank of the first member in the lex range, or -1. */
  firstInLexRange(r: LexRange): number {
    if (!this.overlapsLex(r)) return -1;
    const rank = this.countWhile((n) => !lexGteMin(this.member(n), r));
    const n = this.next(this.visited);
    return n !== NIL && lexLteMax(this.member(n), r) ? rank : -1;
  }

  /** 0-based rank of the last member in the lex range, or -1. */
  lastInLexRange(r: LexRange): number {
    if (!this.overlapsLex(r)) return -1;
    const rank = this.countWhile((n) => lexLteMax(this.member(n), r)) - 1;
    const n = this.visited;
    return n !== HEAD && lexGteMin(this.member(n), r) ? rank : -1;
  }

  /**
   * Removes the nodes of 0-based ranks start..end (inclusive, both in range), calling `removed`
   * with each id before it is freed (it must not search any list); zslDeleteRangeByRank.
   */
  deleteRankRange(start: number, end: number, removed: (id: number) => void): number {
    this.findRank(start);
    let x = this.fwd(preds[0], 0);
    let n = 0;
    for (let r = start; x !== NIL && r <= end; r++) {
      const next = this.next(x);
      this.unlink(x);
      removed(x);
      this.freeNode(x);
      n++;
      x = next;
    }
    return n;
  }

  /**
   * Frees the arrays now (big ones through the engine's detach) rather than at a later major GC.
   * The list must not be used afterwards.
   */
  dispose(): void {
    freeArrayBuffer(this.scores);
    freeArrayBuffer(this.links);
    freeArrayBuffer(this.pool);
    this.members.length = 0;
  }

  // ---- storage -----------------------------------------------------------------------------------

  private allocId(): number {
    const id = this.freeIds;
    if (id !== NIL) {
      this.freeIds = this.links[id * LINK];
      return id;
    }
    if (this.used === this.scores.length) this.grow();
    return this.used++;
  }

  private freeNode(id: number): void {
    const up = this.links[id * LINK + 2];
    if (up !== NIL) this.freeBlock(up);
    this.links[id * LINK] = this.freeIds;
    this.links[id * LINK + 1] = NIL;
    this.links[id * LINK + 2] = NIL;
    this.freeIds = id;
    this.members[id >> CHUNK_BITS][id & CHUNK_MASK] = '';
  }

  /** Doubles the node arrays; the old buffers are freed at once. */
  private grow(): void {
    const cap = this.scores.length * 2;
    this.scores = resized(this.scores, cap);
    this.links = resized(this.links, cap * LINK);
  }

  /** Stores the member of `id`; a never-used id appends to the last chunk. */
  private setMember(id: number, member: string): void {
    const c = id >> CHUNK_BITS;
    if (c === this.members.length) this.members.push([]);
    const chunk = this.members[c];
    chunk[id & CHUNK_MASK] = member;
    // A chunk filled by appending may have reserved half as much again: trim it once full.
    if ((id & CHUNK_MASK) === CHUNK_MASK && id === this.used - 1) this.members[c] = chunk.slice();
  }

  /** A pool block for a node of `level` >= 2, its links null and spans 0. */
  private allocBlock(level: number): number {
    const size = 2 * level - 1;
    let o = this.pool[level];
    if (o !== 0) {
      this.pool[level] = this.pool[o + 1];
    } else {
      o = this.poolTop;
      if (o + size > this.pool.length) {
        this.pool = resized(this.pool, Math.max(this.pool.length * 2, o + size));
      }
      this.poolTop = o + size;
    }
    const pool = this.pool;
    pool[o] = level;
    for (let i = 1; i < size; i += 2) {
      pool[o + i] = NIL;
      pool[o + i + 1] = 0;
    }
    return o;
  }

  /** Moves the header to a block of at least `level` levels (doubling, up to MAX_LEVEL). */
  private growHead(level: number): void {
    const old = this.links[HEAD * LINK + 2];
    const oldLevel = this.pool[old];
    let want = oldLevel * 2;
    while (want < level) want *= 2;
    const o = this.allocBlock(Math.min(want, MAX_LEVEL));
    this.pool.copyWithin(o + 1, old + 1, old + 2 * oldLevel - 1);
    this.freeBlock(old);
    this.links[HEAD * LINK + 2] = o;
  }

  private freeBlock(o: number): void {
    const level = this.pool[o];
    this.pool[o + 1] = this.pool[level];
    this.pool[level] = o;
  }

  /** The forward link of level `i` (< the node's level). */
  private fwd(x: number, i: number): number {
    return i === 0 ? this.links[x * LINK] : this.pool[this.links[x * LINK + 2] + 2 * i - 1];
  }

  private setFwd(x: number, i: number, f: number): void {
    if (i === 0) this.links[x * LINK] = f;
    else this.pool[this.links[x * LINK + 2] + 2 * i - 1] = f;
  }

  /** The span of level `i`'s link: nodes jumped over plus one (to null: the nodes after this one). */
  private span(x: number, i: number): number {
    if (i === 0) return this.links[x * LINK] === NIL ? 0 : 1;
    return this.pool[this.links[x * LINK + 2] + 2 * i];
  }

  /** Sets the span of level `i` >= 1 (level 0's follows its link). */
  private setSpan(x: number, i: number, span: number): void {
    if (i !== 0) this.pool[this.links[x * LINK + 2] + 2 * i] = span;
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** (score, member) order: node `n` sorts before the pair. */
  private before(n: number, score: number, member: string): boolean {
    const s = this.scores[n];
    return s < score || (s === score && this.member(n) < member);
  }

  private overlapsScores(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r)) return false;
    const t = this.tailId;
    const h = this.first;
    return t !== NIL && h !== NIL && scoreGteMin(this.scores[t], r) && scoreLteMax(this.scores[h], r);
  }

  private overlapsLex(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.tailId;
    const h = this.first;
    return t !== NIL && h !== NIL && lexGteMin(this.member(t), r) && lexLteMax(this.member(h), r);
  }

  /**
   * How many leading nodes satisfy `pred`, where `pred` holds for a prefix of the list (a
   * monotone predicate such as "score below the minimum"): O(log n).
   */
  private countWhile(pred: (id: number) => boolean): number {
    let x = HEAD;
    let rank = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = this.fwd(x, i);
      while (f !== NIL && pred(f)) {
        rank += this.span(x, i);
        x = f;
        f = this.fwd(x, i);
      }
    }
    this.visited = x;
    return rank;
  }

  /** Fills `preds` and `predRanks` with the last node before (score, member) on every level. */
  private findPredecessors(score: number, member: string): void {
    let x = HEAD;
    for (let i = this.levels - 1; i >= 0; i--) {
      predRanks[i] = i === this.levels - 1 ? 0 : predRanks[i + 1];
      let f = this.fwd(x, i);
      while (f !== NIL && this.before(f, score, member)) {
        predRanks[i] += this.span(x, i);
        x = f;
        f = this.fwd(x, i);
      }
      preds[i] = x;
    }
  }

  /** Fills `preds` with the last node of 0-based rank below `rank` on every level. */
  private findRank(rank: number): void {
    let x = HEAD;
    let traversed = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = this.fwd(x, i);
      while (f !== NIL && traversed + this.span(x, i) <= rank) {
        traversed += this.span(x, i);
        x = f;
        f = this.fwd(x, i);
      }
      preds[i] = x;
    }
  }

  /** zslInsert's linking, for a node whose (score, member) is not in the list. */
  private link(node: number): void {
    this.findPredecessors(this.scores[node], this.member(node));
    const level = this.level(node);
    if (level > this.levels) {
      if (level > this.level(HEAD)) this.growHead(level);
      for (let i = this.levels; i < level; i++) {
        predRanks[i] = 0;
        preds[i] = HEAD;
        this.setSpan(HEAD, i, this.count);
      }
      this.levels = level;
    }
    for (let i = 0; i < level; i++) {
      const u = preds[i];
      this.setSpan(node, i, this.span(u, i) - (predRanks[0] - predRanks[i]));
      this.setSpan(u, i, predRanks[0] - predRanks[i] + 1);
      this.setFwd(node, i, this.fwd(u, i));
      this.setFwd(u, i, node);
    }
    for (let i = level; i < this.levels; i++) {
      const u = preds[i];
      this.setSpan(u, i, this.span(u, i) + 1);
    }
    const links = this.links;
    links[node * LINK + 1] = preds[0] === HEAD ? NIL : preds[0];
    const after = links[node * LINK];
    if (after !== NIL) links[after * LINK + 1] = node;
    else this.tailId = node;
    this.count++;
  }

  /** zslDeleteNode, with `preds` filled for `node`. */
  private unlink(node: number): void {
    for (let i = 0; i < this.levels; i++) {
      const u = preds[i];
      if (this.fwd(u, i) === node) {
        this.setSpan(u, i, this.span(u, i) + this.span(node, i) - 1);
        this.setFwd(u, i, this.fwd(node, i));
      } else {
        this.setSpan(u, i, this.span(u, i) - 1);
      }
    }
    const links = this.links;
    const after = links[node * LINK];
    const back = links[node * LINK + 1];
    if (after !== NIL) links[after * LINK + 1] = back;
    else this.tailId = back;
    while (this.levels > 1 && this.fwd(HEAD, this.levels - 1) === NIL) this.levels--;
    this.count--;
  }

  /**
   * Checks every invariant (tests): order, spans, backward links, tail and length, and that every
   * id below the high-water mark is either in the list or on the free list, and every pool block
   * either a node's or on its level's free list.
   */
  check(): void {
    if (this.level(HEAD) < this.levels) throw new Error('header lower than the list');
    const nodes: number[] = [];
    for (let x = this.first; x !== NIL; x = this.next(x)) {
      nodes.push(x);
      if (nodes.length > this.count) throw new Error('list longer than its length');
    }
    if (nodes.length !== this.count) throw new Error(`length ${this.count} but ${nodes.length} nodes`);
    if ((nodes.at(-1) ?? NIL) !== this.tailId) throw new Error('bad tail');
    const rankOf = new Map<number, number>(nodes.map((n, i) => [n, i + 1]));
    rankOf.set(HEAD, 0);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (this.prev(n) !== (i === 0 ? NIL : nodes[i - 1])) throw new Error(`bad backward at ${i}`);
      if (i > 0 && !this.before(nodes[i - 1], this.scores[n], this.member(n))) throw new Error(`out of order at ${i}`);
    }
    for (const x of [HEAD, ...nodes]) {
      const top = x === HEAD ? this.levels : this.level(x);
      for (let i = 0; i < top; i++) {
        const f = this.fwd(x, i);
        const want = f === NIL ? this.count - rankOf.get(x)! : rankOf.get(f)! - rankOf.get(x)!;
        if (this.span(x, i) !== want) throw new Error(`bad span at level ${i}`);
      }
    }
    let free = 0;
    for (let x = this.freeIds; x !== NIL; x = this.links[x * LINK]) {
      if (rankOf.has(x) || x >= this.used) throw new Error(`bad free id ${x}`);
      if (this.member(x) !== '' || this.links[x * LINK + 2] !== NIL) throw new Error(`free id ${x} holds data`);
      if (++free > this.used) throw new Error('free list cycles');
    }
    if (free + nodes.length + 1 !== this.used) throw new Error(`ids leak: ${this.used} used, ${free} free, ${nodes.length} live`);
    // Pool: the blocks of live nodes and the free blocks tile POOL_HEADS..poolTop exactly.
    const blocks: [number, number][] = [];
    for (const x of [HEAD, ...nodes]) {
      const up = this.links[x * LINK + 2];
      if (up !== NIL) blocks.push([up, 2 * this.pool[up] - 1]);
    }
    for (let level = 2; level <= MAX_LEVEL; level++) {
      for (let o = this.pool[level]; o !== 0; o = this.pool[o + 1]) {
        if (this.pool[o] !== level) throw new Error(`free block at ${o} of the wrong level`);
        blocks.push([o, 2 * level - 1]);
        if (blocks.length > this.poolTop) throw new Error('pool free list cycles');
      }
    }
    blocks.sort((a, b) => a[0] - b[0]);
    let end = POOL_HEADS;
    for (const [o, size] of blocks) {
      if (o !== end) throw new Error(`pool block at ${o}, expected ${end}`);
      end = o + size;
    }
    if (end !== this.poolTop) throw new Error('pool blocks do not reach the top');
  }
}
