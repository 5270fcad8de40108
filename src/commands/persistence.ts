// SAVE and LASTSAVE (rdb.c): the dataset written to dir/dbfilename in Redis's RDB format, now,
// by the server itself (src/persistence/). BGSAVE, BGREWRITEAOF and the AOF are not here yet.
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';

const F = CmdFlag;

function save(call: CommandCall): void {
  const p = call.server.persistence;
  p.saves++;
  if (p.save() === undefined) call.reply.status('OK');
  else call.reply.error('-ERR');
}

export const persistenceCommands: CommandDef[] = [
  {
    name: 'save', arity: 1, flags: F.Admin | F.NoScript | F.NoAsyncLoading | F.NoMulti, acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0',
    summary: 'Synchronously saves the database(s) to disk.', complexity: 'O(N) where N is the total number of keys in all databases',
    handler: save,
  },
  {
    name: 'lastsave', arity: 1, flags: F.Loading | F.Stale | F.Fast, acl: ['admin', 'fast', 'dangerous'], group: 'server', since: '1.0.0',
    summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)',
    tips: ['nondeterministic_output'], handler: (c) => c.reply.integer(c.server.persistence.lastSave),
  },
];
