// REPLICAOF host port | NO ONE, and its old name SLAVEOF (replication.c replicaofCommand): makes
// this server a replica of another, or promotes it to a master. The replica itself is
// replication/replica.ts.
import { ClientFlag } from '../clients/flags.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { strtoll } from '../util/numbers.js';

const F = CmdFlag;

function replicaof(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const replica = server.replica;
  // The role is FAILOVER's to change while it runs.
  const f = server.replication.failover;
  if (f && f.state !== 'no-failover') return reply.error('REPLICAOF not allowed while failing over.');
  if (args.is(1, 'no') && args.is(2, 'one')) {
    if (replica.active) {
      replica.unsetMaster();
      server.logAt(2, `MASTER MODE enabled (user request from '${server.lifecycle.clientInfoLine(client)}')`);
      server.config.set('replicaof', ['no', 'one'], 'file');
    }
    reply.status('OK');
    return;
  }
  // A replica can't run it: it would disconnect every replica, itself among them.
  if (client.flags & ClientFlag.Slave) {
    reply.error('Command is not valid when client is a replica.');
    return;
  }
  const p = strtoll(args.str(2), 10);
  if (!p.whole || p.value < 0n || p.value > 65535n) {
    reply.error('Invalid master port');
    return;
  }
  const host = args.str(1);
  const port = Number(p.value);
  if (replica.active && replica.masterHost!.toLowerCase() === host.toLowerCase() && replica.masterPort === port) {
    server.logAt(2, 'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    reply.status('OK Already connected to specified master');
    return;
  }
  replica.setMaster(host, port);
  server.logAt(2, `REPLICAOF ${host}:${port} enabled (user request from '${server.lifecycle.clientInfoLine(client)}')`);
  server.config.set('replicaof', [host, String(port)], 'file');
  reply.status('OK');
}

export const replicaofCommands: CommandDef[] = [
  {
    name: 'replicaof', arity: 3, flags: F.NoAsyncLoading | F.Admin | F.NoScript | F.Stale, acl: ['admin', 'slow', 'dangerous'], group: 'server',
    since: '5.0.0', summary: 'Configures a server as replica of another, or promotes it to a master.', complexity: 'O(1)', handler: replicaof,
  },
  {
    name: 'slaveof', arity: 3, flags: F.NoAsyncLoading | F.Admin | F.NoScript | F.Stale, acl: ['admin', 'slow', 'dangerous'], group: 'server',
    since: '1.0.0', summary: 'Sets a Redis server as a replica of another, or promotes it to being a master.', complexity: 'O(1)', handler: replicaof,
  },
];
