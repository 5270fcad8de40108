// A replica's full-sync payload loaded as replication.c readSyncBulkPayload loads it, by
// repl-diskless-load: `disabled` / `on-empty-db` empty the dataset and load into it (clients get
// -LOADING meanwhile); `swapdb` loads into a side keyspace while the old dataset stays, swapped
// in at the end (swapMainDbWithTempDb) or dropped on failure, and when the master's history is
// ours (the same replication id) the old dataset is served meanwhile (async_loading).
import { BlockType } from '../clients/client.js';
import { Keyspace } from '../data/keyspace.js';
import { flushLibraries, loadLibraries } from '../scripting/functions.js';
import { LOAD_CANCELLED, type LoadTarget } from '../persistence/loading.js';
import type { Server } from './server.js';

export type PayloadLoad = { error: string } | { streamDb: number };

/**
 * Loads `data` (the payload of a +FULLRESYNC whose replication id is `replid`) and tells `done`
 * the database the stream continues in, or the error (the dataset then as before a swapdb load,
 * empty otherwise).
 */
export function loadFullSyncPayload(server: Server, data: Buffer, replid: string, done: (r: PayloadLoad) => void): void {
  const { keyspace, log, persistence } = server;
  // Cluster mode keeps a slot index of the keyspace: loaded in place there.
  const swapdb = server.config.str('repl-diskless-load') === 'swapdb' && server.cluster === undefined;
  const streamDb = (): number => {
    const db = Number(persistence.lastAux.get('repl-stream-db') ?? 0);
    return Number.isInteger(db) && db >= 0 && db < keyspace.dbs.length ? db : 0;
  };
  const loaded = (started: number): void => {
    log.notice(`DB loaded from disk: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
  };
  if (!swapdb) {
    log.notice('MASTER <-> REPLICA sync: Flushing old data');
    keyspace.flushAll();
    flushLibraries(server);
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    persistence.loadInBackground(data, { keepExpired: true }, (r) => {
      if (r === LOAD_CANCELLED) return;
      if (typeof r === 'string') {
        // readSyncBulkPayload: a payload that failed to load leaves no half dataset behind.
        keyspace.flushAll();
        return done({ error: r });
      }
      loaded(r.started);
      done({ streamDb: streamDb() });
    });
    return;
  }
  const side = sideKeyspace(keyspace);
  let libraries: readonly string[] = [];
  const target: LoadTarget = {
    config: server.config,
    keyspace: side,
    log,
    // The functions come in with the data (functionsLibCtxSwapWithCurrent), not before.
    loadLibraries: (codes) => {
      libraries = [...codes];
      return undefined;
    },
  };
  // Async only when the old dataset is an earlier point of the same history.
  const async = replid === server.replId;
  log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
  persistence.loadInBackground(data, { keepExpired: true, target, async }, (r) => {
    if (r === LOAD_CANCELLED) return;
    if (typeof r === 'string') {
      side.flushAll();
      log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
      return done({ error: r });
    }
    log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
    swapInto(server, side);
    flushLibraries(server);
    const libErr = loadLibraries(server, libraries, true);
    if (libErr) log.warning(`Failed loading the functions of the MASTER synchronization DB: ${libErr}`);
    side.flushAll();
    log.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    loaded(r.started);
    done({ streamDb: streamDb() });
  });
}

/** disklessLoadInitTempDb: empty databases loaded as the real ones are (replica, access clocks). */
function sideKeyspace(main: Keyspace): Keyspace {
  const side = new Keyspace(main.dbs.length);
  side.lfu = main.lfu;
  side.lfuLogFactor = main.lfuLogFactor;
  side.lfuDecayTime = main.lfuDecayTime;
  side.sharedIntegers = main.sharedIntegers;
  side.isReplica = true;
  side.expiryPaused = true;
  // Values let go of when the old dataset is dropped free their native memory as the main ones do.
  side.dropped = main.dropped;
  return side;
}

/** swapMainDbWithTempDb: watchers touched, the tables exchanged, blocked clients and tracking told. */
function swapInto(server: Server, side: Keyspace): void {
  const ks = server.keyspace;
  for (let i = 0; i < ks.dbs.length; i++) {
    const active = ks.dbs[i]!.dict;
    const next = side.dbs[i]!.dict;
    server.watches.touchDb(i, (k) => active.has(k) || next.has(k));
    ks.dbs[i]!.swapWith(side.dbs[i]!);
  }
  // scanDatabaseForReadyKeys: a client blocked on a key that the new dataset has may go on.
  for (const c of server.clients) {
    const bl = c.blocked;
    if (bl === undefined || bl.type !== BlockType.Keys) continue;
    for (const k of bl.keys) if (ks.dbs[bl.db]!.dict.has(k)) server.blocking.signalReady(bl.db, k);
  }
  if (server.tracking.trackingClients > 0) server.tracking.flushed();
}
