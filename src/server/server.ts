// The server: the parts wired together, and the face commands see (ServerContext). Each part lives
// in its own file (clients/lifecycle.ts, batch.ts, blocked.ts, listeners.ts, cron.ts, memory.ts,
// hooks.ts, info.ts, stats.ts; persistence, the AOF and replication through their hosts).
import { Acl } from '../acl/acl.js';
import { BlockingRegistry } from '../clients/blocking.js';
import { ClusterNode } from '../cluster/node.js';
import { lookupCommand } from '../commands/dispatch.js';
import type { Client } from '../clients/client.js';
import { ClientLifecycle } from '../clients/lifecycle.js';
import { ClientLimits } from '../clients/limits.js';
import { PubSub } from '../clients/pubsub.js';
import { ClientRegistry } from '../clients/registry.js';
import { Tracking } from '../clients/tracking.js';
import { WatchRegistry } from '../clients/watch.js';
import type { BusyScript, ServerContext, ShutdownOptions } from '../commands/context.js';
import { buildCommandTable } from '../commands/index.js';
import { notifyKeyspaceEvent, wireKeyspace } from '../commands/notify.js';
import type { Command, CommandCall, CommandTable } from '../table/table.js';
import { Config } from '../config/config.js';
import { Keyspace, type KeyspaceObserver } from '../data/keyspace.js';
import { loadBinding } from '../engine/native.js';
import { releaseValue, setDetacher } from '../engine/release.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { LatencyMonitor } from '../stats/latency-monitor.js';
import { SlowLog } from '../stats/slowlog.js';
import { randomBytes } from '../util/crypto.js';
import { Level, Logger } from '../util/log.js';
import { scriptCacheStats, scriptingCommands } from '../scripting/commands.js';
import { functionCommands, libraryStats } from '../scripting/functions.js';
import { Propagation, wirePropagation } from '../propagation/index.js';
import { aofCommandsOf, aofFor, closePersistence, loadDataFromDisk, persistenceCron, persistenceFor, replicaFor, replicationFor, timedBatches } from './hosts.js';
import type { Aof, Persistence, ReplicationMaster, ReplicationReplica } from './hosts.js';
import { BatchRunner } from './batch.js';
import { Blocked } from './blocked.js';
import { applyConfig, engineOptionsFor } from './config-apply.js';
import { Cron } from './cron.js';
import { CommandHooks } from './hooks.js';
import { buildInfo } from './info.js';
import { Listeners } from './listeners.js';
import { Memory } from './memory.js';
import { ServerState } from './state.js';
import { ServerStats } from './stats.js';

export interface ServerOptions {
  config: Config;
  configFile?: string;
  /** Bind TCP to a kernel-chosen port (createServer({ port: 0 })). */
  ephemeralPort?: boolean;
  /** Open a TLS listener on a kernel-chosen port when tls-port is 0 (createServer({ tls: true })). */
  ephemeralTlsPort?: boolean;
  /** Test hook: with io-threads > 1, the IO threads serve every turn whatever the load. */
  ioThreadsAlways?: boolean;
  logger?: Logger;
  /** Called when SHUTDOWN or a signal stops the server. */
  onShutdown?: () => void;
}

export class Server implements ServerContext, KeyspaceObserver {
  readonly config: Config;
  readonly configFile: string;
  readonly log: Logger;
  readonly keyspace: Keyspace;
  readonly clients = new ClientRegistry();
  readonly commands: CommandTable;
  readonly acl: Acl;
  readonly pubsub: PubSub;
  readonly watches = new WatchRegistry();
  readonly blocking = new BlockingRegistry();
  readonly tracking: Tracking;
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  readonly runId = randomBytes(20).toString('hex');
  /** master_replid: the run id until DEBUG CHANGE-REPL-ID (or, later, a failover) changes it. */
  replId = this.runId;
  readonly debugFlags = { activeExpire: true, pauseCron: false };
  startedMs = Date.now();
  dirty = 0;
  pollBackend = '';
  readonly propagation = new Propagation();

  readonly st: ServerState;
  readonly lifecycle: ClientLifecycle;
  readonly memory: Memory;
  readonly listeners: Listeners;
  readonly stats: ServerStats;
  readonly blocked: Blocked;
  readonly persistence: Persistence;
  readonly replication: ReplicationMaster;
  readonly aof: Aof;
  readonly cluster: ClusterNode | undefined;
  readonly replica: ReplicationReplica;
  readonly runner: BatchRunner;
  private readonly hooks: CommandHooks;
  private readonly cron: Cron;
  private readonly ioThreadsAlways: boolean;
  private readonly onShutdown: (() => void) | undefined;
  /** The request whose FLUSH* already told tracking clients (once per request). */
  private flushInvalidatedAt = -1;
  private stopped = false;

