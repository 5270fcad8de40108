// Policy for the buffers native keeps per client (Redis's networking.c and server.c cron): output-buffer limit
// classes, the static reply buffer's resizing, query-buffer shrinking, recent peaks for INFO,
// and client eviction under maxmemory-clients. Native applies the numbers; this decides them.
import type { Config } from '../config/config.js';
import { Field, SLOT_FIELDS, STAT_FIELDS } from '../engine/layout.js';
import type { Client } from './client.js';
import { ClientFlag } from './flags.js';
import { clientMemory } from './info-line.js';

export interface LimitsEngine {
  setOutputLimit(slot: number, hard: number, soft: number, softSeconds: number): void;
  setWriteCap(slot: number, capped: boolean): void;
  checkOutputLimits(): number[];
  resizeReplyBuffer(slot: number, size: number): boolean;
  resetReplyPeak(slot: number): void;
  shrinkQueryBuffers(idleMs: number): number;
}

const REPLY_MIN = 1024; // PROTO_REPLY_MIN_BYTES
const REPLY_CHUNK = 16 * 1024; // PROTO_REPLY_CHUNK_BYTES
const EVICTION_MIN = 128 * 1024;

type LimitClass = 'normal' | 'replica' | 'pubsub';

/** The output-limit class: the client type, masters and MONITORs counting as normal. */
export function limitClass(c: Client): LimitClass {
  const t = c.type;
  return t === 'pubsub' ? 'pubsub' : t === 'slave' ? 'replica' : 'normal';
}

/** Only normal and pub/sub clients (MONITORs included) can be evicted, never NO-EVICT ones. */
export function evictable(c: Client): boolean {
  if (c.flags & (ClientFlag.NoEvict | ClientFlag.Master)) return false;
  return !(c.flags & ClientFlag.Slave) || (c.flags & ClientFlag.Monitor) !== 0;
}

export class ClientLimits {
  replyBufferShrinks = 0;
  replyBufferExpands = 0;
  evictedClients = 0;
  /** DEBUG REPLYBUFFER PEAK-RESET-TIME (ms; -1 = never) and RESIZING. */
  peakResetTimeMs = 5000;
  resizing = true;
  /** mem_clients_normal: normal, pub/sub and master clients, as of the last cron. */
  memClientsNormal = 0;
  private readonly lastPeakReset = new WeakMap<Client, number>();
  private readonly inputPeaks = new Float64Array(8);
  private readonly outputPeaks = new Float64Array(8);
  private lastPeakSecond = 0;
  private overWarned = false;

  constructor(private readonly engine: LimitsEngine, private readonly config: Config) {}

  /** Replicas whose output carries an RDB payload now: no limit applies (the master's transfer). */
  private readonly exempted = new WeakSet<Client>();

  /** Output limits off for `c` (a diskless payload goes through its output), or back to its class's. */
  exempt(c: Client, on: boolean): void {
    if (on) this.exempted.add(c);
    else this.exempted.delete(c);
    this.applyClass(c, true);
  }

  /** Gives native the client's output limits when its class changed (or `force`). */
  applyClass(c: Client, force = false): void {
    const cls = limitClass(c);
    if (!force && c.limitClass === cls) return;
    c.limitClass = cls;
    const l = this.exempted.has(c) ? { hard: 0, soft: 0, softSeconds: 0 } : this.config.clientOutputBufferLimits()[cls];
    this.engine.setOutputLimit(c.slot, l.hard, l.soft, l.softSeconds);
    // Replicas and MONITORs write without the 64 KiB-per-turn cap.
    this.engine.setWriteCap(c.slot, !(c.flags & ClientFlag.Slave));
  }

  /** The clients cron: the sync output-limit check, buffer resizing, peaks, memory tally. */
  cron(clients: Iterable<Client>, counters: Float64Array, nowMs: number, bySlot: (slot: number) => Client | undefined): Client[] {
    const tripped: Client[] = [];
    for (const slot of this.engine.checkOutputLimits()) {
      const c = bySlot(slot);
      if (c) tripped.push(c);
    }
    const nowS = Math.floor(nowMs / 1000);
    if (nowS !== this.lastPeakSecond) {
      this.lastPeakSecond = nowS;
      this.inputPeaks[(nowS + 1) % 8] = 0;
      this.outputPeaks[(nowS + 1) % 8] = 0;
    }
    let mem = 0;
    for (const c of clients) {
      const base = STAT_FIELDS + c.slot * SLOT_FIELDS;
      this.resizeReplyBuffer(c, counters, base, nowMs);
      const input = counters[base + Field.Qbuf] + counters[base + Field.QbufFree] + c.argvMem;
      const output = counters[base + Field.Omem];
      const i = nowS % 8;
      if (input > this.inputPeaks[i]) this.inputPeaks[i] = input;
      if (output > this.outputPeaks[i]) this.outputPeaks[i] = output;
      if (c.type !== 'slave') mem += clientMemory(c, counters);
    }
    this.memClientsNormal = mem;
    this.engine.shrinkQueryBuffers(2000);
    return tripped;
  }

