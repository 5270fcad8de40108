// Reading sorted set arguments as Redis reads them. Scores go through glibc's strtod in two
// ways: util.c string2d for ZADD/ZINCRBY scores and WEIGHTS (the whole argument, no leading
// space, no overflow or underflow to zero, no NaN) and zslParseRange for range bounds (plain
// strtod up to the first NUL byte: leading spaces, "" and overflow to inf all accepted).
// Lex bounds are zslParseLexRangeItem's. Arguments are binary strings (one char per byte).
import type { Args } from '../engine/args.js';
import type { LexBound, LexRange, ScoreRange } from '../data/zset-range.js';
import { parseInteger } from '../util/numbers.js';

export interface Strtod {
  value: number;
  /** Index just past what was read; `start` when nothing could be read. */
  end: number;
  /** errno == ERANGE: overflow to +-inf or underflow to zero. */
  erange: boolean;
}

const HEX_DIGIT = /[0-9a-fA-F]/;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Case-insensitive ASCII match of `word` (lower case) at `i`. */
function matchWord(s: string, i: number, word: string): boolean {
  if (i + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) if ((s.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * glibc strtod in the C locale from index `start`: leading white space, a sign, then a decimal
 * or hexadecimal ("0x1.8p3") number, "inf"/"infinity" or "nan"/"nan(chars)", any case. Decimal
 * conversion is correctly rounded (as V8's Number() is); hexadecimal is rounded here, to
 * nearest with ties to even, subnormals included.
 */
export function strtod(s: string, start = 0): Strtod {
  const none: Strtod = { value: 0, end: start, erange: false };
  let i = start;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    neg = sign === 45;
    i++;
  }
  if (matchWord(s, i, 'inf')) {
    const end = matchWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { value: neg ? -Infinity : Infinity, end, erange: false };
  }
  if (matchWord(s, i, 'nan')) {
    let end = i + 3;
    if (s[end] === '(') {
      let j = end + 1;
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j])) j++;
      if (s[j] === ')') end = j + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    const hex = strtodHex(s, i + 2, neg);
    if (hex !== null) return hex;
  }
  // Decimal: digits [. digits] with at least one digit, then an optional complete exponent.
  const numStart = i;
  let digits = 0;
  let nonZero = false;
  while (isDigit(s.charCodeAt(i))) {
    if (s[i] !== '0') nonZero = true;
    i++;
    digits++;
  }
  if (s[i] === '.') {
    i++;
    while (isDigit(s.charCodeAt(i))) {
      if (s[i] !== '0') nonZero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return none;
  if (s[i] === 'e' || s[i] === 'E') {
    let j = i + 1;
    if (s[j] === '+' || s[j] === '-') j++;
    if (isDigit(s.charCodeAt(j))) {
      while (isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  const magnitude = Number(numStart === 0 && i === s.length ? s : s.slice(numStart, i));
  const value = neg ? -magnitude : magnitude;
  const erange = magnitude === Infinity || (magnitude === 0 && nonZero);
  return { value, end: i, erange };
}

/** The hexadecimal form after "0x" at `i`; null when no hex digit follows (then "0" is the number). */
function strtodHex(s: string, i: number, neg: boolean): Strtod | null {
  let mant = 0n;
  let digits = 0;
  let fracDigits = 0;
  while (i < s.length && HEX_DIGIT.test(s[i])) {
    mant = mant * 16n + BigInt(hexValue(s.charCodeAt(i++)));
    digits++;
  }
  if (s[i] === '.') {
    let j = i + 1;
    let fm = mant;
    let fd = 0;
    while (j < s.length && HEX_DIGIT.test(s[j])) {
      fm = fm * 16n + BigInt(hexValue(s.charCodeAt(j++)));
      fd++;
    }
    if (digits + fd > 0) {
      mant = fm;
      fracDigits = fd;
      digits += fd;
      i = j;
    }
  }
  if (digits === 0) return null;
  let exp = 0;
  if (s[i] === 'p' || s[i] === 'P') {
    let j = i + 1;
    let eneg = false;
    if (s[j] === '+' || s[j] === '-') eneg = s[j++] === '-';
    if (isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (isDigit(s.charCodeAt(j))) e = Math.min(e * 10 + (s.charCodeAt(j++) - 48), 1e9);
      exp = eneg ? -e : e;
      i = j;
    }
  }
  const { value, erange } = binaryToDouble(mant, exp - 4 * fracDigits);
  return { value: neg ? -value : value, end: i, erange };
}

/** mant * 2^exp rounded to a double, to nearest with ties to even. */
function binaryToDouble(mant: bigint, exp: number): { value: number; erange: boolean } {
  if (mant === 0n) return { value: 0, erange: false };
  const lead = mant.toString(2).length - 1 + exp;
  if (lead > 1100) return { value: Infinity, erange: true };
  if (lead < -1100) return { value: 0, erange: true };
  // Keep bits down to 2^q: 53 significant bits, fewer for subnormals.
  const q = Math.max(lead - 52, -1074);
  let r = mant;
  const shift = q - exp;
  if (shift > 0) {
    const s = BigInt(shift);
    r = mant >> s;
    const rem = mant & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (r & 1n) === 1n)) r++;
  } else if (shift < 0) {
    r = mant << BigInt(-shift);
  }
  const value = Number(r) * 2 ** q;
  return { value, erange: value === Infinity || value === 0 };
}

/** util.c string2d: a score or weight, or null ("value is not a valid float" and the like). */
export function parseScore(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  // A plain integer of up to 15 digits (most scores) is exact as a double, as strtod reads it:
  // no result object made for it.
  const n = s.length;
  if (n <= 15) {
    const neg = s.charCodeAt(0) === 45;
    let i = neg ? 1 : 0;
    let v = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n && n > (neg ? 1 : 0)) return neg ? -v : v;
  }
  const r = strtod(s);
  if (r.end !== s.length) return null;
  if (r.erange && (r.value === 0 || !Number.isFinite(r.value))) return null;
  if (r.value !== r.value) return null;
  return r.value;
}

/** One zslParseRange bound: strtod must reach the end of the C string (the first NUL). */
function rangeBound(s: string): { value: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 40; // '('
  let body = ex ? s.slice(1) : s;
  const nul = body.indexOf('\0');
  if (nul >= 0) body = body.slice(0, nul);
  const r = strtod(body);
  if (r.end !== body.length || r.value !== r.value) return null;
  return { value: r.value, ex };
}

/** zslParseRange: null means "min or max is not a float". */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const lo = rangeBound(min);
  if (lo === null) return null;
  const hi = rangeBound(max);
  if (hi === null) return null;
  return { min: lo.value, minex: lo.ex, max: hi.value, maxex: hi.ex };
}

/** zslParseLexRangeItem: '-', '+', '(member' or '[member'; '-' and '+' alone (up to a NUL). */
function lexBound(s: string): LexBound | null {
  switch (s[0]) {
    case '+':
    case '-':
      if (s.length > 1 && s.charCodeAt(1) !== 0) return null;
      return { inf: s[0] === '+' ? 1 : -1 };
    case '(':
      return { inf: 0, value: s.slice(1), ex: true };
    case '[':
      return { inf: 0, value: s.slice(1), ex: false };
    default:
      return null;
  }
}

/** zslParseLexRange: null means "min or max not valid string range item". */
export function parseLexRange(min: string, max: string): LexRange | null {
  const lo = lexBound(min);
  if (lo === null) return null;
  const hi = lexBound(max);
  if (hi === null) return null;
  return { min: lo, max: hi };
}

/**
 * A 64-bit integer argument (getLongFromObject) as a number; beyond 2^53 it is clamped, which
 * changes nothing for ranks, offsets and counts. Null when not an integer.
 */
export function longArg(args: Args, i: number): number | null {
  const v = parseInteger(args.str(i));
  if (typeof v !== 'bigint') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}
