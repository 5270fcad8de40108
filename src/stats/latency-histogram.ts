// A per-command latency histogram with the resolution Redis's hdr_histogram gives it (values in ns
// from 1 ns to 1 s, two significant digits): 128 linear sub-buckets per power of two. Feeds INFO
// latencystats (percentiles) and LATENCY HISTOGRAM (cumulative counts at powers of two from 1 µs).

/** LATENCY_HISTOGRAM_MAX_VALUE: longer calls are recorded as 1 s. */
const MAX_NS = 1_000_000_000;
/** hdr_init(1, MAX, 2): sub_bucket_count 256, half 128. */
const SUB_HALF_MAGNITUDE = 7;
const SUB_HALF = 1 << SUB_HALF_MAGNITUDE;
const SUB_COUNT = SUB_HALF * 2;
const SUB_MASK = SUB_COUNT - 1;
const BUCKETS = 23; // enough for 2^30 > MAX_NS
const COUNTS = (BUCKETS + 1) * SUB_HALF;

function bucketIndex(v: number): number {
  // 31 - clz32 is the highest set bit; values here are below 2^31.
  return Math.max(0, 31 - Math.clz32(v | SUB_MASK) - SUB_HALF_MAGNITUDE);
}

function countsIndex(v: number): number {
  // v is a whole number of ns in [1, 1e9]: 32-bit integer arithmetic.
  const b = bucketIndex(v);
  const sub = (v | 0) >>> b;
  return ((b + 1) << SUB_HALF_MAGNITUDE) + (sub - SUB_HALF);
}

function valueFromIndex(i: number): number {
  let b = (i >> SUB_HALF_MAGNITUDE) - 1;
  let sub = (i & (SUB_HALF - 1)) + SUB_HALF;
  if (b < 0) {
    sub -= SUB_HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

/** The largest value that lands in the same count as `v` (hdr's highest_equivalent_value). */
function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  const size = 2 ** b;
  return Math.floor(v / size) * size + size - 1;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS);
  total = 0;

  /** Records one call of `ns` nanoseconds (clamped to [1 ns, 1 s]). */
  record(ns: number): void {
    const v = Math.min(MAX_NS, Math.max(1, Math.round(ns)));
    this.counts[countsIndex(v)]++;
    this.total++;
  }

  /** hdr_value_at_percentile, in ns. */
  valueAtPercentile(p: number): number {
    const requested = Math.min(p, 100);
    const target = Math.max(1, Math.floor((requested / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS; i++) {
      seen += this.counts[i]!;
      if (seen >= target) {
        const v = valueFromIndex(i);
        return p === 0 ? v : highestEquivalent(v);
      }
    }
    return 0;
  }

  /**
   * fillCommandCDF: [µs, cumulative count] at the log iterator's steps (1024 ns, doubling), only
   * where the count grew.
   */
  cdf(): [number, number][] {
    const out: [number, number][] = [];
    let i = 0;
    let cumulative = 0;
    let previous = 0;
    for (let top = 1024; ; top *= 2) {
      // Everything whose value is below `top` ns.
      while (i < COUNTS && valueFromIndex(i) < top) cumulative += this.counts[i++]!;
      if (cumulative > previous) out.push([Math.floor((top - 1) / 1000), cumulative]);
      previous = cumulative;
      if (cumulative >= this.total) break;
    }
    return out;
  }
}
