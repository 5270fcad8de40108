// The replica side of replication (replication.c: connectWithMaster, syncWithMaster,
// readSyncBulkPayload, replicationCron): an outgoing connection to the master, the handshake on
// its raw bytes (PING, AUTH, REPLCONF listening-port and capa, PSYNC), the RDB payload of a full
// sync loaded into a flushed keyspace, then the master's stream parsed by the request parser and
// run by the master client (flag M) without replies. Every byte of the stream this server
// processed counts in its offset, and is passed on as it came to this server's own replicas.
import { randomBytes } from 'node:crypto';
import { getSystemErrorName } from 'node:util';
import type { NativeEngine } from '../../binding.js';
import type { Client } from '../clients/client.js';
import type { Config } from '../config/config.js';
import { encodeCommand } from '../propagation/propagation.js';
import type { MigrateLinks } from './migrate-links.js';
import { strerror } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { ReplicationMaster } from './master.js';
import { PayloadReader } from './payload.js';

const NEWLINE = Buffer.from('\n');

/** Redis's repl_state, as ROLE and INFO name them. */
export type LinkState = 'none' | 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';
/** Handshake steps (REPL_STATE_RECEIVE_*): the reply awaited. */
type Step = 'pong' | 'auth' | 'port' | 'ip' | 'capa' | 'psync';

export interface ReplicaHost {
  readonly config: Config;
  readonly log: Logger;
  readonly master: ReplicationMaster;
  engine(): NativeEngine | undefined;
  /** master_replid, which a replica adopts from its master. */
  replId: string;
  /** The port this server listens on (REPLCONF listening-port). */
  listeningPort(): number;
  /**
   * Loads the payload of a full sync from a master of replication id `replid` in slices, serving
   * clients meanwhile (repl-diskless-load decides: the dataset emptied first and -LOADING for
   * most commands, or swapdb's side keyspace): `done` hears an error text if it is unreadable,
   * else the database its stream continues in (aux repl-stream-db).
   */
  loadPayload(data: Buffer, replid: string, done: (r: { error: string } | { streamDb: number }) => void): void;
  /** The master client (flag M) on the link's slot, linked into the client registry. */
  createMasterClient(slot: number): Client;
  /** Closes and unlinks a client now. */
  freeClient(c: Client): void;
  /** Replicas do not expire keys themselves; masters do. */
  setExpiryOwner(master: boolean): void;
  /** disconnectAllBlockedClients: blocked clients get -UNBLOCKED and are closed (a master turning replica). */
  disconnectBlockedClients(): void;
  /** A load is in progress (start-up's, with `replicaof` in the configuration): the link waits for its end. */
  loading(): boolean;
}

export class ReplicationReplica {
  /** Not undefined while this server is a replica (server.masterhost). */
  masterHost: string | undefined;
  masterPort = 0;
  state: LinkState = 'none';
  private step: Step = 'pong';
  /** The link's slot while connecting or connected, else -1. */
  private slot = -1;
  /** The master client once the stream flows. */
  masterClient: Client | undefined;
  /** Raw bytes received and not consumed yet (handshake replies). */
  private pending: Buffer = Buffer.alloc(0);
  private payload: PayloadReader | undefined;
  /** When the link last brought something (ms): repl-timeout and master_last_io_seconds_ago. */
  private lastIo = 0;
  private lastAck = 0;
  private downSince = 0;
  /** PSYNC with our history (cached master) unless a full sync was cut in the middle. */
  private canPsync = true;
  /** The database the master's stream is in (the cached master client's db, kept across links). */
  private streamDb = 0;
  /** The replid/offset a +FULLRESYNC announced. */
  private fullSync: { replid: string; offset: number } | undefined;
  /**
   * While a full sync's payload loads: the master's stream received meanwhile (copies, in order),
   * applied once the load is over. Undefined otherwise.
   */
  private streamWhileLoading: Buffer[] | undefined;
  /** The payload's transfer figures, for INFO while it loads. */
  private transferred = { total: 0, read: 0 };
  /** Counts links dropped on purpose (REPLICAOF): a load finishing for an older link only loads. */
  private linkGeneration = 0;

  /** MIGRATE's transfers over the same kind of outgoing connection (set by the server's host). */
  migrations: MigrateLinks | undefined;
  /** A failing-over master's link: its PSYNC carries FAILOVER, and the failover hears the answer. */
  private failoverDone: ((accepted: boolean) => void) | undefined;

