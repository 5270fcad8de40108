// The counters behind INFO clients, stats, threads, commandstats, errorstats, latencystats and
// keyspace, and CONFIG RESETSTAT, which zeroes them: one place knows every counter there is.
import type { Acl } from '../acl/acl.js';
import type { BlockingRegistry } from '../clients/blocking.js';
import { ClientFlag } from '../clients/flags.js';
import type { ClientLifecycle } from '../clients/lifecycle.js';
import type { PubSub } from '../clients/pubsub.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Tracking } from '../clients/tracking.js';
import type { WatchRegistry } from '../clients/watch.js';
import type { CommandTable } from '../table/table.js';
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';
import { Stat, STAT_FIELDS } from '../engine/layout.js';
import type { Memory } from './memory.js';
import type { ServerState } from './state.js';

export interface StatSources {
  readonly st: ServerState;
  readonly config: Config;
  readonly clients: ClientRegistry;
  readonly blocking: BlockingRegistry;
  readonly watches: WatchRegistry;
  readonly tracking: Tracking;
  readonly pubsub: PubSub;
  readonly keyspace: Keyspace;
  readonly commands: CommandTable;
  readonly acl: Acl;
  readonly lifecycle: ClientLifecycle;
  readonly memory: Memory;
  readonly replication: { readonly syncStats: { full: number; partialOk: number; partialErr: number }; readonly replicas: ReadonlyMap<unknown, unknown> };
}

type Fields = [string, string | number][];

export class ServerStats {
  /** Native counters at the last CONFIG RESETSTAT. */
  private statBase = new Float64Array(STAT_FIELDS);
  /** Per IO thread [reads, writes] at the last CONFIG RESETSTAT. */
  private threadBase: [number, number][] = [];

  constructor(private readonly s: StatSources) {}

  /** CONFIG RESETSTAT. */
  reset(): void {
    const s = this.s;
    const life = s.lifecycle.stats;
    life.connectionsReceived = life.rejectedConnections = life.queryBufferDisconnections = life.outputBufferDisconnections = 0;
    s.st.commandsProcessed = 0;
    this.statBase = s.st.counters.slice(0, STAT_FIELDS);
    this.threadBase = s.st.engine?.ioThreadStats() ?? [];
    s.st.writer.errorCount = 0;
    s.st.writer.errorCodes.clear();
    for (const c of s.commands.everything()) {
      c.calls = 0;
      c.rejectedCalls = 0;
      c.failedCalls = 0;
      c.usec = 0;
      c.histogram = undefined;
    }
    for (const db of s.keyspace.dbs) db.expiredKeys = db.expiredSubkeys = 0;
    s.memory.evictor.evictedKeys = 0;
    s.keyspace.hits = s.keyspace.misses = 0;
    const denied = s.acl.deniedCount;
    denied.auth = denied.cmd = denied.key = denied.channel = 0;
  }

  clients(): Fields {
    const s = this.s;
    let pubsub = 0, watching = 0, inTimeout = 0;
    for (const c of s.clients) {
      if (c.flags & ClientFlag.PubSub) pubsub++;
      if (c.watched.size) watching++;
      if (c.blocked && c.blocked.deadline > 0) inTimeout++;
    }
    return [
      // Replicas are not counted (server.clients less server.slaves); a master client is.
      ['connected_clients', s.clients.size - s.replication.replicas.size],
      ['cluster_connections', 0],
      ['maxclients', s.config.int('maxclients')],
      ['client_recent_max_input_buffer', s.st.limits?.recentMaxInput ?? 0],
      ['client_recent_max_output_buffer', s.st.limits?.recentMaxOutput ?? 0],
      ['blocked_clients', s.blocking.blockedCount],
      ['tracking_clients', s.tracking.trackingClients],
      ['pubsub_clients', pubsub],
      ['watching_clients', watching],
      ['clients_in_timeout_table', inTimeout],
      ['total_watched_keys', s.watches.totalKeys],
      ['total_blocking_keys', s.blocking.keyCount],
      ['total_blocking_keys_on_nokey', 0],
    ];
  }

