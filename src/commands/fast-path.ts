// The fast path for the hottest data commands (Redis's own shortcut: processCommand's checks cost
// nothing when nothing they look at is set). While no ACL user is restricted, no cluster, no
// maxmemory, no maxmemory-clients, no write refusal (failed save, AOF error, min-replicas), no
// replica role and no CLIENT PAUSE are in force, an eligible command of an ordinary client
// (authenticated, not in MULTI, not pub/sub, replica or MONITOR) would pass every check of
// processCommand: it goes straight to callCommand, which still does all the bookkeeping (the
// copy-on-write hook of a background save, propagation, stats, slow log, latency, tracking, MONITOR).
// A replica's master client, which those two never stop, takes it while the rest holds.
import { ClientFlag } from '../clients/flags.js';
import type { Command, CommandCall, CommandTable } from '../table/table.js';
import { callCommand, type DispatchHooks } from './dispatch.js';
import type { ServerContext } from './context.js';

/**
 * Commands that may take the fast path: data commands that change none of the state the guard
 * reads (so the guard stays true across them) and never block. Anything else runs the whole of
 * processCommand and makes the guard be computed again before the next fast call.
 */
const ELIGIBLE: readonly string[] = [
  'ping', 'echo', 'get', 'set', 'setex', 'psetex', 'setnx', 'getset', 'getdel', 'mget', 'mset', 'incr', 'decr', 'incrby',
  'decrby', 'incrbyfloat', 'append', 'strlen', 'getrange', 'setrange', 'exists', 'del', 'unlink', 'type', 'expire',
  'pexpire', 'ttl', 'pttl', 'persist', 'lpush', 'rpush', 'lpop', 'rpop', 'llen', 'lrange', 'lindex', 'lset', 'hset',
  'hsetnx', 'hget', 'hmset', 'hmget', 'hdel', 'hlen', 'hexists', 'hincrby', 'hgetall', 'sadd', 'srem', 'sismember',
  'scard', 'smembers', 'spop', 'zadd', 'zincrby', 'zrem', 'zscore', 'zcard', 'zrank', 'zrange',
];

/** Client states that processCommand treats specially: such clients always take the slow path. */
const SLOW_CLIENT = ClientFlag.Slave | ClientFlag.PubSub | ClientFlag.Multi;

export class FastPath {
  /** Whether the guard's global conditions held when last computed. */
  private open = false;
  /**
   * The same for a replica's master client, which processCommand lets through the replica role's
   * checks (read-only, stale data) and CLIENT PAUSE: only the conditions it does check for it.
   */
  private openForMaster = false;
  /** Something may have changed what the guard reads: compute it again before the next use. */
  private stale = true;

  constructor(
    private readonly server: ServerContext,
    table: CommandTable,
    private readonly hooks: DispatchHooks,
  ) {
    // By the Command object: a renamed command keeps its eligibility under its new name.
    for (const c of table.all()) if (ELIGIBLE.includes(c.name)) c.fastPath = true;
  }

  /**
   * Marks the guard for recomputation: at every batch's start and end and before a request run
   * outside a batch (what changes between batches: a background save's failure, the AOF's errors,
   * a pause's end, the replication role), and after every command that is not eligible (CONFIG
   * SET, ACL, CLIENT PAUSE...).
   */
  invalidate(): void {
    this.stale = true;
  }

  /** Runs `cmd` (looked up for `call`) when the fast path may; false when processCommand must. */
  run(call: CommandCall, cmd: Command): boolean {
    const c = call.client;
    if (!cmd.fastPath || c.flags & SLOW_CLIENT || c.multi !== undefined || !c.authenticated || !cmd.arityOk(call.args.count)) return false;
    if (this.stale) {
      this.compute();
      this.stale = false;
    }
    // A load (-LOADING) may start in the middle of a batch (a replica's payload arriving): read
    // each time, not from the guard.
    if (!(c.flags & ClientFlag.Master ? this.openForMaster : this.open) || this.server.persistence.loading) return false;
    c.lastCommand = cmd.fullName;
    callCommand(call, cmd, this.hooks);
    return true;
  }

  /** The global half of the guard: nothing that processCommand would act on is in force. */
  private compute(): void {
    const s = this.server;
    const config = s.config;
    this.openForMaster =
      s.cluster === undefined &&
      s.persistence.lastStatus !== 'err' &&
      s.persistence.aofStatus.writeError === undefined &&
      !s.replication.minReplicasActive &&
      config.int('maxmemory') === 0 &&
      config.str('maxmemory-clients') === '0' &&
      s.acl.everyUserUnrestricted();
    this.open = this.openForMaster && !s.replica.active && !s.blocked.paused;
  }
}
