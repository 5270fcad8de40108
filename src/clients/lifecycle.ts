// A client's life (networking.c's createClient, freeClient, freeClientAsync, closing after the
// reply, clearClientConnectionState): linked when native reports a connection, unlinked from
// every registry when it goes, whichever way it goes. Also the limits that end a client: the
// query buffer limit, the output buffer limits and maxmemory-clients.
import type { NativeEngine } from '../../binding.js';
import type { Config } from '../config/config.js';
import { CloseReason, Field, OpenFlag, SLOT_FIELDS, STAT_FIELDS } from '../engine/layout.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { DENIED_TEXT, errnoText } from '../util/errors.js';
import { Level, type Logger } from '../util/log.js';
import type { BlockingRegistry } from './blocking.js';
import { Client } from './client.js';
import { ClientFlag } from './flags.js';
import type { ClientLimits } from './limits.js';
import type { PubSub } from './pubsub.js';
import type { ClientRegistry } from './registry.js';
import type { Tracking } from './tracking.js';
import type { WatchRegistry } from './watch.js';

/** Connection types by the index native reports them with (ConnectionType registration order). */
const CONN_TYPE_NAMES = ['tcp', 'unix', 'tls'];

/** What the lifecycle reads of the running server: the engine once started and the reply writer. */
export interface ConnectionState {
  readonly engine: NativeEngine | undefined;
  readonly writer: ReplyWriter;
  readonly counters: Float64Array;
  readonly limits: ClientLimits | undefined;
  /** The client whose command is running. */
  current: Client | undefined;
}

/** The default user as the lifecycle needs it (the ACL lives above the clients). */
export interface DefaultUser {
  defaultAuthenticated(): boolean;
  defaultNoPass(): boolean;
}

export interface ClientRegistries {
  readonly clients: ClientRegistry;
  readonly blocking: BlockingRegistry;
  readonly watches: WatchRegistry;
  readonly pubsub: PubSub;
  readonly tracking: Tracking;
}

/** DISCARD, RESET and a failed EXEC: the queue and the WATCHed keys go. */
export function discardTransaction(c: Client, watches: WatchRegistry): void {
  c.multi = undefined;
  c.flags &= ~(ClientFlag.Multi | ClientFlag.DirtyCas);
  watches.unwatchAll(c);
}

/** Implements ClientControl (commands/context.ts), which commands reach as server.lifecycle. */
export class ClientLifecycle {
  /** MONITOR clients. */
  readonly monitors = new Set<Client>();
  readonly stats = { connectionsReceived: 0, rejectedConnections: 0, queryBufferDisconnections: 0, outputBufferDisconnections: 0 };
  /** CLIENT KILL of the caller itself: it goes once its reply is out (BatchRunner reads it). */
  closeCurrentAfterCommand = false;
  /** A replica's client went away (the replication master forgets it). */
  replicaGone: ((c: Client) => void) | undefined;
  /** The master client went away (the replica's link is down). */
  masterGone: ((c: Client) => void) | undefined;
  private closeAsapQueue: Client[] = [];

  constructor(
    private readonly st: ConnectionState,
    private readonly reg: ClientRegistries,
    private readonly config: Config,
    private readonly user: DefaultUser,
    private readonly log: Logger,
    /** The CLIENT LIST line of a client, for the log lines. */
    private readonly infoLine: (c: Client) => string,
  ) {}

  /** A connection was accepted: refused in protected mode, or a new linked client. */
  onOpen(slot: number, typeIndex: number, flags: number, now: number): void {
    const engine = this.st.engine!;
    const id = this.reg.clients.allocateId();
    const protectedMode = this.config.bool('protected-mode') && this.user.defaultNoPass();
    if (protectedMode && !(flags & OpenFlag.Local)) {
      // Written at once, unprompted, and the connection closed (clientAcceptHandler).
      engine.appendRaw(slot, Buffer.from(DENIED_TEXT + '\r\n', 'latin1'));
      engine.closeClient(slot, true);
      this.stats.rejectedConnections++;
      return;
    }
    const c = new Client(id, slot, CONN_TYPE_NAMES[typeIndex] ?? 'tcp', (flags & OpenFlag.Local) !== 0, now, this.user.defaultAuthenticated(),
      (s, remote) => this.st.engine?.address(s, remote) ?? '');
    if (flags & OpenFlag.Unix) c.flags |= ClientFlag.UnixSocket;
    this.reg.clients.link(c);
    this.st.limits?.applyClass(c, true);
    this.stats.connectionsReceived++;
    if (this.log.enabled(Level.Verbose)) {
      this.log.verbose(flags & OpenFlag.Unix ? `Accepted connection to ${this.config.str('unixsocket')}` : `Accepted ${c.addr}`);
    }
  }

