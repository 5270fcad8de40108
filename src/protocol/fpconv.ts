// Doubles printed as Redis 7.2 prints them. d2string (util.c) writes integral values within
// +-2^62 as integers and everything else through fpconv_dtoa, a Grisu2 shortest-digits printer.
// Grisu2 is not always shortest (about 0.1% of doubles get a longer, still round-tripping form)
// and its notation rules are its own, so it is reproduced step by step on 64-bit integers
// (BigInt, wrapping like C's uint64_t) rather than approximated with Number#toString.
// formatG17 is printf's "%.17g", what ZSCAN prints for scores of skiplist-encoded sets.

const U64 = (1n << 64n) - 1n;
const FRAC_MASK = (1n << 52n) - 1n;
const HIDDEN_BIT = 1n << 52n;
const EXP_BIAS = 1023 + 52;
/** Grisu keeps the scaled exponent of the boundaries within [EXP_MIN, EXP_MAX]. */
const EXP_MIN = -60;
const EXP_MAX = -32;
const FIRST_POWER = -348;
const POWER_STEP = 8;
const POWER_COUNT = 87;
/** d2string prints integral values in this range (LLONG_MAX/2 as a double is 2^62) as integers. */
const LL_HALF = 2 ** 62;

/** A 64-bit significand and a binary exponent: frac * 2^exp. */
interface Fp {
  frac: bigint;
  exp: number;
}

/** 10^0 .. 10^19, as fpconv's `tens` table lists them (largest first); DIVS as numbers (10^9 .. 1 used). */
const TENS: bigint[] = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(19 - i));
const DIVS: number[] = TENS.map(Number);
const DIGIT_CHARS = '0123456789';

/**
 * The cached powers of ten 10^(-348 + 8i): each rounded to a 64-bit significand with its top bit
 * set, as fpconv_powers.h tabulates them.
 */
const POWERS: Fp[] = Array.from({ length: POWER_COUNT }, (_, i) => cachedPower(FIRST_POWER + i * POWER_STEP));
/**
 * Per cached power c, what grisu2's fast path adds to w*c before taking the high 64 bits: the
 * rounding half plus upper's c*2^10, or minus lower's c*2^10 (c*2^9 when f is a power of two).
 */
const HALF = 1n << 63n;
const UPPER_ADD = POWERS.map((p) => HALF + (p.frac << 10n));
const LOWER_ADD = POWERS.map((p) => HALF - (p.frac << 10n));
const LOWER_ADD_POW2 = POWERS.map((p) => HALF - (p.frac << 9n));

