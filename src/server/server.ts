// The server: config, engine, client registry, keyspace and command table wired together.
// It turns each native batch into client events and command calls, owns the client
// lifecycle (create, link, free, free-async), the listeners and the cron.
import { randomBytes } from 'node:crypto';
import type { NativeEngine } from '../../binding.js';
import { Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import { ClientRegistry } from '../clients/registry.js';
import { buildCommandTable } from '../commands/index.js';
import { processCommand, type DispatchHooks } from '../commands/dispatch.js';
import type { ServerContext } from '../commands/context.js';
import type { Command, CommandCall, CommandTable } from '../commands/table.js';
import { Config } from '../config/config.js';
import { Keyspace } from '../data/keyspace.js';
import { Args } from '../engine/args.js';
import { CloseReason, Field, OPEN_LOCAL, OPEN_UNIX, ProtoError, Rec, SLOT_FIELDS, STAT_FIELDS, Stat } from '../engine/layout.js';
import { loadBinding } from '../engine/native.js';
import { ReplyWriter } from '../protocol/reply.js';
import { buildInfo, type InfoSource } from './info.js';
import { Level, Logger } from './log.js';

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

export interface ServerOptions {
  config: Config;
  configFile?: string;
  /** Bind TCP to a kernel-chosen port (createServer({ port: 0 })). */
  ephemeralPort?: boolean;
  logger?: Logger;
  /** Called when SHUTDOWN or a signal stops the server. */
  onShutdown?: () => void;
}

interface ListenerInfo {
  kind: 'tcp' | 'unix';
  id: number;
  port: number;
  binds: string[];
}

export class Server implements ServerContext, InfoSource, DispatchHooks {
  readonly config: Config;
  readonly keyspace: Keyspace;
  readonly clients = new ClientRegistry();
  readonly commands: CommandTable;
  readonly log: Logger;
  readonly runId = randomBytes(20).toString('hex');
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
  private closeAsapQueue: Client[] = [];
  private stopped = false;
  private lastSecurityWarning = 0;
  private readonly ephemeral: boolean;
  private readonly onShutdown: (() => void) | undefined;
  private stats = {
    connectionsReceived: 0,
    rejectedConnections: 0,
    commandsProcessed: 0,
    expiredKeys: 0,
  };

  constructor(opts: ServerOptions) {
    this.config = opts.config;
    this.configFile = opts.configFile ?? '';
    this.ephemeral = opts.ephemeralPort ?? false;
    this.onShutdown = opts.onShutdown;
    this.log = opts.logger ?? new Logger();
    this.keyspace = new Keyspace(this.config.int('databases'));
    this.commands = buildCommandTable();
    this.writer = new ReplyWriter({
      commit: (n) => this.engine?.commit(n),
      appendRaw: (slot, b) => this.engine?.appendRaw(slot, b),
    });
    this.call = { client: undefined as unknown as Client, args: this.args, reply: this.writer, server: this, now: 0 };
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Listens and starts serving. Throws with Redis's message if a listener can't be opened. */
  start(): void {
    const { Engine } = loadBinding();
    const engine = new Engine(this.engineOptions());
    this.engine = engine;
    this.pollBackend = engine.pollBackend();
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
    this.writer.commit();
    this.engine?.stop();
    for (const c of [...this.clients]) this.clients.unlink(c);
  }

  get tcpPortBound(): number {
    return this.listeners.find((l) => l.kind === 'tcp')?.port ?? 0;
  }

  private engineOptions() {
    return {
      maxclients: this.config.int('maxclients'),
      protoMaxBulkLen: this.config.int('proto-max-bulk-len'),
      maxNewConnectionsPerCycle: this.config.int('max-new-connections-per-cycle'),
      tcpKeepalive: this.config.int('tcp-keepalive'),
      unauthenticatedDefault: this.config.str('requirepass') !== '',
    };
  }

  private openListeners(): void {
    const engine = this.engine!;
    const port = this.config.int('port');
    const binds = this.config.list('bind');
    if (port !== 0 || this.ephemeral) {
      if (binds.length > 0) {
        const r = engine.listenTcp({ binds, port, ephemeral: this.ephemeral && port === 0, backlog: this.config.int('tcp-backlog') });
        if (r.error !== undefined) {
          this.log.warning(`Warning: ${r.error}`);
          throw new Error(`Failed listening on port ${port} (tcp), aborting.`);
        }
        this.listeners.push({ kind: 'tcp', id: r.id, port: r.port, binds });
        if (this.ephemeral) this.config.set('port', [String(r.port)], 'file');
      }
    }
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

  /** Re-opens the TCP listener after CONFIG SET port/bind; keeps the old one on failure. */
  private relistenTcp(): string | undefined {
    const engine = this.engine!;
    const old = this.listeners.find((l) => l.kind === 'tcp');
    const port = this.config.int('port');
    const binds = this.config.list('bind');
    if (old) engine.closeListener(old.id);
    this.listeners = this.listeners.filter((l) => l !== old);
    if (port === 0 || binds.length === 0) return undefined;
    const r = engine.listenTcp({ binds, port, ephemeral: false, backlog: this.config.int('tcp-backlog') });
    if (r.error !== undefined) {
      this.log.warning(`Warning: ${r.error}`);
      if (old) {
        const back = engine.listenTcp({ binds: old.binds, port: old.port, ephemeral: false, backlog: this.config.int('tcp-backlog') });
        if (back.error === undefined) this.listeners.unshift({ ...old, id: back.id });
      }
      return 'Unable to listen on this port. Check server logs.';
    }
    this.listeners.unshift({ kind: 'tcp', id: r.id, port: r.port, binds });
    return undefined;
  }

  private scheduleCron(): void {
    if (this.cron) clearInterval(this.cron);
    const hz = Math.min(500, Math.max(1, this.config.int('hz')));
    this.cron = setInterval(() => this.serverCron(), Math.floor(1000 / hz));
    this.cron.unref();
  }

  /** Periodic work: idle-client timeout (the rest of clientsCron comes with the limits). */
  private serverCron(): void {
    const timeout = this.config.int('timeout');
    if (timeout > 0) {
      const now = Date.now();
      for (const c of [...this.clients]) {
        if (c.flags & (ClientFlag.Slave | ClientFlag.Master | ClientFlag.Blocked | ClientFlag.PubSub)) continue;
        const last = this.counters[STAT_FIELDS + c.slot * SLOT_FIELDS + Field.LastInteraction];
        if (Math.floor(now / 1000) - Math.floor(last / 1000) > timeout) {
          this.log.verbose('Closing idle client');
          this.freeClient(c);
        }
      }
    }
    this.writer.commit();
  }

  // ---- batches -------------------------------------------------------------------------------

  private onBatch(words: number, bigs: ArrayBuffer[] | undefined): void {
    const r = this.records;
    const now = this.counters[Stat.NowMs];
    this.call.now = now;
    let i = 0;
    while (i < words) {
      switch (r[i]) {
        case Rec.Command: {
          const slot = r[i + 1];
          const argc = r[i + 2];
          const c = this.clients.atSlot(slot);
          if (c !== undefined && !c.closing) {
            this.args.bind(r, i + 3, argc, this.arena, bigs);
            this.runCommand(c);
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
        default:
          throw new Error(`respd: corrupt batch record ${r[i]} at ${i}`);
      }
    }
    this.freeClientsInAsyncQueue();
    this.writer.commit();
  }

  private runCommand(c: Client): void {
    const call = this.call;
    call.client = c;
    this.writer.begin(c.slot, c.resp);
    processCommand(call, this.commands, this);
    this.stats.commandsProcessed++;
  }

  private onOpen(slot: number, typeIndex: number, flags: number, now: number): void {
    const engine = this.engine!;
    const id = this.clients.allocateId();
    const protectedMode = this.config.bool('protected-mode') && this.config.str('requirepass') === '';
    if (protectedMode && !(flags & OPEN_LOCAL)) {
      // Written at once, unprompted, and the connection closed (clientAcceptHandler).
      engine.appendRaw(slot, Buffer.from(DENIED_TEXT + '\r\n', 'latin1'));
      engine.closeClient(slot, 1);
      this.stats.rejectedConnections++;
      return;
    }
    const authenticated = this.config.str('requirepass') === '';
    const c = new Client(id, slot, CONN_TYPE_NAMES[typeIndex] ?? 'tcp', (flags & OPEN_LOCAL) !== 0, now, authenticated,
      (s, remote) => this.engine?.address(s, remote) ?? '');
    if (flags & OPEN_UNIX) c.flags |= ClientFlag.UnixSocket;
    this.clients.link(c);
    this.stats.connectionsReceived++;
    if (this.log.enabled(Level.Verbose)) {
      this.log.verbose(flags & OPEN_UNIX ? `Accepted connection to ${this.config.str('unixsocket')}` : `Accepted ${c.addr}`);
    }
  }

  private onClose(slot: number, reason: number, errno: number): void {
    const c = this.clients.atSlot(slot);
    if (!c) return;
    if (this.log.enabled(Level.Verbose)) {
      if (reason === CloseReason.Eof) this.log.verbose(`Client closed connection ${this.clientInfo(c)}`);
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
    this.writer.begin(slot, c.resp);
    this.writer.error(text);
    if (this.log.enabled(Level.Verbose)) {
      this.log.verbose(`Protocol error (${PROTO_ERROR_REASON[code]}) from client: ${this.clientInfo(c)}. `);
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

  private unlinkClient(c: Client): void {
    this.clients.unlink(c);
  }

  onAuthenticated(c: Client): void {
    this.engine?.setUnauthenticated(c.slot, false);
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

  rejected(_call: CommandCall, _cmd: Command | undefined): void {
    // Counted through the writer's error statistics.
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

  applyConfig(changed: readonly string[]): string | undefined {
    const engine = this.engine;
    if (!engine) return undefined;
    engine.configure(this.engineOptions());
    let error: string | undefined;
    for (const name of changed) {
      switch (name) {
        case 'port':
        case 'bind':
          error = this.relistenTcp() ?? error;
          break;
        case 'hz':
          this.scheduleCron();
          break;
        case 'loglevel':
          this.log.setLevel(this.config.str('loglevel'));
          break;
        case 'logfile':
          error = this.log.setFile(this.config.str('logfile')) ?? error;
          break;
        default:
          break;
      }
    }
    return error;
  }

  info(sections: readonly string[]): string {
    return buildInfo(this, sections);
  }

  // ---- InfoSource -------------------------------------------------------------------------------

  hz(): number {
    return this.config.int('hz');
  }

  tcpPort(): number {
    return this.tcpPortBound;
  }

  listenerLines(): string[] {
    return this.listeners.map((l) =>
      l.kind === 'tcp'
        ? `name=tcp,${l.binds.map((b) => `bind=${b}`).join(',')},port=${l.port}`
        : `name=unix,bind=${l.binds[0]}`,
    );
  }

  clientsSection(): [string, string | number][] {
    return [
      ['connected_clients', this.clients.size],
      ['cluster_connections', 0],
      ['maxclients', this.config.int('maxclients')],
      ['client_recent_max_input_buffer', 0],
      ['client_recent_max_output_buffer', 0],
      ['blocked_clients', 0],
      ['tracking_clients', 0],
      ['clients_in_timeout_table', 0],
    ];
  }

  statsSection(): [string, string | number][] {
    const s = this.counters;
    let expired = 0;
    for (const db of this.keyspace.dbs) expired += db.expiredKeys;
    return [
      ['total_connections_received', this.stats.connectionsReceived],
      ['total_commands_processed', this.stats.commandsProcessed],
      ['instantaneous_ops_per_sec', 0],
      ['total_net_input_bytes', s[Stat.NetInput]],
      ['total_net_output_bytes', s[Stat.NetOutput]],
      ['rejected_connections', s[Stat.Rejected] + this.stats.rejectedConnections],
      ['expired_keys', expired],
      ['evicted_keys', 0],
      ['keyspace_hits', 0],
      ['keyspace_misses', 0],
      ['total_error_replies', this.writer.errorCount],
      ['total_reads_processed', s[Stat.Reads]],
      ['total_writes_processed', s[Stat.Writes]],
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

  commandstatsLines(): string[] {
    const out: string[] = [];
    for (const c of this.commands.everything()) {
      if (c.calls || c.rejectedCalls) {
        out.push(`cmdstat_${c.fullName}:calls=${c.calls},usec=0,usec_per_call=0.00,rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}\r\n`);
      }
    }
    return out;
  }

  /** A CLIENT LIST-style line for logs (the full line arrives with CLIENT LIST). */
  clientInfo(c: Client): string {
    return `id=${c.id} addr=${c.addr} laddr=${c.laddr} name=${c.name} db=${c.db}`;
  }
}

function errnoText(errno: number): string {
  return errno ? `errno ${errno}` : 'Connection reset by peer';
}