  /**
   * A client on an outgoing connection (a replica's master link once the stream flows): linked
   * as an accepted one is, with `flags` set, authenticated (replicationCreateMasterClient).
   */
  linkOutgoing(slot: number, flags: number, now: number): Client {
    const c = new Client(this.reg.clients.allocateId(), slot, 'tcp', false, now, true, (s, remote) => this.st.engine?.address(s, remote) ?? '');
    c.flags |= flags;
    // No user: CLIENT LIST says (superuser), and no ACL applies (the callers check the flag).
    if (flags & ClientFlag.Master) c.user = '(superuser)';
    this.reg.clients.link(c);
    this.st.limits?.applyClass(c, true);
    return c;
  }

  /** Native closed the connection (EOF, an error, or a close it was asked for). */
  onClose(slot: number, reason: CloseReason, errno: number): void {
    const c = this.reg.clients.atSlot(slot);
    if (!c) return;
    if (this.log.enabled(Level.Verbose)) {
      if (reason === CloseReason.Eof) this.log.verbose(`Client closed connection ${this.infoLine(c)}`);
      else if (reason === CloseReason.ReadError) this.log.verbose(`Reading from client: ${errnoText(errno)}`);
      else if (reason === CloseReason.WriteError) this.log.verbose(`Error writing to client: ${errnoText(errno)}`);
    }
    this.unlink(c);
  }

  /** Closes `c` once the replies it has been given are written. */
  closeAfterReply(c: Client): void {
    if (c.closing) return;
    c.flags |= ClientFlag.CloseAfterReply;
    // The reply is still in the writer's area: hand it over first so it is sent before the close.
    this.st.writer.commit();
    this.st.engine?.closeClient(c.slot, true);
  }

  /** Redis's freeClientAsync: closed at the end of this batch, pending output discarded. */
  freeClientAsync(c: Client): void {
    if (c.flags & ClientFlag.CloseAsap) return;
    c.flags |= ClientFlag.CloseAsap;
    this.closeAsapQueue.push(c);
  }

  /** Redis's freeClient: closed now, pending output discarded. */
  freeClient(c: Client): void {
    this.st.engine?.closeClient(c.slot, false);
    this.unlink(c);
  }

  /** The end of a batch: clients scheduled with freeClientAsync go. */
  freeClientsInAsyncQueue(): void {
    if (this.closeAsapQueue.length === 0) return;
    const q = this.closeAsapQueue;
    this.closeAsapQueue = [];
    for (const c of q) this.freeClient(c);
  }

  /** Drops every trace of `c`: registry, blocking, WATCH, subscriptions, tracking, MONITOR. */
  unlink(c: Client): void {
    const reg = this.reg;
    if (!reg.clients.byID(c.id)) return;
    reg.clients.unlink(c);
    if (c.blocked) {
      reg.blocking.remove(c);
      c.blocked = undefined;
    }
    c.pending = [];
    reg.watches.unwatchAll(c);
    reg.pubsub.removeAll(c);
    reg.tracking.clientGone(c);
    this.monitors.delete(c);
    if (c.flags & ClientFlag.Slave) this.replicaGone?.(c);
    if (c.flags & ClientFlag.Master) this.masterGone?.(c);
    c.multi = undefined;
    if (this.st.current === c) this.st.current = undefined;
  }

  /** Kills every client `match` selects; the caller itself is closed after its reply. */
  killClients(caller: Client, match: (c: Client) => boolean): number {
    let n = 0;
    for (const c of [...this.reg.clients]) {
      if (!match(c)) continue;
      n++;
      if (c === caller) this.closeCurrentAfterCommand = true;
      else this.freeClient(c);
    }
    return n;
  }

