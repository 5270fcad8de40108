// The sorted set value: member -> node id in a StringIndex (string-index.ts) for O(1) ZSCORE,
// and the nodes in a skiplist ordered by (score, member) for ranks and ranges (t_zset.c's dict +
// zskiplist).
// Members are binary strings (one char per byte). Redis's listpack encoding is modelled, not
// copied: high-water marks say whether Redis would still hold the set as a listpack.
// Invariant: every member of the index is in the skiplist under the id the index gives, and a key
// never holds an empty set (the commands delete it). Node ids are valid until their member goes.
import type { Config } from '../config/config.js';
import { freeArrayBuffer, resized } from '../engine/release.js';
import { NIL, SkipList } from './skiplist.js';
import type { LexRange, ScoreRange } from './zset-range.js';
import { StringIndex } from './string-index.js';

export { NIL };

export type ZsetEncoding = 'listpack' | 'skiplist';

/** Dead slots a scan index tolerates before it is compacted (and at least half of it). */
const SCAN_COMPACT_MIN = 64;
/**
 * A skiplist with this many node slots or more is rebuilt at its size once fewer than one slot
 * in LIST_COMPACT_RATIO is live, so a set drained after growing big gives its arrays back.
 */
const LIST_COMPACT_MIN = 4096;
const LIST_COMPACT_RATIO = 8;

/**
 * ZSCAN's state, made on a set's first cursor scan (a set never scanned pays nothing for it).
 * Cursors are insertion sequence numbers: a member keeps its seq while it stays.
 */
interface ScanIndex {
  /** By node id: the member's seq, 0 for a free id. */
  seqs: Float64Array;
  /**
   * Live and dead entries, as parallel seqs and node ids in seq order (for a binary search). An
   * entry is live while its id still carries its seq; dead ones stay until compaction.
   */
  order: number[];
  ids: number[];
  dead: number;
  /** The next seq; never reset. */
  nextSeq: number;
}

export class RedisZset {
  /** member -> node id. */
  private dict: StringIndex;
  private zsl: SkipList;
  /**
   * Most members ever held, or announced up front (ZADD's pair count); with `longest`, the
   * longest member ever added, this decides OBJECT ENCODING: Redis converts a listpack to a
   * skiplist when either passes its limit and never converts back.
   */
  private peak = 0;
  private longest = 0;
  private scanIndex: ScanIndex | undefined;

  constructor(
    private readonly levelRandom?: () => number,
    capacity?: number,
  ) {
    this.zsl = new SkipList(levelRandom, capacity);
    this.dict = new StringIndex(this.zsl);
  }

  get size(): number {
    return this.dict.size;
  }

  /** The score of `member`, or undefined for a non-member (see scoreOf for a node's). */
  score(member: string): number | undefined {
    const id = this.dict.find(member);
    return id < 0 ? undefined : this.zsl.score(id);
  }

  // ---- nodes: ids from first, last, at(), random() and scan(), NIL for none --------------------

  memberOf(id: number): string {
    return this.zsl.member(id);
  }

  scoreOf(id: number): number {
    return this.zsl.score(id);
  }

  /** The node after `id` in (score, member) order, or NIL. */
  next(id: number): number {
    return this.zsl.next(id);
  }

  /** The node before `id`, or NIL. */
  prev(id: number): number {
    return this.zsl.prev(id);
  }

  get first(): number {
    return this.zsl.first;
  }

  get last(): number {
    return this.zsl.last;
  }

  /** The node of 0-based ascending `rank` (NIL out of range). Walk on with next / prev. */
  at(rank: number): number {
    if (rank === 0) return this.zsl.first;
    if (rank === this.dict.size - 1) return this.zsl.last;
    return this.zsl.at(rank);
  }

  /** A member's node chosen uniformly at random; the set must not be empty. */
  random(): number {
    return this.at(Math.floor(Math.random() * this.dict.size));
  }

  // ---- changes -----------------------------------------------------------------------------------

  /**
   * Adds a member that is not present. -0 is stored as 0, as a listpack stores it (a skiplist
   * would keep the sign; small sets are the common case).
   */
  insert(member: string, score: number): void {
    const id = this.zsl.insert(score + 0, member);
    this.dict.add(id, member);
    const scan = this.scanIndex;
    if (scan !== undefined) {
      if (id >= scan.seqs.length) scan.seqs = resized(scan.seqs, this.zsl.capacity);
      scan.seqs[id] = scan.nextSeq;
      scan.order.push(scan.nextSeq++);
      scan.ids.push(id);
    }
    if (this.dict.size > this.peak) this.peak = this.dict.size;
    if (member.length > this.longest) this.longest = member.length;
  }

