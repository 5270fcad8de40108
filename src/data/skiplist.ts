// The sorted set's ordered index: Pugh's skiplist as t_zset.c keeps it, ordered by (score,
// member bytes), with a span on every forward link so ranks cost O(log n), and a backward link
// on level 0 for reverse walks. Members are binary strings, so JS string order is memcmp order.
// Invariant: a link's span is the number of nodes it jumps over plus one; a link to null spans
// the nodes left after its node. Score and lex ranges (zrangespec, zlexrangespec) live here too.

const MAX_LEVEL = 32;
/** Chance of a node reaching the next level (ZSKIPLIST_P). */
const P = 0.25;

/**
 * A member's node. Level 0 is inline (`next`; its span is 1, or 0 at the tail, so it is not
 * stored); the three nodes in four that have only that level carry no array. Higher levels sit
 * in one array `up`, interleaved: up[2(i-1)] is the forward link of level i, up[2(i-1)+1] its span.
 */
export class SkipNode {
  /** The forward link of level 0: the next node in (score, member) order. */
  next: SkipNode | null = null;
  backward: SkipNode | null = null;
  /** Insertion order among the set's members, kept by RedisZset for ZSCAN cursors. */
  seq = 0;
  /** Levels 1 and up (see above), null for a node of one level. */
  private readonly up: (SkipNode | null | number)[] | null;

  constructor(
    public score: number,
    readonly member: string,
    level: number,
  ) {
    if (level <= 1) {
      this.up = null;
    } else {
      // Sized up front: an array grown by push would reserve 17 slots or more.
      const up = new Array<SkipNode | null | number>(2 * (level - 1));
      for (let i = 0; i < up.length; i += 2) {
        up[i] = null;
        up[i + 1] = 0;
      }
      this.up = up;
    }
  }

  get level(): number {
    return this.up === null ? 1 : 1 + (this.up.length >> 1);
  }

  /** The forward link of level `i` (< level). */
  fwd(i: number): SkipNode | null {
    return i === 0 ? this.next : (this.up![2 * i - 2] as SkipNode | null);
  }

  setFwd(i: number, n: SkipNode | null): void {
    if (i === 0) this.next = n;
    else this.up![2 * i - 2] = n;
  }

  /** The span of level `i`'s link: nodes jumped over plus one (to null: the nodes after this one). */
  span(i: number): number {
    return i === 0 ? (this.next === null ? 0 : 1) : (this.up![2 * i - 1] as number);
  }

  /** Sets the span of level `i` >= 1 (level 0's follows its link). */
  setSpan(i: number, span: number): void {
    if (i !== 0) this.up![2 * i - 1] = span;
  }
}

