// The server: config, engine, client registry, keyspace and command table wired together.
// It turns each native batch into client events and command calls, owns the client
// lifecycle (create, link, free, free-async), the listeners and the cron.
import { randomBytes } from 'node:crypto';
import type { NativeEngine } from '../../binding.js';
import { Acl } from '../acl/acl.js';
import { BlockingRegistry } from '../clients/blocking.js';
import { BlockType, Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import { clientInfoLine } from '../clients/info-line.js';
import { ClientLimits } from '../clients/limits.js';
import { PubSub } from '../clients/pubsub.js';
import { ClientRegistry } from '../clients/registry.js';
import { repr } from '../clients/repr.js';
import { Tracking } from '../clients/tracking.js';
import { WatchRegistry } from '../clients/watch.js';
import { buildCommandTable } from '../commands/index.js';
import { callCommand, lookupCommand, processCommand, queuedFlags, type DispatchHooks } from '../commands/dispatch.js';
import type { ServerContext } from '../commands/context.js';
import { CmdFlag, type Command, type CommandCall, type CommandTable } from '../commands/table.js';
import { discardTransaction } from '../commands/transactions.js';
import { notifyKeyspaceEvent, wireKeyspace } from '../commands/notify.js';
import { activeExpireCycle } from '../data/active-expire.js';
import { DatasetEstimate } from '../data/memory.js';
import { Evictor } from './evict.js';
import { redactedArgs } from '../commands/redact.js';
import { LatencyHistogram } from '../stats/latency-histogram.js';
import { LatencyMonitor } from '../stats/latency-monitor.js';
import { SlowLog } from '../stats/slowlog.js';
import { Config } from '../config/config.js';
import { Keyspace, type KeyspaceObserver } from '../data/keyspace.js';
import { Args } from '../engine/args.js';
import { CloseReason, Field, OPEN_LOCAL, OPEN_UNIX, ProtoError, Rec, SLOT_FIELDS, STAT_FIELDS, Stat } from '../engine/layout.js';
import { loadBinding } from '../engine/native.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { Args as ArgsType } from '../engine/args.js';
import { releaseValue, setDetacher } from '../engine/release.js';
import { buildInfo, type InfoSource } from './info.js';
import { Level, Logger } from './log.js';
import { TLS_CONTEXT_DIRECTIVES, TLS_UPDATE_ERROR, tlsInUse, tlsSettings } from './tls.js';
import type { TlsAuthClients } from '../../binding.js';

const PROTO_ERROR_TEXT: Record<number, string> = {
  [ProtoError.TooBigInline]: 'too big inline request',
  [ProtoError.UnbalancedQuotes]: 'unbalanced quotes in request',
  [ProtoError.TooBigMbulkCount]: 'too big mbulk count string',
  [ProtoError.InvalidMbulkLength]: 'invalid multibulk length',
  [ProtoError.UnauthMbulkLength]: 'unauthenticated multibulk length',
  [ProtoError.TooBigBulkCount]: 'too big bulk count string',
  [ProtoError.InvalidBulkLength]: 'invalid bulk length',
  [ProtoError.UnauthBulkLength]: 'unauthenticated bulk length',
};
// The log's reason strings differ from the reply texts (networking.c setProtocolError callers).
const PROTO_ERROR_REASON: Record<number, string> = {
  [ProtoError.TooBigInline]: 'too big inline request',
  [ProtoError.UnbalancedQuotes]: 'unbalanced quotes in inline request',
  [ProtoError.TooBigMbulkCount]: 'too big mbulk count string',
  [ProtoError.InvalidMbulkLength]: 'invalid mbulk count',
  [ProtoError.UnauthMbulkLength]: 'unauth mbulk count',
  [ProtoError.TooBigBulkCount]: 'too big bulk count string',
  [ProtoError.ExpectedDollar]: 'expected $ but got something else',
  [ProtoError.InvalidBulkLength]: 'invalid bulk length',
  [ProtoError.UnauthBulkLength]: 'unauth bulk length',
};

export const DENIED_TEXT =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

const CONN_TYPE_NAMES = ['tcp', 'unix', 'tls'];
/** INFO's listener<i> is numbered by connection type, as Redis's server.listeners[]. */
const LISTENER_INDEX = { tcp: 0, unix: 1, tls: 2 } as const;
const LISTEN_ERROR = 'Unable to listen on this port. Check server logs.';

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

interface ListenerInfo {
  kind: 'tcp' | 'unix' | 'tls';
  id: number;
  port: number;
  binds: string[];
}

export class Server implements ServerContext, InfoSource, DispatchHooks, KeyspaceObserver {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly clients = new ClientRegistry();
  readonly commands: CommandTable;
  readonly acl: Acl;
  readonly pubsub: PubSub;
  readonly watches = new WatchRegistry();
  readonly blocking = new BlockingRegistry();
  readonly tracking: Tracking;
  readonly log: Logger;
  readonly runId = randomBytes(20).toString('hex');
  /** master_replid: the run id until DEBUG CHANGE-REPL-ID (or, later, a failover) changes it. */
  replId = this.runId;
  readonly debugFlags = { activeExpire: true, pauseCron: false };
  readonly slowlog = new SlowLog();
  readonly evictor: Evictor;
  private readonly dataset: DatasetEstimate;
  /** The heap at start-up: what an empty server weighs in used_memory. */
  private memoryBaseline = 0;
  private usedMemoryPeak = 0;
  /** maxmemory in bytes, 0 = no limit (read on CONFIG SET, checked before every command). */
  private maxmemory = 0;
  readonly latency = new LatencyMonitor();
  /** The directives read after every command, kept as numbers (config.onChange refreshes them). */
  private readonly perCommand = { slowlogUs: 10000, slowlogMax: 128, latencyMs: 0, tracking: true };
  readonly configFile: string;
  startedMs = Date.now();
  dirty = 0;
  pollBackend = '';

  private engine: NativeEngine | undefined;
  private readonly writer: ReplyWriter;
  private readonly args = new Args();
  private readonly call: CommandCall;
  private records = new Uint32Array(0);
  private arena = Buffer.alloc(0);
  private counters = new Float64Array(0);
  private listeners: ListenerInfo[] = [];
  private cron: NodeJS.Timeout | undefined;
  private blockTimer: NodeJS.Timeout | undefined;
  private blockTimerAt = 0;
  private closeAsapQueue: Client[] = [];
  private readonly monitors = new Set<Client>();
  private pause = { end: 0, all: false };
  /** The client whose command is running, and pushes for it held until its reply is out. */
  private current: Client | undefined;
  private deferredPushes: ((r: ReplyWriter) => void)[] = [];
  /** Requests started so far, and the one whose flush already told tracking clients (once per FLUSH*). */
  private requestSeq = 0;
  private flushInvalidatedAt = -1;
  private closeCurrentAfterCommand = false;
  /** Inside onBatch: call.clock is the last command boundary. */
  private inBatch = false;
  private stopped = false;
  private lastSecurityWarning = 0;
  private readonly ephemeral: boolean;
  private readonly ephemeralTls: boolean;
  private readonly ioThreadsAlways: boolean;
  /** Per IO thread [reads, writes] at the last CONFIG RESETSTAT. */
  private threadBase: [number, number][] = [];
  /** A TLS context was built (Redis configures it once something needs TLS). */
  private tlsConfigured = false;
  private readonly onShutdown: (() => void) | undefined;
  private stats = { connectionsReceived: 0, rejectedConnections: 0, commandsProcessed: 0 };
  private limitStats = { queryBufferDisconnections: 0, outputBufferDisconnections: 0 };
  /** Output-limit classes, reply-buffer resizing, eviction (created with the engine). */
  private limits: ClientLimits | undefined;
  /** Native counters at the last CONFIG RESETSTAT. */
  private statBase = new Float64Array(STAT_FIELDS);

  constructor(opts: ServerOptions) {
    this.config = opts.config;
    this.configFile = opts.configFile ?? '';
    this.ephemeral = opts.ephemeralPort ?? false;
    this.ephemeralTls = opts.ephemeralTlsPort ?? false;
    this.ioThreadsAlways = opts.ioThreadsAlways ?? false;
    this.onShutdown = opts.onShutdown;
    this.log = opts.logger ?? new Logger();
    this.keyspace = new Keyspace(this.config.int('databases'));
    this.keyspace.observe(this);
    this.dataset = new DatasetEstimate(this.keyspace);
    this.evictor = new Evictor(this);
    this.maxmemory = this.config.int('maxmemory');
    this.config.onChange((name) => {
      if (name === 'maxmemory') this.maxmemory = this.config.int('maxmemory');
    });
    this.commands = buildCommandTable();
    for (const [from, to] of this.config.fileDirective('rename-command')) this.commands.rename(from!, to!);
    this.acl = new Acl(this.config, this.commands);
    this.writer = new ReplyWriter({
      commit: (n) => this.engine?.commit(n),
      appendRaw: (slot, b) => this.engine?.appendRaw(slot, b),
    });
    const writeTo = (t: Client, w: (r: ReplyWriter) => void, push: boolean) => this.writeTo(t, w, push);
    this.pubsub = new PubSub(writeTo);
    this.tracking = new Tracking(writeTo, this.clients);
    // Expired/new/keymiss notifications and LFU counting need the server's pub/sub and config.
    wireKeyspace(this);
    this.keyspace.dropped = releaseValue;
    this.call = { client: undefined as unknown as Client, args: this.args, reply: this.writer, server: this, now: 0, reprocessing: false, clock: 0 };
    const readPerCommand = () => {
      this.perCommand.slowlogUs = this.config.int('slowlog-log-slower-than');
      this.perCommand.slowlogMax = this.config.int('slowlog-max-len');
      this.perCommand.latencyMs = this.config.int('latency-monitor-threshold');
      this.perCommand.tracking = this.config.bool('latency-tracking');
      this.slowlog.trim(this.perCommand.slowlogMax);
    };
    readPerCommand();
    this.config.onChange((name) => {
      if (name.startsWith('slowlog-') || name.startsWith('latency-')) readPerCommand();
    });
  }

  get now(): number {
    return this.call.now;
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Listens and starts serving. Throws with Redis's message if a listener can't be opened. */
  start(): void {
    const heap = process.memoryUsage();
    this.memoryBaseline = heap.heapUsed + heap.external;
    const { Engine } = loadBinding();
    const engine = new Engine(this.engineOptions());
    this.engine = engine;
    this.limits = new ClientLimits(engine, this.config);
    this.acl.clientInfo = (c) => this.clientInfoLine(c);
    this.pollBackend = engine.pollBackend();
    setDetacher((ab) => engine.release(ab));
    engine.setReplyArea(this.writer.area, this.writer.index);
    try {
      this.openListeners();
    } catch (e) {
      engine.stop();
      this.engine = undefined;
      throw e;
    }
    engine.start(
      (words, bigs) => this.onBatch(words, bigs),
      (records, arena, counters) => {
        this.records = new Uint32Array(records);
        this.arena = Buffer.from(arena);
        this.counters = new Float64Array(counters);
      },
    );
    this.startedMs = Date.now();
    this.scheduleCron();
  }

  /** Stops listening, writes what can be written, closes every client. Idempotent. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.cron) clearInterval(this.cron);
    if (this.blockTimer) clearTimeout(this.blockTimer);
    this.writer.commit();
    this.engine?.stop();
    for (const c of [...this.clients]) this.unlinkClient(c);
  }

  get tcpPortBound(): number {
    return this.listeners.find((l) => l.kind === 'tcp')?.port ?? 0;
  }

  get tlsPortBound(): number {
    return this.listeners.find((l) => l.kind === 'tls')?.port ?? 0;
  }

  private engineOptions() {
    return {
      maxclients: this.config.int('maxclients'),
      protoMaxBulkLen: this.config.int('proto-max-bulk-len'),
      maxNewConnectionsPerCycle: this.config.int('max-new-connections-per-cycle'),
      maxNewTlsConnectionsPerCycle: this.config.int('max-new-tls-connections-per-cycle'),
      tcpKeepalive: this.config.int('tcp-keepalive'),
      unauthenticatedDefault: !this.acl.defaultAuthenticated(),
      queryBufferLimit: this.config.int('client-query-buffer-limit'),
      ioThreads: this.config.int('io-threads'),
      ioThreadsDoReads: this.config.bool('io-threads-do-reads'),
      ioThreadsAlways: this.ioThreadsAlways,
    };
  }

  private openListeners(): void {
    const engine = this.engine!;
    this.openTcpListener('tcp', this.ephemeral);
    if (tlsInUse(this.config, this.ephemeralTls)) {
      if (this.configureTls() !== undefined) throw new Error('Failed to configure TLS. Check logs for more info.');
    }
    this.openTcpListener('tls', this.ephemeralTls);
    const path = this.config.str('unixsocket');
    if (path) {
      const perm = parseInt(this.config.str('unixsocketperm') || '0', 8) || 0;
      const r = engine.listenUnix({ path, perm, backlog: this.config.int('tcp-backlog') });
      if (r.error !== undefined) {
        this.log.warning(r.error);
        throw new Error(`Failed opening Unix socket ${path}, aborting.`);
      }
      this.listeners.push({ kind: 'unix', id: r.id, port: 0, binds: [path] });
    }
  }

  /** The tcp or tls listener on every bind address at startup; port 0 opens none unless ephemeral. */
  private openTcpListener(kind: 'tcp' | 'tls', ephemeral: boolean): void {
    const directive = kind === 'tcp' ? 'port' : 'tls-port';
    const port = this.config.int(directive);
    const binds = this.config.list('bind');
    if ((port === 0 && !ephemeral) || binds.length === 0) return;
    const r = this.engine!.listenTcp({ binds, port, ephemeral: ephemeral && port === 0, backlog: this.config.int('tcp-backlog'), tls: kind === 'tls' });
    if (r.error !== undefined) {
      this.log.warning(`Warning: ${r.error}`);
      throw new Error(`Failed listening on port ${port} (${kind}), aborting.`);
    }
    this.listeners.push({ kind, id: r.id, port: r.port, binds });
    if (ephemeral) this.config.set(directive, [String(r.port)], 'file');
  }

  /** Re-opens the tcp or tls listener after CONFIG SET port/tls-port/bind; keeps the old one on failure. */
  private relisten(kind: 'tcp' | 'tls'): string | undefined {
    const engine = this.engine!;
    const old = this.listeners.find((l) => l.kind === kind);
    const port = this.config.int(kind === 'tcp' ? 'port' : 'tls-port');
    const binds = this.config.list('bind');
    const backlog = this.config.int('tcp-backlog');
    const tls = kind === 'tls';
    if (old) engine.closeListener(old.id);
    this.listeners = this.listeners.filter((l) => l !== old);
    if (port === 0 || binds.length === 0) return undefined;
    const r = engine.listenTcp({ binds, port, ephemeral: false, backlog, tls });
    if (r.error !== undefined) {
      this.log.warning(`Warning: ${r.error}`);
      if (old) {
        const back = engine.listenTcp({ binds: old.binds, port: old.port, ephemeral: false, backlog, tls });
        if (back.error === undefined) this.listeners.push({ ...old, id: back.id });
      }
      return LISTEN_ERROR;
    }
    this.listeners.push({ kind, id: r.id, port: r.port, binds });
    return undefined;
  }

  /** tlsConfigure: a new context from the tls-* directives, swapped in only if it loads. */
  private configureTls(): string | undefined {
    const err = this.engine!.configureTls(tlsSettings(this.config));
    if (err !== undefined) {
      this.log.warning(err);
      return TLS_UPDATE_ERROR;
    }
    this.tlsConfigured = true;
    return undefined;
  }

  /** applyTLSPort: TLS is configured first if it never was, then the listener follows the port. */
  private applyTlsPort(): string | undefined {
    if (this.config.int('tls-port') !== 0 && !this.tlsConfigured) {
      const err = this.configureTls();
      if (err !== undefined) return err;
    }
    return this.relisten('tls');
  }

  private scheduleCron(): void {
    if (this.cron) clearInterval(this.cron);
    const hz = Math.min(500, Math.max(1, this.config.int('hz')));
    this.cron = setInterval(() => this.serverCron(), Math.floor(1000 / hz));
    this.cron.unref();
  }

  /** Periodic work: idle-client timeout and the end of CLIENT PAUSE. */
  private serverCron(): void {
    // DEBUG PAUSE-CRON 1: nothing periodic runs (timeouts, expiry, limits, resizing, eviction).
    if (this.debugFlags.pauseCron) return;
    const now = Date.now();
    this.call.now = now;
    const timeout = this.config.int('timeout');
    if (timeout > 0) {
      const nowS = Math.floor(now / 1000);
      for (const c of [...this.clients]) {
        // Replicas and MONITORs (the replica bit), masters, blocked and pub/sub clients are exempt.
        if (c.flags & (ClientFlag.Slave | ClientFlag.Master | ClientFlag.Blocked | ClientFlag.PubSub)) continue;
        const last = this.counters[STAT_FIELDS + c.slot * SLOT_FIELDS + Field.LastInteraction];
        if (nowS - Math.floor(last / 1000) > timeout) {
          this.log.verbose('Closing idle client');
          this.freeClient(c);
        }
      }
    }
    this.updatePause(now);
    // Expired keys are reclaimed a little every tick, within Redis's time budget (25 ms at hz 10);
    // nothing while clients are paused (setPause).
    if (this.debugFlags.activeExpire) activeExpireCycle(this.keyspace, now, ((25 + 2 * (this.keyspace.activeExpireEffort - 1)) * 10) / this.config.int('hz'));
    if (this.limits) {
      const over = this.limits.cron(this.clients, this.counters, now, (slot) => this.clients.atSlot(slot));
      for (const c of over) this.onOutputLimit(c.slot, false);
      this.evictClients();
    }
    this.tracking.broadcastPending();
    this.writer.commit();
  }

  /** maxmemory-clients: the largest evictable clients go until the sum is under the limit. */
  private evictClients(): void {
    this.limits?.evict(this.clients, this.counters, (c) => {
      this.log.notice(`Evicting client: ${this.clientInfoLine(c)}`);
      this.freeClient(c);
    }, (msg) => this.log.warning(msg));
  }

  // ---- batches -------------------------------------------------------------------------------

  logWarning(msg: string): void {
    this.log.warning(msg);
  }

  changeReplicationId(): void {
    this.log.notice('Changing replication IDs after receiving DEBUG change-repl-id');
    this.replId = randomBytes(20).toString('hex');
  }

  debugReplyBuffer(opts: { peakResetTimeMs?: number; resizing?: boolean }): void {
    if (!this.limits) return;
    if (opts.peakResetTimeMs !== undefined) this.limits.peakResetTimeMs = opts.peakResetTimeMs;
    if (opts.resizing !== undefined) this.limits.resizing = opts.resizing;
  }

  memoryFields(): [string, string | number][] {
    const now = Date.now();
    const used = this.usedMemory(now, true);
    const mem = process.memoryUsage();
    const human = (n: number) => bytesHuman(n);
    return [
      ['used_memory', used],
      ['used_memory_human', human(used)],
      ['used_memory_rss', mem.rss],
      ['used_memory_rss_human', human(mem.rss)],
      ['used_memory_peak', this.usedMemoryPeak],
      ['used_memory_peak_human', human(this.usedMemoryPeak)],
      ['used_memory_startup', this.memoryBaseline],
      ['used_memory_dataset', this.dataset.bytes(now)],
      // What V8 holds now (live objects and garbage not yet collected, plus external buffers).
      ['used_memory_vm_heap', mem.heapUsed + mem.external],
      ['maxmemory', this.maxmemory],
      ['maxmemory_human', human(this.maxmemory)],
      ['maxmemory_policy', this.config.str('maxmemory-policy')],
      ['mem_clients_slaves', 0],
      ['mem_clients_normal', this.limits?.memClientsNormal ?? 0],
    ];
  }

  private onBatch(words: number, bigs: ArrayBuffer[] | undefined): void {
    const r = this.records;
    const now = this.counters[Stat.NowMs];
    this.call.now = now;
    this.call.clock = performance.now();
    this.inBatch = true;
    if (this.pause.end && now >= this.pause.end) this.updatePause(now);
    let i = 0;
    while (i < words) {
      switch (r[i]) {
        case Rec.Command: {
          const slot = r[i + 1];
          const argc = r[i + 2];
          const c = this.clients.atSlot(slot);
          if (c !== undefined && !c.closing) {
            this.args.bind(r, i + 3, argc, this.arena, bigs);
            if (c.blocked || c.pending.length) c.pending.push(this.args.detach());
            else this.execute(c, this.args);
          }
          i += 3 + 2 * argc;
          break;
        }
        case Rec.Open:
          this.onOpen(r[i + 1], r[i + 2], r[i + 3], now);
          i += 4;
          break;
        case Rec.Close:
          this.onClose(r[i + 1], r[i + 2], r[i + 3]);
          i += 4;
          break;
        case Rec.ProtocolError:
          this.onProtocolError(r[i + 1], r[i + 2], r[i + 3]);
          i += 4;
          break;
        case Rec.Log:
          this.log.log(r[i + 1] as Level, this.arena.toString('latin1', r[i + 2], r[i + 2] + r[i + 3]));
          i += 4;
          break;
        case Rec.QueryLimit:
          this.onQueryLimit(r[i + 1], r[i + 2] + r[i + 3] * 2 ** 32);
          i += 4;
          break;
        case Rec.OutputLimit:
          this.onOutputLimit(r[i + 1], true);
          i += 4;
          break;
        default:
          throw new Error(`respd: corrupt batch record ${r[i]} at ${i}`);
      }
    }
    // Redis's beforeSleep: BCAST invalidations collected during the batch go out once per prefix.
    this.tracking.broadcastPending();
    this.freeClientsInAsyncQueue();
    if (this.config.str('maxmemory-clients') !== '0') this.evictClients();
    this.writer.commit();
    this.inBatch = false;
  }

  /** Runs one request of `c` (processCommand and everything around it). */
  private execute(c: Client, args: ArgsType, reprocessing = false): void {
    const call = this.call;
    call.client = c;
    call.args = args;
    call.reprocessing = reprocessing;
    // Outside a batch (timers, unblocking) the last boundary is stale: start from now.
    if (!this.inBatch) call.clock = performance.now();
    this.writer.begin(c.slot, c.resp);
    this.writer.muted = (c.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip)) !== 0;
    this.current = c;
    this.requestSeq++;
    processCommand(call, this.commands, this);
    this.current = undefined;
    this.stats.commandsProcessed++;
    this.afterRequest(c);
    if (this.blocking.hasReady()) this.serveReadyKeys();
  }

  /** Redis's resetClient and the work queued for after the reply. */
  private afterRequest(c: Client): void {
    if (this.deferredPushes.length) {
      const pushes = this.deferredPushes;
      this.deferredPushes = [];
      for (const p of pushes) this.writeTo(c, p, true);
    }
    // REPLY SKIP hides exactly the next command's reply.
    c.flags &= ~ClientFlag.ReplySkip;
    if (c.flags & ClientFlag.ReplySkipNext) {
      c.flags |= ClientFlag.ReplySkip;
      c.flags &= ~ClientFlag.ReplySkipNext;
    }
    // CLIENT CACHING lasts for the next command; any CLIENT subcommand in between keeps it (resetClient).
    if (c.tracking && c.tracking.caching && !c.multi && !c.lastCommand.startsWith('client|')) c.tracking.caching = undefined;
    if (this.closeCurrentAfterCommand) {
      this.closeCurrentAfterCommand = false;
      this.closeAfterReply(c);
    }
    if (c.blocked) this.engine?.setReading(c.slot, false);
    // A type change (SUBSCRIBE, MONITOR, ...) moves the client to another output-limit class.
    this.limits?.applyClass(c);
  }

  private onOpen(slot: number, typeIndex: number, flags: number, now: number): void {
    const engine = this.engine!;
    const id = this.clients.allocateId();
    const protectedMode = this.config.bool('protected-mode') && this.acl.defaultNoPass();
    if (protectedMode && !(flags & OPEN_LOCAL)) {
      // Written at once, unprompted, and the connection closed (clientAcceptHandler).
      engine.appendRaw(slot, Buffer.from(DENIED_TEXT + '\r\n', 'latin1'));
      engine.closeClient(slot, 1);
      this.stats.rejectedConnections++;
      return;
    }
    const c = new Client(id, slot, CONN_TYPE_NAMES[typeIndex] ?? 'tcp', (flags & OPEN_LOCAL) !== 0, now, this.acl.defaultAuthenticated(),
      (s, remote) => this.engine?.address(s, remote) ?? '');
    if (flags & OPEN_UNIX) c.flags |= ClientFlag.UnixSocket;
    this.clients.link(c);
    this.limits?.applyClass(c, true);
    this.stats.connectionsReceived++;
    if (this.log.enabled(Level.Verbose)) {
      this.log.verbose(flags & OPEN_UNIX ? `Accepted connection to ${this.config.str('unixsocket')}` : `Accepted ${c.addr}`);
    }
  }

  private onClose(slot: number, reason: number, errno: number): void {
    const c = this.clients.atSlot(slot);
    if (!c) return;
    if (this.log.enabled(Level.Verbose)) {
      if (reason === CloseReason.Eof) this.log.verbose(`Client closed connection ${this.clientInfoLine(c)}`);
      else if (reason === CloseReason.ReadError) this.log.verbose(`Reading from client: ${errnoText(errno)}`);
      else if (reason === CloseReason.WriteError) this.log.verbose(`Error writing to client: ${errnoText(errno)}`);
    }
    this.unlinkClient(c);
  }

  private onProtocolError(slot: number, code: number, byte: number): void {
    const c = this.clients.atSlot(slot);
    if (!c) return;
    const text = code === ProtoError.ExpectedDollar
      ? `Protocol error: expected '$', got '${String.fromCharCode(byte)}'`
      : `Protocol error: ${PROTO_ERROR_TEXT[code]}`;
    if (c.blocked || c.pending.length) {
      // Requests before the bad one are still waiting: answer them first, then the error.
      c.pending.push(Args.of(['\0protocol-error', text]));
      c.flags |= ClientFlag.ProtocolError;
      return;
    }
    this.replyProtocolError(c, text, code);
  }

  /** The pending request outgrew client-query-buffer-limit (or 1 MiB before AUTH). */
  queryLimitExceeded(c: Client): boolean {
    const qbuf = this.counters[STAT_FIELDS + c.slot * SLOT_FIELDS + Field.Qbuf];
    const total = qbuf + (c.multi?.mem ?? 0);
    const limit = this.config.int('client-query-buffer-limit');
    const unauthOver = !c.authenticated && !this.acl.defaultAuthenticated() && total > 1024 * 1024;
    if (total <= limit && !unauthOver) return false;
    this.onQueryLimit(c.slot, total);
    return true;
  }

  private onQueryLimit(slot: number, bytes: number): void {
    const c = this.clients.atSlot(slot);
    if (!c || c.closing) return;
    this.log.warning(`Closing client that reached max query buffer length: ${this.clientInfoLine(c)} (qbuf initial bytes: ${bytes})`);
    this.limitStats.queryBufferDisconnections++;
    this.freeClientAsync(c);
  }

  /** Output over the client's class limit: native already dropped it; the client goes. */
  private onOutputLimit(slot: number, async: boolean): void {
    const c = this.clients.atSlot(slot);
    if (!c) return;
    const info = this.clientInfoLine(c);
    this.limitStats.outputBufferDisconnections++;
    if (async) {
      this.log.warning(`Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.freeClientAsync(c);
    } else {
      this.log.warning(`Client ${info} closed for overcoming of output buffer limits.`);
      this.freeClient(c);
    }
  }

  private replyProtocolError(c: Client, text: string, code?: number): void {
    this.writer.begin(c.slot, c.resp);
    this.writer.muted = (c.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip)) !== 0;
    this.writer.error(text);
    if (this.log.enabled(Level.Verbose)) {
      this.log.verbose(`Protocol error (${code !== undefined ? PROTO_ERROR_REASON[code] : text}) from client: ${this.clientInfoLine(c)}. `);
    }
    c.flags |= ClientFlag.ProtocolError;
    this.closeAfterReply(c);
  }

  // ---- client lifecycle ----------------------------------------------------------------------

  closeAfterReply(c: Client): void {
    if (c.closing) return;
    c.flags |= ClientFlag.CloseAfterReply;
    // The reply is still in the writer's area: hand it over first so it is sent before the close.
    this.writer.commit();
    this.engine?.closeClient(c.slot, 1);
  }

  /** Redis's freeClientAsync: closed at the end of this batch, pending output discarded. */
  freeClientAsync(c: Client): void {
    if (c.flags & ClientFlag.CloseAsap) return;
    c.flags |= ClientFlag.CloseAsap;
    this.closeAsapQueue.push(c);
  }

  /** Redis's freeClient: closed now, pending output discarded. */
  freeClient(c: Client): void {
    this.engine?.closeClient(c.slot, 0);
    this.unlinkClient(c);
  }

  private freeClientsInAsyncQueue(): void {
    if (this.closeAsapQueue.length === 0) return;
    const q = this.closeAsapQueue;
    this.closeAsapQueue = [];
    for (const c of q) this.freeClient(c);
  }

  /** Drops every trace of `c`: registry, blocking, WATCH, subscriptions, tracking, MONITOR. */
  private unlinkClient(c: Client): void {
    if (!this.clients.byID(c.id)) return;
    this.clients.unlink(c);
    if (c.blocked) {
      this.blocking.remove(c);
      c.blocked = undefined;
    }
    c.pending = [];
    this.watches.unwatchAll(c);
    this.pubsub.removeAll(c);
    this.tracking.clientGone(c);
    this.monitors.delete(c);
    c.multi = undefined;
    if (this.current === c) this.current = undefined;
  }

  onAuthenticated(c: Client): void {
    this.engine?.setUnauthenticated(c.slot, false);
  }

  killClients(caller: Client, match: (c: Client) => boolean): number {
    let n = 0;
    for (const c of [...this.clients]) {
      if (!match(c)) continue;
      n++;
      if (c === caller) this.closeCurrentAfterCommand = true;
      else this.freeClient(c);
    }
    return n;
  }

  resetClient(c: Client): void {
    if (c.flags & ClientFlag.Monitor) {
      this.monitors.delete(c);
      c.flags &= ~(ClientFlag.Monitor | ClientFlag.Slave);
    }
    this.tracking.disable(c);
    c.db = 0;
    c.resp = 2;
    c.user = 'default';
    c.authenticated = this.acl.defaultAuthenticated();
    this.engine?.setUnauthenticated(c.slot, !c.authenticated);
    discardTransaction(c, this);
    this.pubsub.removeAll(c);
    c.name = '';
    // REPLY_SKIP itself stays: RESET after CLIENT REPLY SKIP is silent, as in Redis.
    c.flags &= ~(ClientFlag.Readonly | ClientFlag.ReplyOff | ClientFlag.ReplySkipNext | ClientFlag.NoTouch | ClientFlag.NoEvict);
  }

  addMonitor(c: Client): void {
    c.flags |= ClientFlag.Slave | ClientFlag.Monitor;
    this.monitors.add(c);
  }

  writeTo(target: Client, write: (r: ReplyWriter) => void, push = true): void {
    if (target.closing) return;
    if (push && target === this.current) {
      // Pushes for the client whose command runs go out after its reply (pending_push_messages).
      this.deferredPushes.push(write);
      return;
    }
    const w = this.writer;
    const cur = this.current;
    const muted = w.muted;
    w.begin(target.slot, target.resp);
    w.muted = push ? false : (target.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip)) !== 0;
    write(w);
    if (cur) {
      w.begin(cur.slot, cur.resp);
      w.muted = muted;
    }
  }

  // ---- blocking and CLIENT PAUSE --------------------------------------------------------------

  blockOnKeys(call: CommandCall, keys: readonly string[], deadlineMs: number, timeoutReply: (r: ReplyWriter) => void): void {
    const c = call.client;
    const cmd = lookupCommand(this.commands, call.args)!;
    c.blocked = { type: BlockType.Keys, db: c.db, keys: [...keys], deadline: deadlineMs, cmd, args: call.args.detach(), timeoutReply };
    c.flags |= ClientFlag.Blocked;
    this.blocking.add(c);
    if (deadlineMs > 0 && (this.blockTimerAt === 0 || deadlineMs < this.blockTimerAt)) this.armBlockTimer(deadlineMs);
  }

  signalKeyAsReady(db: number, key: string): void {
    this.blocking.signalReady(db, key);
  }

  /** Ends a block: out of the registry, flag cleared; the caller decides what is replied. */
  private endBlock(c: Client): void {
    this.blocking.remove(c);
    c.blocked = undefined;
    c.flags &= ~ClientFlag.Blocked;
  }

  /** Runs what arrived while `c` was blocked, until it blocks again or nothing is left. */
  private resumeClient(c: Client): void {
    while (!c.blocked && c.pending.length && !c.closing && this.clients.byID(c.id)) {
      const args = c.pending.shift()!;
      if (args.count === 2 && args.str(0) === '\0protocol-error') {
        c.pending = [];
        this.replyProtocolError(c, args.str(1));
        break;
      }
      this.execute(c, args);
    }
    if (!c.blocked && !c.closing) this.engine?.setReading(c.slot, true);
  }

  /** Keys got data: their waiters run their command again, first come first served. */
  private serveReadyKeys(): void {
    for (let rounds = 0; rounds < 64 && this.blocking.hasReady(); rounds++) {
      for (const waiters of this.blocking.takeReady()) {
        for (const c of waiters) {
          const b = c.blocked;
          if (!b || b.type !== BlockType.Keys || c.closing) continue;
          this.endBlock(c);
          this.execute(c, b.args, true);
          // Blocked again: it keeps its original deadline, as in Redis 7.2.
          if (c.blocked && c.blocked.type === BlockType.Keys) c.blocked.deadline = b.deadline;
          if (c.blocked) {
            // Still nothing for it: later waiters will not find anything either.
            break;
          }
          this.resumeClient(c);
        }
      }
    }
  }

  private armBlockTimer(at: number): void {
    if (this.blockTimer) clearTimeout(this.blockTimer);
    this.blockTimerAt = at;
    this.blockTimer = setTimeout(() => this.handleBlockedTimeouts(), Math.max(0, at - Date.now()));
    this.blockTimer.unref();
  }

  private handleBlockedTimeouts(): void {
    this.blockTimer = undefined;
    this.blockTimerAt = 0;
    const now = Date.now();
    this.call.now = now;
    for (const c of this.blocking.expired(now, this.clients)) {
      const b = c.blocked!;
      this.endBlock(c);
      // updateStatsOnUnblock: a call that timed out counts once.
      if (b.cmd) b.cmd.calls++;
      this.writeTo(c, (w) => b.timeoutReply?.(w), false);
      this.resumeClient(c);
    }
    const next = this.blocking.nextDeadline(this.clients);
    if (next) this.armBlockTimer(next);
    this.tracking.broadcastPending();
    this.writer.commit();
  }

  unblockClient(c: Client, error: boolean): boolean {
    const b = c.blocked;
    if (!b) return false;
    // TIMEOUT on a paused client would crash Redis ([BUG]); here it just can't be unblocked that way.
    if (b.type === BlockType.Postpone && !error) return false;
    this.endBlock(c);
    if (b.cmd) {
      b.cmd.calls++;
      if (error) b.cmd.failedCalls++;
    }
    this.writeTo(c, (w) => {
      if (error) w.error('-UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else b.timeoutReply?.(w);
    }, false);
    // The rest of its pipeline runs after the current command.
    setImmediate(() => {
      this.resumeClient(c);
      this.tracking.broadcastPending();
      this.writer.commit();
    });
    return true;
  }

  postpone(call: CommandCall, cmd: Command): boolean {
    if (this.pause.end === 0) return false;
    if (this.call.now >= this.pause.end) {
      this.updatePause(this.call.now);
      if (this.pause.end === 0) return false;
    }
    const c = call.client;
    if (c.flags & (ClientFlag.Master | ClientFlag.Slave) && !(c.flags & ClientFlag.Monitor)) return false;
    if (!this.pause.all) {
      const writeLike = CmdFlag.Write | CmdFlag.MayReplicate;
      const isExec = cmd.name === 'exec' && (queuedFlags(c) & writeLike) !== 0;
      if (!(cmd.flags & writeLike) && !isExec) return false;
    }
    c.blocked = { type: BlockType.Postpone, db: c.db, keys: [], deadline: 0, cmd, args: call.args.detach(), timeoutReply: undefined };
    c.flags |= ClientFlag.Blocked;
    this.blocking.add(c);
    return true;
  }

  pauseClients(endMs: number, all: boolean): void {
    const active = this.pause.end > this.call.now;
    // The later end time wins, and WRITE asked for during an ALL pause stays ALL.
    if (active) this.setPause(Math.max(this.pause.end, endMs), all || this.pause.all);
    else if (endMs > this.call.now) this.setPause(endMs, all);
  }

  /** The pause and, with it at once, expiry (Redis checks the pause at every expiry). */
  private setPause(end: number, all: boolean): void {
    this.pause = { end, all };
    this.keyspace.expiryPaused = end !== 0;
  }

  unpauseClients(): void {
    this.setPause(0, false);
    setImmediate(() => this.updatePause(Date.now()));
  }

  /** At the end of a pause, postponed clients run their command again, in order. */
  private updatePause(now: number): void {
    if (this.pause.end !== 0 && now < this.pause.end) return;
    this.setPause(0, false);
    if (this.blocking.postponed.length === 0) return;
    for (const c of [...this.blocking.postponed]) {
      const b = c.blocked!;
      this.endBlock(c);
      this.execute(c, b.args);
      this.resumeClient(c);
    }
    this.tracking.broadcastPending();
    this.writer.commit();
  }

  // ---- DispatchHooks ----------------------------------------------------------------------------

  securityWarning(call: CommandCall): void {
    const now = Date.now();
    if (now - this.lastSecurityWarning > 60000) {
      this.lastSecurityWarning = now;
      const addr = call.client.addr;
      const colon = addr.lastIndexOf(':');
      this.log.warning(
        addr
          ? `Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection from ${addr.slice(0, colon)}:${addr.slice(colon + 1)} aborted.`
          : 'Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.',
      );
    }
    this.freeClientAsync(call.client);
  }

  afterCommand(call: CommandCall, cmd: Command, us: number): void {
    const c = call.client;
    if (c.blocked === undefined) this.recordLatency(call, cmd, us);
    if (c.tracking && cmd.flags & CmdFlag.Readonly && cmd.firstKey > 0) {
      const keys: string[] = [];
      const last = cmd.lastKey < 0 ? call.args.count + cmd.lastKey : cmd.lastKey;
      for (let i = cmd.firstKey; i <= last && i < call.args.count; i += cmd.step || 1) keys.push(call.args.str(i));
      this.tracking.rememberKeys(c, keys);
    }
    if (this.monitors.size && !call.reprocessing && !(cmd.flags & (CmdFlag.Admin | CmdFlag.SkipMonitor))) this.feedMonitors(call, cmd);
  }

  evictClientsBeforeCommand(call: CommandCall): boolean {
    const limits = this.limits;
    if (!limits || limits.limit === 0) return false;
    const args = call.args;
    let bytes = 0;
    for (let i = 0; i < args.count; i++) bytes += args.len(i) + 8;
    const c = call.client;
    limits.evictBeforeCommand(c, bytes, this.clients, this.counters, (victim) => {
      this.log.notice(`Evicting client: ${this.clientInfoLine(victim)}`);
      this.freeClient(victim);
    }, (msg) => this.log.warning(msg));
    return this.clients.byID(c.id) === undefined;
  }

  outOfMemory(call: CommandCall): boolean {
    if (this.maxmemory === 0) return false;
    const ok = this.evictor.perform(call.now);
    // Evicted keys may have had watchers and tracking clients: tell them now, as Redis does.
    this.tracking.broadcastPending();
    return !ok;
  }

  /**
   * used_memory: the heap an empty server had at start, plus the dataset as Redis's allocator would
   * hold it (DatasetEstimate: sampled MEMORY USAGE per key), plus the clients' buffers. Unlike the
   * V8 heap it drops as soon as a key goes, which is what maxmemory needs.
   */
  usedMemory(nowMs: number, fresh = false): number {
    const used = this.memoryBaseline + this.dataset.bytes(nowMs, fresh) + (this.limits?.memClientsNormal ?? 0);
    if (used > this.usedMemoryPeak) this.usedMemoryPeak = used;
    return used;
  }

  evicted(db: number, key: string): void {
    notifyKeyspaceEvent(this, 'e', 'evicted', key, db);
  }

  /** The slow log, the latency monitor and the per-command histogram (server.c call()). */
  private recordLatency(call: CommandCall, cmd: Command, us: number): void {
    const p = this.perCommand;
    if (p.tracking) (cmd.histogram ??= new LatencyHistogram()).record(us * 1000);
    if (p.slowlogUs >= 0 && us >= p.slowlogUs && !(cmd.flags & CmdFlag.SkipSlowlog)) {
      const args = call.args;
      this.slowlog.push(p.slowlogUs, p.slowlogMax, us, args.count, (i) => args.str(i), redactedArgs(cmd, args), call.client.addr, call.client.name, Date.now());
    }
    if (p.latencyMs > 0 && us / 1000 >= p.latencyMs) {
      this.latency.addSample(cmd.flags & CmdFlag.Fast ? 'fast-command' : 'command', Math.floor(us / 1000), Date.now());
    }
  }

  runQueued(call: CommandCall, cmd: Command): void {
    this.requestSeq++;
    const denied = this.acl.check(call.client.user, cmd, call.args);
    if (denied !== null) {
      call.reply.error(denied);
      return;
    }
    callCommand(call, cmd, this);
  }

  /** MONITOR lines: +<time> [<db> <addr>] "arg" ..., AUTH and HELLO AUTH secrets redacted. */
  private feedMonitors(call: CommandCall, cmd: Command): void {
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
    for (const m of this.monitors) this.writeTo(m, (w) => w.status(line), true);
  }

  // ---- KeyspaceObserver ---------------------------------------------------------------------------

  keyModified(db: number, key: string): void {
    this.watches.touch(db, key);
    if (this.tracking.trackingClients > 0) this.tracking.keyModified(key, this.current);
  }

  dbFlushed(db: number): void {
    const dict = this.keyspace.dbs[db].dict;
    this.watches.touchDb(db, (k) => dict.has(k));
    // FLUSHALL clears every database, but tracking clients hear of it once (signalFlushedDb).
    if (this.tracking.trackingClients > 0 && this.flushInvalidatedAt !== this.requestSeq) {
      this.flushInvalidatedAt = this.requestSeq;
      this.tracking.flushed();
    }
  }

  // ---- ServerContext ------------------------------------------------------------------------------

  shutdown(how: { save: boolean; nosave: boolean; now: boolean; force: boolean }): { ok: true } | { ok: false; error: string } {
    this.log.warning('User requested shutdown...');
    if (how.save) this.log.notice('No data is kept on disk by this server: nothing to save.');
    this.log.warning('Redis is now ready to exit, bye bye...');
    // Finish the batch first: replies of earlier commands still go out.
    setImmediate(() => {
      this.close();
      this.onShutdown?.();
    });
    return { ok: true };
  }

  /**
   * Applies changed directives in the order given, each apply function once (applyTlsCfg serves
   * every tls-* directive); the first that fails stops, and its directive is named
   * (configSetCommand's err_arg_name). The caller restores the old values.
   */
  applyConfig(changed: readonly string[]): { arg: string; error: string } | undefined {
    const engine = this.engine;
    if (!engine) return undefined;
    let tlsApplied = false;
    for (const name of changed) {
      let error: string | undefined;
      if (TLS_CONTEXT_DIRECTIVES.has(name)) {
        if (tlsApplied || !tlsInUse(this.config, false)) continue;
        tlsApplied = true;
        error = this.configureTls();
      }
      switch (name) {
        case 'port':
          error = this.relisten('tcp');
          break;
        case 'bind': {
          // Both listeners follow bind (changeBindAddr).
          const tcp = this.relisten('tcp');
          const tls = this.relisten('tls');
          if (tcp !== undefined || tls !== undefined) error = 'Failed to bind to specified addresses.';
          break;
        }
        case 'tls-port':
          error = this.applyTlsPort();
          break;
        case 'tls-auth-clients':
          engine.setTlsAuthClients(this.config.str('tls-auth-clients') as TlsAuthClients);
          break;
        case 'client-output-buffer-limit':
          for (const c of this.clients) this.limits?.applyClass(c, true);
          break;
        case 'maxmemory-clients':
          this.evictClients();
          break;
        case 'requirepass':
          this.acl.setRequirepass(this.config.str('requirepass'));
          break;
        case 'hz':
          this.scheduleCron();
          break;
        case 'loglevel':
          this.log.setLevel(this.config.str('loglevel'));
          break;
        case 'logfile':
          error = this.log.setFile(this.config.str('logfile'));
          break;
        default:
          break;
      }
      if (error !== undefined) {
        this.log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
        engine.configure(this.engineOptions());
        return { arg: name, error };
      }
    }
    engine.configure(this.engineOptions());
    return undefined;
  }


  resetStats(): void {
    this.stats = { connectionsReceived: 0, rejectedConnections: 0, commandsProcessed: 0 };
    this.statBase = this.counters.slice(0, STAT_FIELDS);
    this.threadBase = this.engine?.ioThreadStats() ?? [];
    this.writer.errorCount = 0;
    this.writer.errorCodes.clear();
    for (const c of this.commands.everything()) {
      c.calls = 0;
      c.rejectedCalls = 0;
      c.failedCalls = 0;
      c.usec = 0;
      c.histogram = undefined;
    }
    for (const db of this.keyspace.dbs) db.expiredKeys = 0;
    this.evictor.evictedKeys = 0;
    this.keyspace.hits = this.keyspace.misses = 0;
    this.acl.deniedCount.auth = this.acl.deniedCount.cmd = this.acl.deniedCount.key = this.acl.deniedCount.channel = 0;
  }

  info(sections: readonly string[]): string {
    return buildInfo(this, sections);
  }

  clientInfoLine(c: Client): string {
    let running: { bytes: number } | undefined;
    if (c === this.current) {
      const args = this.call.args;
      let mem = 0;
      // *<argc>\r\n, then $<len>\r\n<arg>\r\n for each argument.
      let bytes = 3 + String(args.count).length;
      for (let i = 0; i < args.count; i++) {
        const n = args.len(i);
        mem += n;
        bytes += 5 + String(n).length + n;
      }
      c.argvMem = mem;
      running = { bytes };
    } else {
      c.argvMem = 0;
    }
    return clientInfoLine(c, this.counters, this.call.now || Date.now(), running);
  }

  // ---- InfoSource -------------------------------------------------------------------------------

  ioThreadsActive(): number {
    return this.counters[Stat.IoActive] ?? 0;
  }

  threadLines(): [string, string][] {
    const now = this.engine?.ioThreadStats() ?? [];
    return now.map(([reads, writes], i): [string, string] => {
      const [r0, w0] = this.threadBase[i] ?? [0, 0];
      return [`io_thread_${i}`, `reads=${reads - r0},writes=${writes - w0}`];
    });
  }

  hz(): number {
    return this.config.int('hz');
  }

  /** INFO's tcp_port: port, or tls-port when port is 0. */
  tcpPort(): number {
    return this.tcpPortBound || this.tlsPortBound;
  }

  listenerLines(): [number, string][] {
    return this.listeners
      .map((l): [number, string] => [
        LISTENER_INDEX[l.kind],
        l.kind === 'unix' ? `name=unix,bind=${l.binds[0]}` : `name=${l.kind},${l.binds.map((b) => `bind=${b}`).join(',')},port=${l.port}`,
      ])
      .sort((a, b) => a[0] - b[0]);
  }

  clientsSection(): [string, string | number][] {
    let pubsub = 0, watching = 0, inTimeout = 0;
    for (const c of this.clients) {
      if (c.flags & ClientFlag.PubSub) pubsub++;
      if (c.watched.size) watching++;
      if (c.blocked && c.blocked.deadline > 0) inTimeout++;
    }
    return [
      ['connected_clients', this.clients.size],
      ['cluster_connections', 0],
      ['maxclients', this.config.int('maxclients')],
      ['client_recent_max_input_buffer', this.limits?.recentMaxInput ?? 0],
      ['client_recent_max_output_buffer', this.limits?.recentMaxOutput ?? 0],
      ['blocked_clients', this.blocking.blockedCount],
      ['tracking_clients', this.tracking.trackingClients],
      ['pubsub_clients', pubsub],
      ['watching_clients', watching],
      ['clients_in_timeout_table', inTimeout],
      ['total_watched_keys', this.watches.totalKeys],
      ['total_blocking_keys', this.blocking.keyCount],
      ['total_blocking_keys_on_nokey', 0],
    ];
  }

  statsSection(): [string, string | number][] {
    const s = this.counters;
    const base = this.statBase;
    let expired = 0;
    for (const db of this.keyspace.dbs) expired += db.expiredKeys;
    const denied = this.acl.deniedCount;
    return [
      ['total_connections_received', this.stats.connectionsReceived],
      ['total_commands_processed', this.stats.commandsProcessed],
      ['instantaneous_ops_per_sec', 0],
      ['total_net_input_bytes', s[Stat.NetInput] - base[Stat.NetInput]],
      ['total_net_output_bytes', s[Stat.NetOutput] - base[Stat.NetOutput]],
      ['total_net_repl_input_bytes', 0],
      ['total_net_repl_output_bytes', 0],
      ['rejected_connections', s[Stat.Rejected] - base[Stat.Rejected] + this.stats.rejectedConnections],
      ['expired_keys', expired],
      ['evicted_keys', this.evictor.evictedKeys],
      ['evicted_clients', this.limits?.evictedClients ?? 0],
      ['keyspace_hits', this.keyspace.hits],
      ['keyspace_misses', this.keyspace.misses],
      ['pubsub_channels', this.pubsub.channels.size],
      ['pubsub_patterns', this.pubsub.patterns.size],
      ['pubsubshard_channels', this.pubsub.shardChannels.size],
      ['tracking_total_keys', this.tracking.trackedKeys],
      ['client_query_buffer_limit_disconnections', this.limitStats.queryBufferDisconnections],
      ['client_output_buffer_limit_disconnections', this.limitStats.outputBufferDisconnections],
      ['reply_buffer_shrinks', this.limits?.replyBufferShrinks ?? 0],
      ['reply_buffer_expands', this.limits?.replyBufferExpands ?? 0],
      ['total_error_replies', this.writer.errorCount],
      ['total_reads_processed', s[Stat.Reads] - base[Stat.Reads]],
      ['total_writes_processed', s[Stat.Writes] - base[Stat.Writes]],
      ['io_threaded_reads_processed', s[Stat.IoReads] - base[Stat.IoReads]],
      ['io_threaded_writes_processed', s[Stat.IoWrites] - base[Stat.IoWrites]],
      ['acl_access_denied_auth', denied.auth],
      ['acl_access_denied_cmd', denied.cmd],
      ['acl_access_denied_key', denied.key],
      ['acl_access_denied_channel', denied.channel],
    ];
  }

  keyspaceLines(): string[] {
    const out: string[] = [];
    for (const db of this.keyspace.dbs) {
      if (db.size > 0) out.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=0\r\n`);
    }
    return out;
  }

  errorstatsLines(): string[] {
    return [...this.writer.errorCodes].map(([code, n]) => `errorstat_${code}:count=${n}\r\n`);
  }

  /** latency_percentiles_usec_<cmd>:p50=...,p99=... for each command with a histogram. */
  latencystatsLines(): string[] {
    const percentiles = this.config.str('latency-tracking-info-percentiles').split(' ').filter(Boolean).map(Number);
    const out: string[] = [];
    for (const c of this.commands.everything()) {
      const h = c.histogram;
      if (!h || h.total === 0) continue;
      const parts = percentiles.map((p) => `p${trimDouble(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
      out.push(`latency_percentiles_usec_${c.fullName}:${parts.join(',')}\r\n`);
    }
    return out;
  }

  commandstatsLines(): string[] {
    const out: string[] = [];
    for (const c of this.commands.everything()) {
      if (c.calls || c.rejectedCalls) {
        const usec = Math.floor(c.usec);
        const perCall = c.calls ? (c.usec / c.calls).toFixed(2) : '0.00';
        out.push(`cmdstat_${c.fullName}:calls=${c.calls},usec=${usec},usec_per_call=${perCall},rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}\r\n`);
      }
    }
    return out;
  }
}

/** bytesToHuman: B, K, M, G... with two decimals. */
function bytesHuman(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`;
}

/** printf("%f") with trailing zeros (and a bare dot) trimmed: 99.9, 50. */
function trimDouble(d: number): string {
  return d.toFixed(6).replace(/\.?0+$/, '');
}

function errnoText(errno: number): string {
  return errno ? `errno ${errno}` : 'Connection reset by peer';
}
