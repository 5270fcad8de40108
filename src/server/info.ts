// INFO: sections built from the server's live state, in Redis's order and field names.
import { arch, release, type } from 'node:os';
import type { Config } from '../config/config.js';
import { REDIS_VERSION } from '../config/version.js';
import { Stat } from '../engine/layout.js';
import type { Listeners } from './listeners.js';
import type { Memory } from './memory.js';
import type { ServerStats } from './stats.js';

export interface InfoSource {
  readonly runId: string;
  readonly replId: string;
  readonly startedMs: number;
  readonly configFile: string;
  readonly pollBackend: string;
  readonly config: Config;
  readonly counters: Float64Array;
  readonly listeners: Listeners;
  readonly stats: ServerStats;
  readonly memory: Memory;
  readonly persistence: { infoFields(): [string, string | number][] };
  readonly replication: { infoFields(): [string, string | number][] };
}

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL_EXTRA = ['threads', 'commandstats', 'latencystats'];

function fmt(title: string, fields: [string, string | number][]): string {
  return `# ${title}\r\n` + fields.map(([k, v]) => `${k}:${v}\r\n`).join('');
}

export function buildInfo(src: InfoSource, requested: readonly string[]): string {
  let wanted: Set<string>;
  if (requested.length === 0 || requested.includes('default')) wanted = new Set(DEFAULT_SECTIONS);
  else if (requested.includes('all') || requested.includes('everything')) wanted = new Set([...DEFAULT_SECTIONS, ...ALL_EXTRA]);
  else wanted = new Set(requested);
  const now = Date.now();
  const uptime = Math.floor((now - src.startedMs) / 1000);
  const hz = src.config.int('hz');
  // INFO's tcp_port: port, or tls-port when port is 0.
  const tcpPort = src.listeners.port('tcp') || src.listeners.port('tls');
  const out: string[] = [];
  if (wanted.has('server')) {
    out.push(fmt('Server', [
      ['redis_version', REDIS_VERSION],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_build_id', '0'],
      ['redis_mode', src.config.bool('cluster-enabled') ? 'cluster' : 'standalone'],
      ['os', `${type()} ${release()} ${arch()}`],
      ['arch_bits', 64],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', src.pollBackend],
      ['atomicvar_api', 'c11-builtin'],
      ['gcc_version', '0.0.0'],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', src.runId],
      ['tcp_port', tcpPort],
      ['server_time_usec', now * 1000],
      ['uptime_in_seconds', uptime],
      ['uptime_in_days', Math.floor(uptime / 86400)],
      ['hz', hz],
      ['configured_hz', hz],
      ['lru_clock', Math.floor(now / 1000) & 0xffffff],
      ['executable', process.argv[1] ?? process.execPath],
      ['config_file', src.configFile],
      ['io_threads_active', src.counters[Stat.IoActive] ?? 0],
      ...src.listeners.infoLines().map(([i, l]): [string, string] => [`listener${i}`, l]),
    ]));
  }
  if (wanted.has('clients')) out.push(fmt('Clients', src.stats.clients()));
  if (wanted.has('memory')) out.push(fmt('Memory', src.memory.infoFields()));
  if (wanted.has('persistence')) out.push(fmt('Persistence', src.persistence.infoFields()));
  if (wanted.has('stats')) out.push(fmt('Stats', src.stats.stats()));
  if (wanted.has('threads')) out.push(fmt('Threads', src.stats.threads()));
  if (wanted.has('replication')) out.push(fmt('Replication', src.replication.infoFields()));
  if (wanted.has('cpu')) {
    const u = process.cpuUsage();
    out.push(fmt('CPU', [
      ['used_cpu_sys', (u.system / 1e6).toFixed(6)],
      ['used_cpu_user', (u.user / 1e6).toFixed(6)],
      ['used_cpu_sys_children', '0.000000'],
      ['used_cpu_user_children', '0.000000'],
    ]));
  }
  if (wanted.has('modules')) out.push('# Modules\r\n');
  if (wanted.has('commandstats')) out.push('# Commandstats\r\n' + src.stats.commandstatsLines().join(''));
  if (wanted.has('errorstats')) out.push('# Errorstats\r\n' + src.stats.errorstatsLines().join(''));
  if (wanted.has('latencystats')) out.push('# Latencystats\r\n' + src.stats.latencystatsLines().join(''));
  if (wanted.has('cluster')) out.push(fmt('Cluster', [['cluster_enabled', src.config.bool('cluster-enabled') ? 1 : 0]]));
  if (wanted.has('keyspace')) out.push('# Keyspace\r\n' + src.stats.keyspaceLines().join(''));
  return out.join('\r\n');
}