  stats(): Fields {
    const s = this.s;
    const n = s.st.counters;
    const base = this.statBase;
    const native = (f: Stat) => n[f] - base[f];
    let expired = 0;
    let expiredSubkeys = 0;
    for (const db of s.keyspace.dbs) {
      expired += db.expiredKeys;
      expiredSubkeys += db.expiredSubkeys;
    }
    const denied = s.acl.deniedCount;
    const life = s.lifecycle.stats;
    const limits = s.st.limits;
    return [
      ['total_connections_received', life.connectionsReceived],
      ['total_commands_processed', s.st.commandsProcessed],
      ['instantaneous_ops_per_sec', 0],
      ['total_net_input_bytes', native(Stat.NetInput)],
      ['total_net_output_bytes', native(Stat.NetOutput)],
      ['total_net_repl_input_bytes', 0],
      ['total_net_repl_output_bytes', 0],
      ['rejected_connections', native(Stat.Rejected) + life.rejectedConnections],
      ['sync_full', s.replication.syncStats.full],
      ['sync_partial_ok', s.replication.syncStats.partialOk],
      ['sync_partial_err', s.replication.syncStats.partialErr],
      ['expired_keys', expired],
      // Redis 7.4: hash fields removed because their deadline passed (HEXPIRE and siblings).
      ['expired_subkeys', expiredSubkeys],
      ['evicted_keys', s.memory.evictor.evictedKeys],
      ['evicted_clients', limits?.evictedClients ?? 0],
      ['keyspace_hits', s.keyspace.hits],
      ['keyspace_misses', s.keyspace.misses],
      ['pubsub_channels', s.pubsub.channels.size],
      ['pubsub_patterns', s.pubsub.patterns.size],
      ['pubsubshard_channels', s.pubsub.shardChannels.size],
      ['tracking_total_keys', s.tracking.trackedKeys],
      ['client_query_buffer_limit_disconnections', life.queryBufferDisconnections],
      ['client_output_buffer_limit_disconnections', life.outputBufferDisconnections],
      ['reply_buffer_shrinks', limits?.replyBufferShrinks ?? 0],
      ['reply_buffer_expands', limits?.replyBufferExpands ?? 0],
      ['total_error_replies', s.st.writer.errorCount],
      ['total_reads_processed', native(Stat.Reads)],
      ['total_writes_processed', native(Stat.Writes)],
      ['io_threaded_reads_processed', native(Stat.IoReads)],
      ['io_threaded_writes_processed', native(Stat.IoWrites)],
      ['acl_access_denied_auth', denied.auth],
      ['acl_access_denied_cmd', denied.cmd],
      ['acl_access_denied_key', denied.key],
      ['acl_access_denied_channel', denied.channel],
    ];
  }

  /** io_thread_<i>: clients each IO thread read and wrote in fan-out rounds (0 = main thread). */
  threads(): Fields {
    const now = this.s.st.engine?.ioThreadStats() ?? [];
    return now.map(([reads, writes], i): [string, string] => {
      const [r0, w0] = this.threadBase[i] ?? [0, 0];
      return [`io_thread_${i}`, `reads=${reads - r0},writes=${writes - w0}`];
    });
  }

  keyspaceLines(): string[] {
    const out: string[] = [];
    for (const db of this.s.keyspace.dbs) {
      if (db.size === 0) continue;
      // subexpiry (7.4): hashes with field deadlines, db->hexpires's items; stale entries
      // (deleted or replaced keys, no deadline left) are not counted.
      let subexpiry = 0;
      for (const [key, h] of db.hexpires) if (h.ttls !== null && h.ttls.size > 0 && db.dict.get(key) === h) subexpiry++;
      out.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${db.avgTtl},subexpiry=${subexpiry}\r\n`);
    }
    return out;
  }

  errorstatsLines(): string[] {
    return [...this.s.st.writer.errorCodes].map(([code, n]) => `errorstat_${code}:count=${n}\r\n`);
  }

  /** latency_percentiles_usec_<cmd>:p50=...,p99=... for each command with a histogram. */
  latencystatsLines(): string[] {
    const percentiles = this.s.config.str('latency-tracking-info-percentiles').split(' ').filter(Boolean).map(Number);
    const out: string[] = [];
    for (const c of this.s.commands.everything()) {
      const h = c.histogram;
      if (!h || h.total === 0) continue;
      const parts = percentiles.map((p) => `p${trimDouble(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
      out.push(`latency_percentiles_usec_${c.fullName}:${parts.join(',')}\r\n`);
    }
    return out;
  }

  commandstatsLines(): string[] {
    const out: string[] = [];
    for (const c of this.s.commands.everything()) {
      if (c.calls || c.rejectedCalls) {
        const usec = Math.floor(c.usec);
        const perCall = c.calls ? (c.usec / c.calls).toFixed(2) : '0.00';
        out.push(`cmdstat_${c.fullName}:calls=${c.calls},usec=${usec},usec_per_call=${perCall},rejected_calls=${c.rejectedCalls},failed_calls=${c.failedCalls}\r\n`);
      }
    }
    return out;
  }
}

/** printf("%f") with trailing zeros (and a bare dot) trimmed: 99.9, 50. */
function trimDouble(d: number): string {
  return d.toFixed(6).replace(/\.?0+$/, '');
}