  /** FAILOVER: a replica of the target, its PSYNC asking the target to take over. */
  setMasterForFailover(host: string, port: number, done: (accepted: boolean) => void): void {
    this.setMaster(host, port);
    this.failoverDone = done;
  }

  private failoverAnswered(accepted: boolean): void {
    const done = this.failoverDone;
    this.failoverDone = undefined;
    done?.(accepted);
  }

  constructor(private readonly host: ReplicaHost) {}

  get active(): boolean {
    return this.masterHost !== undefined;
  }

  get linkUp(): boolean {
    return this.state === 'connected';
  }

  /** `replicaof` in the configuration: a replica from the start. */
  startFromConfig(): void {
    const of = this.host.config.str('replicaof');
    if (of === '') return;
    const [host, port] = of.split(' ');
    // As Redis does, the cron connects (after the start-up load, if there is one).
    this.setMaster(host!, Number(port), false);
  }

  /** REPLICAOF host port (replicationSetMaster); the cron connects unless `connectNow`. */
  setMaster(host: string, port: number, connectNow = true): void {
    const wasMaster = !this.active;
    this.dropLink();
    this.masterHost = host;
    this.masterPort = port;
    this.host.master.proxying = true;
    this.host.setExpiryOwner(false);
    // Our own history serves as the cached master: a former sibling PSYNCs its new master.
    if (wasMaster) this.canPsync = true;
    this.host.disconnectBlockedClients();
    this.host.master.disconnectReplicas();
    this.downSince = Date.now();
    this.state = 'connect';
    if (connectNow) this.connect();
  }

  /** REPLICAOF NO ONE (replicationUnsetMaster): a new history that continues the old one. */
  unsetMaster(): void {
    if (!this.active) return;
    this.dropLink();
    this.masterHost = undefined;
    this.masterPort = 0;
    this.state = 'none';
    this.streamDb = 0;
    const m = this.host.master;
    m.proxying = false;
    const old = this.host.replId;
    this.host.replId = randomBytes(20).toString('hex');
    m.shiftHistory(old);
    this.host.log.notice(`Setting secondary replication ID to ${old}, valid up to offset: ${m.secondOffset}. New replication ID is ${this.host.replId}`);
    // The replicas hear of the new id by reconnecting; they continue with PSYNC.
    m.disconnectReplicas();
    this.host.setExpiryOwner(true);
  }

  /** Closes the link, whatever its state; the offset and id stay as the cached master. */
  private dropLink(): void {
    this.linkGeneration++;
    this.streamWhileLoading = undefined;
    const c = this.masterClient;
    this.masterClient = undefined;
    if (c) {
      this.streamDb = c.db;
      this.host.freeClient(c);
    } else if (this.slot >= 0) {
      this.host.engine()?.closeClient(this.slot, false);
    }
    this.slot = -1;
    this.pending = Buffer.alloc(0);
    this.payload = undefined;
  }

  /** connectWithMaster. */
  private connect(): void {
    const engine = this.host.engine();
    if (!engine || !this.masterHost) return;
    // As in Redis, whose replicationCron connects only once loadDataFromDisk is over: the state
    // stays `connect` and the cron connects after the load.
    if (this.host.loading()) return;
    const r = engine.connect(this.masterHost, this.masterPort, this.host.config.bool('tls-replication'));
    if (r.error !== undefined) {
      this.host.log.warning(`Unable to connect to MASTER: ${r.error}`);
      return;
    }
    this.slot = r.slot;
    this.state = 'connecting';
    this.lastIo = Date.now();
    this.host.log.notice(`Connecting to MASTER ${this.masterHost}:${this.masterPort}`);
    this.host.log.notice('MASTER <-> REPLICA sync started');
  }

  /** The link is established: PING first. */
  onConnected(slot: number): void {
    if (slot !== this.slot) return;
    this.host.log.notice('Non blocking connect for SYNC fired the event.');
    this.state = 'handshake';
    this.step = 'pong';
    this.send([['PING']]);
  }

