// Blocking-command timeouts as Redis reads them (timeout.c:getTimeoutFromObjectOrReply, seconds
// unit): strtold into an x86 80-bit long double, times 1000 in that precision, rounded up (ceill)
// to whole milliseconds. The range checks are Redis 7.2's ("timeout is out of range"); 7.0 let
// such values overflow. BLPOP & co share this; XREAD BLOCK, WAIT and CLIENT PAUSE take integer ms.
import { ERR_TIMEOUT_NOT_FLOAT, ERR_TIMEOUT_NEGATIVE, ERR_TIMEOUT_RANGE } from '../util/errors.js';

const LLONG_MAX = (1n << 63n) - 1n;
/** util.c:string2ld copies into a buffer of MAX_LONG_DOUBLE_CHARS (5k) and refuses longer input. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
/** Plain second counts that need no long double arithmetic: n * 1000 stays exact. */
const SMALL_INT = /^(?:0|[1-9][0-9]{0,11})$/;
const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const INFINITE = /^([+-]?)inf(?:inity)?$/i;

/**
 * The absolute deadline (ms) for a timeout argument given in seconds: 0 when it is 0 (block
 * forever), else `now` + the timeout rounded up to a millisecond; or an error text.
 */
export function blockingDeadline(arg: string, now: number): number | string {
  if (SMALL_INT.test(arg)) {
    const ms = Number(arg) * 1000;
    return ms === 0 ? 0 : now + ms;
  }
  const ms = timeoutMs(arg);
  if (typeof ms === 'string') return ms;
  if (ms < 0n) return ERR_TIMEOUT_NEGATIVE;
  if (ms === 0n) return 0;
  if (ms > LLONG_MAX - BigInt(now)) return ERR_TIMEOUT_RANGE;
  return now + Number(ms);
}

/** ceill(strtold(arg) * 1000) as a 64-bit integer, or an error text. */
function timeoutMs(arg: string): bigint | string {
  if (arg.length === 0 || arg.length >= MAX_LONG_DOUBLE_CHARS) return ERR_TIMEOUT_NOT_FLOAT;
  const v = parseLongDouble(arg);
  if (v === null) return ERR_TIMEOUT_NOT_FLOAT;
  switch (v.kind) {
    case 'zero':
      return 0n;
    // (long long) of a value below LLONG_MIN is LLONG_MIN on x86: "negative".
    case 'huge':
      return v.neg ? -1n : ERR_TIMEOUT_RANGE;
    case 'tiny':
      return v.neg ? 0n : 1n;
  }
  const { mant, exp } = roundToLongDouble(v.num, v.den);
  const ms = roundToLongDouble(mant * 1000n, 1n);
  const e = exp + ms.exp;
  let whole: bigint;
  let fraction: boolean;
  if (e >= 0) {
    whole = ms.mant << BigInt(e);
    fraction = false;
  } else {
    whole = ms.mant >> BigInt(-e);
    fraction = (ms.mant & ((1n << BigInt(-e)) - 1n)) !== 0n;
  }
  if (v.neg) return -whole;
  if (whole > LLONG_MAX || (whole === LLONG_MAX && fraction)) return ERR_TIMEOUT_RANGE;
  return fraction ? whole + 1n : whole;
}

type Parsed =
  | { kind: 'zero' | 'huge' | 'tiny'; neg: boolean }
  | { kind: 'exact'; neg: boolean; num: bigint; den: bigint };

/**
 * strtold's grammar (decimal, hex floats, inf/infinity; nan and anything trailing refused) as
 * string2ld accepts it. Values whose milliseconds are far outside the 64-bit range, or far
 * below one, are only classified; the rest come back as the exact rational num/den.
 * Overflow and underflow of the long double itself (beyond ~1.19e4932, below ~1.8e-4951)
 * are refused, as strtold's ERANGE makes string2ld do.
 */
function parseLongDouble(s: string): Parsed | null {
  let m = DECIMAL.exec(s);
  if (m) {
    const intPart = m[2];
    const frac = m[3] ?? '';
    if (intPart.length + frac.length === 0) return null;
    const neg = m[1] === '-';
    const digits = (intPart + frac).replace(/^0+/, '');
    if (digits.length === 0) return { kind: 'zero', neg };
    const exp10 = clampExponent(m[4]) - frac.length;
    // value = digits * 10^exp10, in [10^order, 10^(order+1))
    const order = digits.length - 1 + exp10;
    const lead = Number('0.' + digits.slice(0, 20));
    if (order > 4932 || (order === 4932 && lead > 0.118973149535723176502)) return null;
    if (order < -4951 || (order === -4951 && lead <= 0.18225997659412373012)) return null;
    if (order > 25) return { kind: 'huge', neg };
    if (order < -25) return { kind: 'tiny', neg };
    const big = BigInt(digits);
    return exp10 >= 0
      ? { kind: 'exact', neg, num: big * 10n ** BigInt(exp10), den: 1n }
      : { kind: 'exact', neg, num: big, den: 10n ** BigInt(-exp10) };
  }
  m = HEX.exec(s);
  if (m) {
    const frac = m[3] ?? '';
    if (m[2].length + frac.length === 0) return null;
    const neg = m[1] === '-';
    const digits = (m[2] + frac).replace(/^0+/, '');
    if (digits.length === 0) return { kind: 'zero', neg };
    const big = BigInt('0x' + digits);
    const exp2 = clampExponent(m[4]) - 4 * frac.length;
    // value = big * 2^exp2, in [2^order, 2^(order+1))
    const order = bitLength(big) - 1 + exp2;
    if (order >= 16384 || order < -16446) return null;
    if (order > 85) return { kind: 'huge', neg };
    if (order < -85) return { kind: 'tiny', neg };
    return exp2 >= 0
      ? { kind: 'exact', neg, num: big << BigInt(exp2), den: 1n }
      : { kind: 'exact', neg, num: big, den: 1n << BigInt(-exp2) };
  }
  m = INFINITE.exec(s);
  if (m) return { kind: 'huge', neg: m[1] === '-' };
  return null;
}

/** An exponent field; absurd lengths are clamped (they only decide overflow or underflow). */
function clampExponent(e: string | undefined): number {
  if (e === undefined) return 0;
  const n = Number(e);
  return Math.max(-1e9, Math.min(1e9, n));
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

const TWO_64 = 1n << 64n;
const TWO_65 = 1n << 65n;

/**
 * num/den (both > 0) rounded to a 64-bit significand, to nearest with ties to even (the x87
 * default): mant * 2^exp with 2^63 <= mant < 2^64.
 */
function roundToLongDouble(num: bigint, den: bigint): { mant: bigint; exp: number } {
  // With shift = 65 - (bitLength(num) - bitLength(den)), num * 2^shift / den lies in [2^64, 2^66).
  let shift = 65 - (bitLength(num) - bitLength(den));
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  let sticky = n % d !== 0n;
  if (q >= TWO_65) {
    sticky ||= (q & 1n) !== 0n;
    q >>= 1n;
    shift--;
  }
  // q has 65 bits: 64 of significand and one rounding bit.
  let mant = q >> 1n;
  if ((q & 1n) !== 0n && (sticky || (mant & 1n) !== 0n)) mant++;
  let exp = 1 - shift;
  if (mant === TWO_64) {
    mant >>= 1n;
    exp++;
  }
  return { mant, exp };
}
