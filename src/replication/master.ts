// The master side of replication (replication.c): replicas attach with SYNC or PSYNC, get the
// dataset as an RDB payload (+FULLRESYNC) or what they missed from the backlog (+CONTINUE), and
// then the replication stream: the propagation stream's commands with SELECT whenever the
// database changes, and a PING every repl-ping-replica-period. master_repl_offset counts every
// byte of that stream; replicas report theirs with REPLCONF ACK.
import type { Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import type { Config } from '../config/config.js';
import { encodeCommand, Target, type Propagation, type PropagationSink } from '../propagation/propagation.js';
import type { ReplyWriter } from '../protocol/reply.js';
import type { Logger } from '../util/log.js';
import type { SaveSink } from '../persistence/save-sink.js';
import { ByteBuffer } from '../util/byte-buffer.js';
import { Backlog } from './backlog.js';
import type { Failover } from './failover.js';
import { FullSyncs } from './full-sync.js';
import type { StreamHold } from './stream-hold.js';

/** A replica as the master knows it (a client with flag S). */
export interface Replica {
  client: Client;
  /** REPLCONF listening-port / ip-address. */
  port: number;
  ip: string;
  capa: Set<string>;
  /** REPLCONF ACK: the offset it has processed, and when it said so (ms). */
  ackOffset: number;
  /** REPLCONF ACK ... FACK: the offset its AOF has on disk (WAITAOF). */
  aofAckOffset: number;
  ackTime: number;
  /** 'wait_bgsave' until the snapshot is made, 'send_bulk' while a disk payload leaves, then 'online'. */
  state: 'online' | 'wait_bgsave' | 'send_bulk';
  /** SYNC (not PSYNC): no +FULLRESYNC line, no PINGs until... (CLIENT_PRE_PSYNC). */
  prePsync: boolean;
  /** After its payload, until its first REPLCONF ACK (diskless) or the payload left (disk): the stream held back for it. */
  hold?: StreamHold;
}

export interface MasterHost {
  readonly config: Config;
  readonly log: Logger;
  readonly propagation: Propagation;
  /** master_replid. */
  readonly replId: string;
  /** The dataset as an RDB payload with the given aux fields, now. */
  payload(aux: readonly [string, string | number][]): Buffer;
  /** The same written in the background; false when it can't start (another save runs). */
  snapshot(aux: readonly [string, string | number][], done: (payload: Buffer | undefined, error?: string) => void): boolean;
  /** The same streamed into `sink` (a diskless transfer); false when it can't start. */
  snapshotToSockets(aux: readonly [string, string | number][], sink: SaveSink, done: (error: string | undefined) => void): boolean;
  /** Stops the replicas' background save (no replica left to send it to). */
  abortTransfer(): void;
  /** Another background save ('rdb') or rewrite ('other') runs: a replicas' one waits. */
  backgroundBusy(): 'rdb' | 'other' | undefined;
  /** Bytes waiting in a client's output (CLIENT LIST omem). */
  pendingOutput(c: Client): number;
  /** A replica's output limits off while an RDB payload goes through its output, and back on. */
  exemptFromOutputLimit(c: Client, exempt: boolean): void;
  /**
   * A replica's held stream passed its output limit: closed as the output limit closes clients,
   * at the end of the batch (`async`, from inside a command) or at once (from the cron).
   */
  outputLimitReached(c: Client, async: boolean): void;
  /** Hands what was written for other clients to the sockets now. */
  flush(): void;
  /** A batch is running: its stream goes to the online replicas at its end (flushStream). */
  inBatch(): boolean;
  /** Closes a client at once (a replica whose sync failed). */
  closeClient(c: Client): void;
  /** The AOF's fed offset (0 while it is off). */
  aofFedOffset(): number;
  /** WAIT/WAITAOF clients look again. */
  wake(): void;
  /** Writes to a client outside its own command (the stream). */
  writeTo(target: Client, write: (r: ReplyWriter) => void, push?: boolean): void;
  /** Closes a client now (replicas told of a new history). */
  freeClient(c: Client): void;
}

const NO_REPLID = '0000000000000000000000000000000000000000';
/** Past this the batch's stream goes to the replicas at once, and a larger command is sent on its own. */
const PENDING_MAX = 1024 * 1024;

export class ReplicationMaster implements PropagationSink {
  readonly target = Target.Repl;
  /** master_repl_offset. */
  offset = 0;
  /** The database the stream last selected (server.slaveseldb); -1: SELECT before the next command. */
  private selectedDb = -1;
  backlog: Backlog | undefined;
  readonly replicas = new Map<Client, Replica>();
  /** When the last replica left (repl-backlog-ttl), ms; 0 while some are attached. */
  noReplicasSince = 0;
  private lastPing = 0;
  /** master_replid2 and second_repl_offset: the history this one continues (after a promotion or a new master's id). */
  replId2 = NO_REPLID;
  secondOffset = -1;
  /**
   * This server is a replica: the propagation stream does not reach the replicas (they get the
   * master's stream, proxied), as replicationFeedSlaves returns at once on a replica.
   */
  private proxyingNow = false;

  get proxying(): boolean {
    return this.proxyingNow;
  }

  /** A replica records nothing for its replicas: it leaves the propagation stream while it proxies. */
  set proxying(on: boolean) {
    this.proxyingNow = on;
    if (on) this.host.propagation.removeSink(this);
    else if (this.backlog) this.host.propagation.addSink(this);
  }
  /** While proxying: the database the master's stream is in, for a full sync's repl-stream-db. */
  proxyStreamDb: (() => number) | undefined;
  /** The replica side's INFO fields (role:slave ...), in place of role:master. */
  roleInfo: (() => [string, string | number][]) | undefined;
  /** INFO stats: sync_full, sync_partial_ok, sync_partial_err. */
  readonly syncStats = { full: 0, partialOk: 0, partialErr: 0 };

  /** master_replid. */
  get replId(): string {
    return this.host.replId;
  }

  /** FAILOVER's coordination (set by the server's host). */
  failover: Failover | undefined;
  /** min-replicas-to-write and min-replicas-max-lag are both set: writes need good replicas. */
  minReplicasActive = false;
  /** Replicas online whose last ACK is at most min-replicas-max-lag old (refreshGoodSlavesCount). */
  goodReplicas = 0;

  /** Full synchronizations: waiting, to disk or diskless, the stream held meanwhile. */
  readonly fullSyncs: FullSyncs;

  constructor(readonly host: MasterHost) {
    this.fullSyncs = new FullSyncs({
      host,
      offset: () => this.offset,
      syncAux: () => this.syncAux(),
      online: (c, r) => this.attach(c, r),
      flushStream: () => this.flushStream(),
      has: (c) => this.replicas.has(c),
    });
    const read = () => {
      this.minReplicasActive = host.config.int('min-replicas-to-write') > 0 && host.config.int('min-replicas-max-lag') > 0;
      this.refreshGood(Date.now());
    };
    read();
    host.config.onChange((name) => {
      if (name === 'min-replicas-to-write' || name === 'min-replicas-max-lag') read();
      // resizeReplicationBacklog: the newest bytes kept.
      if (name === 'repl-backlog-size') this.backlog?.resize(host.config.int('repl-backlog-size'));
    });
  }

  /** checkGoodReplicasStatus, negated. */
  tooFewGoodReplicas(): boolean {
    return this.minReplicasActive && this.goodReplicas < this.host.config.int('min-replicas-to-write');
  }

  private refreshGood(now: number): void {
    if (!this.minReplicasActive) return;
    const maxLag = this.host.config.int('min-replicas-max-lag');
    let good = 0;
    for (const r of this.replicas.values()) {
      if (r.state === 'online' && Math.floor((now - r.ackTime) / 1000) <= maxLag) good++;
    }
    this.goodReplicas = good;
  }

  /** REPLCONF seen from clients that have not synced yet. */
  private readonly pending = new WeakMap<Client, Replica>();

  /** The replica record of a client (one that sent REPLCONF before SYNC too), created on first use. */
  replicaOf(c: Client): Replica {
    let r = this.replicas.get(c) ?? this.pending.get(c);
    if (!r) {
      r = { client: c, port: 0, ip: '', capa: new Set(), ackOffset: 0, aofAckOffset: 0, ackTime: 0, state: 'wait_bgsave', prePsync: false };
      this.pending.set(c, r);
    }
    return r;
  }

  /** Creates the backlog when the first replica comes (createReplicationBacklog). */
  ensureBacklog(): Backlog {
    if (!this.backlog) {
      this.backlog = new Backlog(this.host.config.int('repl-backlog-size'), this.offset);
      // A new backlog: a new history, so the stream must state its database again.
      this.selectedDb = -1;
      if (!this.proxyingNow) this.host.propagation.addSink(this);
    }
    return this.backlog;
  }

  /**
   * PSYNC replid offset (or SYNC, `psync` false): +CONTINUE with what the replica missed when the
   * backlog holds it, else a full resynchronization. The reply is written by `w` (the caller's).
   */
  sync(c: Client, w: ReplyWriter, psync: { replid: string; offset: number } | undefined): void {
    const r = this.replicaOf(c);
    this.pending.delete(c);
    const backlog = this.ensureBacklog();
    const { log } = this.host;
    const sameHistory = psync && (psync.replid === this.host.replId || (psync.replid === this.replId2 && psync.offset <= this.secondOffset));
    if (psync && sameHistory && psync.offset >= 0) {
      const missed = backlog.from(psync.offset);
      if (missed) {
        w.rawAscii(r.capa.has('psync2') ? `+CONTINUE ${this.host.replId}\r\n` : '+CONTINUE\r\n');
        w.raw(missed);
        this.attach(c, r);
        this.syncStats.partialOk++;
        log.notice(`Partial resynchronization request from ${c.addr} accepted. Sending ${missed.length} bytes of backlog starting from offset ${psync.offset}.`);
        return;
      }
    }
    if (psync) {
      if (psync.replid === '?') log.notice(`Full resync requested by replica ${c.addr}`);
      else if (!sameHistory) log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${psync.replid}', my replication IDs are '${this.host.replId}' and '${this.replId2}')`);
      else log.notice(`Unable to partial resync with replica ${c.addr} for lack of backlog (Replica request was: ${psync.offset}).`);
      if (psync.replid !== '?') this.syncStats.partialErr++;
    }
    this.syncStats.full++;
    if (!psync) r.prePsync = true;
    // The +FULLRESYNC line waits for the snapshot's start: it names the offset the payload is at.
    this.waitFor(c, r);
    this.fullSyncs.request(r, Date.now());
  }

  /** A full sync's aux fields; the stream after its payload starts with a SELECT. */
  private syncAux(): [string, string | number][] {
    this.selectedDb = -1;
    return [
      // A replica's own replicas continue the proxied stream, which selects no database first.
      ['repl-stream-db', this.proxyingNow ? (this.proxyStreamDb?.() ?? 0) : 0],
      ['repl-id', this.host.replId],
      ['repl-offset', this.offset],
    ];
  }

  /** A replica waiting for its payload: attached (flag S), getting no stream yet. */
  private waitFor(c: Client, r: Replica): void {
    this.firstPing();
    c.flags |= ClientFlag.Slave;
    r.state = 'wait_bgsave';
    this.replicas.set(c, r);
    this.noReplicasSince = 0;
  }

  /** The first PING a full period after the first replica came. */
  private firstPing(): void {
    if (this.replicas.size === 0) this.lastPing = Date.now();
  }

  private attach(c: Client, r: Replica): void {
    // The stream produced before it came is not its own: the others get it first.
    this.flushStream();
    if (!this.replicas.has(c)) this.firstPing();
    c.flags |= ClientFlag.Slave;
    r.state = 'online';
    r.ackTime = Date.now();
    this.replicas.set(c, r);
    this.noReplicasSince = 0;
    this.refreshGood(r.ackTime);
  }

  /** A replica's client went away. */
  detach(c: Client): void {
    const r = this.replicas.get(c);
    if (!r || !this.replicas.delete(c)) return;
    this.fullSyncs.dropped(r);
    this.host.log.notice(`Connection with replica ${c.addr} lost.`);
    if (this.replicas.size === 0) this.noReplicasSince = Date.now();
    this.refreshGood(Date.now());
  }

  /** The propagation stream's commands for the replicas (replicationFeedSlaves). */
  feed(db: number, command: Buffer): void {
    this.feedRange(db, command, 0, command.length);
  }

  /** feed() for bytes start..end of `src`, copied by each place that keeps them (see PropagationSink). */
  feedRange(db: number, src: Buffer, start: number, end: number): void {
    if (this.proxyingNow) return;
    if (db !== -1 && db !== this.selectedDb) {
      this.emit(encodeCommand(['SELECT', String(db)]));
      this.selectedDb = db;
    }
    this.emitRange(src, start, end);
  }

  /**
   * A replica passes its master's stream on byte for byte (replicationFeedStreamFromMasterStream):
   * bytes start..end of `src`, valid during the call.
   */
  proxy(src: Buffer, start: number, end: number): void {
    this.emitRange(src, start, end);
  }

  /**
   * A new history: the offset a full sync from a master starts at; the backlog starts again
   * there and the replicas, on the old history, are disconnected (they PSYNC again).
   */
  startHistory(offset: number): void {
    this.offset = offset;
    this.replId2 = NO_REPLID;
    this.secondOffset = -1;
    this.backlog = new Backlog(this.host.config.int('repl-backlog-size'), offset);
    if (!this.proxyingNow) this.host.propagation.addSink(this);
    this.selectedDb = -1;
    this.disconnectReplicas();
  }

  /** shiftReplicationId: `oldId` stays acceptable for PSYNC up to this offset (a promotion, a master's new id). */
  shiftHistory(oldId: string): void {
    this.replId2 = oldId;
    this.secondOffset = this.offset + 1;
    this.selectedDb = -1;
  }

  /** Every replica is closed (they reconnect and PSYNC). */
  disconnectReplicas(): void {
    for (const c of [...this.replicas.keys()]) {
      this.detach(c);
      this.host.freeClient(c);
    }
  }

  /** The stream's next bytes: counted, kept in the backlog, sent to the replicas. */
  private emit(b: Buffer): void {
    this.emitRange(b, 0, b.length);
  }

  /** emit() for bytes start..end of `src`, copied by each place that keeps them. */
  private emitRange(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.offset += n;
    this.backlog?.appendRange(src, start, end);
    // Replicas waiting for their payload get what happens meanwhile right after it.
    if (this.fullSyncs.holding()) this.fullSyncs.feed(Buffer.from(src.subarray(start, end)));
    if (this.replicas.size === 0) return;
    // Inside a batch the online replicas get the batch's stream in one write at its end (flushStream).
    const pending = this.batchStream;
    if (this.host.inBatch() && n <= PENDING_MAX) {
      if (pending.length + n > PENDING_MAX) this.flushStream();
      pending.append(src, start, end);
      return;
    }
    this.flushStream();
    this.sendRange(src, start, end);
  }

  /**
   * The stream of this batch not yet written to the online replicas. Redis appends each command
   * once to its replication buffer and writes the replicas from there; here each replica gets the
   * batch's bytes in one write at its end, not a write of its own after every command (which also
   * cut the running client's replies into one record per command).
   */
  private readonly batchStream = new ByteBuffer();

  /**
   * Writes the pending stream to the online replicas: at the end of every batch, before a replica
   * joins them (it must not get bytes from before it did) and before output is handed over at once.
   */
  flushStream(): void {
    const pending = this.batchStream;
    if (pending.length === 0) return;
    // Writing to replicas emits nothing: the bytes can't change while they are sent.
    this.sendRange(pending.bytes(), 0, pending.length);
    pending.clear();
  }

  /** Writes bytes start..end of `src` to every online replica past its payload; replicas found closing are dropped. */
  private sendRange(src: Buffer, start: number, end: number): void {
    const write = (w: ReplyWriter): void => w.rawRange(src, start, end);
    for (const [c, r] of this.replicas) {
      if (c.closing) {
        this.detach(c);
        continue;
      }
      if (r.state === 'online' && r.hold === undefined) this.host.writeTo(c, write, false);
    }
  }

  /** The stream's offset after `c`'s last write: WAIT waits for replicas to reach it. */
  writeOffset(c: Client): number {
    return c.replWoff;
  }

  /** The AOF's offset after `c`'s last write: WAITAOF waits for the local fsync to pass it. */
  aofWriteOffset(c: Client): number {
    return c.aofWoff;
  }

  /** After a command of `c` went out in the stream. */
  wrote(c: Client): void {
    c.replWoff = this.offset;
    c.aofWoff = this.host.aofFedOffset();
  }

  /** REPLCONF ACK <offset> [FACK <aof offset>]. */
  ack(c: Client, offset: number, aofOffset: number | undefined): void {
    const r = this.replicas.get(c);
    if (!r) return;
    if (offset > r.ackOffset) r.ackOffset = offset;
    if (aofOffset !== undefined && aofOffset > r.aofAckOffset) r.aofAckOffset = aofOffset;
    r.ackTime = Date.now();
    if (r.hold) this.fullSyncs.acked(r);
    this.refreshGood(r.ackTime);
    this.wakeWaiters();
  }

  /** WAIT and WAITAOF clients check again (after an ACK, or the AOF's fsync). */
  wakeWaiters(): void {
    this.host.wake();
  }

  /** Replicas whose AOF has `offset` on disk (WAITAOF). */
  aofReplicasAt(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && r.aofAckOffset >= offset) n++;
    return n;
  }

  /** replicationCron: PING the replicas every repl-ping-replica-period; drop the backlog after repl-backlog-ttl. */
  cron(now: number): void {
    for (const c of this.replicas.keys()) if (c.closing) this.detach(c);
    this.failover?.cron(now);
    this.fullSyncs.cron(now);
    this.refreshGood(now);
    const period = this.host.config.int('repl-ping-replica-period') * 1000;
    if (this.replicas.size > 0 && !this.proxying && now - this.lastPing >= period) {
      this.lastPing = now;
      this.feed(-1, PING);
    }
    const ttl = this.host.config.int('repl-backlog-ttl') * 1000;
    // A replica keeps its backlog: its own replicas, or itself once promoted, may PSYNC with it.
    if (this.backlog && !this.proxyingNow && this.replicas.size === 0 && ttl > 0 && this.noReplicasSince && now - this.noReplicasSince > ttl) {
      this.host.log.notice(`Replication backlog freed after ${ttl / 1000} seconds without connected replicas.`);
      this.backlog = undefined;
      this.host.propagation.removeSink(this);
    }
  }

  /** Replicas whose acknowledged offset reached `offset` (WAIT). */
  replicasAt(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** REPLCONF GETACK * to every replica (WAIT asks for fresh acknowledgements). */
  requestAcks(): void {
    // Fed inside the WAIT itself, which records nothing: the client's write offset stays put.
    if (this.replicas.size > 0) this.feed(-1, GETACK);
  }

  infoFields(): [string, string | number][] {
    const now = Date.now();
    const out: [string, string | number][] = [...(this.roleInfo?.() ?? [['role', 'master']]), ['connected_slaves', this.replicas.size]];
    if (this.minReplicasActive) out.push(['min_slaves_good_slaves', this.goodReplicas]);
    let i = 0;
    for (const r of this.replicas.values()) {
      const ip = r.ip || r.client.addr.slice(0, r.client.addr.lastIndexOf(':'));
      out.push([`slave${i++}`, `ip=${ip},port=${r.port},state=${r.state},offset=${r.ackOffset},lag=${Math.floor((now - r.ackTime) / 1000)}`]);
    }
    const b = this.backlog;
    out.push(
      ['master_failover_state', this.failover?.state ?? 'no-failover'],
      ['master_replid', this.host.replId],
      ['master_replid2', this.replId2],
      ['master_repl_offset', this.offset],
      ['second_repl_offset', this.secondOffset],
      ['repl_backlog_active', b ? 1 : 0],
      ['repl_backlog_size', this.host.config.int('repl-backlog-size')],
      ['repl_backlog_first_byte_offset', b ? b.firstByteOffset : 0],
      ['repl_backlog_histlen', b ? b.histlen : 0],
    );
    return out;
  }
}

const PING = encodeCommand(['PING']);
const GETACK = encodeCommand(['REPLCONF', 'GETACK', '*']);
