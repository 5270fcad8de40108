// MULTI, EXEC, DISCARD, WATCH, UNWATCH.
import { ClientFlag } from '../clients/flags.js';
import { discardTransaction } from '../clients/lifecycle.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';

const F = CmdFlag;

function multi({ client, reply }: CommandCall): void {
  if (client.multi) {
    reply.error('MULTI calls can not be nested');
    return;
  }
  client.multi = { commands: [], mem: 0, execAbort: false };
  client.flags |= ClientFlag.Multi;
  reply.status('OK');
}

function exec(call: CommandCall): void {
  const { client, reply, server } = call;
  const m = client.multi;
  if (!m) {
    reply.error('EXEC without MULTI');
    return;
  }
  if (m.execAbort || client.flags & ClientFlag.DirtyCas) {
    if (m.execAbort) reply.error('-EXECABORT Transaction discarded because of previous errors.');
    else reply.nullArray();
    discardTransaction(client, server.watches);
    return;
  }
  server.watches.unwatchAll(client);
  reply.array(m.commands.length);
  const args = call.args;
  for (const q of m.commands) {
    call.args = q.args;
    server.runQueued(call, q.cmd);
  }
  call.args = args;
  discardTransaction(client, server.watches);
}

function discard({ client, reply, server }: CommandCall): void {
  if (!client.multi) {
    reply.error('DISCARD without MULTI');
    return;
  }
  discardTransaction(client, server.watches);
  reply.status('OK');
}

function watch({ client, reply, server, args }: CommandCall): void {
  if (client.multi) {
    reply.error('WATCH inside MULTI is not allowed');
    return;
  }
  for (let i = 1; i < args.count; i++) server.watches.watch(client, client.db, args.str(i));
  reply.status('OK');
}

function unwatch({ client, reply, server }: CommandCall): void {
  server.watches.unwatchAll(client);
  client.flags &= ~ClientFlag.DirtyCas;
  reply.status('OK');
}

const TX = ['fast', 'transaction'];

export const transactionCommands: CommandDef[] = [
  {
    name: 'multi', arity: 1, flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.AllowBusy, acl: TX,
    group: 'transactions', since: '1.2.0', summary: 'Starts a transaction.', complexity: 'O(1)', handler: multi,
  },
  {
    name: 'exec', arity: 1, flags: F.NoScript | F.Loading | F.Stale | F.SkipSlowlog, acl: ['slow', 'transaction'],
    group: 'transactions', since: '1.2.0', summary: 'Executes all commands in a transaction.',
    complexity: 'Depends on commands in the transaction', handler: exec,
  },
  {
    name: 'discard', arity: 1, flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.AllowBusy, acl: TX,
    group: 'transactions', since: '2.0.0', summary: 'Discards a transaction.',
    complexity: 'O(N), when N is the number of queued commands', handler: discard,
  },
  {
    name: 'watch', arity: -2, flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.AllowBusy, acl: TX,
    group: 'transactions', since: '2.2.0', summary: 'Monitors changes to keys to determine the execution of a transaction.',
    complexity: 'O(1) for every key.', firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RO'], begin: 1, lastKey: -1, step: 1 }], handler: watch,
  },
  {
    name: 'unwatch', arity: 1, flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.AllowBusy, acl: TX,
    group: 'transactions', since: '2.2.0', summary: 'Forgets about watched keys of a transaction.', complexity: 'O(1)',
    handler: unwatch,
  },
];