  /** Changes the score of a present member. */
  setScore(member: string, score: number): void {
    const id = this.dict.find(member);
    if (this.zsl.score(id) !== score) this.zsl.updateScore(id, score + 0);
  }

  /** Removes `member`; false when it was not there. */
  delete(member: string): boolean {
    const id = this.dict.find(member);
    if (id < 0) return false;
    this.forget(id);
    this.zsl.remove(id);
    this.maybeCompact();
    return true;
  }

  /** 0-based rank (from the highest score when `reverse`), or -1 for a non-member. */
  rank(member: string, reverse: boolean): number {
    const id = this.dict.find(member);
    if (id < 0) return -1;
    const r = this.zsl.rankOf(this.zsl.score(id), member);
    return reverse ? this.dict.size - 1 - r : r;
  }

  // ---- ranges: 0-based ranks, -1 when nothing is in range ----------------------------------------

  firstInScoreRange(r: ScoreRange): number {
    return this.zsl.firstInScoreRange(r);
  }

  lastInScoreRange(r: ScoreRange): number {
    return this.zsl.lastInScoreRange(r);
  }

  firstInLexRange(r: LexRange): number {
    return this.zsl.firstInLexRange(r);
  }

  lastInLexRange(r: LexRange): number {
    return this.zsl.lastInLexRange(r);
  }

  /** Members with a score in the range (ZCOUNT), from two rank lookups. */
  countScoreRange(r: ScoreRange): number {
    const first = this.zsl.firstInScoreRange(r);
    return first < 0 ? 0 : this.zsl.lastInScoreRange(r) - first + 1;
  }

  countLexRange(r: LexRange): number {
    const first = this.zsl.firstInLexRange(r);
    return first < 0 ? 0 : this.zsl.lastInLexRange(r) - first + 1;
  }

  /** Removes the members of 0-based ranks start..end (both within the set); returns how many. */
  deleteRankRange(start: number, end: number): number {
    const n = this.zsl.deleteRankRange(start, end, (id) => this.forget(id));
    this.maybeCompact();
    return n;
  }

  deleteScoreRange(r: ScoreRange): number {
    const first = this.zsl.firstInScoreRange(r);
    return first < 0 ? 0 : this.deleteRankRange(first, this.zsl.lastInScoreRange(r));
  }

  deleteLexRange(r: LexRange): number {
    const first = this.zsl.firstInLexRange(r);
    return first < 0 ? 0 : this.deleteRankRange(first, this.zsl.lastInLexRange(r));
  }

  // ---- scanning ------------------------------------------------------------------------------------

  /**
   * One ZSCAN step over members in insertion order: visits up to `count` members with a seq
   * >= `cursor`, hands each node to `visit` (which must not change the set), and returns the
   * cursor to continue from (0 when done). Seqs only grow and a member keeps its seq while it
   * stays, so a member present for the whole scan is visited exactly once, however the set
   * changes between calls.
   */
  scan(cursor: number, count: number, visit: (id: number) => void): number {
    const { seqs, order, ids } = this.scanIndexFor();
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (order[mid] < cursor) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    let i = lo;
    for (; i < order.length && seen < count; i++) {
      const id = ids[i];
      if (seqs[id] !== order[i]) continue;
      visit(id);
      seen++;
    }
    return i < order.length ? order[i] : 0;
  }

  // ---- encoding and copies ---------------------------------------------------------------------

  /** SORT's zsetConvert: the set becomes a skiplist for good, whatever its size. */
  forceSkiplist(): void {
    this.peak = Infinity;
  }

  /** ZADD's zsetTypeCreate / zsetTypeMaybeConvert: this many pairs convert up front. */
  sizeHint(n: number): void {
    if (n > this.peak) this.peak = n;
  }

  /** OBJECT ENCODING under `config`'s limits, as Redis would have converted it on the way. */
  encoding(config: Config): ZsetEncoding {
    return this.isListpack(config.int('zset-max-listpack-entries'), config.int('zset-max-listpack-value'))
      ? 'listpack'
      : 'skiplist';
  }

