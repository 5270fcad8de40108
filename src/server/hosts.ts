// The hosts through which the server wires persistence, the AOF and replication
// (persistence-host.ts, aof-host.ts, loading-host.ts), and the types of what they make; the batch timing switch.
export { persistenceFor, replicaFor, replicationFor } from './persistence-host.js';
export { aofCommandsOf, aofFor, persistenceCron } from './aof-host.js';
export { closePersistence, loadDataFromDisk } from './loading-host.js';
export type { Persistence } from '../persistence/persistence.js';
export type { ReplicationMaster } from '../replication/master.js';
export type { ReplicationReplica } from '../replication/replica.js';
export type { Aof } from '../persistence/aof/aof.js';
export { timedBatches } from './turn-stats.js';
