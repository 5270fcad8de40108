// The sorted set value: member -> node id in a Map for O(1) ZSCORE, and the nodes in a
// skiplist ordered by (score, member) for ranks and ranges (t_zset.c's dict + zskiplist).
// Members are binary strings (one char per byte). Redis's listpack encoding is modelled, not
// copied: high-water marks say whether Redis would still hold the set as a listpack.
// Invariant: every member of the Map is in the skiplist under the id the Map gives, and a key
// never holds an empty set (the commands delete it). Node ids are valid until their member goes.
import type { Config } from '../config/config.js';
import { freeArrayBuffer } from '../engine/release.js';
import { NIL, SkipList, type LexRange, type ScoreRange } from './skiplist.js';

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

export class RedisZset {
  private readonly dict = new Map<string, number>();
  private zsl: SkipList;
  /**
   * Most members ever held, or announced up front (ZADD's pair count); with `longest`, the
   * longest member ever added, this decides OBJECT ENCODING: Redis converts a listpack to a
   * skiplist when either passes its limit and never converts back.
   */
  private peak = 0;
  private longest = 0;
  /**
   * ZSCAN's cursors are insertion sequence numbers, kept from the first cursor scan on (a set
   * never scanned pays nothing for them): `seqs` by node id (0 for a free id), and the scan
   * index, live and dead (seq, id) pairs in seq order for a binary search. An entry is live
   * while its id still carries its seq; dead ones stay until compaction.
   */
  private seqs: Float64Array | undefined;
  private scanSeqs: number[] = [];
  private scanIds: number[] = [];
  private scanDead = 0;
  /** The next seq; never reset. */
  private nextSeq = 1;

  constructor(
    private readonly levelRandom?: () => number,
    capacity?: number,
  ) {
    this.zsl = new SkipList(levelRandom, capacity);
  }

  get size(): number {
    return this.dict.size;
  }

  /** The score of `member`, or undefined for a non-member (see scoreOf for a node's). */
  score(member: string): number | undefined {
    const id = this.dict.get(member);
    return id === undefined ? undefined : this.zsl.score(id);
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
    this.dict.set(member, id);
    const seqs = this.seqs;
    if (seqs !== undefined) {
      if (id >= seqs.length) this.growSeqs();
      this.seqs![id] = this.nextSeq;
      this.scanSeqs.push(this.nextSeq);
      this.scanIds.push(id);
      this.nextSeq++;
    }
    if (this.dict.size > this.peak) this.peak = this.dict.size;
    if (member.length > this.longest) this.longest = member.length;
  }

  /** Changes the score of a present member. */
  setScore(member: string, score: number): void {
    const id = this.dict.get(member)!;
    if (this.zsl.score(id) !== score) this.zsl.updateScore(id, score + 0);
  }

  /** Removes `member`; false when it was not there. */
  delete(member: string): boolean {
    const id = this.dict.get(member);
    if (id === undefined) return false;
    this.forget(id, member);
    this.zsl.remove(id);
    this.maybeCompact();
    return true;
  }

  /** 0-based rank (from the highest score when `reverse`), or -1 for a non-member. */
  rank(member: string, reverse: boolean): number {
    const id = this.dict.get(member);
    if (id === undefined) return -1;
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
    const zsl = this.zsl;
    const n = zsl.deleteRankRange(start, end, (id) => this.forget(id, zsl.member(id)));
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
    const seqs = this.seqsFor();
    const { scanSeqs, scanIds } = this;
    let lo = 0;
    let hi = scanSeqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scanSeqs[mid] < cursor) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    let i = lo;
    for (; i < scanSeqs.length && seen < count; i++) {
      const id = scanIds[i];
      if (seqs[id] !== scanSeqs[i]) continue;
      visit(id);
      seen++;
    }
    return i < scanSeqs.length ? scanSeqs[i] : 0;
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

