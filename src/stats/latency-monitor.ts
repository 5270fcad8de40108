// The latency monitor (latency.c): for each event class ("command", "fast-command", ...) the
// latest 160 one-second samples of latencies at or above latency-monitor-threshold, and the worst.
// LATENCY LATEST / HISTORY / RESET / DOCTOR read it.

const TS_LEN = 160;

export interface LatencySample {
  time: number;
  latency: number;
}

export class LatencyTimeSeries {
  idx = 0;
  max = 0;
  readonly samples: LatencySample[] = Array.from({ length: TS_LEN }, () => ({ time: 0, latency: 0 }));

  /** The samples oldest first, empty slots left out. */
  ordered(): LatencySample[] {
    const out: LatencySample[] = [];
    for (let j = 0; j < TS_LEN; j++) {
      const s = this.samples[(this.idx + j) % TS_LEN]!;
      if (s.time !== 0) out.push(s);
    }
    return out;
  }

  latest(): LatencySample {
    return this.samples[(this.idx + TS_LEN - 1) % TS_LEN]!;
  }
}

export class LatencyMonitor {
  readonly events = new Map<string, LatencyTimeSeries>();

  /** latencyAddSample: one sample per second per event, the worst of that second kept. */
  addSample(event: string, latencyMs: number, nowMs: number): void {
    let ts = this.events.get(event);
    if (!ts) {
      ts = new LatencyTimeSeries();
      this.events.set(event, ts);
    }
    const now = Math.floor(nowMs / 1000);
    if (latencyMs > ts.max) ts.max = latencyMs;
    const prev = ts.samples[(ts.idx + TS_LEN - 1) % TS_LEN]!;
    if (prev.time === now) {
      if (latencyMs > prev.latency) prev.latency = latencyMs;
      return;
    }
    const s = ts.samples[ts.idx]!;
    s.time = now;
    s.latency = latencyMs;
    ts.idx = (ts.idx + 1) % TS_LEN;
  }

  /** latencyResetEvent: the number of event classes dropped. */
  reset(event?: string): number {
    if (event === undefined) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    return this.events.delete(event) ? 1 : 0;
  }

  /** analyzeLatencyForEvent + createLatencyReport, for the events respd records. */
  report(thresholdMs: number, slowlogThresholdUs: number): string {
    if (this.events.size === 0 && thresholdMs === 0) {
      return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
    }
    let report = '';
    let n = 0;
    let adviseSlowlogEnabled = false;
    let adviseSlowlogTuning = false;
    let adviseSlowlogInspect = false;
    let adviseScheduler = false;
    for (const [event, ts] of this.events) {
      n++;
      if (n === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
      const samples = ts.ordered();
      const count = samples.length;
      const sum = samples.reduce((a, s) => a + s.latency, 0);
      const avg = count ? Math.floor(sum / count) : 0;
      const mad = count ? Math.floor(samples.reduce((a, s) => a + Math.abs(s.latency - avg), 0) / count) : 0;
      const period = count ? Math.floor(Date.now() / 1000) - samples[0]!.time : 0;
      report += `${n}. ${event}: ${count} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${(count ? period / count : 0).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
      if (event === 'command') {
        if (slowlogThresholdUs < 0) adviseSlowlogEnabled = true;
        else if (slowlogThresholdUs / 1000 > thresholdMs) adviseSlowlogTuning = true;
        adviseSlowlogInspect = true;
      }
      if (event === 'fast-command') adviseScheduler = true;
      report += '\n';
    }
    if (n === 0) {
      return 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
    }
    report += '\nI have a few advices for you:\n\n';
    if (adviseSlowlogEnabled) {
      report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${thresholdMs * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
    }
    if (adviseSlowlogTuning) {
      report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${thresholdMs * 1000}'.\n`;
    }
    if (adviseSlowlogInspect) {
      report += '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n';
    }
    if (adviseScheduler) {
      report += '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
        '  1) Lower the system load.\n' +
        '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
        '  3) Check if you have a "noisy neighbour" problem.\n' +
        '  4) Check with \'redis-cli --intrinsic-latency 100\' what is the intrinsic latency in your system.\n' +
        '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n';
    }
    if (adviseSlowlogInspect) {
      report += '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
    }
    return report;
  }
}