  /** The link's slot closed (before the master client existed: connect failure, handshake). */
  onClosed(slot: number, errno: number, handshake: boolean): void {
    if (slot !== this.slot || this.masterClient) return;
    this.slot = -1;
    if (handshake) this.host.log.warning(`Error condition on socket for SYNC: ${errno ? strerror(getSystemErrorName(-errno)) : 'Connection reset by peer'}`);
    else this.host.log.warning('Master closed the connection during the handshake or the transfer');
    this.linkLost();
  }

  /** The master client went (EOF, CLIENT KILL, timeout): the link is down, reconnect from the cron. */
  masterGone(c: Client): void {
    if (c !== this.masterClient) return;
    this.streamDb = c.db;
    this.masterClient = undefined;
    this.slot = -1;
    this.host.log.notice('Connection with master lost.');
    this.host.log.notice('Caching the disconnected master state.');
    this.linkLost();
  }

  private linkLost(): void {
    this.pending = Buffer.alloc(0);
    this.streamWhileLoading = undefined;
    if (this.payload) this.canPsync = false;
    this.payload = undefined;
    if (!this.active) return;
    this.state = 'connect';
    this.downSince = Date.now();
  }

  private send(cmds: string[][]): void {
    const engine = this.host.engine();
    if (!engine || this.slot < 0) return;
    engine.appendRaw(this.slot, Buffer.concat(cmds.map((a) => encodeCommand(a))));
  }

  private fail(msg: string): void {
    this.host.log.warning(msg);
    const slot = this.slot;
    this.slot = -1;
    if (slot >= 0) this.host.engine()?.closeClient(slot, false);
    this.linkLost();
  }