  /** Checks the skiplist's invariants, the Map against it, and the scan index (tests). */
  check(): void {
    const zsl = this.zsl;
    zsl.check();
    if (zsl.length !== this.dict.size) throw new Error('skiplist and dict sizes differ');
    for (let id = zsl.first; id !== NIL; id = zsl.next(id)) {
      if (this.dict.get(zsl.member(id)) !== id) throw new Error(`dict misses ${zsl.member(id)}`);
    }
    if (this.seqs !== undefined) {
      let live = 0;
      for (let i = 0; i < this.scanSeqs.length; i++) {
        if (i > 0 && this.scanSeqs[i - 1] >= this.scanSeqs[i]) throw new Error('scan index out of order');
        if (this.seqs[this.scanIds[i]] === this.scanSeqs[i]) live++;
      }
      if (live !== this.dict.size) throw new Error(`scan index has ${live} live entries for ${this.dict.size} members`);
    }
  }

  // ---- internals -----------------------------------------------------------------------------------

  /** Bookkeeping for a member leaving, while its node still holds it. */
  private forget(id: number, member: string): void {
    this.dict.delete(member);
    const seqs = this.seqs;
    if (seqs !== undefined) {
      seqs[id] = 0;
      this.scanDead++;
      if (this.scanDead >= SCAN_COMPACT_MIN && this.scanDead * 2 > this.scanSeqs.length) this.compactScanIndex();
    }
  }

  private compactScanIndex(): void {
    const seqs = this.seqs!;
    const { scanSeqs, scanIds } = this;
    let k = 0;
    for (let i = 0; i < scanSeqs.length; i++) {
      if (seqs[scanIds[i]] !== scanSeqs[i]) continue;
      scanSeqs[k] = scanSeqs[i];
      scanIds[k] = scanIds[i];
      k++;
    }
    scanSeqs.length = k;
    scanIds.length = k;
    this.scanDead = 0;
  }

  /** The seqs, given out on the first cursor scan from the Map (its order is insertion order). */
  private seqsFor(): Float64Array {
    if (this.seqs === undefined) {
      const seqs = new Float64Array(this.zsl.capacity);
      for (const id of this.dict.values()) {
        seqs[id] = this.nextSeq;
        this.scanSeqs.push(this.nextSeq);
        this.scanIds.push(id);
        this.nextSeq++;
      }
      this.seqs = seqs;
      this.scanDead = 0;
    }
    return this.seqs;
  }

  private growSeqs(): void {
    const old = this.seqs!;
    const seqs = new Float64Array(this.zsl.capacity);
    seqs.set(old);
    freeArrayBuffer(old.buffer);
    this.seqs = seqs;
  }

  /**
   * Rebuilds the skiplist at its size once it holds few live nodes for its slots: members get
   * new ids (the Map and the scan index follow); seqs, and so ZSCAN cursors, are kept.
   */
  private maybeCompact(): void {
    const old = this.zsl;
    if (old.capacity < LIST_COMPACT_MIN || old.length * LIST_COMPACT_RATIO >= old.capacity) return;
    const zsl = new SkipList(this.levelRandom, old.length + 1);
    const oldSeqs = this.seqs;
    const seqs = oldSeqs === undefined ? undefined : new Float64Array(zsl.capacity);
    for (let id = old.first; id !== NIL; id = old.next(id)) {
      const member = old.member(id);
      const moved = zsl.insert(old.score(id), member);
      this.dict.set(member, moved);
      if (seqs !== undefined) seqs[moved] = oldSeqs![id];
    }
    if (oldSeqs !== undefined) {
      // Only live entries survive; their ids are read back from the Map by member.
      const { scanSeqs, scanIds } = this;
      let k = 0;
      for (let i = 0; i < scanSeqs.length; i++) {
        const id = scanIds[i];
        if (oldSeqs[id] !== scanSeqs[i]) continue;
        scanSeqs[k] = scanSeqs[i];
        scanIds[k] = this.dict.get(old.member(id))!;
        k++;
      }
      scanSeqs.length = k;
      scanIds.length = k;
      this.scanDead = 0;
      freeArrayBuffer(oldSeqs.buffer);
      this.seqs = seqs;
    }
    old.dispose();
    this.zsl = zsl;
  }
}