  clientInfoLine(c: Client): string {
    return this.infoLine(c);
  }

  /** Every client, at shutdown. */
  unlinkAll(): void {
    for (const c of [...this.reg.clients]) this.unlink(c);
  }

  /** AUTH or HELLO AUTH passed: native lifts the pre-auth request limits. */
  onAuthenticated(c: Client): void {
    this.st.engine?.setUnauthenticated(c.slot, false);
  }

  addMonitor(c: Client): void {
    c.flags |= ClientFlag.Slave | ClientFlag.Monitor;
    this.monitors.add(c);
  }

  /** RESET: everything Redis's clearClientConnectionState clears. */
  reset(c: Client): void {
    if (c.flags & ClientFlag.Monitor) {
      this.monitors.delete(c);
      c.flags &= ~(ClientFlag.Monitor | ClientFlag.Slave);
    }
    this.reg.tracking.disable(c);
    c.db = 0;
    c.resp = 2;
    c.user = 'default';
    c.authenticated = this.user.defaultAuthenticated();
    this.st.engine?.setUnauthenticated(c.slot, !c.authenticated);
    discardTransaction(c, this.reg.watches);
    this.reg.pubsub.removeAll(c);
    c.name = '';
    // REPLY_SKIP itself stays: RESET after CLIENT REPLY SKIP is silent, as in Redis.
    c.flags &= ~(ClientFlag.Readonly | ClientFlag.ReplyOff | ClientFlag.ReplySkipNext | ClientFlag.NoTouch | ClientFlag.NoEvict);
  }

  /** The pending request outgrew client-query-buffer-limit (or 1 MiB before AUTH). */
  queryLimitExceeded(c: Client): boolean {
    const qbuf = this.st.counters[STAT_FIELDS + c.slot * SLOT_FIELDS + Field.Qbuf];
    const total = qbuf + (c.multi?.mem ?? 0);
    const limit = this.config.int('client-query-buffer-limit');
    const unauthOver = !c.authenticated && !this.user.defaultAuthenticated() && total > 1024 * 1024;
    if (total <= limit && !unauthOver) return false;
    this.onQueryLimit(c.slot, total);
    return true;
  }

  onQueryLimit(slot: number, bytes: number): void {
    const c = this.reg.clients.atSlot(slot);
    if (!c || c.closing) return;
    this.log.warning(`Closing client that reached max query buffer length: ${this.infoLine(c)} (qbuf initial bytes: ${bytes})`);
    this.stats.queryBufferDisconnections++;
    this.freeClientAsync(c);
  }

  /** Output over the client's class limit: native already dropped it; the client goes. */
  onOutputLimit(slot: number, async: boolean): void {
    const c = this.reg.clients.atSlot(slot);
    if (!c) return;
    const info = this.infoLine(c);
    this.stats.outputBufferDisconnections++;
    if (async) {
      this.log.warning(`Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.freeClientAsync(c);
    } else {
      this.log.warning(`Client ${info} closed for overcoming of output buffer limits.`);
      this.freeClient(c);
    }
  }

  /** maxmemory-clients: the largest evictable clients go until the sum is under the limit. */
  evictClients(): void {
    this.st.limits?.evict(this.reg.clients, this.st.counters, (c) => this.evictOne(c), (msg) => this.log.warning(msg));
  }

  /**
   * maxmemory-clients before a command: its arguments count for its client first. True when that
   * evicted the client itself (the command is then dropped without a reply).
   */
  evictBeforeCommand(c: Client, argvBytes: number): boolean {
    const limits = this.st.limits;
    if (!limits || limits.limit === 0) return false;
    limits.evictBeforeCommand(c, argvBytes, this.reg.clients, this.st.counters, (victim) => this.evictOne(victim), (msg) => this.log.warning(msg));
    return this.reg.clients.byID(c.id) === undefined;
  }

  private evictOne(c: Client): void {
    this.log.notice(`Evicting client: ${this.infoLine(c)}`);
    this.freeClient(c);
  }
}