  /** Raw bytes of the link: handshake replies, then the payload. */
  onRaw(slot: number, bytes: Buffer): void {
    if (slot !== this.slot) return;
    this.lastIo = Date.now();
    if (this.streamWhileLoading) {
      // The payload is loading: the stream waits, copied (`bytes` is valid for this batch only).
      this.streamWhileLoading.push(Buffer.from(bytes));
      return;
    }
    if (this.masterClient) {
      // Read after the switch to command mode in the same batch: parsed in order after the rest.
      this.host.engine()?.setRaw(slot, false, bytes);
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : Buffer.from(bytes);
    while (this.slot === slot && !this.masterClient) {
      if (this.payload) {
        const done = this.payload.push(this.pending);
        this.pending = Buffer.alloc(0);
        if (done === undefined) return;
        if (typeof done === 'string') {
          this.fail(done);
          return;
        }
        this.finishFullSync(done.payload, done.rest);
        return;
      }
      const nl = this.pending.indexOf(10);
      if (nl < 0) return;
      const line = this.pending.toString('latin1', 0, nl > 0 && this.pending[nl - 1] === 13 ? nl - 1 : nl);
      this.pending = this.pending.subarray(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const log = this.host.log;
    const { config } = this.host;
    switch (this.step) {
      case 'pong': {
        // -NOAUTH and -NOPERM mean the master wants AUTH first: that is fine (syncWithMaster).
        if (line.startsWith('-') && !line.startsWith('-NOAUTH') && !line.startsWith('-NOPERM') && !line.startsWith('-ERR operation not permitted')) {
          this.fail(`Error reply to PING from master: '${line}'`);
          return;
        }
        log.notice('Master replied to PING, replication can continue...');
        const cmds: string[][] = [];
        const pass = config.str('masterauth');
        if (pass) {
          const user = config.str('masteruser');
          cmds.push(user ? ['AUTH', user, pass] : ['AUTH', pass]);
        }
        const port = config.int('replica-announce-port') || this.host.listeningPort();
        cmds.push(['REPLCONF', 'listening-port', String(port)]);
        const ip = config.str('replica-announce-ip');
        if (ip) cmds.push(['REPLCONF', 'ip-address', ip]);
        cmds.push(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
        this.send(cmds);
        this.step = pass ? 'auth' : 'port';
        return;
      }
      case 'auth':
        if (line.startsWith('-')) {
          this.fail(`Unable to AUTH to MASTER: ${line}`);
          return;
        }
        this.step = 'port';
        return;
      case 'port':
        if (line.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
        this.step = config.str('replica-announce-ip') ? 'ip' : 'capa';
        return;
      case 'ip':
        if (line.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
        this.step = 'capa';
        return;
      case 'capa':
        if (line === '') return;
        if (line.startsWith('-')) log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
        this.sendPsync();
        return;
      case 'psync':
        this.onPsyncReply(line);
        return;
    }
  }

  private sendPsync(): void {
    const m = this.host.master;
    if (this.canPsync) {
      this.host.log.notice(`Trying a partial resynchronization (request ${this.host.replId}:${m.offset + 1}).`);
      this.send([['PSYNC', this.host.replId, String(m.offset + 1), ...(this.failoverDone ? ['FAILOVER'] : [])]]);
    } else {
      this.host.log.notice('Partial resynchronization not possible (no cached master)');
      this.send([['PSYNC', '?', '-1']]);
    }
    this.step = 'psync';
  }

  private onPsyncReply(line: string): void {
    const log = this.host.log;
    if (line === '') return;  // newlines the master sends to keep the link alive
    if (line.startsWith('+FULLRESYNC')) {
      const [, replid = '', offset = '-1'] = line.split(' ');
      this.fullSync = { replid, offset: Number(offset) };
      log.notice(`Full resync from master: ${replid}:${offset}`);
      this.failoverAnswered(true);
      this.canPsync = false;
      this.state = 'sync';
      this.payload = new PayloadReader();
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      const newId = line.slice(10).trim();
      log.notice('Successful partial resynchronization with master.');
      const m = this.host.master;
      if (newId && newId !== this.host.replId) {
        const old = this.host.replId;
        this.host.replId = newId;
        m.shiftHistory(old);
        log.notice(`Master replication ID changed to ${newId}`);
        m.disconnectReplicas();
      }
      log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.failoverAnswered(true);
      this.startStream(this.pending);
      return;
    }
    this.failoverAnswered(false);
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.fail(`Master is currently unable to PSYNC but should be in the future: ${line}`);
      return;
    }
    this.fail(`Unexpected reply to PSYNC from master: ${line}`);
  }

  /**
   * readSyncBulkPayload's end: the dataset replaced, loaded in slices while the master's stream
   * is kept aside, then the master's id and offset adopted and the stream applied in order.
   */
  private finishFullSync(payload: Buffer, rest: Buffer): void {
    const log = this.host.log;
    const sync = this.fullSync!;
    log.notice(`MASTER <-> REPLICA sync: receiving ${payload.length} bytes from master to disk`);
    // INFO goes on showing the transfer, whole now, while it loads (repl_state is still TRANSFER).
    if (this.payload) this.transferred = { total: this.payload.total, read: this.payload.read };
    this.payload = undefined;
    const stream = (this.streamWhileLoading = rest.length ? [Buffer.from(rest)] : []);
    const generation = this.linkGeneration;
    const slot = this.slot;
    // replicationSendNewlineToMaster: a newline a second while loading refreshes the ACK time a
    // master keeps for this replica, so that its repl-timeout does not drop a replica loading long.
    const keepalive = setInterval(() => {
      if (this.streamWhileLoading !== stream || !this.host.loading()) clearInterval(keepalive);
      else this.host.engine()?.appendRaw(slot, NEWLINE);
    }, 1000).unref();
    this.host.loadPayload(payload, sync.replid, (loaded) => {
      clearInterval(keepalive);
      // REPLICAOF changed the master meanwhile: the data is loaded, the rest is for the new link.
      if (generation !== this.linkGeneration) return;
      const linked = this.slot === slot && this.streamWhileLoading === stream;
      this.streamWhileLoading = undefined;
      if ('error' in loaded) {
        this.canPsync = false;
        if (linked) this.fail(`Failed trying to load the MASTER synchronization DB from socket: ${loaded.error}`);
        else log.warning(`Failed trying to load the MASTER synchronization DB from socket: ${loaded.error}`);
        return;
      }
      this.streamDb = loaded.streamDb;
      this.host.replId = sync.replid;
      this.host.master.startHistory(sync.offset);
      // The dataset is the master's at that offset: a link lost during the load continues with PSYNC.
      this.canPsync = true;
      log.notice('MASTER <-> REPLICA sync: Finished with success');
      if (linked) this.startStream(stream.length === 1 ? stream[0]! : Buffer.concat(stream));
    });
  }

  /** replicationCreateMasterClient: the rest of the bytes are the stream, parsed as requests. */
  private startStream(rest: Buffer): void {
    const engine = this.host.engine();
    if (!engine) return;
    this.pending = Buffer.alloc(0);
    this.masterClient = this.host.createMasterClient(this.slot);
    // The stream goes on in the database it was in: a partial resync sends no SELECT first.
    this.masterClient.db = this.streamDb;
    this.state = 'connected';
    engine.setRaw(this.slot, false, rest.length ? rest : undefined);
    this.host.master.ensureBacklog();
    // The first ACK at once: a diskless master starts the stream when it hears it.
    this.sendAck();
  }

  /** The database the proxied stream is in now: a full sync of our own replicas starts there (repl-stream-db). */
  currentStreamDb(): number {
    return this.masterClient ? this.masterClient.db : this.streamDb;
  }

  /** A command of the stream was processed (bytes start..end of `src`): they count and go on to our replicas. */
  processed(src: Buffer, start: number, end: number): void {
    this.streamSeen++;
    this.host.master.proxy(src, start, end);
  }
  /** Commands of the stream processed, counted instead of reading the clock per command. */
  private streamSeen = 0;
  private streamSeenAtCron = 0;

  /** REPLCONF ACK <offset> to the master. */
  sendAck(): void {
    if (this.state !== 'connected' || this.slot < 0) return;
    this.lastAck = Date.now();
    this.host.engine()?.appendRaw(this.slot, encodeCommand(['REPLCONF', 'ACK', String(this.host.master.offset)]));
  }

  /** replicationCron: reconnects, ACKs every second, repl-timeout. */
  cron(now: number): void {
    if (!this.active) return;
    const timeout = this.host.config.int('repl-timeout') * 1000;
    if (this.streamSeen !== this.streamSeenAtCron) {
      this.streamSeenAtCron = this.streamSeen;
      this.lastIo = now;
    }
    if (this.state === 'connect') {
      if (now - this.lastIo >= 1000) {
        this.lastIo = now;
        this.connect();
      }
      return;
    }
    if (now - this.lastIo > timeout) {
      if (this.state === 'connected') {
        this.host.log.warning('MASTER timeout: no data nor PING received...');
        const c = this.masterClient;
        if (c) this.host.freeClient(c);
      } else {
        this.fail('Timeout connecting to the MASTER...');
      }
      return;
    }
    if (this.state === 'connected' && now - this.lastAck >= 1000) this.sendAck();
  }

  /** INFO replication on a replica: role:slave and the link's figures. */
  infoFields(): [string, string | number][] {
    if (!this.active) return [['role', 'master']];
    const now = Date.now();
    const offset = this.host.master.offset;
    const out: [string, string | number][] = [
      ['role', 'slave'],
      ['master_host', this.masterHost!],
      ['master_port', this.masterPort],
      ['master_link_status', this.state === 'connected' ? 'up' : 'down'],
      ['master_last_io_seconds_ago', this.masterClient ? Math.floor((now - this.lastIo) / 1000) : -1],
      ['master_sync_in_progress', this.state === 'sync' ? 1 : 0],
      ['slave_read_repl_offset', offset],
      ['slave_repl_offset', offset],
    ];
    const transfer = this.payload ?? (this.streamWhileLoading ? this.transferred : undefined);
    if (this.state === 'sync' && transfer) {
      const { total, read } = transfer;
      out.push(
        ['master_sync_total_bytes', total],
        ['master_sync_read_bytes', read],
        ['master_sync_left_bytes', total - read],
        ['master_sync_perc', (total > 0 ? (read / total) * 100 : 0).toFixed(2)],
        ['master_sync_last_io_seconds_ago', Math.floor((now - this.lastIo) / 1000)],
      );
    }
    if (this.state !== 'connected') out.push(['master_link_down_since_seconds', this.downSince ? Math.floor((now - this.downSince) / 1000) : -1]);
    const { config } = this.host;
    out.push(
      ['slave_priority', config.int('replica-priority')],
      ['slave_read_only', config.bool('replica-read-only') ? 1 : 0],
      ['replica_announced', config.bool('replica-announced') ? 1 : 0],
    );
    return out;
  }

  /** ROLE on a replica: slave, host, port, state, offset (-1 without a master client). */
  role(): [string, number, string, number] {
    return [this.masterHost!, this.masterPort, this.state, this.masterClient ? this.host.master.offset : -1];
  }
}
