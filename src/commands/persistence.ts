// SAVE and LASTSAVE (rdb.c): the dataset written to dir/dbfilename in Redis's RDB format, now,
// by the server itself (src/persistence/), and BGSAVE, the same written in slices while clients
// keep writing. BGREWRITEAOF and the AOF are not here yet.
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';

const F = CmdFlag;

function save(call: CommandCall): void {
  const p = call.server.persistence;
  const err = p.save();
  if (err === 'Background save already in progress') {
    call.reply.error(err);
    return;
  }
  p.saves++;
  if (err === undefined) call.reply.status('OK');
  else call.reply.error('-ERR');
}

/** BGSAVE [SCHEDULE] (bgsaveCommand). */
function bgsave(call: CommandCall): void {
  const { args, reply } = call;
  let schedule = false;
  if (args.count > 1) {
    if (args.count === 2 && args.is(1, 'schedule')) schedule = true;
    else {
      reply.error('syntax error');
      return;
    }
  }
  const r = call.server.persistence.bgsave(schedule, call.client.multi !== undefined);
  if ('error' in r) {
    reply.error(r.error);
    return;
  }
  reply.status(r.ok);
}

export const persistenceCommands: CommandDef[] = [
  {
    name: 'save', arity: 1, flags: F.Admin | F.NoScript | F.NoAsyncLoading | F.NoMulti, acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0',
    summary: 'Synchronously saves the database(s) to disk.', complexity: 'O(N) where N is the total number of keys in all databases',
    handler: save,
  },
  {
    name: 'bgsave', arity: -1, flags: F.Admin | F.NoScript | F.NoAsyncLoading, acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0',
    summary: 'Asynchronously saves the database(s) to disk.', complexity: 'O(1)', handler: bgsave,
  },
  {
    name: 'lastsave', arity: 1, flags: F.Loading | F.Stale | F.Fast, acl: ['admin', 'fast', 'dangerous'], group: 'server', since: '1.0.0',
    summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)',
    tips: ['nondeterministic_output'], handler: (c) => c.reply.integer(c.server.persistence.lastSave),
  },
];
