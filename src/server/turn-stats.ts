// A debug switch for finding where the tail latency comes from, off unless RESPD_TURN_STATS=<seconds>
// is in the environment (and then costs two clock reads per batch): each batch's JavaScript time,
// its commands, the time between batches (the event loop's other work: timers, the cron, the native
// side of the turn) and V8's GC pauses by kind are counted in power-of-two histograms, logged as one
// warning line every <seconds> while batches ran, and reset. Measurement only, never a policy.
// It also reports the JavaScript heap allocated per command (the growth of V8's young generation
// across the batches no scavenge interrupted): what sets how often scavenges, and so the tail, come. Unlike a
// time, that figure does not move with the machine's load.
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { Logger } from '../util/log.js';

/** Bytes used in V8's young generation: it only grows between scavenges (the old spaces' sweeper frees memory at any time). */
function youngUsed(): number {
  let n = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space' || s.space_name === 'new_large_object_space') n += s.space_used_size;
  return n;
}

/** Counts in buckets of powers of two: bucket i holds values below 2^i (µs, commands). */
class Histogram {
  readonly counts = new Float64Array(40);
  n = 0;
  sum = 0;
  max = 0;

  add(v: number): void {
    this.counts[v < 1 ? 0 : Math.min(39, Math.ceil(Math.log2(v + 1)))]++;
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** The bucket bound below which a fraction q of the values lie. */
  quantile(q: number): number {
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= q * this.n) return 2 ** i;
    }
    return this.max;
  }

  text(unit: string): string {
    if (this.n === 0) return 'none';
    return `n=${this.n} mean=${(this.sum / this.n).toFixed(1)}${unit} p50<${this.quantile(0.5)} p99<${this.quantile(0.99)} p999<${this.quantile(0.999)} max=${this.max.toFixed(0)}${unit}`;
  }
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

class TurnStats {
  private batchUs = new Histogram();
  private gapUs = new Histogram();
  private commands = new Histogram();
  /** Commands weighted by the time of the batch they waited in: what a request sees. */
  private slowBatchCommands = 0;
  private gc = new Map<string, Histogram>();
  private lastEnd = 0;
  /** Heap growth over the batches without a GC, and their commands. */
  private allocBytes = 0;
  private allocCommands = 0;
  /** What a reading of the used heap allocates itself, taken off each batch's growth. */
  private readonly readCost: number;
  private readonly observer: PerformanceObserver;

  constructor(private readonly log: Logger, intervalS: number) {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const detail = (e as PerformanceEntry & { detail?: { kind?: number } }).detail;
        const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
        let h = this.gc.get(kind);
        if (!h) this.gc.set(kind, (h = new Histogram()));
        h.add(e.duration * 1000);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
    let cost = Infinity;
    for (let i = 0; i < 20; i++) {
      const a = youngUsed();
      const b = youngUsed();
      if (b >= a) cost = Math.min(cost, b - a);
    }
    this.readCost = Number.isFinite(cost) ? cost : 0;
    setInterval(() => this.report(), intervalS * 1000).unref();
    process.on('exit', () => this.report());
  }

  wrap(run: (words: number, bigs: ArrayBuffer[] | undefined) => void, processed: () => number) {
    return (words: number, bigs: ArrayBuffer[] | undefined): void => {
      const t0 = performance.now();
      if (this.lastEnd) this.gapUs.add((t0 - this.lastEnd) * 1000);
      const c0 = processed();
      const h0 = youngUsed();
      run(words, bigs);
      const h1 = youngUsed();
      const t1 = performance.now();
      const n = processed() - c0;
      // A young generation that shrank was scavenged meanwhile: that batch says nothing of its allocations.
      if (h1 >= h0 && n > 0) {
        this.allocBytes += Math.max(0, h1 - h0 - this.readCost);
        this.allocCommands += n;
      }
      this.batchUs.add((t1 - t0) * 1000);
      this.commands.add(n);
      if (t1 - t0 > 1) this.slowBatchCommands += n;
      this.lastEnd = t1;
    };
  }

  private report(): void {
    if (this.batchUs.n === 0) return;
    const gc = [...this.gc].map(([k, h]) => `${k}: ${h.text('us')}`).join('; ');
    this.log.warning(
      `turn stats: batch js ${this.batchUs.text('us')} | commands/batch ${this.commands.text('')} | ` +
        `commands in batches over 1 ms ${this.slowBatchCommands} of ${this.commands.sum} | ` +
        `between batches ${this.gapUs.text('us')} | gc ${gc || 'none'} | ` +
        `heap allocated per command ${this.allocCommands ? (this.allocBytes / this.allocCommands).toFixed(1) : '-'} bytes (${this.allocCommands} commands in batches without a GC)`,
    );
    this.batchUs = new Histogram();
    this.gapUs = new Histogram();
    this.commands = new Histogram();
    this.slowBatchCommands = 0;
    this.gc = new Map();
    this.lastEnd = 0;
    this.allocBytes = this.allocCommands = 0;
  }
}

/**
 * The batch callback, timed when RESPD_TURN_STATS is set (its value: seconds between reports),
 * as given otherwise.
 */
export function timedBatches(
  run: (words: number, bigs: ArrayBuffer[] | undefined) => void,
  processed: () => number,
  log: Logger,
): (words: number, bigs: ArrayBuffer[] | undefined) => void {
  const interval = Number(process.env.RESPD_TURN_STATS ?? '0');
  if (!(interval > 0)) return run;
  return new TurnStats(log, interval).wrap(run, processed);
}
