// Redis's `long double` for INCRBYFLOAT: the x87 80-bit extended format redis-server computes in
// on x86-64 (64-bit significand, 15-bit exponent, subnormals). Parsing follows string2ld (glibc
// strtold: decimal, hex and inf accepted, nan and out-of-range rejected), addition rounds to
// nearest-even as the FPU does, and formatting is ld2string's LD_STR_HUMAN ("%.17Lf" with trailing
// zeros trimmed). Exact BigInt arithmetic throughout, so every digit matches the C library's.

/** A finite or infinite extended value: |value| = m * 2^e, 0 <= m < 2^64. */
export interface LongDouble {
  readonly neg: boolean;
  /** ±infinity (m and e unused). */
  readonly inf: boolean;
  readonly m: bigint;
  readonly e: number;
}

/** string2ld's buffer (MAX_LONG_DOUBLE_CHARS): longer texts are not numbers. */
const MAX_CHARS = 5 * 1024;
/** Exponent of the least significant bit of the smallest subnormal (2^-16445). */
const MIN_LSB = -16445;
/** Largest exponent of a finite value's most significant bit (LDBL_MAX < 2^16384). */
const MAX_MSB = 16383;
const TOP = 1n << 64n;
/** 10^17: ld2string's 17 digits after the point. */
const FRACTION_SCALE = 10n ** 17n;

/** 10^k for the exponents everyday decimals use. */
const POW10 = Array.from({ length: 64 }, (_, k) => 10n ** BigInt(k));
const pow10 = (k: number): bigint => (k < POW10.length ? POW10[k] : 10n ** BigInt(k));

const ZERO: LongDouble = { neg: false, inf: false, m: 0n, e: 0 };

function bitLength(x: bigint): number {
  const h = x.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0], 16)));
}

/**
 * num/den * 2^exp2 rounded to nearest-even in the extended format; null when it overflows.
 * A nonzero value too small even for a subnormal comes back as zero with `underflow` set.
 */
function round(neg: boolean, num: bigint, den: bigint, exp2: number): { v: LongDouble; underflow: boolean } | null {
  if (num === 0n) return { v: { neg, inf: false, m: 0n, e: 0 }, underflow: false };
  // floor(log2(num/den)) is k or k - 1.
  let k = bitLength(num) - bitLength(den);
  if (k >= 0 ? num < den << BigInt(k) : num << BigInt(-k) < den) k--;
  const msb = k + exp2;
  if (msb > MAX_MSB) return null;
  let lsb = Math.max(msb - 63, MIN_LSB);
  let n = num;
  let d = den;
  const shift = exp2 - lsb;
  if (shift >= 0) n <<= BigInt(shift);
  else d <<= BigInt(-shift);
  let q = n / d;
  const twice = (n - q * d) << 1n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  if (q === TOP) {
    q >>= 1n;
    lsb++;
    if (lsb + 63 > MAX_MSB) return null;
  }
  return { v: { neg, inf: false, m: q, e: lsb }, underflow: q === 0n };
}

const DECIMAL = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^(?:inf|infinity)$/i;

/** A signed exponent text as a number, clamped far beyond any representable range. */
function exponent(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  return Math.max(-1e9, Math.min(1e9, n));
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Redis's string2ld on a binary string: the value, or null when Redis would reply "value is not
 * a valid float" (empty, too long, leading space, trailing garbage or NUL, nan, overflow,
 * underflow to zero).
 */
export function parseLongDouble(text: string): LongDouble | null {
  // strtold must consume every byte, so an embedded NUL is trailing garbage too.
  if (text.length === 0 || text.length >= MAX_CHARS || text.includes('\0')) return null;
  const s = text;
  if (isSpace(s.charCodeAt(0))) return null;
  const signed = s[0] === '-' || s[0] === '+';
  const neg = s[0] === '-';
  const body = signed ? s.slice(1) : s;
  if (INFINITY.test(body)) return { neg, inf: true, m: 0n, e: 0 };

  let r: ReturnType<typeof round>;
  const hex = HEX.exec(body);
  if (hex) {
    const int = hex[1];
    const frac = hex[2] ?? '';
    if (int.length + frac.length === 0) return null;
    const digits = (int + frac).replace(/^0+/, '');
    if (digits.length === 0) return { neg, inf: false, m: 0n, e: 0 };
    const exp2 = exponent(hex[3]) - 4 * frac.length;
    // value lies in [2^(top-4), 2^top): decide the hopeless cases before shifting.
    const top = exp2 + 4 * digits.length;
    if (top - 4 > MAX_MSB || top < MIN_LSB - 1) return null;
    r = round(neg, BigInt('0x' + digits), 1n, exp2);
  } else {
    const dec = DECIMAL.exec(body);
    if (!dec) return null;
    const int = dec[1];
    const frac = dec[2] ?? '';
    if (int.length + frac.length === 0) return null;
    const digits = (int + frac).replace(/^0+/, '');
    if (digits.length === 0) return { neg, inf: false, m: 0n, e: 0 };
    const e10 = exponent(dec[3]) - frac.length;
    // value lies in [10^(e10+n-1), 10^(e10+n)): decide the hopeless cases without big powers.
    const n = digits.length;
    if (e10 + n - 1 > 4933) return null;
    if (e10 + n < -4952) return null;
    const d = BigInt(digits);
    r = e10 >= 0 ? round(neg, d * pow10(e10), 1n, 0) : round(neg, d, pow10(-e10), 0);
  }
  if (r === null || r.underflow) return null;
  return r.v;
}

/** a + b as the FPU rounds it; null for NaN (inf - inf). Overflow gives an infinity. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (b.m === 0n) return a.m === 0n ? { neg: a.neg && b.neg, inf: false, m: 0n, e: 0 } : a;
  if (a.m === 0n) return b;
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === 0n) return ZERO;
  const r = round(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
  return r === null ? { neg: sum < 0n, inf: true, m: 0n, e: 0 } : r.v;
}

/**
 * ld2string(LD_STR_HUMAN) of a finite value: printf "%.17Lf" (exact, ties to even), trailing
 * zeros and a bare point removed, "-0" written "0".
 */
export function formatLongDouble(v: LongDouble): string {
  let scaled: bigint;
  if (v.e >= 0) scaled = (v.m << BigInt(v.e)) * FRACTION_SCALE;
  else {
    const n = v.m * FRACTION_SCALE;
    const shift = BigInt(-v.e);
    scaled = n >> shift;
    const twice = (n - (scaled << shift)) << 1n;
    const half = 1n << shift;
    if (twice > half || (twice === half && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(18, '0');
  const int = digits.slice(0, -17);
  const frac = digits.slice(-17).replace(/0+$/, '');
  const out = (v.neg ? '-' : '') + int + (frac.length > 0 ? '.' + frac : '');
  return out === '-0' ? '0' : out;
}
