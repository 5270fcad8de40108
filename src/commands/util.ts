// Argument parsing shared by command families, with Redis's error texts.

export const ERR_NOT_INTEGER = 'value is not an integer or out of range';
export const ERR_SYNTAX = 'syntax error';
export const ERR_WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_OVERFLOW = 'increment or decrement would overflow';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/**
 * Redis's string2ll on a binary string: no '+', no leading zeros, no spaces. Returns a number
 * when exact, a bigint beyond 2^53, or null when it is not a 64-bit integer.
 */
export function parseInteger(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && s === '0') return 0;
  let i = 0;
  const neg = s.charCodeAt(0) === 45;
  if (neg) {
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return neg ? -v : v;
  }
  for (let k = i; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return null;
  }
  const big = BigInt(s);
  if (big > LLONG_MAX || big < LLONG_MIN) return null;
  return Math.abs(Number(big)) <= MAX_SAFE ? Number(big) : big;
}

/** As parseInteger, but limited to the exact-number range (indexes, counts, timeouts). */
export function parseSafeInteger(s: string): number | null {
  const v = parseInteger(s);
  return typeof v === 'number' ? v : null;
}

/** a + b on 64-bit integers; null on overflow. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > LLONG_MAX || r < LLONG_MIN) return null;
  return Math.abs(Number(r)) <= MAX_SAFE ? Number(r) : r;
}

export const INT64_MIN = LLONG_MIN;
export const INT64_MAX = LLONG_MAX;
