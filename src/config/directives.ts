// THE table of configuration directives: one row per directive Redis 7.2 accepts in redis.conf, on the
// command line and through CONFIG GET/SET (mirrors config.c:static_configs, plus the file-only ones).
// Parsing, validation, CONFIG GET/SET and `notActedOn()` are all driven from these rows (config.ts),
// and so is CONFIG REWRITE (rewrite.ts).

export type DirectiveKind = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'list' | 'special';

export interface Directive {
  /** Canonical lower-case name, as CONFIG GET prints it. */
  readonly name: string;
  /** Other names for the same setting (each is also its own CONFIG GET entry, as in Redis). */
  readonly aliases?: readonly string[];
  readonly kind: DirectiveKind;
  /** As CONFIG GET prints it on a fresh Redis 7 (memory values in bytes). */
  readonly default: string;
  /** int / memory bounds as Redis checks them. 64-bit limits are the stand-ins below. */
  readonly min?: number;
  readonly max?: number;
  /** Enum values, in Redis's order (its error message lists them in this order). */
  readonly values?: readonly string[];
  /** CONFIG SET allowed; immutable ones give "can't set immutable config". */
  readonly mutable: boolean;
  /** Redacted from SLOWLOG / MONITOR / the command log. */
  readonly sensitive?: boolean;
  /** respd acts on it today; any other directive set in a file or flag is logged once as not acted on. */
  readonly actedOn?: boolean;

  // Facts the generic validation needs; absent means the common case.
  /** Stored unsigned in Redis, so range checks are unsigned (maxmemory accepts 18446744073709551615). */
  readonly unsigned?: boolean;
  /** Parsed and printed in base 8 (unixsocketperm). */
  readonly octal?: boolean;
  /** A memory value or `N%` (maxmemory-clients), stored as a negative number in Redis. */
  readonly percent?: boolean;
  /** Enum inputs that print as another value (oom-score-adj: relative is stored as yes). */
  readonly synonyms?: Readonly<Record<string, string>>;
  /** Enum of OR-ed flags: values[0] is 0, the rest are successive bits (shutdown-on-sigint). */
  readonly bitflags?: boolean;
  /** Takes several arguments (MULTI_ARG_CONFIG): CONFIG SET splits the value on single spaces. */
  readonly multiArg?: boolean;
  /** PROTECTED_CONFIG: CONFIG SET needs enable-protected-configs yes (or local from a local client). */
  readonly protectedConfig?: boolean;
  /** HIDDEN_CONFIG: left out of pattern CONFIG GET, still reachable by exact name. */
  readonly hidden?: boolean;
  /** respd's own directive (Redis has none by this name); kept hidden so that `CONFIG GET *` is Redis's list. */
  readonly respdOnly?: boolean;
  /** Config file and command line only (include, user, ...): unknown to CONFIG GET/SET. */
  readonly fileOnly?: boolean;
  /** VOLATILE_CONFIG: setting the same value again still counts as a change (reloads certificates). */
  readonly volatile?: boolean;
  /** Accepted anywhere in min..max but stored clamped to this range (hz). */
  readonly clamp?: readonly [number, number];
  /** Like clamp, but only CONFIG SET's apply step does it (repl-backlog-size: 16kb floor). */
  readonly clampOnSet?: readonly [number, number];
  /**
   * EMPTY_STRING_IS_NULL: an empty string value means "not set" (NULL in Redis), so CONFIG REWRITE
   * drops the directive's lines instead of writing `name ""`.
   */
  readonly emptyIsNull?: boolean;
  /** Extra check on a string or enum value (as it would print); returns Redis's error text. */
  readonly validate?: (value: string) => string | undefined;
}

// C limits. Doubles cannot hold 2^63-1 or 2^64-1, so those two bounds are written as 2^63 and 2^64:
// config.ts maps them back to the exact values (`exactBound`), and no real bound equals either.
export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;
export const UINT_MAX = 4294967295;
export const LLONG_MAX = 2 ** 63; // stands for 9223372036854775807 (also LONG_MAX, SSIZE_MAX)
export const ULLONG_MAX = 2 ** 64; // stands for 18446744073709551615

// ---- string checks (config.c is* validators) --------------------------------------------------

const notAPath = (what: string, kind: string) => (v: string) =>
  v.includes('/') ? `${what} can't be a path, just a ${kind}` : undefined;