  constructor(opts: ServerOptions) {
    const config = (this.config = opts.config);
    this.configFile = opts.configFile ?? '';
    this.ioThreadsAlways = opts.ioThreadsAlways ?? false;
    this.onShutdown = opts.onShutdown;
    const log = (this.log = opts.logger ?? new Logger());
    this.keyspace = new Keyspace(config.int('databases'));
    this.keyspace.observe(this);
    this.cluster = config.bool('cluster-enabled') ? new ClusterNode(config, this.keyspace) : undefined;
    this.commands = buildCommandTable([...scriptingCommands, ...functionCommands, ...aofCommandsOf(this)]);
    for (const [from, to] of config.fileDirective('rename-command')) this.commands.rename(from!, to!);
    this.acl = new Acl(config, this.commands);
    const st = (this.st = new ServerState(this));
    const writeTo = (t: Client, w: (r: ReplyWriter) => void, push: boolean) => this.writeTo(t, w, push);
    this.pubsub = new PubSub(writeTo);
    this.tracking = new Tracking(writeTo, this.clients);
    // Expired/new/keymiss notifications and LFU counting need the server's pub/sub and config.
    wireKeyspace(this);
    this.keyspace.dropped = releaseValue;
    const infoLine = (c: Client) => this.runner.clientInfoLine(c);
    this.lifecycle = new ClientLifecycle(st, this, config, this.acl, log, infoLine);
    const evicted = wirePropagation(this.propagation, this.keyspace, config);
    this.memory = new Memory(st, this.keyspace, config, (db, key) => evicted(db, key, notifyKeyspaceEvent(this, 'e', 'evicted', key, db)), () => {
      const e = scriptCacheStats(this);
      const f = libraryStats(this);
      return { scripts: e.scripts, scriptBytes: e.bytes, functions: f.functions, libraries: f.libraries, functionBytes: f.bytes };
    });
    this.listeners = new Listeners(config, log, { tcp: opts.ephemeralPort ?? false, tls: opts.ephemeralTlsPort ?? false });
    this.blocked = new Blocked(st, this.blocking, this.clients, this.commands, this.keyspace, this.tracking, this.lifecycle, config, log);
    const hooks = (this.hooks = new CommandHooks(config, log, this.lifecycle, this.blocked, this.blocking, this.tracking, this.memory, this.slowlog, this.latency));
    this.runner = this.blocked.runner = hooks.runner = new BatchRunner(st, this.clients, this.commands, this.lifecycle, this.acl, log, hooks);
    this.cron = new Cron(st, config, this.debugFlags, this.keyspace, this.clients, this.lifecycle, this.blocked, this.tracking, (now) => persistenceCron(this, now), () => this.persistence.loading);
    this.stats = new ServerStats(this);
    this.persistence = persistenceFor(this);
    this.replication = replicationFor(this, hooks);
    ({ replica: this.replica, links: this.runner.outgoing } = replicaFor(this));
    this.aof = aofFor(this, st, hooks);
  }

  /** The AOF or the RDB loaded at start, the RDB in slices (loading-host.ts); rejects with the message to log. */
  loadDataFromDisk(): Promise<void> {
    return loadDataFromDisk(this);
  }

  get now(): number {
    return this.st.call.now;
  }

  get counters(): Float64Array {
    return this.st.counters;
  }

  /** Listens and starts serving. Throws with Redis's message if a listener can't be opened. */
  start(): void {
    this.memory.takeBaseline();
    const engine = new (loadBinding().Engine)(this.engineOptions());
    const st = this.st;
    st.engine = engine;
    st.limits = new ClientLimits(engine, this.config);
    this.acl.clientInfo = (c) => this.runner.clientInfoLine(c);
    this.pollBackend = engine.pollBackend();
    if (engine.pollFallback()) this.log[this.config.str('io-uring') === 'yes' ? 'warning' : 'notice'](engine.pollFallback()); // io_uring not used, and why
    setDetacher((ab) => engine.release(ab));
    engine.setReplyArea(st.writer.area, st.writer.index);
    try {
      this.listeners.open(engine);
      this.cluster?.start({ tcp: this.tcpPortBound, tls: this.tlsPortBound });
    } catch (e) {
      engine.stop();
      st.engine = undefined;
      throw e;
    }
    engine.start(
      timedBatches((words, bigs) => this.runner.onBatch(words, bigs), () => st.commandsProcessed, this.log), // RESPD_TURN_STATS
      (records, arena, counters) => {
        st.records = new Uint32Array(records);
        st.arena = Buffer.from(arena);
        st.counters = new Float64Array(counters);
      },
    );
    this.startedMs = Date.now();
    this.cron.schedule();
    this.replica.startFromConfig();
  }

