// Doubles printed as Redis 7.2 prints them. d2string (util.c) writes integral values within
// +-2^62 as integers and everything else through deps/fpconv's fpconv_dtoa, a Grisu2 printer.
// Grisu2 is not always shortest (about 0.1% of doubles get a longer, still round-tripping form)
// and its notation rules are its own, so it is reproduced exactly rather than approximated with
// Number#toString: normal doubles on plain numbers (24- and 30-bit limbs, no allocation), the
// rare cases that need full 64-bit wrapping arithmetic on BigInt, as fpconv's uint64_t does.
// formatG17 is printf's "%.17g", what ZSCAN prints for the scores of skiplist-encoded sets.

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
const TWO_52 = 2 ** 52;
const B24 = 2 ** 24;
const LIMB = 2 ** 30;
/** hi limbs below this keep hi * 2^30 + lo below 2^53. */
const SAFE_HI = 2 ** 23;
const POW2: number[] = Array.from({ length: 64 }, (_, i) => 2 ** i);
/** 10^19 .. 10^0, fpconv's `tens` table (10^9 .. 1 are the integral digits' divisors), and as numbers. */
const TENS: bigint[] = Array.from({ length: 20 }, (_, i) => 10n ** BigInt(19 - i));
const DIVS: number[] = TENS.map(Number);

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** util.c d2string as of Redis 7.2: what addReplyDouble sends (ZSCORE, ZRANGE WITHSCORES...). */
export function d2string(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && d >= -LL_HALF && d <= LL_HALF) {
    return Math.abs(d) <= Number.MAX_SAFE_INTEGER ? String(d) : BigInt(d).toString();
  }
  return fpconvDtoa(d);
}

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

// ---- cached powers of ten -------------------------------------------------------------------

/** A 64-bit significand and a binary exponent: frac * 2^exp. */
interface Fp {
  frac: bigint;
  exp: number;
}

const HALF = 1n << 63n;
const MOD144 = 1n << 144n;
/**
 * The cached powers of ten 10^(-348 + 8i): each rounded to a 64-bit significand with its top bit
 * set, as fpconv_powers.h tabulates them (computed here; they match that table entry for entry).
 * Built by the first fpconvDtoa, not at start-up (BigInt arithmetic, a millisecond or two).
 */
let POWERS: Fp[];
/** Each power's significand in three 24-bit limbs, least significant first. */
let POWER_LIMBS: number[][];
/**
 * multiply() rounds the 128-bit product half up and keeps its high 64 bits. With upper = w + 2^10
 * and lower = w - 2^10 (- 2^9 when the significand is a power of two), upper*c + 2^63 is
 * w*c + (2^63 + c*2^10): these addends per power, as 6 limbs (two's complement mod 2^144).
 */
let ADD_W: number[];
let ADD_UPPER: number[][];
let ADD_LOWER: number[][];
let ADD_LOWER_POW2: number[][];

function buildPowers(): void {
  const addend = (v: bigint): number[] => limbs24(((v % MOD144) + MOD144) % MOD144, 6);
  POWERS = Array.from({ length: POWER_COUNT }, (_, i) => cachedPower(FIRST_POWER + i * POWER_STEP));
  POWER_LIMBS = POWERS.map((p) => limbs24(p.frac, 3));
  ADD_W = addend(HALF);
  ADD_UPPER = POWERS.map((p) => addend(HALF + (p.frac << 10n)));
  ADD_LOWER = POWERS.map((p) => addend(HALF - (p.frac << 10n)));
  ADD_LOWER_POW2 = POWERS.map((p) => addend(HALF - (p.frac << 9n)));
}

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

function limbs24(v: bigint, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number((v >> BigInt(24 * i)) & 0xffffffn));
  return out;
}

/** find_cachedpow10: the index of a cached power bringing `exp` into [EXP_MIN, EXP_MAX]. */
function cachedPowerIndex(exp: number): number {
  const approx = Math.trunc(-(exp + POWER_COUNT) * 0.30102999566398114);
  let idx = Math.trunc((approx - FIRST_POWER) / POWER_STEP);
  for (;;) {
    const current = exp + POWERS[idx].exp + 64;
    if (current < EXP_MIN) idx++;
    else if (current > EXP_MAX) idx--;
    else return idx;
  }
}

