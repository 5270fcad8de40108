// What dispatch asks of the server around each command (server.c processCommand and call()):
// client eviction and key eviction before it, CLIENT PAUSE, and after it the slow log, the
// latency monitor and histograms, tracking's remembered keys and the MONITOR feed. And the end
// of a batch (beforeSleep).
import type { BlockingRegistry } from '../clients/blocking.js';
import { ClientFlag } from '../clients/flags.js';
import type { ClientLifecycle } from '../clients/lifecycle.js';
import type { Tracking } from '../clients/tracking.js';
import { redactedArgs } from '../commands/redact.js';
import { CmdFlag, type Command, type CommandCall } from '../table/table.js';
import type { Config } from '../config/config.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import type { LatencyMonitor } from '../stats/latency-monitor.js';
import type { SlowLog } from '../stats/slowlog.js';
import { repr } from '../util/sds.js';
import type { Logger } from '../util/log.js';
import type { BatchHooks, BatchRunner } from './batch.js';
import type { Blocked } from './blocked.js';
import type { Memory } from './memory.js';

export class CommandHooks implements BatchHooks {
  /** The directives read after every command, kept as numbers (config.onChange refreshes them). */
  private readonly perCommand = { slowlogUs: 10000, slowlogMax: 128, latencyMs: 0, tracking: true };
  private lastSecurityWarning = 0;
  /** beforeSleep's flushAppendOnlyFile: the AOF buffer written at the end of every batch. */
  beforeSleep: () => void = () => undefined;
  /** The batch's replication stream written to the online replicas (ReplicationMaster.flushStream). */
  flushReplicaStream: () => void = () => undefined;
  /** Set once the batch runner exists (MONITOR lines are written through it). */
  runner: BatchRunner | undefined;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    private readonly lifecycle: ClientLifecycle,
    private readonly blocked: Blocked,
    private readonly blocking: BlockingRegistry,
    private readonly tracking: Tracking,
    private readonly memory: Memory,
    private readonly slowlog: SlowLog,
    private readonly latency: LatencyMonitor,
  ) {
    const read = () => {
      const p = this.perCommand;
      p.slowlogUs = config.int('slowlog-log-slower-than');
      p.slowlogMax = config.int('slowlog-max-len');
      p.latencyMs = config.int('latency-monitor-threshold');
      p.tracking = config.bool('latency-tracking');
      slowlog.trim(p.slowlogMax);
    };
    read();
    config.onChange((name) => {
      if (name.startsWith('slowlog-') || name.startsWith('latency-')) read();
    });
  }

  /** "POST" / "Host:": a browser or proxy speaking HTTP to us. Logged once a minute at most. */
  securityWarning(call: CommandCall): void {
    const now = Date.now();
    if (now - this.lastSecurityWarning > 60000) {
      this.lastSecurityWarning = now;
      const addr = call.client.addr;
      const colon = addr.lastIndexOf(':');
      const from = addr ? ` from ${addr.slice(0, colon)}:${addr.slice(colon + 1)}` : '';
      this.log.warning(
        `Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection${from} aborted.`,
      );
    }
    this.lifecycle.freeClientAsync(call.client);
  }

  evictClientsBeforeCommand(call: CommandCall): boolean {
    const args = call.args;
    let bytes = 0;
    for (let i = 0; i < args.count; i++) bytes += args.len(i) + 8;
    return this.lifecycle.evictBeforeCommand(call.client, bytes);
  }

  /** Whether the last command found memory over maxmemory after evicting (pre_command_oom_state). */
  preCommandOom = false;

  outOfMemory(call: CommandCall): boolean {
    // No eviction while loading (isSafeToPerformEvictions): the dataset is not whole yet.
    const oom = !call.server.persistence.loading && this.memory.outOfMemory(call.now);
    this.preCommandOom = oom;
    // Evicted keys may have had watchers and tracking clients: tell them now, as Redis does.
    if (this.memory.maxmemory !== 0) this.tracking.broadcastPending();
    return oom;
  }

  postpone(call: CommandCall, cmd: Command): boolean {
    return this.blocked.postpone(call, cmd);
  }

  afterCommand(call: CommandCall, cmd: Command): void {
    const c = call.client;
    if (c.blocked === undefined) this.recordLatency(call, cmd);
    if (c.tracking && cmd.flags & CmdFlag.Readonly && cmd.firstKey > 0) {
      const keys: string[] = [];
      const last = cmd.lastKey < 0 ? call.args.count + cmd.lastKey : cmd.lastKey;
      for (let i = cmd.firstKey; i <= last && i < call.args.count; i += cmd.step || 1) keys.push(call.args.str(i));
      this.tracking.rememberKeys(c, keys);
    }
    if (this.lifecycle.monitors.size && !call.reprocessing && !(cmd.flags & (CmdFlag.Admin | CmdFlag.SkipMonitor))) this.feedMonitors(call, cmd);
  }

  hasReadyKeys(): boolean {
    return this.blocking.hasReady();
  }

  serveReadyKeys(): void {
    this.blocked.serveReadyKeys();
  }

  pauseEnded(now: number): boolean {
    return this.blocked.pauseEnded(now);
  }

  updatePause(now: number): void {
    this.blocked.updatePause(now);
  }

  endOfBatch(): void {
    // Redis's beforeSleep: BCAST invalidations collected during the batch go out once per prefix.
    this.tracking.broadcastPending();
    this.lifecycle.freeClientsInAsyncQueue();
    if (this.config.str('maxmemory-clients') !== '0') this.lifecycle.evictClients();
    this.flushReplicaStream();
    this.beforeSleep();
  }

  /** The slow log, the latency monitor and the per-command histogram (server.c call()). */
  private recordLatency(call: CommandCall, cmd: Command): void {
    const p = this.perCommand;
    const us = call.us;
    if (p.tracking) (cmd.histogram ??= new LatencyHistogram()).record(us * 1000);
    if (p.slowlogUs >= 0 && us >= p.slowlogUs && !(cmd.flags & CmdFlag.SkipSlowlog)) {
      const args = call.args;
      this.slowlog.push(p.slowlogUs, p.slowlogMax, us, args.count, (i) => args.str(i), redactedArgs(cmd, args), call.client.addr, call.client.name, Date.now());
    }
    if (p.latencyMs > 0 && us / 1000 >= p.latencyMs) {
      this.latency.addSample(cmd.flags & CmdFlag.Fast ? 'fast-command' : 'command', Math.floor(us / 1000), Date.now());
    }
  }

  /** MONITOR lines: +<time> [<db> <addr>] "arg" ..., AUTH and HELLO AUTH secrets redacted. */
  feedMonitors(call: CommandCall, cmd: Command): void {
    if (this.lifecycle.monitors.size === 0) return;
    const c = call.client;
    const t = performance.timeOrigin + performance.now();
    const sec = Math.floor(t / 1000);
    const usec = Math.floor((t - sec * 1000) * 1000);
    const where = c.flags & ClientFlag.UnixSocket ? `unix:${this.config.str('unixsocket')}` : c.addr;
    const args = call.args;
    const redact = redactedArgs(cmd, args);
    let line = `${sec}.${String(usec).padStart(6, '0')} [${c.db} ${where}]`;
    for (let i = 0; i < args.count; i++) line += ' ' + (redact?.has(i) ? '"(redacted)"' : repr(args.str(i)));
    // A MONITOR client sees its own commands too (after their replies).
    for (const m of this.lifecycle.monitors) this.runner!.writeTo(m, (w) => w.status(line), true);
  }
}
