// The server as RDB persistence sees it (persistence/persistence.ts): its data, dirty counter,
// function libraries, memory figure, and how OBJECT ENCODING and quicklist nodes are decided.
import { quicklistNodes } from '../commands/debug-keyspace.js';
import { objectEncoding } from '../commands/object.js';
import { Persistence } from '../persistence/persistence.js';
import { flushLibraries, libraryCodes, loadLibraries } from '../scripting/functions.js';
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