  /** clientsCronResizeOutputBuffer: between 1 KiB and 16 KiB, following the peak use. */
  private resizeReplyBuffer(c: Client, counters: Float64Array, base: number, nowMs: number): void {
    const rbs = counters[base + Field.Rbs];
    const rbp = counters[base + Field.Rbp];
    if (this.resizing) {
      let size = 0;
      let shrink = false;
      if (rbs / 2 >= REPLY_MIN && rbp < rbs / 2) {
        size = Math.max(REPLY_MIN, rbp + 1);
        shrink = true;
      } else if (rbs * 2 < REPLY_CHUNK * 2 && rbp === rbs) {
        size = Math.min(REPLY_CHUNK, rbs * 2);
      }
      if (size && this.engine.resizeReplyBuffer(c.slot, size)) {
        if (shrink) this.replyBufferShrinks++;
        else this.replyBufferExpands++;
      }
    }
    const last = this.lastPeakReset.get(c) ?? 0;
    if (this.peakResetTimeMs >= 0 && nowMs - last >= this.peakResetTimeMs) {
      this.engine.resetReplyPeak(c.slot);
      this.lastPeakReset.set(c, nowMs);
    }
  }

  get recentMaxInput(): number {
    return Math.max(...this.inputPeaks);
  }

  get recentMaxOutput(): number {
    return Math.max(...this.outputPeaks);
  }

  /** The eviction limit and the clients' memory as of the last evict() (0: eviction off). */
  limit = 0;
  lastTotal = 0;

  /**
   * Before a command runs (processCommand): its arguments now count for the client, so when they
   * take the clients over the limit eviction runs at once; true when `c` itself was evicted (the
   * command is then dropped). O(argc) unless the limit is crossed.
   */
  evictBeforeCommand(c: Client, argvBytes: number, clients: Iterable<Client>, counters: Float64Array,
    free: (c: Client, memory: number) => void, warn: (msg: string) => void): boolean {
    if (this.lastTotal + argvBytes < this.limit) return false;
    c.argvMem = argvBytes;
    this.evict(clients, counters, free, warn);
    c.argvMem = 0;
    return c.closing;
  }

  /** maxmemory-clients in bytes (0 = no eviction); at least 128 KiB, as Redis. */
  evictionLimit(): number {
    const v = this.config.bytesOrPercent('maxmemory-clients');
    let limit: number;
    if ('percent' in v) {
      const maxmemory = this.config.int('maxmemory');
      limit = maxmemory > 0 ? Math.floor((maxmemory * v.percent) / 100) : 0;
    } else {
      limit = v.bytes;
    }
    return limit > 0 ? Math.max(limit, EVICTION_MIN) : 0;
  }

  /**
   * evictClients: while normal + pub/sub client memory is at or over the limit, free the
   * largest evictable client. NO-EVICT clients count in the sum but are never chosen.
   */
  evict(clients: Iterable<Client>, counters: Float64Array, free: (c: Client, memory: number) => void, warn: (msg: string) => void): number {
    const limit = this.evictionLimit();
    this.limit = limit;
    if (!limit) return 0;
    let total = 0;
    const candidates: [Client, number][] = [];
    for (const c of clients) {
      if (c.type === 'slave' || c.type === 'master') continue;
      const m = clientMemory(c, counters);
      total += m;
      if (evictable(c)) candidates.push([c, m]);
    }
    this.lastTotal = total;
    if (total < limit) {
      this.overWarned = false;
      return 0;
    }
    candidates.sort((a, b) => b[1] - a[1]);
    let n = 0;
    for (const [c, m] of candidates) {
      if (total < limit) break;
      free(c, m);
      total -= m;
      n++;
      this.evictedClients++;
    }
    this.lastTotal = total;
    if (total >= limit && !this.overWarned) {
      warn('Over client maxmemory after evicting all evictable clients');
      this.overWarned = true;
    }
    return n;
  }
}
