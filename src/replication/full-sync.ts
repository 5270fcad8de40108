// Full synchronizations on the master (replication.c's syncCommand, startBgsaveForReplication,
// shouldStartChildReplication, updateSlavesWaitingBgsave). A replica that needs the whole
// dataset waits for a snapshot (state wait_bgsave); the snapshot goes to disk and is sent as
// `$<len>` + payload, or, with repl-diskless-sync and every waiting replica able to read an
// EOF-marked payload (capa eof), streams straight into their sockets (diskless.ts). A diskless
// sync waits repl-diskless-sync-delay seconds for more replicas to join it, or until
// repl-diskless-sync-max-replicas are waiting. The stream produced meanwhile is held (stream-hold.ts),
// counted against the replica output limits, and sent after the payload.
import type { Client } from '../clients/client.js';
import type { BufferLimit } from '../config/config.js';
import { DisklessTransfer } from './diskless.js';
import type { MasterHost, Replica } from './master.js';
import { StreamHold } from './stream-hold.js';

/** What a full sync needs of the master. */
export interface FullSyncOwner {
  readonly host: MasterHost;
  /** master_repl_offset. */
  offset(): number;
  /** The aux fields of a full sync's payload; the stream selects its database again after it. */
  syncAux(): [string, string | number][];
  /** The replica gets the stream from now on. */
  online(c: Client, r: Replica): void;
  /** The online replicas get the stream pending for them (before another replica joins them). */
  flushStream(): void;
  /** Still a replica (not detached). */
  has(c: Client): boolean;
}

/** A snapshot to disk for replicas: the offset it stands for, who waits, the stream since. */
interface DiskSync {
  offset: number;
  waiting: Replica[];
  hold: StreamHold;
}

/** replicationGetSlaveName: ip:listening-port once known, else the connection's address. */
export function replicaName(r: Replica): string {
  const ip = r.ip || r.client.addr.slice(0, r.client.addr.lastIndexOf(':'));
  return r.port ? `${ip}:${r.port}` : r.client.addr;
}

export class FullSyncs {
  /** Replicas waiting for a snapshot to start (SLAVE_STATE_WAIT_BGSAVE_START), since when (ms). */
  private readonly queue = new Map<Replica, number>();
  private disk: DiskSync | undefined;
  private transfer: DisklessTransfer | undefined;
  /**
   * Replicas whose payload went out, holding their stream: after a diskless transfer until their
   * first REPLCONF ACK; after a disk one (`sending`, state send_bulk) until their output drained.
   */
  private readonly held = new Set<Replica>();
  private readonly sending = new Set<Replica>();
  private limit: BufferLimit;
  private lastNewline = 0;

  constructor(private readonly m: FullSyncOwner) {
    const config = m.host.config;
    this.limit = config.clientOutputBufferLimits().replica;
    config.onChange((name) => {
      if (name === 'client-output-buffer-limit') this.limit = config.clientOutputBufferLimits().replica;
    });
  }

  /** A snapshot for replicas is being made (disk or sockets). */
  get active(): boolean {
    return this.disk !== undefined || this.transfer !== undefined;
  }

