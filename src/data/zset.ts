// The sorted set value: member -> node in a Map for O(1) ZSCORE, and the same nodes in a
// skiplist ordered by (score, member) for ranks and ranges (t_zset.c's dict + zskiplist).
// Members are binary strings (one char per byte). Redis's listpack encoding is modelled, not
// copied: high-water marks say whether Redis would still hold the set as a listpack.
// Invariant: every member of the Map is in the skiplist with the score its node carries, and a
// key never holds an empty set (the commands delete it).
import type { Config } from '../config/config.js';
import { SkipList, type LexRange, type ScoreRange, type SkipNode } from './skiplist.js';

export type ZsetEncoding = 'listpack' | 'skiplist';

/** Dead slots a scan index tolerates before it is compacted (and at least half of it). */
const SCAN_COMPACT_MIN = 64;

export class RedisZset {
  private readonly dict = new Map<string, SkipNode>();
  private readonly zsl: SkipList;
  /**
   * Most members ever held, or announced up front (ZADD's pair count); with `longest`, the
   * longest member ever added, this decides OBJECT ENCODING: Redis converts a listpack to a
   * skiplist when either passes its limit and never converts back.
   */
  private peak = 0;
  private longest = 0;
  /** Insertion sequence: the next node's seq (ZSCAN cursors); never reset. */
  private nextSeq = 1;
  /**
   * Nodes in seq order, built on the first cursor scan and kept up to date after it; removed
   * nodes stay until compaction (the array stays sorted by seq for a binary search).
   */
  private scanIndex: SkipNode[] | undefined;
  private scanDead = 0;

  constructor(random?: () => number) {
    this.zsl = new SkipList(random);
  }

  get size(): number {
    return this.dict.size;
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  /**
   * Adds a member that is not present. -0 is stored as 0, as a listpack stores it (a skiplist
   * would keep the sign; small sets are the common case).
   */
  insert(member: string, score: number): void {
    const node = this.zsl.insert(score + 0, member);
    node.seq = this.nextSeq++;
    this.dict.set(member, node);
    this.scanIndex?.push(node);
    if (this.dict.size > this.peak) this.peak = this.dict.size;
    if (member.length > this.longest) this.longest = member.length;
  }

  /** Changes the score of a present member. */
  setScore(member: string, score: number): void {
    const node = this.dict.get(member)!;
    if (node.score !== score) this.zsl.updateScore(node, score + 0);
  }

  /** Removes `member`; false when it was not there. */
  delete(member: string): boolean {
    const node = this.dict.get(member);
    if (node === undefined) return false;
    this.zsl.remove(node);
    this.forget(node);
    return true;
  }

  /** 0-based rank (from the highest score when `reverse`), or -1 for a non-member. */
  rank(member: string, reverse: boolean): number {
    const node = this.dict.get(member);
    if (node === undefined) return -1;
    const r = this.zsl.rankOf(node.score, member);
    return reverse ? this.dict.size - 1 - r : r;
  }

  /** The node of 0-based ascending `rank` (null out of range). Walk on with next[0] / backward. */
  at(rank: number): SkipNode | null {
    if (rank === 0) return this.zsl.first;
    if (rank === this.dict.size - 1) return this.zsl.last;
    return this.zsl.at(rank);
  }

  get first(): SkipNode | null {
    return this.zsl.first;
  }

  get last(): SkipNode | null {
    return this.zsl.last;
  }

  /** Removes and returns the lowest (`max` false) or highest member; the set must not be empty. */
  pop(max: boolean): SkipNode {
    const node = (max ? this.zsl.last : this.zsl.first)!;
    this.zsl.remove(node);
    this.forget(node);
    return node;
  }

  /** A member chosen uniformly at random; the set must not be empty. */
  random(): SkipNode {
    return this.at(Math.floor(Math.random() * this.dict.size))!;
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
    return this.zsl.deleteRankRange(start, end, (n) => this.forget(n));
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
   * >= `cursor`, hands each to `visit`, and returns the cursor to continue from (0 when done).
   * Seqs only grow and a member keeps its seq while it stays, so a member present for the whole
   * scan is visited exactly once, however the set changes between calls.
   */
  scan(cursor: number, count: number, visit: (n: SkipNode) => void): number {
    const index = this.scanIndexFor();
    let lo = 0;
    let hi = index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (index[mid].seq < cursor) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    let i = lo;
    for (; i < index.length && seen < count; i++) {
      const n = index[i];
      if (this.dict.get(n.member) !== n) continue;
      visit(n);
      seen++;
    }
    return i < index.length ? index[i].seq : 0;
  }

  // ---- encoding and copies ---------------------------------------------------------------------

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
    const z = new RedisZset();
    for (let n = this.zsl.first; n !== null; n = n.next) z.insert(n.member, n.score);
    z.peak = this.peak;
    z.longest = this.longest;
    return z;
  }

  /** Checks the skiplist's invariants and the Map against it (tests). */
  check(): void {
    this.zsl.check();
    if (this.zsl.length !== this.dict.size) throw new Error('skiplist and dict sizes differ');
    for (let n = this.zsl.first; n !== null; n = n.next) {
      if (this.dict.get(n.member) !== n) throw new Error(`dict misses ${n.member}`);
    }
  }

  private forget(node: SkipNode): void {
    this.dict.delete(node.member);
    if (this.scanIndex !== undefined) {
      this.scanDead++;
      if (this.scanDead >= SCAN_COMPACT_MIN && this.scanDead * 2 > this.scanIndex.length) {
        this.scanIndex = this.scanIndex.filter((n) => this.dict.get(n.member) === n);
        this.scanDead = 0;
      }
    }
  }

  /** The scan index, built from the Map (whose iteration order is insertion, i.e. seq, order). */
  private scanIndexFor(): SkipNode[] {
    if (this.scanIndex === undefined) {
      this.scanIndex = [...this.dict.values()];
      this.scanDead = 0;
    }
    return this.scanIndex;
  }
}
