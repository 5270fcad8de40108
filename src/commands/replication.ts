// SYNC, PSYNC, REPLCONF, ROLE and WAIT (replication.c): the commands a replica sends its master,
// and what clients ask of replication. The master itself is replication/master.ts.
import { ClientFlag } from '../clients/flags.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { parseInteger } from '../util/numbers.js';

const F = CmdFlag;


function syncCommand(call: CommandCall, psync: boolean): void {
  const { client, reply, args, server } = call;
  // A client already attached as a replica, or one in MULTI, can't sync again.
  if (client.flags & ClientFlag.Slave) return;
  // PSYNC replid offset FAILOVER: the master we replicate hands its role to us.
  if (psync && args.count > 3 && args.is(3, 'failover')) {
    server.logAt(2, `Failover request received for replid ${args.str(1)}.`);
    if (!server.replica.active) return reply.error("PSYNC FAILOVER can't be sent to a master.");
    if (args.str(1) !== server.replication.replId) return reply.error('PSYNC FAILOVER replid must match my replid.');
    server.replica.unsetMaster();
    server.logAt(2, `MASTER MODE enabled (failover request from '${server.lifecycle.clientInfoLine(client)}')`);
  }
  // No replica may sync with us while we fail over.
  const f = server.replication.failover;
  if (f && f.state !== 'no-failover') return reply.error("-NOMASTERLINK Can't SYNC while failing over");
  if (psync) {
    const offset = parseInteger(args.str(2));
    if (offset === null || typeof offset === 'bigint') {
      reply.error('value is not an integer or out of range');
      return;
    }
    server.replication.sync(client, reply, { replid: args.str(1), offset });
  } else {
    server.replication.sync(client, reply, undefined);
  }
}