const nonEmptyBaseName = (what: string, kind: string) => (v: string) =>
  v === '' ? `${what} can't be empty` : notAPath(what, kind)(v);

// NET_HOST_STR_LEN is 256 in Redis.
function validHostname(v: string): string | undefined {
  if (v.length >= 256) return 'Hostnames must be less than 256 characters';
  if (!/^[A-Za-z0-9.-]*$/.test(v)) return 'Hostnames may only contain alphanumeric characters, hyphens or dots';
  return undefined;
}

// cluster.c isValidAuxChar: everything but a few punctuation characters that the nodes.conf format uses.
function validNodename(v: string): string | undefined {
  for (const ch of v) if ('!#$%&()*+:;<>?@[]^{|}~'.includes(ch)) return 'Announced human node name contained invalid character';
  return undefined;
}

// server.c validateProcTitleTemplate: known {variables} only ({{ is a literal brace), and the expansion
// with an empty title must not be blank.
const PROC_TITLE_VARS = new Map([
  ['title', ''],
  ['listen-addr', '*:6379'],
  ['server-mode', ''],
  ['port', '6379'],
  ['tls-port', '0'],
  ['unixsocket', ''],
  ['config-file', ''],
]);
function validProcTitleTemplate(v: string): string | undefined {
  const bad = 'template format is invalid or contains unknown variables';
  let out = '';
  let p = 0;
  while (p < v.length) {
    const sv = v.indexOf('{', p);
    if (sv < 0) {
      out += v.slice(p);
      break;
    }
    out += v.slice(p, sv);
    if (sv + 1 >= v.length) return bad;
    if (v[sv + 1] === '{') {
      out += '{';
      p = sv + 2;
      continue;
    }
    const ev = v.indexOf('}', sv + 1);
    if (ev < 0) return bad;
    const value = PROC_TITLE_VARS.get(v.slice(sv + 1, ev));
    if (value === undefined) return bad;
    out += value;
    p = ev + 1;
  }
  return out.replace(/^ +| +$/g, '') === '' ? bad : undefined;
}

// ---- row builders: they only fill in `kind`; every fact stays visible in its row ----------------

type Extra = Partial<Omit<Directive, 'name' | 'kind' | 'default' | 'mutable'>>;
const MOD = true;
const IMM = false;

function bool(name: string, def: 'yes' | 'no', mutable: boolean, extra: Extra = {}): Directive {
  return { name, kind: 'bool', default: def, mutable, ...extra };
}
function int(name: string, def: string, min: number, max: number, mutable: boolean, extra: Extra = {}): Directive {
  return { name, kind: 'int', default: def, min, max, mutable, ...extra };
}
function mem(name: string, def: string, min: number, max: number, mutable: boolean, extra: Extra = {}): Directive {
  return { name, kind: 'memory', default: def, min, max, mutable, ...extra };
}
function str(name: string, def: string, mutable: boolean, extra: Extra = {}): Directive {
  return { name, kind: 'string', default: def, mutable, ...extra };
}
function enm(name: string, def: string, values: readonly string[], mutable: boolean, extra: Extra = {}): Directive {
  return { name, kind: 'enum', default: def, values, mutable, ...extra };
}
function special(name: string, def: string, mutable: boolean, extra: Extra = {}): Directive {
  return { name, kind: 'special', default: def, mutable, ...extra };
}

// shutdown-on-sigint/sigterm: flags combine, except these two.
const saveXorNosave = (v: string) =>
  v.split(' ').includes('save') && v.split(' ').includes('nosave') ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : undefined;

const ACTED = { actedOn: true } as const;
const NULLABLE = { emptyIsNull: true } as const;
const PROTECTED_ACTION = ['no', 'yes', 'local'] as const;

