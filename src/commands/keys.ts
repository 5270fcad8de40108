// Generic key commands: DEL, EXISTS.
import { CmdFlag, type CommandCall, type CommandDef } from './table.js';

const F = CmdFlag;

function del({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db];
  let n = 0;
  for (let i = 1; i < args.count; i++) if (db.delete(args.str(i), now)) n++;
  server.dirty += n;
  reply.integer(n);
}

function exists({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db];
  let n = 0;
  for (let i = 1; i < args.count; i++) if (db.exists(args.str(i), now)) n++;
  reply.integer(n);
}

export const keyCommands: CommandDef[] = [
  {
    name: 'del', arity: -2, flags: F.Write, acl: ['keyspace', 'write', 'slow'], group: 'generic', since: '1.0.0',
    summary: 'Deletes one or more keys.',
    complexity: 'O(N) where N is the number of keys that will be removed.', firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RM', 'delete'], begin: 1, lastKey: -1, step: 1 }],
    tips: ['request_policy:multi_shard', 'response_policy:agg_sum'], handler: del,
  },
  {
    name: 'exists', arity: -2, flags: F.Readonly | F.Fast, acl: ['keyspace', 'read', 'fast'], group: 'generic',
    since: '1.0.0', summary: 'Determines whether one or more keys exist.',
    complexity: 'O(N) where N is the number of keys to check.', firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RO'], begin: 1, lastKey: -1, step: 1 }],
    tips: ['request_policy:multi_shard', 'response_policy:agg_sum'], handler: exists,
  },
];
