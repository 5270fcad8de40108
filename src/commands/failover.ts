// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (replication.c failoverCommand): the checks
// and the start; the coordination itself is replication/failover.ts.
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';

const F = CmdFlag;

function failover(call: CommandCall): void {
  const { args, reply, server, now } = call;
  const f = server.replication.failover;
  if (server.config.bool('cluster-enabled')) return reply.error('FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.');
  if (!f) return reply.error('FAILOVER is not available');
  if (args.count === 2 && args.is(1, 'abort')) {
    if (f.state === 'no-failover') return reply.error('No failover in progress.');
    f.abort('Failover manually aborted');
    return reply.status('OK');
  }
  let timeout = 0;
  let force = false;
  let target: { host: string; port: number } | undefined;
  for (let j = 1; j < args.count; j++) {
    if (args.is(j, 'timeout') && j + 1 < args.count && timeout === 0) {
      const t = parseInteger(args.str(j + 1));
      if (t === null || typeof t === 'bigint') return reply.error('value is not an integer or out of range');
      if (t <= 0) return reply.error('FAILOVER timeout must be greater than 0');
      timeout = t;
      j++;
    } else if (args.is(j, 'to') && j + 2 < args.count && !target) {
      const port = parseInteger(args.str(j + 2));
      if (port === null || typeof port === 'bigint') return reply.error('value is not an integer or out of range');
      target = { host: args.str(j + 1), port };
      j += 2;
    } else if (args.is(j, 'force') && !force) {
      force = true;
    } else return reply.error(ERR_SYNTAX);
  }
  if (f.state !== 'no-failover') return reply.error('FAILOVER already in progress.');
  if (server.replica.active) return reply.error('FAILOVER is not valid when server is a replica.');
  const replicas = [...server.replication.replicas.values()];
  if (replicas.length === 0) return reply.error('FAILOVER requires connected replicas.');
  if (force && (!timeout || !target)) return reply.error('FAILOVER with force option requires both a timeout and target HOST and IP.');
  if (target) {
    const r = replicas.find((x) => (x.ip || x.client.addr.slice(0, x.client.addr.lastIndexOf(':'))) === target!.host && x.port === target!.port);
    if (!r) return reply.error('FAILOVER target HOST and PORT is not a replica.');
    if (r.state !== 'online') return reply.error('FAILOVER target replica is not online.');
  }
  f.start(target, timeout, force, now);
  reply.status('OK');
}

export const failoverCommands: CommandDef[] = [
  {
    name: 'failover', arity: -1, flags: F.Admin | F.NoScript | F.Stale, acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '6.2.0',
    summary: 'Starts a coordinated failover from a server to one of its replicas.', complexity: 'O(1)', handler: failover,
  },
];