export const DIRECTIVES: readonly Directive[] = [
  // ---- bool ----
  bool('rdbchecksum', 'yes', IMM, ACTED),
  bool('daemonize', 'no', IMM, ACTED), // only 'no' is honoured: respd runs in the foreground
  bool('io-threads-do-reads', 'no', IMM, ACTED),
  bool('always-show-logo', 'no', IMM, ACTED),
  bool('protected-mode', 'yes', MOD, ACTED),
  bool('rdbcompression', 'yes', MOD, ACTED),
  bool('rdb-del-sync-files', 'no', MOD),
  bool('activerehashing', 'yes', MOD),
  bool('stop-writes-on-bgsave-error', 'yes', MOD, ACTED),
  bool('set-proc-title', 'yes', IMM),
  bool('dynamic-hz', 'yes', MOD),
  bool('lazyfree-lazy-eviction', 'no', MOD, ACTED),
  bool('lazyfree-lazy-expire', 'no', MOD, ACTED),
  bool('lazyfree-lazy-server-del', 'no', MOD, ACTED),
  bool('lazyfree-lazy-user-del', 'no', MOD),
  bool('lazyfree-lazy-user-flush', 'no', MOD),
  bool('repl-disable-tcp-nodelay', 'no', MOD),
  bool('repl-diskless-sync', 'yes', MOD, ACTED),
  bool('aof-rewrite-incremental-fsync', 'yes', MOD),
  bool('no-appendfsync-on-rewrite', 'no', MOD, ACTED),
  bool('cluster-require-full-coverage', 'yes', MOD),
  bool('rdb-save-incremental-fsync', 'yes', MOD),
  bool('aof-load-truncated', 'yes', MOD, ACTED),
  bool('aof-use-rdb-preamble', 'yes', MOD, ACTED),
  bool('aof-timestamp-enabled', 'no', MOD, ACTED),
  bool('cluster-replica-no-failover', 'no', MOD, { aliases: ['cluster-slave-no-failover'] }),
  bool('replica-lazy-flush', 'no', MOD, { aliases: ['slave-lazy-flush'] }),
  bool('replica-serve-stale-data', 'yes', MOD, { aliases: ['slave-serve-stale-data'], ...ACTED }),
  bool('replica-read-only', 'yes', MOD, { aliases: ['slave-read-only'], ...ACTED }),
  bool('replica-ignore-maxmemory', 'yes', MOD, { aliases: ['slave-ignore-maxmemory'] }),
  bool('jemalloc-bg-thread', 'yes', MOD),
  bool('activedefrag', 'no', MOD),
  bool('syslog-enabled', 'no', IMM),
  bool('cluster-enabled', 'no', IMM, ACTED),
  bool('appendonly', 'no', MOD, ACTED),
  bool('cluster-allow-reads-when-down', 'no', MOD),
  bool('cluster-allow-pubsubshard-when-down', 'yes', MOD),
  bool('crash-log-enabled', 'yes', MOD),
  bool('crash-memcheck-enabled', 'yes', MOD),
  bool('use-exit-on-panic', 'no', MOD, { hidden: true }),
  bool('disable-thp', 'yes', IMM),
  bool('cluster-allow-replica-migration', 'yes', MOD),
  bool('replica-announced', 'yes', MOD, ACTED),
  bool('latency-tracking', 'yes', MOD),
  bool('aof-disable-auto-gc', 'no', MOD, ACTED),
  bool('replica-ignore-disk-write-errors', 'no', MOD),
  bool('tls-cluster', 'no', MOD),
  bool('tls-replication', 'no', MOD, ACTED),
  bool('tls-prefer-server-ciphers', 'no', MOD),
  bool('tls-session-caching', 'yes', MOD),

  // ---- string ----
  str('aclfile', '', IMM),
  str('unixsocket', '', IMM, { ...ACTED, ...NULLABLE }),
  str('pidfile', '', IMM, { ...ACTED, ...NULLABLE }),
  str('replica-announce-ip', '', MOD, { aliases: ['slave-announce-ip'], ...NULLABLE, ...ACTED }),
  str('masteruser', '', MOD, { sensitive: true, ...NULLABLE, ...ACTED }),
  str('cluster-announce-ip', '', MOD, { ...NULLABLE, ...ACTED }),
  str('cluster-config-file', 'nodes.conf', IMM, ACTED),
  str('cluster-announce-hostname', '', MOD, { validate: validHostname, ...NULLABLE, ...ACTED }),
  str('cluster-announce-human-nodename', '', MOD, { validate: validNodename, ...NULLABLE, ...ACTED }),
  str('syslog-ident', 'redis', IMM),
  str('dbfilename', 'dump.rdb', MOD, { protectedConfig: true, validate: notAPath('dbfilename', 'filename'), ...ACTED }),
  str('appendfilename', 'appendonly.aof', IMM, { validate: nonEmptyBaseName('appendfilename', 'filename'), ...ACTED }),
  str('appenddirname', 'appendonlydir', IMM, { validate: nonEmptyBaseName('appenddirname', 'dirname'), ...ACTED }),
  str('server_cpulist', '', IMM, NULLABLE),
  str('bio_cpulist', '', IMM, NULLABLE),
  str('aof_rewrite_cpulist', '', IMM, NULLABLE),
  str('bgsave_cpulist', '', IMM, NULLABLE),
  str('ignore-warnings', '', MOD),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', MOD, { validate: validProcTitleTemplate }),
  str('bind-source-addr', '', MOD, NULLABLE),
  str('logfile', '', IMM, ACTED),
  str('locale-collate', '', MOD),
  str('masterauth', '', MOD, { sensitive: true, ...NULLABLE, ...ACTED }),
  str('requirepass', '', MOD, { sensitive: true, ...ACTED, ...NULLABLE }), // the default user's password
  str('tls-cert-file', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-key-file', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-key-file-pass', '', MOD, { sensitive: true, ...NULLABLE }),
  str('tls-client-cert-file', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-client-key-file', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-client-key-file-pass', '', MOD, { sensitive: true, ...NULLABLE }),
  str('tls-dh-params-file', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-ca-cert-file', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-ca-cert-dir', '', MOD, { volatile: true, ...NULLABLE }),
  str('tls-protocols', '', MOD, NULLABLE),
  str('tls-ciphers', '', MOD, NULLABLE),
  str('tls-ciphersuites', '', MOD, NULLABLE),

  // ---- enum ----
  // The poller: auto (io_uring where the kernel has what it needs, else epoll with a notice), yes
  // (io_uring; where refused, epoll with a warning saying why) or no (epoll). io-threads > 1 is epoll.
  enm('io-uring', 'auto', ['auto', 'yes', 'no'], IMM, { ...ACTED, hidden: true, respdOnly: true }),
  enm('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], IMM),
  enm('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], IMM),
  enm('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb'], MOD),
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing'], MOD, ACTED),
  enm('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'], MOD),
  enm('appendfsync', 'everysec', ['everysec', 'always', 'no'], MOD, ACTED),
  enm('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute'], MOD, { synonyms: { relative: 'yes' } }),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels'], MOD),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients'], MOD),
  enm('enable-protected-configs', 'no', PROTECTED_ACTION, IMM),
  enm('enable-debug-command', 'no', PROTECTED_ACTION, IMM),
  enm('enable-module-command', 'no', PROTECTED_ACTION, IMM),
  enm('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint'], MOD, ACTED),
  enm('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas'], MOD),
  enm('shutdown-on-sigint', 'default', ['default', 'save', 'nosave', 'now', 'force'], MOD, { bitflags: true, multiArg: true, validate: saveXorNosave }),
  enm('shutdown-on-sigterm', 'default', ['default', 'save', 'nosave', 'now', 'force'], MOD, { bitflags: true, multiArg: true, validate: saveXorNosave }),
  enm('tls-auth-clients', 'yes', ['no', 'yes', 'optional'], MOD),

  // ---- int (C int unless marked unsigned) ----
  int('databases', '16', 1, INT_MAX, IMM, ACTED),
  int('port', '6379', 0, 65535, MOD, ACTED),
  int('io-threads', '1', 1, 128, IMM, ACTED), // native threads read/parse and write; commands stay on the main thread
  int('auto-aof-rewrite-percentage', '100', 0, INT_MAX, MOD, ACTED),
  int('cluster-replica-validity-factor', '10', 0, INT_MAX, MOD, { aliases: ['cluster-slave-validity-factor'] }),
  int('list-max-listpack-size', '-2', INT_MIN, INT_MAX, MOD, { aliases: ['list-max-ziplist-size'] }),
  int('tcp-keepalive', '300', 0, INT_MAX, MOD, ACTED),
  int('cluster-migration-barrier', '1', 0, INT_MAX, MOD),
  int('active-defrag-cycle-min', '1', 1, 99, MOD),
  int('active-defrag-cycle-max', '25', 1, 99, MOD),
  int('active-defrag-threshold-lower', '10', 0, 1000, MOD),
  int('active-defrag-threshold-upper', '100', 0, 1000, MOD),
  int('lfu-log-factor', '10', 0, INT_MAX, MOD),
  int('lfu-decay-time', '1', 0, INT_MAX, MOD),
  int('replica-priority', '100', 0, INT_MAX, MOD, { aliases: ['slave-priority'], ...ACTED }),
  int('repl-diskless-sync-delay', '5', 0, INT_MAX, MOD, ACTED),
  int('maxmemory-samples', '5', 1, INT_MAX, MOD),
  int('maxmemory-eviction-tenacity', '10', 0, 100, MOD),
  int('timeout', '0', 0, INT_MAX, MOD, ACTED),
  int('replica-announce-port', '0', 0, 65535, MOD, { aliases: ['slave-announce-port'], ...ACTED }),
  int('tcp-backlog', '511', 0, INT_MAX, IMM, ACTED),
  int('cluster-port', '0', 0, 65535, IMM, ACTED),
  int('cluster-announce-bus-port', '0', 0, 65535, MOD, ACTED),
  int('cluster-announce-port', '0', 0, 65535, MOD, ACTED),
  int('cluster-announce-tls-port', '0', 0, 65535, MOD, ACTED),
  int('repl-timeout', '60', 1, INT_MAX, MOD, ACTED),
  int('repl-ping-replica-period', '10', 1, INT_MAX, MOD, { aliases: ['repl-ping-slave-period'], ...ACTED }),
  int('list-compress-depth', '0', 0, INT_MAX, MOD),
  int('rdb-key-save-delay', '0', INT_MIN, INT_MAX, MOD, { hidden: true, ...ACTED }),
  int('key-load-delay', '0', INT_MIN, INT_MAX, MOD, { hidden: true }),
  int('active-expire-effort', '1', 1, 10, MOD),
  // Redis takes any hz in range and stores it clamped to 1..500 (CONFIG GET hz after setting 0 prints 1).
  int('hz', '10', 0, INT_MAX, MOD, { clamp: [1, 500], ...ACTED }),
  int('min-replicas-to-write', '0', 0, INT_MAX, MOD, { aliases: ['min-slaves-to-write'], ...ACTED }),
  int('min-replicas-max-lag', '10', 0, INT_MAX, MOD, { aliases: ['min-slaves-max-lag'], ...ACTED }),
  int('watchdog-period', '0', 0, INT_MAX, MOD, { hidden: true }),
  int('shutdown-timeout', '10', 0, INT_MAX, MOD),
  int('repl-diskless-sync-max-replicas', '0', 0, INT_MAX, MOD, ACTED),
  int('maxclients', '10000', 1, UINT_MAX, MOD, { unsigned: true, ...ACTED }),
  int('unixsocketperm', '0', 0, 0o777, IMM, { unsigned: true, octal: true, ...ACTED }),
  int('socket-mark-id', '0', 0, UINT_MAX, IMM, { unsigned: true }),
  int('max-new-connections-per-cycle', '10', 1, 1000, MOD, { unsigned: true, ...ACTED }),
  int('max-new-tls-connections-per-cycle', '1', 1, 1000, MOD, { unsigned: true }),
  int('active-defrag-max-scan-fields', '1000', 1, LLONG_MAX, MOD),
  int('slowlog-max-len', '128', 0, LLONG_MAX, MOD),
  int('acllog-max-len', '128', 0, LLONG_MAX, MOD),
  int('busy-reply-threshold', '5000', 0, LLONG_MAX, MOD, { aliases: ['lua-time-limit'] }),
  int('cluster-node-timeout', '15000', 0, LLONG_MAX, MOD),
  int('cluster-ping-interval', '0', 0, LLONG_MAX, MOD, { hidden: true }),
  int('slowlog-log-slower-than', '10000', -1, LLONG_MAX, MOD),
  int('latency-monitor-threshold', '0', 0, LLONG_MAX, MOD),
  int('stream-node-max-entries', '100', 0, LLONG_MAX, MOD, ACTED),
  int('hash-max-listpack-entries', '512', 0, LLONG_MAX, MOD, { aliases: ['hash-max-ziplist-entries'], unsigned: true }),
  int('set-max-intset-entries', '512', 0, LLONG_MAX, MOD, { unsigned: true }),
  int('set-max-listpack-entries', '128', 0, LLONG_MAX, MOD, { unsigned: true }),
  int('set-max-listpack-value', '64', 0, LLONG_MAX, MOD, { unsigned: true }),
  int('zset-max-listpack-entries', '128', 0, LLONG_MAX, MOD, { aliases: ['zset-max-ziplist-entries'], unsigned: true }),
  int('tracking-table-max-keys', '1000000', 0, LLONG_MAX, MOD, { unsigned: true }),
  int('repl-backlog-ttl', '3600', 0, LLONG_MAX, MOD, ACTED),
  int('loading-process-events-interval-bytes', '2097152', 1024, INT_MAX, MOD, { hidden: true }),
  int('tls-port', '0', 0, 65535, MOD),
  int('tls-session-cache-size', '20480', 0, INT_MAX, MOD),
  int('tls-session-cache-timeout', '300', 0, INT_MAX, MOD),

  // ---- memory (bytes; 1k = 1000, 1kb = 1024 ...) ----
  mem('proto-max-bulk-len', '536870912', 1024 * 1024, LLONG_MAX, MOD, ACTED),
  mem('repl-backlog-size', '1048576', 1, LLONG_MAX, MOD, { clampOnSet: [16 * 1024, LLONG_MAX], ...ACTED }),
  mem('maxmemory', '0', 0, ULLONG_MAX, MOD, { unsigned: true }),
  mem('cluster-link-sendbuf-limit', '0', 0, ULLONG_MAX, MOD, { unsigned: true }),
  mem('active-defrag-ignore-bytes', '104857600', 1, LLONG_MAX, MOD, { unsigned: true }),
  mem('hash-max-listpack-value', '64', 0, LLONG_MAX, MOD, { aliases: ['hash-max-ziplist-value'], unsigned: true }),
  mem('stream-node-max-bytes', '4096', 0, LLONG_MAX, MOD, { unsigned: true, ...ACTED }),
  mem('zset-max-listpack-value', '64', 0, LLONG_MAX, MOD, { aliases: ['zset-max-ziplist-value'], unsigned: true }),
  mem('hll-sparse-max-bytes', '3000', 0, LLONG_MAX, MOD, { unsigned: true, ...ACTED }),
  mem('client-query-buffer-limit', '1073741824', 1024 * 1024, LLONG_MAX, MOD, { unsigned: true, ...ACTED }),
  // A byte count, or N% of maxmemory; Redis stores N% as -N, hence the -100 lower bound.
  mem('maxmemory-clients', '0', -100, LLONG_MAX, MOD, { percent: true, ...ACTED }),
  mem('auto-aof-rewrite-min-size', '67108864', 0, LLONG_MAX, MOD, ACTED),

  // ---- several arguments / custom formats (handlers in config.ts) ----
  { name: 'bind', kind: 'list', default: '* -::*', mutable: MOD, multiArg: true, ...ACTED },
  special('dir', '.', MOD, { protectedConfig: true, ...ACTED }), // default: the working directory at startup
  special('save', '3600 1 300 100 60 10000', MOD, { multiArg: true, ...ACTED }),
  special('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', MOD, { multiArg: true, ...ACTED }),
  special('oom-score-adj-values', '0 200 800', MOD, { multiArg: true }),
  special('notify-keyspace-events', '', MOD),
  special('replicaof', '', IMM, { aliases: ['slaveof'], multiArg: true, ...ACTED }),
  special('latency-tracking-info-percentiles', '50 99 99.9', MOD, { multiArg: true }),

  // ---- config file and command line only ----
  special('include', '', IMM, { fileOnly: true }),
  special('rename-command', '', IMM, { fileOnly: true }),
  special('user', '', IMM, { fileOnly: true }),
  special('loadmodule', '', IMM, { fileOnly: true }),
  special('sentinel', '', IMM, { fileOnly: true }),
];

/** Lower-case name or alias → row, for every row including file-only ones. */
const DIRECTIVE_BY_NAME: ReadonlyMap<string, Directive> = (() => {
  const m = new Map<string, Directive>();
  for (const d of DIRECTIVES) {
    for (const n of [d.name, ...(d.aliases ?? [])]) {
      if (m.has(n)) throw new Error(`duplicate directive name ${n}`);
      m.set(n, d);
    }
  }
  return m;
})();

/**
 * The row for a name or alias, any case. The server's own reads name directives in lower case,
 * several per batch: they are found without lower-casing first.
 */
export function findDirective(name: string): Directive | undefined {
  return DIRECTIVE_BY_NAME.get(name) ?? DIRECTIVE_BY_NAME.get(name.toLowerCase());
}

/** The exact 64-bit value behind a bound of the table (see LLONG_MAX / ULLONG_MAX there). */
export function exactBound(n: number): bigint {
  if (n === ULLONG_MAX) return ((1n << 64n) - 1n);
  if (n === LLONG_MAX) return ((1n << 63n) - 1n);
  if (n === -LLONG_MAX) return (-(1n << 63n));
  return BigInt(n);
}