/** REPLCONF <option> <value> ...: what a replica tells about itself, and its ACKs. */
function replconf(call: CommandCall): void {
  const { args, reply, client, server } = call;
  if (args.count % 2 === 0) {
    reply.error("wrong number of arguments for 'replconf' command");
    return;
  }
  const master = server.replication;
  const r = master.replicaOf(client);
  for (let j = 1; j < args.count; j += 2) {
    const opt = args.lower(j);
    const value = args.str(j + 1);
    if (opt === 'listening-port') {
      const port = parseInteger(value);
      if (port === null || typeof port === 'bigint') {
        reply.error('value is not an integer or out of range');
        return;
      }
      r.port = port;
    } else if (opt === 'ip-address') {
      if (value.length >= 46) {
        reply.error(`REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
        return;
      }
      r.ip = value;
    } else if (opt === 'capa') {
      r.capa.add(value.toLowerCase());
    } else if (opt === 'ack') {
      // REPLCONF ACK <offset> [FACK <aofoffset>]: replicas send it without expecting a reply.
      if (!(client.flags & ClientFlag.Slave)) return;
      const offset = parseInteger(value);
      if (offset === null || typeof offset !== 'number') return;
      let aof: number | undefined;
      if (args.count > j + 3 && args.is(j + 2, 'fack')) {
        const f = parseInteger(args.str(j + 3));
        if (f === null || typeof f !== 'number') return;
        aof = f;
      }
      master.ack(client, offset, aof);
      return;
    } else if (opt === 'getack') {
      // Only a replica answers GETACK, to its master, with the offset processed before it.
      if (client.flags & ClientFlag.Master) server.replica.sendAck();
      return;
    } else if (opt === 'rdb-only' || opt === 'rdb-filter-only') {
      // Accepted; a respd master always sends the whole dataset.
    } else {
      reply.error(`Unrecognized REPLCONF option: ${args.str(j)}`);
      return;
    }
  }
  reply.status('OK');
}

/** ROLE: ["master", offset, [[ip, port, ack-offset], ...]]. */
function role(call: CommandCall): void {
  const { reply, server } = call;
  if (server.replica.active) {
    const [host, port, state, offset] = server.replica.role();
    reply.array(5);
    reply.bulkStr('slave');
    reply.bulkStr(host);
    reply.integer(port);
    reply.bulkStr(state);
    reply.integer(offset);
    return;
  }
  const master = server.replication;
  const online = [...master.replicas.values()].filter((r) => r.state === 'online');
  reply.array(3);
  reply.bulkStr('master');
  reply.integer(master.offset);
  reply.array(online.length);
  for (const r of online) {
    reply.array(3);
    reply.bulkStr(r.ip || r.client.addr.slice(0, r.client.addr.lastIndexOf(':')));
    reply.bulkStr(String(r.port));
    reply.bulkStr(String(r.ackOffset));
  }
}

/**
 * WAIT numreplicas timeout: how many replicas acknowledged every write this client made, once
 * `numreplicas` did or at the timeout. Blocked until woken by REPLCONF ACK (event 'replication').
 */
function wait(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  if (server.replica.active) {
    reply.error('WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
    return;
  }
  const n = parseInteger(args.str(1));
  const t = parseInteger(args.str(2));
  if (n === null || typeof n === 'bigint' || t === null || typeof t === 'bigint') {
    reply.error('value is not an integer or out of range');
    return;
  }
  if (t < 0) {
    reply.error('timeout is negative');
    return;
  }
  const master = server.replication;
  const target = master.writeOffset(client);
  const acked = master.replicasAt(target);
  if (acked >= n || client.flags & (ClientFlag.Multi | ClientFlag.DenyBlocking)) {
    reply.integer(acked);
    return;
  }
  if (!call.reprocessing) master.requestAcks();
  server.blocked.blockUntilWoken(call, 'replication', t === 0 ? 0 : now + t, (r) => r.integer(master.replicasAt(target)));
}

/**
 * WAITAOF numlocal numreplicas timeout: [local, replicas] that have this client's writes in their
 * AOF on disk, once numlocal (0 or 1) and numreplicas are reached or at the timeout.
 */
function waitaof(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const numlocal = parseInteger(args.str(1));
  if (numlocal === null || typeof numlocal !== 'number' || numlocal < 0 || numlocal > 1) {
    reply.error(numlocal === null ? 'value is not an integer or out of range' : 'value is out of range, must be between 0 and 1');
    return;
  }
  const numreplicas = parseInteger(args.str(2));
  if (numreplicas === null || typeof numreplicas !== 'number' || numreplicas < 0) {
    reply.error(numreplicas === null ? 'value is not an integer or out of range' : 'value is out of range, must be positive');
    return;
  }
  const t = parseInteger(args.str(3));
  if (t === null || typeof t !== 'number') {
    reply.error('timeout is not an integer or out of range');
    return;
  }
  if (t < 0) {
    reply.error('timeout is negative');
    return;
  }
  const aof = server.persistence.aofStatus;
  if (numlocal && !aof.enabled) {
    reply.error('WAITAOF cannot be used when numlocal is set but appendonly is disabled.');
    return;
  }
  const master = server.replication;
  const localTarget = master.aofWriteOffset(client);
  const replTarget = master.writeOffset(client);
  const counts = (): [number, number] => [aof.enabled && aof.fsyncedOffset >= localTarget ? 1 : 0, master.aofReplicasAt(replTarget)];
  const answer = (r: ReplyWriter, [local, replicas]: [number, number]) => {
    r.array(2);
    r.integer(local);
    r.integer(replicas);
  };
  const now2 = counts();
  if ((now2[0] >= numlocal && now2[1] >= numreplicas) || client.flags & (ClientFlag.Multi | ClientFlag.DenyBlocking)) {
    answer(reply, now2);
    return;
  }
  if (!call.reprocessing) master.requestAcks();
  server.blocked.blockUntilWoken(call, 'replication', t === 0 ? 0 : now + t, (r) => answer(r, counts()));
}

export const replicationCommands: CommandDef[] = [
  {
    name: 'sync', arity: 1, flags: F.Admin | F.NoScript | F.NoAsyncLoading | F.NoMulti, acl: ['admin', 'slow', 'dangerous'], group: 'server',
    since: '1.0.0', summary: 'An internal command used in replication.', handler: (c) => syncCommand(c, false),
  },
  {
    name: 'psync', arity: -3, flags: F.Admin | F.NoScript | F.NoAsyncLoading | F.NoMulti, acl: ['admin', 'slow', 'dangerous'], group: 'server',
    since: '2.8.0', summary: 'An internal command used in replication.', handler: (c) => syncCommand(c, true),
  },
  {
    name: 'replconf', arity: -1, flags: F.Admin | F.NoScript | F.Loading | F.Stale | F.AllowBusy, acl: ['admin', 'slow', 'dangerous'],
    group: 'server', since: '3.0.0', summary: 'An internal command for configuring the replication stream.', complexity: 'O(1)',
    handler: replconf,
  },
  {
    name: 'role', arity: 1, flags: F.NoScript | F.Loading | F.Stale | F.Fast | F.Sentinel, acl: ['admin', 'fast', 'dangerous'], group: 'server',
    since: '2.8.12', summary: 'Returns the replication role.', complexity: 'O(1)', handler: role,
  },
  {
    name: 'waitaof', arity: 4, flags: F.NoScript, acl: ['slow', 'connection'], group: 'generic', since: '7.2.0',
    summary: 'Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.',
    complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:agg_min'], handler: waitaof,
  },
  {
    name: 'wait', arity: 3, flags: F.NoScript, acl: ['slow', 'connection'], group: 'generic', since: '3.0.0',
    summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:agg_min'], handler: wait,
  },
];
