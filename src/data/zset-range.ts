// Score and lex intervals of the sorted set commands (zrangespec, zlexrangespec) and the tests
// on them (zslValueGteMin, zslLexValueLteMax, zslIsInRange's emptiness checks).

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
export function cmpLex(s: string, b: LexBound): number {
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