  /** A replica needs the whole dataset (syncCommand's full resync part). */
  request(r: Replica, now: number): void {
    const { log } = this.m.host;
    // A snapshot to disk in progress serves it too: the stream held since its offset is the
    // replica's as well (Redis copies the other replica's output buffer).
    if (this.disk) {
      this.disk.waiting.push(r);
      if (!r.prePsync) this.m.host.writeTo(r.client, (w) => w.rawAscii(`+FULLRESYNC ${this.m.host.replId} ${this.disk!.offset}\r\n`), false);
      log.notice('Waiting for end of BGSAVE for SYNC');
      return;
    }
    this.queue.set(r, now);
    if (this.transfer) {
      log.notice('Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
      return;
    }
    const busy = this.m.host.backgroundBusy();
    if (busy) {
      log.notice(busy === 'rdb'
        ? "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC"
        : 'No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed');
      return;
    }
    const config = this.m.host.config;
    if (config.bool('repl-diskless-sync') && r.capa.has('eof') && config.int('repl-diskless-sync-delay') > 0 && !this.enoughWaiting()) {
      log.notice('Delay next BGSAVE for diskless SYNC');
      return;
    }
    this.start();
  }

  /** repl-diskless-sync-max-replicas replicas are waiting: no need to wait longer. */
  private enoughWaiting(): boolean {
    const max = this.m.host.config.int('repl-diskless-sync-max-replicas');
    return max > 0 && this.queue.size >= max;
  }

  /** shouldStartChildReplication. */
  private shouldStart(now: number): boolean {
    if (this.queue.size === 0 || this.active || this.m.host.backgroundBusy()) return false;
    const config = this.m.host.config;
    if (!config.bool('repl-diskless-sync') || this.enoughWaiting()) return true;
    let maxIdle = 0;
    for (const since of this.queue.values()) maxIdle = Math.max(maxIdle, Math.floor((now - since) / 1000));
    return maxIdle >= config.int('repl-diskless-sync-delay');
  }

  /** startBgsaveForReplication: every waiting replica joins; sockets when all of them read EOF marks. */
  private start(): void {
    const targets = [...this.queue.keys()].filter((r) => !r.client.closing);
    this.queue.clear();
    if (targets.length === 0) return;
    const { host } = this.m;
    const socket = host.config.bool('repl-diskless-sync') && targets.every((r) => r.capa.has('eof'));
    host.log.notice(`Starting BGSAVE for SYNC with target: ${socket ? 'replicas sockets' : 'disk'}`);
    const aux = this.m.syncAux();
    if (socket) this.startDiskless(targets, aux);
    else this.startDisk(targets, aux);
  }

  private startDiskless(targets: Replica[], aux: [string, string | number][]): void {
    const { host } = this.m;
    const t = new DisklessTransfer(host, targets, this.m.offset());
    if (!host.snapshotToSockets(aux, t, (error) => this.transferDone(t, error))) {
      this.startDisk(targets, aux);
      return;
    }
    this.transfer = t;
    // The payload's bytes are not the output buffer's: they never count towards its limit.
    for (const r of targets) host.exemptFromOutputLimit(r.client, true);
    t.begin(host.replId);
  }

  private startDisk(targets: Replica[], aux: [string, string | number][]): void {
    const { host } = this.m;
    const sync: DiskSync = { offset: this.m.offset(), waiting: targets, hold: new StreamHold() };
    for (const r of targets) {
      if (!r.prePsync) host.writeTo(r.client, (w) => w.rawAscii(`+FULLRESYNC ${host.replId} ${sync.offset}\r\n`), false);
    }
    if (host.snapshot(aux, (payload, error) => this.diskDone(sync, payload, error))) {
      this.disk = sync;
      return;
    }
    // No background save could start: the payload is made now, as SAVE would.
    host.log.notice('Starting SYNC with target: replicas sockets, serialized in the foreground');
    this.diskDone(sync, host.payload(aux));
  }

  /**
   * updateSlavesWaitingBgsave for a disk target: `$<len>` and the payload (send_bulk, outside the
   * output limit as Redis sends it from the file), then, once it left, the stream held since.
   */
  private diskDone(sync: DiskSync, payload: Buffer | undefined, error?: string): void {
    if (this.disk === sync) this.disk = undefined;
    const { host } = this.m;
    for (const r of sync.waiting) {
      const c = r.client;
      if (c.closing || !this.m.has(c)) continue;
      if (!payload) {
        // The snapshot failed or was killed: the replica goes, and will sync again.
        host.log.warning(`Closing replica ${c.addr}: the RDB transfer failed (${error})`);
        host.closeClient(c);
        continue;
      }
      host.exemptFromOutputLimit(c, true);
      host.writeTo(c, (w) => {
        w.rawAscii(`$${payload.length}\r\n`);
        w.raw(payload);
      }, false);
      r.state = 'send_bulk';
      r.hold = sync.hold.fork();
      this.held.add(r);
      this.sending.add(r);
    }
    host.flush();
    // What the sockets took at once is through already (the common case of a small payload).
    for (const r of sync.waiting) if (this.sending.has(r)) this.sent(r);
  }

  /** A disk payload that left entirely puts its replica online (sendBulkToSlave's end). */
  private sent(r: Replica, acked = false): void {
    if (!acked && this.m.host.pendingOutput(r.client) > 0) return;
    this.sending.delete(r);
    this.release(r);
    this.m.online(r.client, r);
    this.m.host.log.notice(`Synchronization with replica ${r.client.addr} succeeded`);
  }

  /** The diskless save ended: the mark, then each replica waits for its first ACK to get the stream. */
  private transferDone(t: DisklessTransfer, error: string | undefined): void {
    if (this.transfer === t) this.transfer = undefined;
    const { host } = this.m;
    const live = [...t.live()].filter((r) => this.m.has(r.client));
    if (error !== undefined) {
      for (const r of live) {
        host.log.warning('SYNC failed. BGSAVE child returned an error');
        host.closeClient(r.client);
      }
      return;
    }
    host.log.notice(`Diskless rdb transfer, done reading from pipe, ${live.length} replicas still up.`);
    t.end();
    for (const r of live) {
      host.log.notice(`Streamed RDB transfer with replica ${replicaName(r)} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
      r.hold = t.hold.fork();
      this.held.add(r);
      this.m.online(r.client, r);
    }
  }

  /**
   * A replica's REPLCONF ACK: after a diskless transfer the first one starts its stream
   * (replicaStartCommandStream); a replica that answers has read its disk payload too.
   */
  acked(r: Replica): void {
    if (this.sending.has(r)) this.sent(r, true);
    else this.release(r);
  }

  /** The held stream goes out, and the replica's output counts again. */
  private release(r: Replica): void {
    const hold = r.hold;
    if (!hold) return;
    // Its hold has the stream so far: what is pending for the others is not for it.
    this.m.flushStream();
    r.hold = undefined;
    this.held.delete(r);
    const { host } = this.m;
    // Its output counts again, from the held stream on.
    host.exemptFromOutputLimit(r.client, false);
    const stream = hold.take();
    if (stream.length > 0) host.writeTo(r.client, (w) => w.raw(stream), false);
  }

  /** Some replica's payload is not through yet: stream bytes are held for it (feed). */
  holding(): boolean {
    return this.disk !== undefined || this.transfer !== undefined || this.held.size > 0;
  }

  /** Stream bytes produced: held for the replicas whose payload is not through yet. */
  feed(b: Buffer): void {
    if (!this.holding()) return;
    const now = Date.now();
    if (this.disk) {
      this.disk.hold.add(b);
      this.checkLimit(this.disk.hold, this.disk.waiting, now);
    }
    if (this.transfer) {
      this.transfer.hold.add(b);
      this.checkLimit(this.transfer.hold, this.transfer.live(), now);
    }
    for (const r of this.held) {
      r.hold!.add(b);
      this.checkLimit(r.hold!, [r], now);
    }
  }

  /** closeClientOnOutputBufferLimitReached for the replicas of a hold over the limit (`async` inside a command). */
  private checkLimit(hold: StreamHold, replicas: Iterable<Replica>, now: number, async = true): void {
    if (!hold.overLimit(this.limit, now)) return;
    for (const r of [...replicas]) if (!r.client.closing) this.m.host.outputLimitReached(r.client, async);
  }

  /** A replica went (freeClient): out of every wait; a transfer left with no replica stops. */
  dropped(r: Replica): void {
    this.queue.delete(r);
    this.held.delete(r);
    this.sending.delete(r);
    r.hold = undefined;
    if (this.disk) this.disk.waiting = this.disk.waiting.filter((x) => x !== r);
    const t = this.transfer;
    if (t && t.targets.has(r) && t.drop(r)) {
      this.m.host.log.warning('Diskless rdb transfer, last replica dropped, killing fork child.');
      this.transfer = undefined;
      this.m.host.abortTransfer();
    }
  }

  /** replicationCron's part: keepalive newlines to replicas waiting for a start, soft limits, the start. */
  cron(now: number): void {
    const { host } = this.m;
    if (now - this.lastNewline >= 1000) {
      this.lastNewline = now;
      for (const r of this.queue.keys()) host.writeTo(r.client, (w) => w.rawAscii('\n'), false);
    }
    if (this.disk) this.checkLimit(this.disk.hold, this.disk.waiting, now, false);
    const t = this.transfer;
    if (t) {
      this.checkLimit(t.hold, t.live(), now, false);
      // A replica that stopped reading would hold the others back for ever.
      for (const r of [...t.stalledFor(host.config.int('repl-timeout') * 1000, now)]) {
        host.log.warning(`Disconnecting timedout replica (full sync): ${replicaName(r)}`);
        host.closeClient(r.client);
      }
    }
    for (const r of [...this.held]) if (r.hold) this.checkLimit(r.hold, [r], now, false);
    for (const r of [...this.sending]) if (!r.client.closing) this.sent(r);
    if (this.shouldStart(now)) this.start();
  }
}