// ---- Grisu2 for normal doubles, on numbers --------------------------------------------------

/** Grisu's output (scratch, valid until the next call): digitBuf[0..digitCount) * 10^decimalK. */
const digitBuf: number[] = new Array<number>(24).fill(0);
let digitCount = 0;
let decimalK = 0;
/** Scratch: the product w*c in 24-bit limbs, and high64's result as bits 30..63 and 0..29. */
const prod = new Array<number>(6).fill(0);
let outHi = 0;
let outLo = 0;

function pushDigit(d: number): void {
  if (d !== 0 || digitCount > 0) digitBuf[digitCount++] = d;
}

/**
 * floor((prod + add) / 2^64) mod 2^64 into outHi/outLo, where `add` is 6 limbs mod 2^144
 * (the sum wraps like the C code's uint64_t arithmetic on the 128-bit value's high half).
 */
function high64(add: number[]): void {
  let carry = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  for (let i = 0; i < 6; i++) {
    const v = prod[i] + add[i] + carry;
    carry = Math.floor(v / B24);
    const limb = v - carry * B24;
    if (i === 2) s2 = limb;
    else if (i === 3) s3 = limb;
    else if (i === 4) s4 = limb;
    else if (i === 5) s5 = limb;
  }
  // Bits 64..127 are s2 >> 16 (8 bits), s3 (24), s4 (24) and the low 8 bits of s5.
  const r0 = Math.floor(s2 / 65536);
  const r3 = s5 % 256;
  const r1High = Math.floor(s3 / 4194304);
  outLo = r0 + (s3 - r1High * 4194304) * 256;
  outHi = r1High + s4 * 4 + r3 * 67108864;
}

/**
 * Grisu2 (grisu2 + generate_digits) for a positive double: the digits, and K such that the
 * value is digits * 10^K. For a normal double the three scaled values fpconv multiplies share
 * their exponent and differ by a power of two (w = f*2^11, upper = w + 2^10, lower = w - 2^10,
 * or - 2^9 at a power of two), so one 128-bit product gives all three. After the multiplication
 * the interval width `delta` is at most 2^11 + 2 and the split point e = -upper.exp lies in
 * [32, 60]: the integral part (upper >> e) fits 32 bits and the fraction (below 2^60) is carried
 * as two 30-bit limbs, so the digit loops run on plain numbers. Subnormals take grisu2Generic,
 * a line for line port on 64-bit integers.
 */