/** A score interval (zrangespec): min and max, each inclusive unless its `ex` flag is set. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a lex interval: '-' and '+' are the strings below and above every member. */
export type LexBound = { readonly inf: -1 | 1 } | { readonly inf: 0; readonly value: string; readonly ex: boolean };

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** True when no score can be in the range (zslIsInRange's first test). */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** sdscmplex: member `s` against a bound; the infinities sit outside every string. */
function cmpLex(s: string, b: LexBound): number {
  if (b.inf !== 0) return -b.inf;
  return s < b.value ? -1 : s > b.value ? 1 : 0;
}

export function lexGteMin(s: string, r: LexRange): boolean {
  const c = cmpLex(s, r.min);
  return r.min.inf === 0 && r.min.ex ? c > 0 : c >= 0;
}

export function lexLteMax(s: string, r: LexRange): boolean {
  const c = cmpLex(s, r.max);
  return r.max.inf === 0 && r.max.ex ? c < 0 : c <= 0;
}

/** True when no string can be in the range (zslIsInLexRange's first test). */
export function lexRangeEmpty(r: LexRange): boolean {
  const { min, max } = r;
  let c: number;
  if (min.inf !== 0 || max.inf !== 0) {
    // '-' and '+' compare equal only to themselves ('-' '-' or '+' '+', which Redis marks exclusive).
    if (min.inf === max.inf) return true;
    c = min.inf === 1 || max.inf === -1 ? 1 : -1;
  } else {
    c = min.value < max.value ? -1 : min.value > max.value ? 1 : 0;
  }
  return c > 0 || (c === 0 && ((min.inf === 0 && min.ex) || (max.inf === 0 && max.ex)));
}

/** (score, member) order. */
function before(n: SkipNode, score: number, member: string): boolean {
  return n.score < score || (n.score === score && n.member < member);
}

export class SkipList {
  /** The header: a sentinel with every level, never a member. */
  private readonly head = new SkipNode(0, '', MAX_LEVEL);
  private tailNode: SkipNode | null = null;
  private levels = 1;
  private count = 0;
  /** Scratch for searches: predecessors and their ranks per level (one list, one search at a time). */
  private readonly update: SkipNode[] = new Array<SkipNode>(MAX_LEVEL);
  private readonly rank: number[] = new Array<number>(MAX_LEVEL).fill(0);
  /** Where the last countWhile stopped: the last node satisfying its predicate (or the header). */
  private visited: SkipNode = this.head;

  constructor(private readonly random: () => number = Math.random) {}

  get length(): number {
    return this.count;
  }

  get first(): SkipNode | null {
    return this.head.next;
  }

  get last(): SkipNode | null {
    return this.tailNode;
  }

  private randomLevel(): number {
    let level = 1;
    while (level < MAX_LEVEL && this.random() < P) level++;
    return level;
  }

  /** Inserts a member that is not in the list (the caller's dictionary knows). */
  insert(score: number, member: string): SkipNode {
    const node = new SkipNode(score, member, this.randomLevel());
    this.link(node);
    return node;
  }

  /** Unlinks `node`, which must be in the list. */
  remove(node: SkipNode): void {
    this.findPredecessors(node.score, node.member);
    this.unlink(node);
  }

  /**
   * Moves `node` to `score` (zslUpdateScore): in place when its neighbours still bracket the new
   * score, else unlinked and linked again. The node object (and its seq) is kept.
   */
  updateScore(node: SkipNode, score: number): void {
    const back = node.backward;
    const fwd = node.next;
    if ((back === null || back.score < score || (back.score === score && back.member < node.member)) &&
        (fwd === null || fwd.score > score || (fwd.score === score && fwd.member > node.member))) {
      node.score = score;
      return;
    }
    this.remove(node);
    node.score = score;
    this.link(node);
  }

  /** 0-based rank of the member with this score, or -1 when absent. */
  rankOf(score: number, member: string): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = x.fwd(i);
      while (f !== null && (f.score < score || (f.score === score && f.member <= member))) {
        rank += x.span(i);
        x = f;
        f = x.fwd(i);
      }
      if (x !== this.head && x.member === member) return rank - 1;
    }
    return -1;
  }

  /** The node at 0-based `rank`, or null when out of range. */
  at(rank: number): SkipNode | null {
    if (rank < 0 || rank >= this.count) return null;
    const target = rank + 1;
    let x = this.head;
    let traversed = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = x.fwd(i);
      while (f !== null && traversed + x.span(i) <= target) {
        traversed += x.span(i);
        x = f;
        f = x.fwd(i);
      }
      if (traversed === target) return x;
    }
    return null;
  }

  // ---- ranges ------------------------------------------------------------------------------------

  /** 0-based rank of the first node with a score in the range, or -1. */
  firstInScoreRange(r: ScoreRange): number {
    if (!this.overlapsScores(r)) return -1;
    const rank = this.countWhile((n) => !scoreGteMin(n.score, r));
    const n = this.visited.next;
    return n !== null && scoreLteMax(n.score, r) ? rank : -1;
  }

  /** 0-based rank of the last node with a score in the range, or -1. */
  lastInScoreRange(r: ScoreRange): number {
    if (!this.overlapsScores(r)) return -1;
    const rank = this.countWhile((n) => scoreLteMax(n.score, r)) - 1;
    const n = this.visited;
    return n !== this.head && scoreGteMin(n.score, r) ? rank : -1;
  }

  /** 0-based rank of the first member in the lex range, or -1. */
  firstInLexRange(r: LexRange): number {
    if (!this.overlapsLex(r)) return -1;
    const rank = this.countWhile((n) => !lexGteMin(n.member, r));
    const n = this.visited.next;
    return n !== null && lexLteMax(n.member, r) ? rank : -1;
  }

  /** 0-based rank of the last member in the lex range, or -1. */
  lastInLexRange(r: LexRange): number {
    if (!this.overlapsLex(r)) return -1;
    const rank = this.countWhile((n) => lexLteMax(n.member, r)) - 1;
    const n = this.visited;
    return n !== this.head && lexGteMin(n.member, r) ? rank : -1;
  }

  /**
   * Removes the nodes of 0-based ranks start..end (inclusive, both in range), calling `removed`
   * for each; zslDeleteRangeByRank.
   */
  deleteRankRange(start: number, end: number, removed: (n: SkipNode) => void): number {
    this.findRank(start);
    let x = this.update[0].next;
    let n = 0;
    for (let r = start; x !== null && r <= end; r++) {
      const next = x.next;
      this.unlink(x);
      removed(x);
      n++;
      x = next;
    }
    return n;
  }

  // ---- internals ---------------------------------------------------------------------------------

  private overlapsScores(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r)) return false;
    const t = this.tailNode;
    const h = this.head.next;
    return t !== null && h !== null && scoreGteMin(t.score, r) && scoreLteMax(h.score, r);
  }

  private overlapsLex(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.tailNode;
    const h = this.head.next;
    return t !== null && h !== null && lexGteMin(t.member, r) && lexLteMax(h.member, r);
  }

  /**
   * How many leading nodes satisfy `pred`, where `pred` holds for a prefix of the list (a
   * monotone predicate such as "score below the minimum"): O(log n).
   */
  private countWhile(pred: (n: SkipNode) => boolean): number {
    let x = this.head;
    let rank = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = x.fwd(i);
      while (f !== null && pred(f)) {
        rank += x.span(i);
        x = f;
        f = x.fwd(i);
      }
    }
    this.visited = x;
    return rank;
  }

  /** Fills `update` and `rank` with the last node before (score, member) on every level. */
  private findPredecessors(score: number, member: string): void {
    let x = this.head;
    for (let i = this.levels - 1; i >= 0; i--) {
      this.rank[i] = i === this.levels - 1 ? 0 : this.rank[i + 1];
      let f = x.fwd(i);
      while (f !== null && before(f, score, member)) {
        this.rank[i] += x.span(i);
        x = f;
        f = x.fwd(i);
      }
      this.update[i] = x;
    }
  }

  /** Fills `update` with the last node of 0-based rank below `rank` on every level. */
  private findRank(rank: number): void {
    let x = this.head;
    let traversed = 0;
    for (let i = this.levels - 1; i >= 0; i--) {
      let f = x.fwd(i);
      while (f !== null && traversed + x.span(i) <= rank) {
        traversed += x.span(i);
        x = f;
        f = x.fwd(i);
      }
      this.update[i] = x;
    }
  }

  /** zslInsert's linking, for a node whose (score, member) is not in the list. */
  private link(node: SkipNode): void {
    this.findPredecessors(node.score, node.member);
    const level = node.level;
    const { update, rank } = this;
    if (level > this.levels) {
      for (let i = this.levels; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.setSpan(i, this.count);
      }
      this.levels = level;
    }
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.setSpan(i, u.span(i) - (rank[0] - rank[i]));
      u.setSpan(i, rank[0] - rank[i] + 1);
      node.setFwd(i, u.fwd(i));
      u.setFwd(i, node);
    }
    for (let i = level; i < this.levels; i++) {
      const u = update[i];
      u.setSpan(i, u.span(i) + 1);
    }
    node.backward = update[0] === this.head ? null : update[0];
    const after = node.next;
    if (after !== null) after.backward = node;
    else this.tailNode = node;
    this.count++;
  }

  /** zslDeleteNode, with `update` filled for `node`. */
  private unlink(node: SkipNode): void {
    const { update } = this;
    for (let i = 0; i < this.levels; i++) {
      const u = update[i];
      if (u.fwd(i) === node) {
        u.setSpan(i, u.span(i) + node.span(i) - 1);
        u.setFwd(i, node.fwd(i));
      } else {
        u.setSpan(i, u.span(i) - 1);
      }
    }
    const after = node.next;
    if (after !== null) after.backward = node.backward;
    else this.tailNode = node.backward;
    while (this.levels > 1 && this.head.fwd(this.levels - 1) === null) this.levels--;
    this.count--;
  }

  /** Checks every invariant (tests): order, spans, backward links, tail and length. */
  check(): void {
    const nodes: SkipNode[] = [];
    for (let x = this.head.next; x !== null; x = x.next) nodes.push(x);
    if (nodes.length !== this.count) throw new Error(`length ${this.count} but ${nodes.length} nodes`);
    if ((nodes.at(-1) ?? null) !== this.tailNode) throw new Error('bad tail');
    const rankOf = new Map<SkipNode, number>(nodes.map((n, i) => [n, i + 1]));
    rankOf.set(this.head, 0);
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.backward !== (i === 0 ? null : nodes[i - 1])) throw new Error(`bad backward at ${i}`);
      if (i > 0 && !before(nodes[i - 1], n.score, n.member)) throw new Error(`out of order at ${i}`);
    }
    for (const x of [this.head, ...nodes]) {
      const top = x === this.head ? this.levels : x.level;
      for (let i = 0; i < top; i++) {
        const f = x.fwd(i);
        const want = f === null ? this.count - rankOf.get(x)! : rankOf.get(f)! - rankOf.get(x)!;
        if (x.span(i) !== want) throw new Error(`bad span at level ${i}`);
      }
    }
  }
}
