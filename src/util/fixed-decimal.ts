// Doubles printed with a fixed number of decimals, exactly as glibc's printf("%.Nf") prints
// them: the exact binary value rounded half to even, however large (toFixed switches to
// exponent notation from 1e21 and rounds ties up). Used for the geo commands' coordinates,
// distances and error texts.

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** printf("%.<digits>f", v) for a finite v; "inf" / "-inf" otherwise. */
export function fixedDecimal(v: number, digits: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  const neg = v < 0 || Object.is(v, -0);
  f64[0] = Math.abs(v);
  const b = u64[0];
  const biased = Number(b >> 52n);
  const frac = b & ((1n << 52n) - 1n);
  // |v| = m * 2^e
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  const scale = 10n ** BigInt(digits);
  let scaled: bigint;
  if (e >= 0) {
    scaled = (m << BigInt(e)) * scale;
  } else {
    const n = m * scale;
    const shift = BigInt(-e);
    scaled = n >> shift;
    const twice = (n - (scaled << shift)) << 1n;
    const half = 1n << shift;
    if (twice > half || (twice === half && (scaled & 1n) === 1n)) scaled++;
  }
  const text = scaled.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : text.slice(0, -digits) + '.' + text.slice(-digits);
  return (neg ? '-' : '') + body;
}

/**
 * ld2string(LD_STR_HUMAN) of a double widened to long double (exact): "%.17Lf" with trailing
 * zeros and a bare point removed, "-0" written "0". Redis's addReplyHumanLongDouble.
 */
export function humanLongDouble(v: number): string {
  let s = fixedDecimal(v, 17);
  if (!Number.isFinite(v)) return s;
  s = s.replace(/0+$/, '');
  if (s.endsWith('.')) s = s.slice(0, -1);
  return s === '-0' ? '0' : s;
}

/** rint / llrint in the default rounding mode: to nearest, ties to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * util.c fixedpoint_d2string(d, 4), how geo replies distances: llrint(d * 10^4) written with
 * the point put back ("0.0000" for zero, a leading "0." below one).
 */
export function fixedPoint4(d: number): string {
  if (d === 0) return '0.0000';
  const svalue = rint(d * 10000);
  const neg = svalue < 0;
  const digits = String(Math.abs(svalue)).padStart(5, '0');
  return (neg ? '-' : '') + digits.slice(0, -4) + '.' + digits.slice(-4);
}