function grisu2(d: number): void {
  f64[0] = d;
  const hi32 = u32[LITTLE_ENDIAN ? 1 : 0];
  const lo32 = u32[LITTLE_ENDIAN ? 0 : 1];
  const biased = hi32 >>> 20;
  if (biased === 0) {
    grisu2Generic(d);
    return;
  }
  const f = (hi32 & 0xfffff) * 4294967296 + lo32 + TWO_52;
  const idx = cachedPowerIndex(biased - 1075 - 11);
  // prod = (f * 2^11) * c exactly, in 24-bit limbs (both factors below 2^64: three limbs each).
  const wv = f * 2048;
  const w2 = Math.floor(wv / 281474976710656);
  const w1 = Math.floor((wv - w2 * 281474976710656) / B24);
  const w0 = wv - w2 * 281474976710656 - w1 * B24;
  const c = POWER_LIMBS[idx];
  const c0 = c[0];
  const c1 = c[1];
  const c2 = c[2];
  let v = w0 * c0;
  let carry = Math.floor(v / B24);
  prod[0] = v - carry * B24;
  v = w0 * c1 + w1 * c0 + carry;
  carry = Math.floor(v / B24);
  prod[1] = v - carry * B24;
  v = w0 * c2 + w1 * c1 + w2 * c0 + carry;
  carry = Math.floor(v / B24);
  prod[2] = v - carry * B24;
  v = w1 * c2 + w2 * c1 + carry;
  carry = Math.floor(v / B24);
  prod[3] = v - carry * B24;
  v = w2 * c2 + carry;
  carry = Math.floor(v / B24);
  prod[4] = v - carry * B24;
  prod[5] = carry;
  // multiply() of w, upper and lower by c; then upper - 1 and lower + 1, as grisu2 does.
  high64(ADD_W);
  const wHi = outHi;
  const wLo = outLo;
  high64(ADD_UPPER[idx]);
  let uHi = outHi;
  let uLo = outLo - 1;
  if (uLo < 0) {
    uLo += LIMB;
    uHi--;
  }
  high64((f === TWO_52 ? ADD_LOWER_POW2 : ADD_LOWER)[idx]);
  const wfrac = (uHi - wHi) * LIMB + (uLo - wLo);
  const delta = (uHi - outHi) * LIMB + (uLo - outLo - 1);
  const e = -(biased - 1075 - 11 + POWERS[idx].exp + 64);

  digitCount = 0;
  decimalK = -(FIRST_POWER + idx * POWER_STEP);
  // upper = uHi * 2^30 + uLo; part1 = upper >> e; part2 = hi * 2^30 + lo = upper mod 2^e.
  const hiMod = POW2[e - 30];
  let part1 = Math.floor(uHi / hiMod);
  let hi = uHi - part1 * hiMod;
  let lo = uLo;
  // With part1 non-zero the remainder is at least 2^32 > delta: only part1 === 0 can stop here.
  const part2Fits = hi === 0 && lo <= delta;
  let kappa = 10;
  for (let t = 10; kappa > 0; t++) {
    const div = DIVS[t];
    const digit = Math.floor(part1 / div);
    pushDigit(digit);
    part1 -= digit * div;
    kappa--;
    if (part1 === 0 && part2Fits) {
      decimalK += kappa;
      roundDigit(BigInt(delta), BigInt(lo), (TENS[t] << BigInt(e)) & U64, BigInt(wfrac));
      return;
    }
  }
  // The fraction and delta as hi * 2^30 + lo, times 10 for every digit.
  let dhi = 0;
  let dlo = delta;
  for (let unit = 18; ; unit--) {
    lo *= 10;
    carry = Math.floor(lo / LIMB);
    lo -= carry * LIMB;
    hi = hi * 10 + carry;
    dlo *= 10;
    const dcarry = Math.floor(dlo / LIMB);
    dlo -= dcarry * LIMB;
    dhi = dhi * 10 + dcarry;
    kappa--;
    const digit = Math.floor(hi / hiMod);
    pushDigit(digit);
    hi -= digit * hiMod;
    if (hi < dhi || (hi === dhi && lo < dlo)) {
      decimalK += kappa;
      // round_digit moves only while delta - rem >= 2^e: never when delta itself is below it.
      if (dhi >= hiMod) {
        const scale = DIVS[unit];
        if (dhi < SAFE_HI && wfrac * scale <= Number.MAX_SAFE_INTEGER) {
          roundDigitNumbers(dhi * LIMB + dlo, hi * LIMB + lo, POW2[e], wfrac * scale);
        } else {
          const rem = (BigInt(hi) << 30n) | BigInt(lo);
          const dl = ((BigInt(dhi) << 30n) | BigInt(dlo)) & U64;
          roundDigit(dl, rem, 1n << BigInt(e), (BigInt(wfrac) * TENS[unit]) & U64);
        }
      }
      return;
    }
  }
}

// ---- Grisu2 on 64-bit integers (subnormals, and the wrapping corners) -------------------------

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

/** fpconv's grisu2 step by step on 64-bit integers (subnormals). */
function grisu2Generic(d: number): void {
  const w0 = buildFp(bitsOf(d));
  const { lower: l0, upper: u0 } = boundaries(w0);
  const idx = cachedPowerIndex(u0.exp);
  const power = POWERS[idx];
  const w = multiply(normalize(w0), power);
  const upper = multiply(u0, power);
  const lower = multiply(l0, power);
  lower.frac = (lower.frac + 1n) & U64;
  upper.frac = (upper.frac - 1n) & U64;
  decimalK = -(FIRST_POWER + idx * POWER_STEP);
  generateDigits64(upper.frac, -upper.exp, (upper.frac - w.frac) & U64, (upper.frac - lower.frac) & U64);
}

