// Start-up's load (server.c loadDataFromDisk) as the server runs it: the listeners are already
// open, the RDB (or the AOF's RDB base) loads in slices between event-loop turns (clients
// meanwhile get -LOADING, INFO shows the progress), the AOF's commands are replayed in one go
// after it. And stopping a load when the server closes.
import { AofFatal } from '../persistence/aof/loader.js';
import type { Server } from './server.js';

/**
 * loadDataFromDisk: the AOF when appendonly is yes (it takes precedence over the RDB), else
 * dir/dbfilename. Resolves once the data is in; rejects with the message to log (empty when the
 * log already says it all).
 */
export function loadDataFromDisk(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: unknown) => reject(e instanceof AofFatal ? new Error('') : e);
    if (server.config.bool('appendonly')) {
      server.aof.startUp((e) => (e === undefined ? resolve() : failed(e)));
      return;
    }
    try {
      server.aof.loadManifestFromDisk();
    } catch (e) {
      failed(e);
      return;
    }
    // A server closed during the load rejects with LOAD_CANCELLED's text.
    server.persistence.loadAtStartUp((fatal) => (fatal === undefined ? resolve() : reject(new Error(fatal))));
  });
}

/** Server.close's persistence part: a load in slices stopped where it is (its callback told), the AOF written and closed. */
export function closePersistence(server: Server): void {
  server.persistence.cancelLoad?.();
  server.aof.close();
}