function cachedPower(k: number): Fp {
  let num = 1n;
  let den = 1n;
  if (k >= 0) num = 10n ** BigInt(k);
  else den = 10n ** BigInt(-k);
  // Find exp so that num / den / 2^exp lies in [2^63, 2^64), then round to nearest.
  let exp = num.toString(2).length - den.toString(2).length - 64;
  for (;;) {
    const n = exp < 0 ? num << BigInt(-exp) : num;
    const d = exp > 0 ? den << BigInt(exp) : den;
    const q = n / d;
    if (q < 1n << 63n) {
      exp--;
      continue;
    }
    if (q >= 1n << 64n) {
      exp++;
      continue;
    }
    const r = n % d;
    let frac = 2n * r >= d ? q + 1n : q;
    if (frac === 1n << 64n) {
      frac >>= 1n;
      exp++;
    }
    return { frac, exp };
  }
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bitsOf(d: number): bigint {
  f64[0] = d;
  return u64[0];
}

function buildFp(bits: bigint): Fp {
  const frac = bits & FRAC_MASK;
  const biased = Number((bits >> 52n) & 0x7ffn);
  if (biased !== 0) return { frac: frac + HIDDEN_BIT, exp: biased - EXP_BIAS };
  return { frac, exp: -EXP_BIAS + 1 };
}

function normalize(fp: Fp): Fp {
  let { frac, exp } = fp;
  while ((frac & HIDDEN_BIT) === 0n) {
    frac <<= 1n;
    exp--;
  }
  return { frac: (frac << 11n) & U64, exp: exp - 11 };
}

/** The rounding interval's ends, scaled like the normalized upper end. */
function boundaries(fp: Fp): { lower: Fp; upper: Fp } {
  let ufrac = (fp.frac << 1n) + 1n;
  let uexp = fp.exp - 1;
  while ((ufrac & (HIDDEN_BIT << 1n)) === 0n) {
    ufrac <<= 1n;
    uexp--;
  }
  ufrac = (ufrac << 10n) & U64;
  uexp -= 10;
  const lshift = fp.frac === HIDDEN_BIT ? 2 : 1;
  let lfrac = (fp.frac << BigInt(lshift)) - 1n;
  const lexp = fp.exp - lshift;
  lfrac = (lfrac << BigInt(lexp - uexp)) & U64;
  return { lower: { frac: lfrac, exp: uexp }, upper: { frac: ufrac, exp: uexp } };
}

/** The high 64 bits of the 128-bit product, rounded half up (fpconv's `multiply`). */
function multiply(a: Fp, b: Fp): Fp {
  return { frac: (a.frac * b.frac + (1n << 63n)) >> 64n, exp: a.exp + b.exp + 64 };
}

/** find_cachedpow10: a cached power bringing `exp` into [EXP_MIN, EXP_MAX]; k is its decimal exponent. */
function cachedPowerFor(exp: number): { power: Fp; k: number } {
  const approx = Math.trunc(-(exp + POWER_COUNT) * 0.30102999566398114);
  let idx = Math.trunc((approx - FIRST_POWER) / POWER_STEP);
  for (;;) {
    const current = exp + POWERS[idx].exp + 64;
    if (current < EXP_MIN) idx++;
    else if (current > EXP_MAX) idx--;
    else return { power: POWERS[idx], k: FIRST_POWER + idx * POWER_STEP };
  }
}

/** Moves the last digit towards w while that stays within the interval (round_digit). */
function roundDigit(digits: number[], delta: bigint, rem: bigint, kappa: bigint, frac: bigint): void {
  const n = digits.length;
  while (
    rem < frac &&
    ((delta - rem) & U64) >= kappa &&
    (((rem + kappa) & U64) < frac || ((frac - rem) & U64) > ((rem + kappa - frac) & U64))
  ) {
    digits[n - 1]--;
    rem = (rem + kappa) & U64;
  }
}

const LIMB = 2 ** 30;
const TWO_52 = 2 ** 52;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const u32 = new Uint32Array(f64.buffer);

/**
 * Grisu2 (grisu2 + generate_digits) for a positive double: the digits, and K such that the
 * value is digits * 10^K. For a normal double the three scaled values fpconv multiplies share
 * their exponent and differ by a power of two (w = f*2^11, upper = w + 2^10, lower = w - 2^10,
 * or - 2^9 at a power of two), so one 128-bit product gives all three. After the multiplication
 * the interval width `delta` is at most 2^11 + 2 and the split point e = -upper.exp lies in
 * [32, 60]: the integral part (upper >> e) fits 32 bits and the fraction (below 2^60) is carried
 * as two 30-bit limbs, so the digit loops run on plain numbers. Subnormals take generic64, a
 * line for line port on 64-bit integers.
 */
function grisu2(d: number): { digits: number[]; K: number } {
  f64[0] = d;
  const hi32 = u32[LITTLE_ENDIAN ? 1 : 0];
  const lo32 = u32[LITTLE_ENDIAN ? 0 : 1];
  const biased = hi32 >>> 20;
  if (biased === 0) return grisu2Generic(d);
  const f = (hi32 & 0xfffff) * 4294967296 + lo32 + TWO_52;
  const { power, k } = cachedPowerFor(biased - 1075 - 11);
  const idx = (k - FIRST_POWER) / POWER_STEP;
  // multiply() of w, upper and lower by the cached power, from one product.
  const product = BigInt(f * 2048) * power.frac;
  const w = (product + HALF) >> 64n;
  const upper = ((product + UPPER_ADD[idx]) >> 64n) - 1n;
  const lower = ((product + (f === TWO_52 ? LOWER_ADD_POW2 : LOWER_ADD)[idx]) >> 64n) + 1n;
  const wfrac = upper - w;
  const delta = Number(upper - lower);
  const e = -(biased - 1075 - 11 + power.exp + 64);

  const digits: number[] = [];
  let K = -k;
  // upper = top * 2^30 + lo; part1 = upper >> e; part2 = (hi * 2^30 + lo) = upper mod 2^e.
  const top = Number(upper >> 30n);
  let lo = Number(upper & 0x3fffffffn);
  const hiMod = 2 ** (e - 30);
  let part1 = Math.floor(top / hiMod);
  let hi = top - part1 * hiMod;
  // With part1 non-zero the remainder is at least 2^32 > delta: only part1 === 0 can stop here.
  const part2Fits = hi === 0 && lo <= delta;
  let kappa = 10;
  for (let t = 10; kappa > 0; t++) {
    const div = DIVS[t];
    const digit = Math.floor(part1 / div);
    if (digit !== 0 || digits.length > 0) digits.push(digit);
    part1 -= digit * div;
    kappa--;
    if (part1 === 0 && part2Fits) {
      K += kappa;
      const shift = BigInt(e);
      roundDigit(digits, BigInt(delta), BigInt(lo), (TENS[t] << shift) & U64, wfrac);
      return { digits, K };
    }
  }
  // The fraction and delta as hi * 2^30 + lo, times 10 for every digit.
  let dhi = 0;
  let dlo = delta;
  for (let unit = 18; ; unit--) {
    lo *= 10;
    const carry = Math.floor(lo / LIMB);
    lo -= carry * LIMB;
    hi = hi * 10 + carry;
    dlo *= 10;
    const dcarry = Math.floor(dlo / LIMB);
    dlo -= dcarry * LIMB;
    dhi = dhi * 10 + dcarry;
    kappa--;
    const digit = Math.floor(hi / hiMod);
    if (digit !== 0 || digits.length > 0) digits.push(digit);
    hi -= digit * hiMod;
    if (hi < dhi || (hi === dhi && lo < dlo)) {
      K += kappa;
      // round_digit only moves while delta - rem >= 2^e: never when delta itself is below 2^e.
      if (dhi >= hiMod) {
        const rem = (BigInt(hi) << 30n) | BigInt(lo);
        const dl = ((BigInt(dhi) << 30n) | BigInt(dlo)) & U64;
        roundDigit(digits, dl, rem, 1n << BigInt(e), (wfrac * TENS[unit]) & U64);
      }
      return { digits, K };
    }
  }
}

/** fpconv's grisu2 step by step on 64-bit integers (subnormals). */
function grisu2Generic(d: number): { digits: number[]; K: number } {
  const w0 = buildFp(bitsOf(d));
  const { lower: l0, upper: u0 } = boundaries(w0);
  const { power, k } = cachedPowerFor(u0.exp);
  const w = multiply(normalize(w0), power);
  const upper = multiply(u0, power);
  const lower = multiply(l0, power);
  lower.frac = (lower.frac + 1n) & U64;
  upper.frac = (upper.frac - 1n) & U64;
  return generateDigits64(upper.frac, -upper.exp, (upper.frac - w.frac) & U64, (upper.frac - lower.frac) & U64, -k);
}

/** generate_digits on 64-bit integers throughout. */
function generateDigits64(ufrac: bigint, e: number, wfrac: bigint, delta: bigint, K: number): { digits: number[]; K: number } {
  const shift = BigInt(e);
  const one = 1n << shift;
  let part1 = ufrac >> shift;
  let part2 = ufrac & (one - 1n);
  const digits: number[] = [];
  let kappa = 10;
  for (let t = 10; kappa > 0; t++) {
    const div = TENS[t];
    const digit = part1 / div;
    if (digit !== 0n || digits.length > 0) digits.push(Number(digit));
    part1 -= digit * div;
    kappa--;
    const tmp = ((part1 << shift) + part2) & U64;
    if (tmp <= delta) {
      K += kappa;
      roundDigit(digits, delta, tmp, (div << shift) & U64, wfrac);
      return { digits, K };
    }
  }
  for (let unit = 18; ; unit--) {
    part2 = (part2 * 10n) & U64;
    delta = (delta * 10n) & U64;
    kappa--;
    const digit = part2 >> shift;
    if (digit !== 0n || digits.length > 0) digits.push(Number(digit));
    part2 &= one - 1n;
    if (part2 < delta) {
      K += kappa;
      roundDigit(digits, delta, part2, one, (wfrac * TENS[unit]) & U64);
      return { digits, K };
    }
  }
}

/** emit_digits: plain integer, plain decimal or scientific notation, as fpconv chooses. */
function emitDigits(digits: number[], K: number, neg: boolean): string {
  let nd = digits.length;
  let str = '';
  for (let i = 0; i < nd; i++) str += DIGIT_CHARS[digits[i]];
  let exp = Math.abs(K + nd - 1);
  if (K >= 0 && exp < nd + 7) return str + '0'.repeat(K);
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = nd + K;
    if (offset <= 0) return '0.' + '0'.repeat(-offset) + str;
    return str.slice(0, offset) + '.' + str.slice(offset);
  }
  nd = Math.min(nd, 18 - (neg ? 1 : 0));
  let out = str[0];
  if (nd > 1) out += '.' + str.slice(1, nd);
  out += K + nd - 1 < 0 ? 'e-' : 'e+';
  let cent = 0;
  if (exp > 99) {
    cent = Math.floor(exp / 100);
    out += cent;
    exp -= cent * 100;
  }
  if (exp > 9) {
    const dec = Math.floor(exp / 10);
    out += dec;
    exp -= dec * 10;
  } else if (cent) {
    out += '0';
  }
  return out + (exp % 10);
}