/** generate_digits on 64-bit integers throughout. */
function generateDigits64(ufrac: bigint, e: number, wfrac: bigint, delta: bigint): void {
  const shift = BigInt(e);
  const one = 1n << shift;
  let part1 = ufrac >> shift;
  let part2 = ufrac & (one - 1n);
  digitCount = 0;
  let kappa = 10;
  for (let t = 10; kappa > 0; t++) {
    const div = TENS[t];
    const digit = part1 / div;
    pushDigit(Number(digit));
    part1 -= digit * div;
    kappa--;
    const tmp = ((part1 << shift) + part2) & U64;
    if (tmp <= delta) {
      decimalK += kappa;
      roundDigit(delta, tmp, (div << shift) & U64, wfrac);
      return;
    }
  }
  for (let unit = 18; ; unit--) {
    part2 = (part2 * 10n) & U64;
    delta = (delta * 10n) & U64;
    kappa--;
    pushDigit(Number(part2 >> shift));
    part2 &= one - 1n;
    if (part2 < delta) {
      decimalK += kappa;
      roundDigit(delta, part2, one, (wfrac * TENS[unit]) & U64);
      return;
    }
  }
}

/** round_digit on 64-bit integers (wrapping as uint64_t does). */
function roundDigit(delta: bigint, rem: bigint, kappa: bigint, frac: bigint): void {
  while (
    rem < frac &&
    ((delta - rem) & U64) >= kappa &&
    (((rem + kappa) & U64) < frac || ((frac - rem) & U64) > ((rem + kappa - frac) & U64))
  ) {
    digitBuf[digitCount - 1]--;
    rem = (rem + kappa) & U64;
  }
}

/** round_digit when every operand is an exact number below 2^53 (no wrapping can occur). */
function roundDigitNumbers(delta: number, rem: number, kappa: number, frac: number): void {
  while (rem < frac && delta - rem >= kappa && (rem + kappa < frac || frac - rem > rem + kappa - frac)) {
    digitBuf[digitCount - 1]--;
    rem += kappa;
  }
}

// ---- printing ------------------------------------------------------------------------------

/** Where emitDigits writes the text (at most 24 bytes, as fpconv's dest[24]). */
const out = Buffer.alloc(32) as Buffer & { latin1Slice(start: number, end: number): string };

/** emit_digits: plain integer, plain decimal or scientific notation, as fpconv chooses. */
function emitDigits(K: number, neg: boolean): string {
  let nd = digitCount;
  let p = 0;
  if (neg) out[p++] = 45; // '-'
  let exp = Math.abs(K + nd - 1);
  if (K >= 0 && exp < nd + 7) {
    for (let i = 0; i < nd; i++) out[p++] = 48 + digitBuf[i];
    for (let i = 0; i < K; i++) out[p++] = 48;
    return out.latin1Slice(0, p);
  }
  if (K < 0 && (K > -7 || exp < 4)) {
    const offset = nd + K;
    if (offset <= 0) {
      out[p++] = 48;
      out[p++] = 46; // '.'
      for (let i = 0; i < -offset; i++) out[p++] = 48;
      for (let i = 0; i < nd; i++) out[p++] = 48 + digitBuf[i];
    } else {
      for (let i = 0; i < nd; i++) {
        if (i === offset) out[p++] = 46;
        out[p++] = 48 + digitBuf[i];
      }
    }
    return out.latin1Slice(0, p);
  }
  nd = Math.min(nd, 18 - (neg ? 1 : 0));
  out[p++] = 48 + digitBuf[0];
  if (nd > 1) {
    out[p++] = 46;
    for (let i = 1; i < nd; i++) out[p++] = 48 + digitBuf[i];
  }
  out[p++] = 101; // 'e'
  out[p++] = K + nd - 1 < 0 ? 45 : 43;
  let cent = 0;
  if (exp > 99) {
    cent = Math.floor(exp / 100);
    out[p++] = 48 + cent;
    exp -= cent * 100;
  }
  if (exp > 9) {
    const dec = Math.floor(exp / 10);
    out[p++] = 48 + dec;
    exp -= dec * 10;
  } else if (cent) {
    out[p++] = 48;
  }
  out[p++] = 48 + (exp % 10);
  return out.latin1Slice(0, p);
}

/**
 * fpconv_dtoa for a finite, non-zero double. The first call builds the powers' tables and puts
 * dtoa in its place, so later calls check nothing.
 */
export let fpconvDtoa = (d: number): string => {
  buildPowers();
  fpconvDtoa = dtoa;
  return dtoa(d);
};

function dtoa(d: number): string {
  grisu2(Math.abs(d));
  return emitDigits(decimalK, d < 0);
}
