// The server as RDB persistence and the replication master see it (persistence/persistence.ts): its data, dirty counter,
// function libraries, memory figure, and how OBJECT ENCODING and quicklist nodes are decided.
import { quicklistNodes } from '../commands/debug-keyspace.js';
import { objectEncoding } from '../commands/object.js';
import { Persistence } from '../persistence/persistence.js';
import { flushLibraries, libraryCodes, loadLibraries } from '../scripting/functions.js';
import { ReplicationMaster } from '../replication/master.js';
import { WAIT_KEY } from '../commands/replication.js';
import type { Server } from './server.js';

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

/** The master side of replication, fed by the propagation stream, its payloads from persistence. */
export function replicationFor(server: Server): ReplicationMaster {
  const master = new ReplicationMaster({
    config: server.config,
    log: server.log,
    propagation: server.propagation,
    get replId() {
      return server.replId;
    },
    payload: (aux) => server.persistence.payload(aux),
    snapshot: (aux, done) => server.persistence.snapshotForReplicas(aux, done),
    closeClient: (c) => server.lifecycle.freeClient(c),
    aofFedOffset: () => server.persistence.aofStatus.fedOffset,
    wake: (db) => server.blocked.wakeKey(db, WAIT_KEY),
    writeTo: (c, w, push) => server.writeTo(c, w, push),
  });
  server.lifecycle.replicaGone = (c) => master.detach(c);
  return master;
}
