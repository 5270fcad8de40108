// Writes a master refuses before they run (processCommand): while the last background save
// failed and stop-writes-on-bgsave-error is on, or the AOF cannot be written (-MISCONF, PING too),
// and while fewer replicas than
// min-replicas-to-write acknowledged within min-replicas-max-lag seconds (-NOREPLICAS).
import type { Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import { CmdFlag, type Command, type CommandCall } from '../table/table.js';

export const MISCONF_RDB =
  "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
export const NOREPLICAS = '-NOREPLICAS Not enough good replicas to write.';

/** The error refusing `cmd`, or null. Cheap unless a save failed or min-replicas-to-write is set. */
export function writeDenied(call: CommandCall, cmd: Command, queuedFlags: (c: Client) => number): string | null {
  const { server, client } = call;
  // The master's stream is obeyed whatever this replica's disk or replicas (obey_client).
  if (client.flags & ClientFlag.Master) return null;
  const saveFailed = server.persistence.lastStatus === 'err';
  const aofError = server.persistence.aofStatus.writeError;
  const replicasNeeded = server.replication.minReplicasActive;
  if (!saveFailed && aofError === undefined && !replicasNeeded) return null;
  const write = (cmd.flags & CmdFlag.Write) !== 0 || (cmd.name === 'exec' && (queuedFlags(call.client) & CmdFlag.Write) !== 0);
  if (write || cmd.name === 'ping') {
    // writeCommandsDeniedByDiskError: the RDB first, then the AOF.
    if (saveFailed && server.config.bool('stop-writes-on-bgsave-error') && server.config.str('save') !== '') return MISCONF_RDB;
    if (aofError !== undefined) return `-MISCONF Errors writing to the AOF file: ${aofError}`;
  }
  // checkGoodReplicasStatus: a replica does not count replicas of its own.
  if (replicasNeeded && write && !server.replica.active && server.replication.tooFewGoodReplicas()) return NOREPLICAS;
  return null;
}