/** fpconv_dtoa for a finite, non-zero double. */
function fpconvDtoa(d: number): string {
  const neg = d < 0;
  const { digits, K } = grisu2(Math.abs(d));
  return (neg ? '-' : '') + emitDigits(digits, K, neg);
}

/** util.c d2string as of Redis 7.2: what addReplyDouble sends (ZSCORE, ZRANGE WITHSCORES...). */
export function d2string(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && d >= -LL_HALF && d <= LL_HALF) {
    return Math.abs(d) <= Number.MAX_SAFE_INTEGER ? String(d) : BigInt(d).toString();
  }
  let s = recent.get(d);
  if (s === undefined) {
    if (recent.size >= RECENT_MAX) recent.clear();
    s = fpconvDtoa(d);
    recent.set(d, s);
  }
  return s;
}

/** Recently printed non-integral doubles: the same scores are read again and again. */
const recent = new Map<number, string>();
const RECENT_MAX = 4096;

/**
 * printf("%.17g"): the exact value rounded half-to-even to 17 significant digits (glibc rounds
 * the exact binary value, so ties are real: 1544893500807993.25 prints ...993.2), trailing zeros
 * dropped, exponent form outside [1e-4, 1e17).
 */
export function formatG17(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const bits = bitsOf(d);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const m = biased === 0 ? bits & FRAC_MASK : (bits & FRAC_MASK) | HIDDEN_BIT;
  const e = biased === 0 ? -1074 : biased - 1075;
  // The exact value is D * 10^p.
  const D = e >= 0 ? (m << BigInt(e)).toString() : (m * 5n ** BigInt(-e)).toString();
  const p = e >= 0 ? 0 : e;
  let X = D.length - 1 + p;
  let head = D.slice(0, 17);
  if (D.length > 17) {
    const first = D.charCodeAt(17) - 48;
    const sticky = /[1-9]/.test(D.slice(18));
    const up = first > 5 || (first === 5 && (sticky || (head.charCodeAt(16) - 48) % 2 === 1));
    if (up) {
      head = (BigInt(head) + 1n).toString();
      if (head.length > 17) {
        head = head.slice(0, 17);
        X++;
      }
    }
  }
  head = head.replace(/0+$/, '');
  const sign = d < 0 ? '-' : '';
  if (X < -4 || X >= 17) {
    const mant = head.length > 1 ? head[0] + '.' + head.slice(1) : head;
    const ax = Math.abs(X);
    return `${sign}${mant}e${X < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  if (X < 0) return `${sign}0.${'0'.repeat(-X - 1)}${head}`;
  if (head.length <= X + 1) return sign + head + '0'.repeat(X + 1 - head.length);
  return `${sign}${head.slice(0, X + 1)}.${head.slice(X + 1)}`;
}
