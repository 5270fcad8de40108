// BGREWRITEAOF (aof.c bgrewriteaofCommand): a rewrite of the append-only file started now, or
// scheduled after a background save or a transaction. The AOF itself lives in
// src/persistence/aof/; the server hands its control in when it builds the command table.
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';

const F = CmdFlag;

export interface AofControl {
  bgrewriteaof(): { ok: string } | { error: string };
}

export function aofCommands(aof: () => AofControl): CommandDef[] {
  return [
    {
      name: 'bgrewriteaof', arity: 1, flags: F.Admin | F.NoScript | F.NoAsyncLoading, acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0',
      summary: 'Asynchronously rewrites the append-only file to disk.', complexity: 'O(1)',
      handler: (call: CommandCall) => {
        const r = aof().bgrewriteaof();
        if ('error' in r) call.reply.error(r.error);
        else call.reply.status(r.ok);
      },
    },
  ];
}