  /** Stops listening, writes what can be written, closes every client. Idempotent. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    closePersistence(this);
    this.cron.stop();
    this.blocked.stop();
    this.st.writer.commit();
    this.st.engine?.stop();
    this.lifecycle.unlinkAll();
  }

  get tcpPortBound(): number {
    return this.listeners.port('tcp');
  }

  get tlsPortBound(): number {
    return this.listeners.port('tls');
  }

  engineOptions(): ReturnType<typeof engineOptionsFor> {
    return engineOptionsFor(this.config, this.acl, this.ioThreadsAlways);
  }

  rescheduleCron(): void {
    this.cron.schedule();
  }

  /** KeyspaceObserver: WATCH, blocked clients and tracking hear of every change. */
  keyModified(db: number, key: string): void {
    this.watches.touch(db, key);
    this.blocking.signalDeleted(db, key);
    if (this.tracking.trackingClients > 0) this.tracking.keyModified(key, this.st.current);
  }

  dbFlushed(db: number): void {
    this.blocking.signalDbFlushed(db);
    const dict = this.keyspace.dbs[db].dict;
    this.watches.touchDb(db, (k) => dict.has(k));
    // FLUSHALL clears every database, but tracking clients hear of it once (signalFlushedDb).
    if (this.tracking.trackingClients > 0 && this.flushInvalidatedAt !== this.st.requestSeq) {
      this.flushInvalidatedAt = this.st.requestSeq;
      this.tracking.flushed();
    }
  }

  // ---- ServerContext: what commands ask for, handed to the part that does it ----------------------

  shutdown(how: ShutdownOptions): { ok: true } | { ok: false; error: string } {
    this.log.warning('User requested shutdown...');
    if (!this.aof.beforeShutdown(how.force) || !this.persistence.beforeShutdown(how)) return { ok: false, error: 'Errors trying to SHUTDOWN. Check logs.' };
    this.log.warning('Redis is now ready to exit, bye bye...');
    // Finish the batch first: replies of earlier commands still go out.
    setImmediate(() => {
      this.close();
      this.onShutdown?.();
    });
    return { ok: true };
  }

  applyConfig(changed: readonly string[]): { arg: string; error: string } | undefined {
    return applyConfig(this, changed);
  }

  resetStats(): void {
    this.stats.reset();
  }

  info(sections: readonly string[]): string {
    return buildInfo(this, sections);
  }

  logWarning(msg: string): void {
    this.log.warning(msg);
  }

  logAt(level: number, msg: string): void {
    this.log.log(level as Level, msg);
  }

  changeReplicationId(): void {
    this.log.notice('Changing replication IDs after receiving DEBUG change-repl-id');
    this.replId = randomBytes(20).toString('hex');
  }

  debugReplyBuffer(opts: { peakResetTimeMs?: number; resizing?: boolean }): void {
    if (this.st.limits) Object.assign(this.st.limits, opts);
  }

  writeTo(target: Client, write: (r: ReplyWriter) => void, push = true): void {
    this.runner.writeTo(target, write, push);
  }

  runQueued(call: CommandCall, cmd: Command): void {
    this.runner.runQueued(call, cmd);
  }

  callFromScript(call: CommandCall, cmd: Command): void {
    this.runner.callFromScript(call, cmd);
  }

  get preCommandOom(): boolean {
    return this.hooks.preCommandOom;
  }

  feedMonitors(call: CommandCall, cmd?: Command): void {
    if (this.lifecycle.monitors.size === 0) return;
    this.hooks.feedMonitors(call, cmd ?? lookupCommand(this.commands, call.args)!);
  }

  serveWhileBusy(busy: BusyScript): void {
    this.runner.serveWhileBusy(busy, () => this.shutdown({ save: false, nosave: true, now: false, force: false }));
  }
}
