// The server as RDB persistence and the replication master see it (persistence/persistence.ts): its data, dirty counter,
// function libraries, memory figure, and how OBJECT ENCODING and quicklist nodes are decided; and as the replica side
// sees it (replication/replica.ts): the engine for its master link, the payload loader (replica-load.ts), the master client.
import { quicklistNodes } from '../commands/debug-keyspace.js';
import { objectEncoding } from '../commands/object.js';
import { Persistence } from '../persistence/persistence.js';
import { flushLibraries, libraryCodes, loadLibraries } from '../scripting/functions.js';
import { ReplicationMaster } from '../replication/master.js';
import { ReplicationReplica } from '../replication/replica.js';
import { MigrateLinks } from '../replication/migrate-links.js';
import { Failover } from '../replication/failover.js';
import { ClientFlag } from '../clients/flags.js';
import { BlockType } from '../clients/client.js';
import { Field } from '../engine/layout.js';
import type { OutgoingLinks } from './batch.js';
import type { CommandHooks } from './hooks.js';
import { loadFullSyncPayload } from './replica-load.js';
import type { Server } from './server.js';

const UNBLOCKED_STATE_CHANGE = '-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)';

export function persistenceFor(server: Server): Persistence {
  const config = server.config;
  return new Persistence({
    config,
    keyspace: server.keyspace,
    log: server.log,
    get dirty() {
      return server.dirty;
    },
    set dirty(n: number) {
      server.dirty = n;
    },
    libraries: () => libraryCodes(server),
    loadLibraries: (codes, replace) => loadLibraries(server, codes, replace),
    flushLibraries: () => flushLibraries(server),
    usedMemory: () => server.memory.usedMemory(Date.now()),
    encodingOf: (v) => objectEncoding(v, config),
    listNodes: (l) => quicklistNodes(l, config.int('list-max-listpack-size')).map((n) => n.count),
  });
}

/**
 * The master side of replication, fed by the propagation stream, its payloads from persistence;
 * the stream of each batch written to the replicas at its end (`hooks`).
 */
export function replicationFor(server: Server, hooks: CommandHooks): ReplicationMaster {
  const master = new ReplicationMaster({
    config: server.config,
    log: server.log,
    propagation: server.propagation,
    get replId() {
      return server.replId;
    },
    payload: (aux) => server.persistence.payload(aux),
    snapshot: (aux, done) => server.persistence.snapshotForReplicas(aux, done),
    snapshotToSockets: (aux, sink, done) => server.persistence.snapshotToSockets(aux, sink, done),
    abortTransfer: () => server.persistence.abortForReplicas(),
    backgroundBusy: () => (server.persistence.bg ? 'rdb' : server.persistence.otherChildActive() ? 'other' : undefined),
    pendingOutput: (c) => server.st.slotField(c, Field.Omem),
    exemptFromOutputLimit: (c, exempt) => server.st.limits?.exempt(c, exempt),
    outputLimitReached: (c, async) => server.lifecycle.onOutputLimit(c.slot, async),
    flush: () => server.st.writer.commit(),
    inBatch: () => server.st.inBatch,
    closeClient: (c) => server.lifecycle.freeClient(c),
    aofFedOffset: () => server.persistence.aofStatus.fedOffset,
    wake: () => server.blocked.wake('replication'),
    writeTo: (c, w, push) => server.writeTo(c, w, push),
    freeClient: (c) => server.lifecycle.freeClient(c),
  });
  server.lifecycle.replicaGone = (c) => master.detach(c);
  hooks.flushReplicaStream = () => master.flushStream();
  return master;
}

/** The replica side: its master link through the engine, its payload loaded as DEBUG RELOAD loads a file. */
export function replicaFor(server: Server): { replica: ReplicationReplica; links: OutgoingLinks } {
  const keyspace = server.keyspace;
  const replica = new ReplicationReplica({
    config: server.config,
    log: server.log,
    master: server.replication,
    engine: () => server.st.engine,
    get replId() {
      return server.replId;
    },
    set replId(id: string) {
      server.replId = id;
    },
    listeningPort: () => server.tcpPortBound,
    loadPayload: (data, replid, done) => loadFullSyncPayload(server, data, replid, done),
    createMasterClient: (slot) => server.lifecycle.linkOutgoing(slot, ClientFlag.Master, server.st.call.now || Date.now()),
    freeClient: (c) => server.lifecycle.freeClient(c),
    setExpiryOwner: (isMaster) => {
      keyspace.isReplica = !isMaster;
      keyspace.expiryPaused = !isMaster;
    },
    loading: () => server.persistence.loading,
    disconnectBlockedClients: () => {
      for (const c of [...server.clients]) {
        // Postponed clients (CLIENT PAUSE) run their command from scratch later, as in Redis.
        if (!c.blocked || c.blocked.type === BlockType.Postpone) continue;
        if (server.blocked.unblockClient(c, UNBLOCKED_STATE_CHANGE)) server.lifecycle.closeAfterReply(c);
      }
    },
  });
  server.replication.roleInfo = () => replica.infoFields();
  server.replication.proxyStreamDb = () => replica.currentStreamDb();
  server.lifecycle.masterGone = (c) => replica.masterGone(c);
  server.replication.failover = new Failover({
    log: server.log,
    master: server.replication,
    becomeReplicaOf: (host, port, done) => replica.setMasterForFailover(host, port, done),
    backToMaster: () => replica.unsetMaster(),
    pauseWrites: () => server.blocked.pauseClients(Number.MAX_SAFE_INTEGER, false),
    resumeWrites: () => server.blocked.unpauseClients(),
  });
  // MIGRATE's transfers share the outgoing links with the master link.
  const migrations = (replica.migrations = new MigrateLinks(() => server.st.engine));
  const links: OutgoingLinks = {
    connected: (slot) => migrations.connected(slot) || replica.onConnected(slot),
    raw: (slot, bytes) => migrations.raw(slot, bytes) || replica.onRaw(slot, bytes),
    closed: (slot, errno, handshake) => migrations.closed(slot) || replica.onClosed(slot, errno, handshake),
    processed: (src, start, end) => replica.processed(src, start, end),
  };
  return { replica, links };
}