  isListpack(maxEntries: number, maxValue: number): boolean {
    return this.peak <= maxEntries && this.longest <= maxValue;
  }

  /** COPY: an independent set with the same members and encoding. */
  clone(): RedisZset {
    const z = new RedisZset(undefined, this.dict.size + 1);
    const zsl = this.zsl;
    for (let id = zsl.first; id !== NIL; id = zsl.next(id)) z.insert(zsl.member(id), zsl.score(id));
    z.peak = this.peak;
    z.longest = this.longest;
    return z;
  }

  /** Node slots the skiplist holds now (tests). */
  get capacity(): number {
    return this.zsl.capacity;
  }

  /** Checks the skiplist's invariants, the index against it, and the scan index (tests). */
  check(): void {
    const zsl = this.zsl;
    zsl.check();
    if (zsl.length !== this.dict.size) throw new Error('skiplist and dict sizes differ');
    for (let id = zsl.first; id !== NIL; id = zsl.next(id)) {
      if (this.dict.find(zsl.member(id)) !== id) throw new Error(`dict misses ${zsl.member(id)}`);
    }
    const scan = this.scanIndex;
    if (scan !== undefined) {
      let live = 0;
      for (let i = 0; i < scan.order.length; i++) {
        if (i > 0 && scan.order[i - 1] >= scan.order[i]) throw new Error('scan index out of order');
        if (scan.seqs[scan.ids[i]] === scan.order[i]) live++;
      }
      if (live !== this.dict.size) throw new Error(`scan index has ${live} live entries for ${this.dict.size} members`);
    }
  }

  // ---- internals -----------------------------------------------------------------------------------

  /** Bookkeeping for a member leaving, while its node still holds it. */
  private forget(id: number): void {
    this.dict.remove(id, this.zsl.member(id));
    const scan = this.scanIndex;
    if (scan !== undefined) {
      scan.seqs[id] = 0;
      scan.dead++;
      if (scan.dead >= SCAN_COMPACT_MIN && scan.dead * 2 > scan.order.length) compactScanIndex(scan, (i) => i);
    }
  }

  /** The scan index, built on the first scan: seqs are handed out in (score, member) order. */
  private scanIndexFor(): ScanIndex {
    if (this.scanIndex === undefined) {
      const scan: ScanIndex = { seqs: new Float64Array(this.zsl.capacity), order: [], ids: [], dead: 0, nextSeq: 1 };
      for (let id = this.zsl.first; id !== NIL; id = this.zsl.next(id)) {
        scan.seqs[id] = scan.nextSeq;
        scan.order.push(scan.nextSeq++);
        scan.ids.push(id);
      }
      this.scanIndex = scan;
    }
    return this.scanIndex;
  }

  /**
   * Rebuilds the skiplist at its size once it holds few live nodes for its slots: members get
   * new ids (the index and the scan index follow); seqs, and so ZSCAN cursors, are kept.
   */
  private maybeCompact(): void {
    const old = this.zsl;
    if (old.capacity < LIST_COMPACT_MIN || old.length * LIST_COMPACT_RATIO >= old.capacity) return;
    const zsl = new SkipList(this.levelRandom, old.length + 1);
    const dict = new StringIndex(zsl);
    for (let id = old.first; id !== NIL; id = old.next(id)) {
      const member = old.member(id);
      dict.add(zsl.insert(old.score(id), member), member);
    }
    this.dict.clear();
    this.dict = dict;
    const scan = this.scanIndex;
    if (scan !== undefined) {
      // Live entries keep their seqs under their new ids (read back from the new index by member).
      compactScanIndex(scan, (id) => dict.find(old.member(id)));
      const seqs = new Float64Array(zsl.capacity);
      for (let i = 0; i < scan.ids.length; i++) seqs[scan.ids[i]] = scan.order[i];
      freeArrayBuffer(scan.seqs);
      scan.seqs = seqs;
    }
    old.dispose();
    this.zsl = zsl;
  }
}

/** Drops the dead entries of a scan index, renaming the ids of live ones through `rename`. */
function compactScanIndex(scan: ScanIndex, rename: (id: number) => number): void {
  const { seqs, order, ids } = scan;
  let k = 0;
  for (let i = 0; i < order.length; i++) {
    if (seqs[ids[i]] !== order[i]) continue;
    order[k] = order[i];
    ids[k] = rename(ids[i]);
    k++;
  }
  order.length = k;
  ids.length = k;
  scan.dead = 0;
}
