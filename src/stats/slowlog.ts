// The slow log (slowlog.c): the newest commands that ran for at least slowlog-log-slower-than µs,
// at most slowlog-max-len of them, newest first. Arguments are copied (at most 32, each cut at 128
// bytes) so that an entry never shares a buffer with the keyspace or the batch arena.

const MAX_ARGC = 32;
const MAX_STRING = 128;

export interface SlowlogEntry {
  readonly id: number;
  /** Unix time in seconds. */
  readonly time: number;
  /** Microseconds. */
  readonly duration: number;
  readonly args: readonly string[];
  readonly peer: string;
  readonly name: string;
}

export class SlowLog {
  /** Newest first. */
  entries: SlowlogEntry[] = [];
  private nextId = 0;

  /**
   * slowlogPushEntryIfNeeded. `arg(i)` gives argument i as a binary string; `redacted` arguments
   * show as "(redacted)", as Redis rewrites AUTH's and HELLO AUTH's.
   */
  push(thresholdUs: number, maxLen: number, durationUs: number, argc: number, arg: (i: number) => string,
    redacted: ReadonlySet<number> | undefined, peer: string, name: string, nowMs: number): void {
    if (thresholdUs < 0 || maxLen === 0 || durationUs < thresholdUs) return;
    const n = Math.min(argc, MAX_ARGC);
    const args: string[] = [];
    for (let j = 0; j < n; j++) {
      if (n !== argc && j === n - 1) {
        args.push(`... (${argc - n + 1} more arguments)`);
      } else if (redacted?.has(j)) {
        args.push('(redacted)');
      } else {
        const a = arg(j);
        args.push(a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a.slice());
      }
    }
    this.entries.unshift({ id: this.nextId++, time: Math.floor(nowMs / 1000), duration: Math.floor(durationUs), args, peer, name });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  /** SLOWLOG RESET (ids go on counting, as in Redis). */
  reset(): void {
    this.entries = [];
  }

  /** CONFIG SET slowlog-max-len: the oldest entries past the new length go at once. */
  trim(maxLen: number): void {
    if (this.entries.length > maxLen) this.entries.length = Math.max(0, maxLen);
  }
}
