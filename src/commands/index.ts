// Every command family's rows, gathered into the one command table.
import { aclCommands } from './acl.js';
import { bitfieldCommands } from './bitfield.js';
import { bitopsCommands } from './bitops.js';
import { clientCommands } from './client.js';
import { clusterCommands } from './cluster.js';
import { connectionCommands } from './connection.js';
import { debugCommands } from './debug.js';
import { dumpCommands } from './dump.js';
import { expireCommands } from './expire.js';
import { geoCommands } from './geo.js';
import { hashCommands } from './hashes.js';
import { hyperloglogCommands } from './hyperloglog.js';
import { hashExpireCommands } from './hash-expire.js';
import { hashGetExCommands } from './hash-getex.js';
import { introspectionCommands } from './introspection.js';
import { keyCommands } from './keys.js';
import { lcsCommands } from './lcs.js';
import { latencyCommands } from './latency.js';
import { listCommands } from './lists.js';
import { memoryCommands } from './memory.js';
import { moduleCommands } from './module.js';
import { persistenceCommands } from './persistence.js';
import { replicationCommands } from './replication.js';
import { migrateCommands } from './migrate.js';
import { failoverCommands } from './failover.js';
import { replicaofCommands } from './replicaof.js';
import { lolwutCommands } from './lolwut.js';
import { objectCommands } from './object.js';
import { pubsubCommands } from './pubsub.js';
import { serverCommands } from './server.js';
import { setCommands } from './sets.js';
import { slowlogCommands } from './slowlog.js';
import { sortCommands } from './sort.js';
import { stringCommands } from './strings.js';
import { streamCommands } from './streams.js';
import { streamReadCommands } from './stream-read.js';
import { streamGroupCommands } from './stream-groups.js';
import { streamInfoCommands } from './stream-info.js';
import { CommandTable, type CommandDef } from '../table/table.js';
import { transactionCommands } from './transactions.js';
import { zsetCommands } from './zsets.js';

/** Every family's rows, then `extra` (the rooms above the commands: scripting). */
export function buildCommandTable(extra: readonly CommandDef[] = []): CommandTable {
  return new CommandTable([
    ...connectionCommands,
    ...debugCommands,
    ...clientCommands,
    ...transactionCommands,
    ...pubsubCommands,
    ...serverCommands,
    ...aclCommands,
    ...introspectionCommands,
    ...clusterCommands,
    ...slowlogCommands,
    ...latencyCommands,
    ...memoryCommands,
    ...moduleCommands,
    ...persistenceCommands,
    ...replicationCommands,
    ...migrateCommands,
    ...failoverCommands,
    ...replicaofCommands,
    ...lolwutCommands,
    ...keyCommands,
    ...dumpCommands,
    ...expireCommands,
    ...objectCommands,
    ...stringCommands,
    ...lcsCommands,
    ...bitopsCommands,
    ...bitfieldCommands,
    ...listCommands,
    ...hashCommands,
    ...hashExpireCommands,
    ...hashGetExCommands,
    ...setCommands,
    ...zsetCommands,
    ...geoCommands,
    ...streamCommands,
    ...streamReadCommands,
    ...streamGroupCommands,
    ...streamInfoCommands,
    ...sortCommands,
    ...hyperloglogCommands,
    ...extra,
  ]);
}
