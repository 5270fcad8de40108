// Number parsing and formatting as Redis's util.c and libc do it, byte for byte in behaviour:
// strict 64-bit integers (string2ll), strtoll, strtod (string2d), memory sizes (memtoull), %f.
// Strings are byte strings; integers come back as numbers when exact, bigints beyond 2^53.

const U64 = 1n << 64n;
const U64_MAX = U64 - 1n;
export const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

const MEMORY_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n * 1000n, mb: 1024n * 1024n, g: 1000n ** 3n, gb: 1024n ** 3n,
};

/**
 * util.c memtoull: digits then an optional unit (1k = 1000, 1kb = 1024, case-insensitive). Matches
 * redis-server 7.0.15 at the edges: "" is 0, digits past 2^64-1 saturate, and the unit multiply wraps.
 */
export function memtoull(s: string): bigint | undefined {
  if (s.startsWith('-')) return undefined;
  let u = 0;
  while (u < s.length && s.charCodeAt(u) >= 48 && s.charCodeAt(u) <= 57) u++;
  const mul = MEMORY_UNITS[s.slice(u).toLowerCase()];
  if (mul === undefined || u >= 128) return undefined;
  let val = u === 0 ? 0n : BigInt(s.slice(0, u));
  if (val > U64_MAX) val = U64_MAX;
  return (val * mul) % U64;
}

/** util.c string2ll as a bigint: strict decimal, no spaces, no '+', no leading zeros, 64 bits. */
export function string2ll(s: string): bigint | undefined {
  const v = parseInteger(s);
  return v === null ? undefined : BigInt(v);
}

/** strtoll(s, &end, base): the value (saturated) and whether parsing consumed the whole string. */
export function strtoll(s: string, base: 8 | 10): { value: bigint; whole: boolean; overflow: boolean } {
  let p = 0;
  while (isSpace(s[p])) p++;
  let neg = false;
  if (s[p] === '+' || s[p] === '-') neg = s[p++] === '-';
  const start = p;
  const digit = base === 8 ? /[0-7]/ : /[0-9]/;
  while (p < s.length && digit.test(s[p] as string)) p++;
  if (p === start) return { value: 0n, whole: s.length === 0, overflow: false }; // end = start of s
  let v = BigInt(base === 8 ? '0o' + s.slice(start, p) : s.slice(start, p));
  if (neg) v = -v;
  const overflow = v > INT64_MAX || v < INT64_MIN;
  if (v > INT64_MAX) v = INT64_MAX;
  if (v < INT64_MIN) v = INT64_MIN;
  return { value: v, whole: p === s.length, overflow };
}

/** util.c string2d (strtod, whole string, no leading space, no overflow or NaN). */
export function string2d(s: string): number | undefined {
  if (s === '' || isSpace(s[0])) return undefined;
  if (!/^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|inf|infinity)$/i.test(s)) return undefined;
  const v = /inf/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
  if (!/inf/i.test(s) && !Number.isFinite(v)) return undefined; // ERANGE overflow
  if (v === 0 && /[1-9]/.test(s.replace(/e.*$/i, ''))) return undefined; // ERANGE underflow
  return v;
}

/** printf("%f") then util.c trimDoubleString. */
export function formatDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  let t = v.toFixed(6);
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t;
}

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
  if (big > INT64_MAX || big < INT64_MIN) return null;
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
  if (r > INT64_MAX || r < INT64_MIN) return null;
  return Math.abs(Number(r)) <= MAX_SAFE ? Number(r) : r;
}


const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/i;
const HEX = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?[0-9]+))?$/i;
const INFINITY = /^[+-]?inf(inity)?$/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * libc strtod as SORT checks it (sort.c): the string up to its first NUL, leading white space
 * allowed, decimal, hex ("0x1p3") or "inf"; the whole of it must be the number. An empty string
 * is 0 (nothing converted, but the end pointer is at the NUL). Null for anything else, NaN, and
 * ERANGE (overflow, or underflow to zero or a subnormal).
 */
export function sortStrtod(s: string): number | null {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s === '') return 0;
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  const t = s.slice(i);
  if (INFINITY.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  let v: number;
  let mantissaNonZero: boolean;
  if (DECIMAL.test(t)) {
    v = Number(t);
    mantissaNonZero = /[1-9]/.test(t.replace(/e.*$/i, ''));
  } else {
    const m = HEX.exec(t);
    if (!m || m[2]! + m[3]! === '') return null;
    const digits = m[2]! + m[3]!;
    const mantissa = Number(BigInt('0x' + digits));
    v = mantissa * 2 ** (Number(m[4] ?? '0') - 4 * m[3]!.length);
    if (m[1] === '-') v = -v;
    mantissaNonZero = mantissa !== 0;
  }
  if (!Number.isFinite(v)) return null;
  if (mantissaNonZero && Math.abs(v) < MIN_NORMAL) return null;
  return v;
}
