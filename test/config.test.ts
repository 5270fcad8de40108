// The configuration layer as a specification: defaults, validation errors, CONFIG GET/SET, redis.conf
// and the command line. Expected texts were captured from redis-server 7.0.15 (CONFIG GET *, CONFIG SET
// replies, "*** FATAL CONFIG FILE ERROR ***" reports); 7.2-only behaviour is marked where it differs.
import { mkdtempSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Config, configSetError } from '../src/config/config.js';
import { globMatch as stringMatch } from '../src/util/glob.js';
import { memtoull } from '../src/util/numbers.js';
import { splitArgs } from '../src/util/sds.js';
import { DIRECTIVES, findDirective } from '../src/config/directives.js';
import { loadConfig, type LoadResult } from '../src/config/load.js';
import { REDIS_VERSION } from '../src/config/version.js';

/** What a client sees for a CONFIG SET error: the reply layer prefixes "ERR ". */
function configSet(c: Config, ...args: string[]): string {
  const pairs: [string, string][] = [];
  for (let i = 0; i < args.length; i += 2) pairs.push([args[i] as string, args[i + 1] as string]);
  const r = c.setMany(pairs);
  return r.ok ? 'OK' : 'ERR ' + r.error;
}

const fatal = (line: number, text: string, err: string) =>
  `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${err}\n`;

/** loadConfig over an in-memory file system. */
function load(argv: string[], files: Record<string, string> = {}, hooks: Parameters<typeof loadConfig>[2] = {}): LoadResult {
  const readFile = (p: string) => {
    const f = files[p];
    if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return f;
  };
  return loadConfig(argv, readFile, { listDir: (d) => Object.keys(files).filter((p) => p.startsWith(d + '/')).map((p) => p.slice(d.length + 1)), ...hooks });
}

function loaded(r: LoadResult): Config {
  if (!r.ok || r.action !== 'run') throw new Error(`expected a config, got ${JSON.stringify(r)}`);
  return r.config;
}

function failure(r: LoadResult): string {
  if (r.ok) throw new Error('expected a failure');
  return r.message;
}

describe('the directive table', () => {
  it('has one row per directive of Redis 7 CONFIG GET * (192 entries in 7.0.15, plus 6 added in 7.2)', () => {
    const names = Config.defaults().getMatching(['*']).map(([k]) => k);
    expect(names.length).toBe(198);
    expect(new Set(names).size).toBe(198);
    for (const added of ['locale-collate', 'set-max-listpack-entries', 'set-max-listpack-value', 'cluster-announce-human-nodename', 'max-new-connections-per-cycle', 'max-new-tls-connections-per-cycle'])
      expect(names).toContain(added);
  });

  it('marks as acted on exactly the directives respd implements', () => {
    const acted = DIRECTIVES.filter((d) => d.actedOn).map((d) => d.name).sort();
    expect(acted).toEqual(
      ['port', 'bind', 'tcp-backlog', 'tcp-keepalive', 'unixsocket', 'unixsocketperm', 'maxclients', 'proto-max-bulk-len', 'max-new-connections-per-cycle', 'loglevel', 'logfile', 'databases', 'always-show-logo', 'daemonize', 'protected-mode', 'requirepass', 'timeout', 'hz', 'io-threads', 'save', 'appendonly', 'dir', 'dbfilename', 'pidfile', 'client-output-buffer-limit', 'client-query-buffer-limit', 'maxmemory-clients', 'io-threads-do-reads', 'io-uring', 'hll-sparse-max-bytes', 'rdbchecksum', 'rdbcompression', 'stream-node-max-entries', 'stream-node-max-bytes',
        'appendfsync', 'appendfilename', 'appenddirname', 'aof-load-truncated', 'aof-use-rdb-preamble', 'aof-timestamp-enabled', 'aof-disable-auto-gc', 'no-appendfsync-on-rewrite', 'auto-aof-rewrite-percentage', 'auto-aof-rewrite-min-size',
        'cluster-enabled', 'cluster-config-file', 'cluster-port', 'cluster-announce-ip', 'cluster-announce-port', 'cluster-announce-bus-port', 'cluster-announce-tls-port',
        'cluster-announce-hostname', 'cluster-announce-human-nodename', 'cluster-preferred-endpoint-type',
        // the replica side of replication
        'replicaof', 'masterauth', 'masteruser', 'replica-read-only', 'replica-serve-stale-data', 'replica-announce-ip', 'replica-announce-port',
        'replica-announced', 'replica-priority', 'repl-timeout', 'tls-replication',
        // the master side and the propagation stream
        'stop-writes-on-bgsave-error', 'lazyfree-lazy-eviction', 'lazyfree-lazy-expire', 'lazyfree-lazy-server-del', 'repl-ping-replica-period',
        'min-replicas-to-write', 'min-replicas-max-lag', 'repl-backlog-ttl', 'repl-backlog-size', 'rdb-key-save-delay',
        // the master's diskless full sync
        'repl-diskless-sync', 'repl-diskless-sync-delay', 'repl-diskless-sync-max-replicas'].sort(),
    );
  });

  it('knows aliases and marks secrets sensitive', () => {
    expect(findDirective('SLAVEOF')?.name).toBe('replicaof');
    expect(findDirective('hash-max-ziplist-entries')?.name).toBe('hash-max-listpack-entries');
    expect(findDirective('lua-time-limit')?.name).toBe('busy-reply-threshold');
    for (const s of ['requirepass', 'masterauth', 'masteruser', 'tls-key-file-pass', 'tls-client-key-file-pass']) expect(findDirective(s)?.sensitive).toBe(true);
  });
});

describe('defaults (CONFIG GET on a fresh redis-server 7)', () => {
  const expected: Record<string, string> = {
    port: '6379', bind: '* -::*', 'tcp-backlog': '511', 'tcp-keepalive': '300', unixsocket: '', unixsocketperm: '0', timeout: '0',
    maxclients: '10000', 'proto-max-bulk-len': '536870912', 'client-query-buffer-limit': '1073741824', loglevel: 'notice', logfile: '',
    databases: '16', 'always-show-logo': 'no', daemonize: 'no', 'protected-mode': 'yes', requirepass: '', hz: '10', 'dynamic-hz': 'yes',
    'io-threads': '1', 'io-threads-do-reads': 'no', save: '3600 1 300 100 60 10000', appendonly: 'no', dbfilename: 'dump.rdb', pidfile: '',
    'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', 'maxmemory-clients': '0',
    maxmemory: '0', 'maxmemory-policy': 'noeviction', 'maxmemory-samples': '5', 'notify-keyspace-events': '', 'oom-score-adj-values': '0 200 800',
    'latency-tracking-info-percentiles': '50 99 99.9', replicaof: '', slaveof: '', 'repl-backlog-size': '1048576', 'active-defrag-ignore-bytes': '104857600',
    'hash-max-listpack-entries': '512', 'hash-max-ziplist-value': '64', 'list-max-listpack-size': '-2', 'slowlog-log-slower-than': '10000',
    'proc-title-template': '{title} {listen-addr} {server-mode}', 'shutdown-on-sigint': 'default', 'busy-reply-threshold': '5000', 'lua-time-limit': '5000',
    'auto-aof-rewrite-min-size': '67108864', 'acl-pubsub-default': 'resetchannels', 'tls-session-cache-size': '20480', 'cluster-config-file': 'nodes.conf',
    'syslog-ident': 'redis', 'syslog-facility': 'local0', 'repl-diskless-load': 'disabled', 'tracking-table-max-keys': '1000000', 'stream-node-max-bytes': '4096',
  };
  for (const [name, value] of Object.entries(expected)) {
    it(`${name} = ${JSON.stringify(value)}`, () => {
      expect(Config.defaults().get(name)).toBe(value);
    });
  }

  it('dir is the absolute working directory', () => {
    expect(Config.defaults().get('dir')).toBe(realpathSync(process.cwd()));
  });

  it('7.2 additions have their 7.2 defaults', () => {
    const c = Config.defaults();
    expect(c.get('max-new-connections-per-cycle')).toBe('10');
    expect(c.get('max-new-tls-connections-per-cycle')).toBe('1');
    expect(c.get('set-max-listpack-entries')).toBe('128');
    expect(c.get('locale-collate')).toBe('');
  });
});

describe('typed getters', () => {
  it('read numbers, booleans, words and buffer limits', () => {
    const c = Config.defaults();
    expect(c.int('port')).toBe(6379);
    expect(c.int('list-max-ziplist-size')).toBe(-2);
    expect(c.bool('protected-mode')).toBe(true);
    expect(c.str('loglevel')).toBe('notice');
    expect(c.list('bind')).toEqual(['*', '-::*']);
    expect(c.list('notify-keyspace-events')).toEqual([]);
    expect(c.clientOutputBufferLimits()).toEqual({
      normal: { hard: 0, soft: 0, softSeconds: 0 },
      replica: { hard: 268435456, soft: 67108864, softSeconds: 60 },
      pubsub: { hard: 33554432, soft: 8388608, softSeconds: 60 },
    });
  });

  it('decode unixsocketperm from octal and maxmemory-clients as bytes or percent', () => {
    const c = loaded(load(['--unixsocketperm', '700', '--maxmemory-clients', '5%']));
    expect(c.get('unixsocketperm')).toBe('700');
    expect(c.int('unixsocketperm')).toBe(0o700);
    expect(c.bytesOrPercent('maxmemory-clients')).toEqual({ percent: 5 });
    expect(Config.defaults().bytesOrPercent('maxmemory-clients')).toEqual({ bytes: 0 });
  });

  it('look names up in any case, by alias too, and throw for unknown names', () => {
    const c = Config.defaults();
    expect(c.get('MaxClients')).toBe('10000');
    expect(c.get('slave-read-only')).toBe('yes');
    expect(c.get('nosuch')).toBeUndefined();
    expect(c.get('include')).toBeUndefined();
    expect(() => c.int('nosuch')).toThrow(TypeError);
    expect(() => c.int('loglevel')).toThrow(TypeError);
  });
});

describe('memory values (util.c memtoull)', () => {
  const cases: [string, string][] = [
    ['1k', '1000'], ['1kb', '1024'], ['1KB', '1024'], ['1m', '1000000'], ['1mb', '1048576'], ['1Mb', '1048576'],
    ['1g', '1000000000'], ['1gb', '1073741824'], ['1gB', '1073741824'], ['5b', '5'], ['5B', '5'], ['01', '1'], ['', '0'], ['kb', '0'],
    ['18446744073709551615', '18446744073709551615'], ['18446744073709551616', '18446744073709551615'], ['99999999999999999999kb', '18446744073709550592'],
  ];
  for (const [input, bytes] of cases) {
    it(`maxmemory ${JSON.stringify(input)} -> ${bytes}`, () => {
      const c = Config.defaults();
      expect(configSet(c, 'maxmemory', input)).toBe('OK');
      expect(c.get('maxmemory')).toBe(bytes);
    });
  }

  it('rejects signs, fractions, spaces and unknown units', () => {
    for (const bad of ['-1', '+1', '1.5mb', ' 1', '1 ', '1x', '1kib']) expect(memtoull(bad)).toBeUndefined();
    expect(configSet(Config.defaults(), 'maxmemory', '1.5mb')).toBe("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
  });
});

describe('CONFIG SET errors, word for word', () => {
  const cases: [string[], string][] = [
    [['port', 'abc'], "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"],
    [['port', '70000'], "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"],
    [['maxclients', '007'], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"],
    [['maxclients', '-0'], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer"],
    [['maxclients', '0'], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"],
    [['maxclients', '-1'], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"],
    [['hz', '-1'], "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive"],
    [['proto-max-bulk-len', '1000'], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"],
    [['proto-max-bulk-len', '9223372036854775808'], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"],
    [['proto-max-bulk-len', '-5'], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value"],
    [['maxmemory-clients', '101%'], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"],
    [['maxmemory-clients', '-5%'], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"],
    [['maxmemory-clients', 'abc'], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"],
    [['protected-mode', '1'], "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"],
    [['loglevel', 'foo'], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing"],
    [['oom-score-adj', 'bad'], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj') - argument(s) must be one of the following: no, yes, relative, absolute"],
    [['shutdown-on-sigint', ''], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force"],
    [['shutdown-on-sigint', 'save nosave'], "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously"],
    [['daemonize', 'yes'], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"],
    [['unixsocketperm', '700'], "ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config"],
    [['slaveof', 'no one'], "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"],
    [['dir', '/tmp'], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"],
    [['DBFILENAME', 'x.rdb'], "ERR CONFIG SET failed (possibly related to argument 'DBFILENAME') - can't set protected config"],
    [['foo', 'bar'], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"],
    [['include', 'x'], "ERR Unknown option or number of arguments for CONFIG SET - 'include'"],
    [['client-output-buffer-limit', 'normal 1 2'], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."],
    [['client-output-buffer-limit', 'master 1 2 3'], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."],
    [['client-output-buffer-limit', 'normal a 2 3'], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."],
    [['client-output-buffer-limit', 'normal 1 2 -1'], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."],
    [['client-output-buffer-limit', 'normal 1 2 3x'], "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."],
    [['notify-keyspace-events', 'q'], "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."],
    [['save', '3600 1 300'], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"],
    [['save', '0 1'], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"],
    [['save', '3600  1'], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"],
    [['latency-tracking-info-percentiles', '50 abc'], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"],
    [['latency-tracking-info-percentiles', '101'], "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"],
    [['oom-score-adj-values', '1 2'], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments"],
    [['oom-score-adj-values', '0 200 3000'], "ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000."],
    [['bind', '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'], "ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind addresses specified."],
    [['cluster-announce-hostname', 'a_b'], "ERR CONFIG SET failed (possibly related to argument 'cluster-announce-hostname') - Hostnames may only contain alphanumeric characters, hyphens or dots"],
    [['proc-title-template', '{foo}'], "ERR CONFIG SET failed (possibly related to argument 'proc-title-template') - template format is invalid or contains unknown variables"],
    [['MAXMEMORY', 'x'], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"],
    [['SLAVE-READ-ONLY', 'maybe'], "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"],
  ];
  for (const [args, reply] of cases) {
    it(`CONFIG SET ${args.map((a) => JSON.stringify(a)).join(' ')}`, () => {
      const c = Config.defaults();
      const before = c.getMatching(['*']);
      expect(configSet(c, ...args)).toBe(reply);
      expect(c.getMatching(['*'])).toEqual(before);
    });
  }

  it('configSetError builds the text the command layer replies with', () => {
    expect('ERR ' + configSetError('port', 'Unable to listen on this port. Check server logs.')).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
    );
  });

  it('set(..., "config-set") gives the same texts as setMany', () => {
    const r = Config.defaults().set('port', ['70000'], 'config-set');
    expect(r).toEqual({ ok: false, error: "CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive" });
  });

  it('protected configs are settable once enable-protected-configs allows it', () => {
    const dir = realpathSync(tmpdir());
    const yes = loaded(load(['--enable-protected-configs', 'yes']));
    expect(configSet(yes, 'dir', dir)).toBe('OK');
    expect(yes.get('dir')).toBe(dir);
    const local = loaded(load(['--enable-protected-configs', 'local']));
    expect(local.setMany([['dbfilename', 'a.rdb']]).ok).toBe(false);
    expect(local.setMany([['dbfilename', 'a.rdb']], { localClient: true })).toMatchObject({ ok: true, changed: ['dbfilename'] });
    expect(configSet(yes, 'dbfilename', 'a/b')).toBe("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename");
  });
});

describe('CONFIG SET values as Redis prints them back', () => {
  const cases: [string, string, string][] = [
    ['client-output-buffer-limit', 'normal 1mb 2MB 10 pubsub 1k 2kb 3', 'normal 1048576 2097152 10 slave 268435456 67108864 60 pubsub 1000 2048 3'],
    ['client-output-buffer-limit', 'replica 1 2 3', 'normal 0 0 0 slave 1 2 3 pubsub 33554432 8388608 60'],
    ['client-output-buffer-limit', 'Normal 1 2 +3', 'normal 1 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60'],
    ['client-output-buffer-limit', '', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'],
    ['maxmemory-clients', '10%', '10%'], ['maxmemory-clients', '0%', '0'], ['maxmemory-clients', '1mb', '1048576'],
    ['hz', '0', '1'], ['hz', '1000', '500'], ['repl-backlog-size', '1', '16384'],
    ['oom-score-adj', 'relative', 'yes'], ['loglevel', 'NOTICE', 'notice'], ['loglevel', 'nothing', 'nothing'], ['protected-mode', 'YES', 'yes'],
    ['shutdown-on-sigint', 'now save force', 'save now force'], ['shutdown-on-sigint', 'default now', 'now'],
    ['notify-keyspace-events', 'KEA', 'AKE'], ['notify-keyspace-events', 'Ex', 'xE'], ['notify-keyspace-events', 'Kg$lshzxetdn', 'AK'], ['notify-keyspace-events', 'AKm', 'AKm'],
    ['save', '', ''], ['save', '3600 1 300 100', '3600 1 300 100'], ['save', '+5 1', '5 1'],
    ['latency-tracking-info-percentiles', '1.5 99.99 100 0 1e1', '1.5 99.99 100 0 10'], ['latency-tracking-info-percentiles', '', ''],
    ['oom-score-adj-values', '0 100 800', '0 100 800'], ['bind', '127.0.0.1 -::1', '127.0.0.1 -::1'], ['bind', '', ''],
    ['list-max-ziplist-size', '-5', '-5'], ['maxmemory', '1GB', '1073741824'],
  ];
  for (const [name, value, printed] of cases) {
    it(`${name} ${JSON.stringify(value)} prints ${JSON.stringify(printed)}`, () => {
      const c = Config.defaults();
      expect(configSet(c, name, value)).toBe('OK');
      expect(c.get(name)).toBe(printed);
    });
  }
});

describe('setMany: all or nothing, like multi-argument CONFIG SET', () => {
  it('a bad value restores every value already set', () => {
    const c = Config.defaults();
    expect(configSet(c, 'maxmemory', '5', 'hz', 'x')).toBe("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
    expect(c.get('maxmemory')).toBe('0');
    expect(c.get('hz')).toBe('10');
  });

  it('refuses duplicates, also in another case, but not a name and its alias', () => {
    const c = Config.defaults();
    expect(configSet(c, 'maxmemory', '1', 'maxmemory', '2')).toBe("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter");
    expect(configSet(c, 'maxmemory', '0', 'MAXMEMORY', '1')).toBe("ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter");
    expect(c.setMany([['lua-time-limit', '1'], ['busy-reply-threshold', '2']])).toMatchObject({ ok: true, changed: ['busy-reply-threshold'] });
    expect(c.get('lua-time-limit')).toBe('2');
  });

  it('reports the first unknown name before any other problem, else the first refusal', () => {
    const c = Config.defaults();
    expect(configSet(c, 'maxmemory', '1', 'foo', '2')).toBe("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(configSet(c, 'daemonize', 'no', 'foo', '2')).toBe("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
    expect(configSet(c, 'maxmemory', 'x', 'daemonize', 'no')).toBe("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
    expect(c.get('maxmemory')).toBe('0');
  });

  it('lists what changed and tells listeners after the whole set succeeded', () => {
    const c = Config.defaults();
    const seen: [string, string][] = [];
    c.onChange((n, v) => seen.push([n, v]));
    expect(c.setMany([['hz', '20'], ['maxmemory', '7'], ['port', '6379']])).toMatchObject({ ok: true, changed: ['hz', 'maxmemory'] });
    expect(seen).toEqual([['hz', '20'], ['maxmemory', '7']]);
    expect(c.setMany([['hz', '30'], ['port', 'x']]).ok).toBe(false);
    expect(seen.length).toBe(2);
  });

  it('volatile directives (certificate files) count as changed even when set to the same value', () => {
    const c = Config.defaults();
    expect(c.setMany([['tls-cert-file', '']])).toMatchObject({ ok: true, changed: ['tls-cert-file'] });
    expect(c.setMany([['tls-ciphers', '']])).toMatchObject({ ok: true, changed: [] });
  });
});

describe('CONFIG GET patterns (util.c stringmatch)', () => {
  const names = (patterns: string[]) => Config.defaults().getMatching(patterns).map(([k]) => k);

  it('* lists every entry once, aliases included, hidden ones excluded', () => {
    const all = names(['*']);
    expect(all).toContain('slaveof');
    expect(all).toContain('replicaof');
    expect(all).toContain('hash-max-ziplist-entries');
    expect(all).not.toContain('key-load-delay');
    expect(all).not.toContain('include');
  });

  it('exact names answer under the name as given, hidden ones too, and only once', () => {
    expect(Config.defaults().getMatching(['PORT'])).toEqual([['PORT', '6379']]);
    expect(Config.defaults().getMatching(['PORT', 'port'])).toEqual([['PORT', '6379']]);
    expect(Config.defaults().getMatching(['PORT', 'po*']).length).toBe(1);
    expect(Config.defaults().getMatching(['key-load-delay'])).toEqual([['key-load-delay', '0']]);
    expect(Config.defaults().getMatching(['slaveof', 'replicaof'])).toEqual([['slaveof', ''], ['replicaof', '']]);
    expect(names(['nosuch'])).toEqual([]);
  });

  it('matches ? [] ranges, negation and escapes, case-insensitively', () => {
    expect(names(['p?rt'])).toEqual(['port']);
    expect(names(['[pq]ort'])).toEqual(['port']);
    expect(names(['p[o-o]rt'])).toEqual(['port']);
    expect(names(['P\\o*'])).toEqual(['port']);
    expect(names(['p\\ort'])).toEqual([]); // no glob character: looked up as the exact name "p\ort"
    expect(names(['slave*']).sort()).toEqual(['slave-announce-ip', 'slave-announce-port', 'slave-ignore-maxmemory', 'slave-lazy-flush', 'slave-priority', 'slave-read-only', 'slave-serve-stale-data', 'slaveof']);
    expect(names(['*-ziplist-*']).sort()).toEqual(['hash-max-ziplist-entries', 'hash-max-ziplist-value', 'list-max-ziplist-size', 'zset-max-ziplist-entries', 'zset-max-ziplist-value']);
    expect(names(['[^a-z]*'])).toEqual([]);
    expect(names(['maxmemory-[c-a]*']).sort()).toEqual(['maxmemory-clients']);
  });

  it('stringMatch agrees with Redis on corner cases (checked with KEYS on redis-server 7)', () => {
    expect(stringMatch('a*', 'A', true)).toBe(true);
    expect(stringMatch('a*', 'A', false)).toBe(false);
    expect(stringMatch('**', '', false)).toBe(false); // an empty string never enters Redis's loop
    const keys = ['a[', ']', 'a*', 'ab', 'A', 'b-', 'x]'];
    const matching = (p: string) => keys.filter((k) => stringMatch(p, k, false));
    expect(matching('a[')).toEqual([]);
    expect(matching('[\\]]')).toEqual([']']);
    expect(matching('a\\*')).toEqual(['a*']);
    expect(matching('[a-')).toEqual([]);
    expect(matching('[]]')).toEqual([]);
    expect(matching('[^]]')).toEqual(['x]']);
    expect(matching('b[-]')).toEqual(['b-']);
  });
});

describe('config file format', () => {
  it('tokenizes like sdssplitargs', () => {
    expect(splitArgs('a "b c" \'d e\'')).toEqual(['a', 'b c', 'd e']);
    expect(splitArgs('"\\x41\\n\\t" \'it\\\'s\'')).toEqual(['A\n\t', "it's"]);
    expect(splitArgs('x""')).toEqual(['x']);
    expect(splitArgs('"a"b')).toBeUndefined();
    expect(splitArgs('"abc')).toBeUndefined();
    expect(splitArgs('   ')).toEqual([]);
  });

  it('skips comments and blank lines, trims, lower-cases names, unquotes values', () => {
    const c = loaded(load(['/etc/r.conf'], { '/etc/r.conf': '# comment\n\n  \t PORT   7000 \r\nrequirepass "a b\\x41\\tc"\nmaxmemory \'1mb\'\n' }));
    expect(c.get('port')).toBe('7000');
    expect(c.get('requirepass')).toBe('a bA\tc');
    expect(c.get('maxmemory')).toBe('1048576');
  });

  it('reports the configured file as an absolute path', () => {
    const r = load(['/etc/r.conf'], { '/etc/r.conf': 'port 1\n' });
    expect(r.ok && r.action === 'run' && r.configFile).toBe('/etc/r.conf');
  });

  it('last wins for plain directives; save, client-output-buffer-limit and user accumulate', () => {
    const c = loaded(load(['/r.conf'], {
      '/r.conf': 'port 1\nport 2\nsave 60 1\nsave 30 2\nbind 1.2.3.4\nbind 5.6.7.8 ::1\n' +
        'client-output-buffer-limit normal 1mb 2mb 3\nclient-output-buffer-limit pubsub 1 2 3\nuser alice on >x\nuser bob off\n',
    }));
    expect(c.get('port')).toBe('2');
    expect(c.get('save')).toBe('60 1 30 2');
    expect(c.get('bind')).toBe('5.6.7.8 ::1');
    expect(c.get('client-output-buffer-limit')).toBe('normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 1 2 3');
    expect(c.fileDirective('user')).toEqual([['alice', 'on', '>x'], ['bob', 'off']]);
  });

  it('save "" clears the list, even mid-file', () => {
    expect(loaded(load(['/r.conf'], { '/r.conf': 'save 60 1\nsave ""\nsave 10 3\n' })).get('save')).toBe('10 3');
    expect(loaded(load(['/r.conf'], { '/r.conf': 'save ""\n' })).get('save')).toBe('');
  });

  it('a quoted multi-argument value is split again', () => {
    const c = loaded(load(['/r.conf'], { '/r.conf': 'bind "1.2.3.4 5.6.7.8"\nclient-output-buffer-limit "replica 1 2 3"\nshutdown-on-sigint "save now"\n' }));
    expect(c.get('bind')).toBe('1.2.3.4 5.6.7.8');
    expect(c.get('client-output-buffer-limit')).toBe('normal 0 0 0 slave 1 2 3 pubsub 33554432 8388608 60');
    expect(c.get('shutdown-on-sigint')).toBe('save now');
  });

  it('include reads another file in place', () => {
    const c = loaded(load(['/r.conf'], { '/r.conf': 'port 1\ninclude /inc.conf\nhz 20\n', '/inc.conf': 'port 2\nhz 5\nmaxmemory 1kb\n' }));
    expect([c.get('port'), c.get('hz'), c.get('maxmemory')]).toEqual(['2', '20', '1024']);
  });

  it('include with wildcards reads every match in order, and nothing when none match', () => {
    const files = { '/r.conf': 'include /conf.d/*.conf\ninclude /none/*.conf\n', '/conf.d/b.conf': 'hz 7\n', '/conf.d/a.conf': 'hz 6\nport 9\n', '/conf.d/x.txt': 'nope\n' };
    const c = loaded(load(['/r.conf'], files));
    expect([c.get('hz'), c.get('port')]).toEqual(['7', '9']);
  });

  it('after an include, later save lines replace rather than append (Redis quirk)', () => {
    const files = { '/r.conf': 'include /e.conf\nsave 60 1\nsave 30 2\n', '/e.conf': '' };
    expect(loaded(load(['/r.conf'], files)).get('save')).toBe('30 2');
  });

  it('accepts and ignores the deprecated directives', () => {
    const c = loaded(load(['/r.conf'], { '/r.conf': 'list-max-ziplist-entries 3\nlua-replicate-commands yes\nlist-max-ziplist-value 64\n' }));
    expect(c.notActedOn()).toEqual([]);
  });

  it('records rename-command, checking names against the command table', () => {
    const isCommand = (n: string) => ['get', 'set'].includes(n);
    const c = loaded(load(['/r.conf'], { '/r.conf': 'rename-command get fetch\nrename-command SET ""\n' }, { isCommand }));
    expect(c.fileDirective('rename-command')).toEqual([['get', 'fetch'], ['SET', '']]);
  });
});

describe('config file errors, as redis-server prints them', () => {
  const cases: [string, number, string, string][] = [
    ['port 7000\nfoo bar\n', 2, 'foo bar', 'Bad directive or wrong number of arguments'],
    ['# c\n\n  port 70000\n', 3, 'port 70000', 'argument must be between 0 and 65535 inclusive'],
    ['port 7000\nsave "3600 1\n', 2, 'save "3600 1', 'Unbalanced quotes in configuration line'],
    ['port 0 # comment\n', 1, 'port 0 # comment', 'wrong number of arguments'],
    ['port "0"x\n', 1, 'port "0"x', 'Unbalanced quotes in configuration line'],
    ['port\n', 1, 'port', 'wrong number of arguments'],
    ['include\n', 1, 'include', 'Bad directive or wrong number of arguments'],
    ['notify-keyspace-events K E\n', 1, 'notify-keyspace-events K E', 'wrong number of arguments'],
    ['loglevel foo\n', 1, 'loglevel foo', 'argument(s) must be one of the following: debug, verbose, notice, warning, nothing'],
    ['unixsocketperm 999\n', 1, 'unixsocketperm 999', "argument couldn't be parsed as an octal number"],
    ['dbfilename a/b\n', 1, 'dbfilename a/b', "dbfilename can't be a path, just a filename"],
    ['appendfilename ""\n', 1, 'appendfilename ""', "appendfilename can't be empty"],
    ['replicaof 1.2.3.4 99999\n', 1, 'replicaof 1.2.3.4 99999', 'Invalid master port'],
    ['replicaof nohost\n', 1, 'replicaof nohost', 'wrong number of arguments'],
    ['list-max-ziplist-entries 3 4\n', 1, 'list-max-ziplist-entries 3 4', 'Bad directive or wrong number of arguments'],
    ['sentinel monitor a b c\n', 1, 'sentinel monitor a b c', 'sentinel directive while not in sentinel mode'],
    ['x.y\n', 1, 'x.y', 'Module config specified without value'],
    ['user\n', 1, 'user', 'Bad directive or wrong number of arguments'],
    ['user bob on >x\nuser bob foo\n', 2, 'user bob foo', "Error in user declaration 'bob': Duplicate user found. A user can only be defined once in config files"],
    ['user bob on badrule\n', 1, 'user bob on badrule', "Error in user declaration 'bob': Syntax error"],
    ['user bob badrule\n', 1, 'user bob badrule', "Error in user declaration 'user': Syntax error"],
    ['user bob on #abc\n', 1, 'user bob on #abc', "Error in user declaration 'bob': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"],
    ['user bob on <x\n', 1, 'user bob on <x', "Error in user declaration 'bob': The password you are trying to remove from the user does not exist"],
    ['user bob allkeys ~foo\n', 1, 'user bob allkeys ~foo', "Error in user declaration 'bob': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"],
    ['user bob (~x\n', 1, 'user bob (~x', "Error in user declaration 'user': Unknown command or category name in ACL"],
    ['user bob %X~foo\n', 1, 'user bob %X~foo', "Error in user declaration 'user': Syntax error"],
    ['rename-command get\n', 1, 'rename-command get', 'Bad directive or wrong number of arguments'],
    ['rename-command get set\n', 1, 'rename-command get set', 'Target command name already exists'],
    ['rename-command nosuch foo\n', 1, 'rename-command nosuch foo', 'No such command in rename-command'],
    ['rename-command get foo\nrename-command get bar\n', 2, 'rename-command get bar', 'No such command in rename-command'],
  ];
  const isCommand = (n: string) => ['get', 'set', 'del'].includes(n);
  for (const [text, line, shown, err] of cases) {
    it(`${JSON.stringify(text)} -> ${err}`, () => {
      expect(failure(load(['/r.conf'], { '/r.conf': text }, { isCommand }))).toBe(fatal(line, shown, err));
    });
  }

  it('an error inside an included file gives its own line number and no file name', () => {
    expect(failure(load(['/r.conf'], { '/r.conf': 'include /a.conf\n', '/a.conf': 'port 7000\nfoo bar\n' }))).toBe(fatal(2, 'foo bar', 'Bad directive or wrong number of arguments'));
  });

  it('an unreadable file is reported through the log, with its absolute path', () => {
    const r = load(['/nonexist.conf']);
    expect(r).toEqual({ ok: false, viaLog: true, message: "Fatal error, can't open config file '/nonexist.conf': No such file or directory" });
    expect(load(['/r.conf'], { '/r.conf': 'include /missing.conf\n' })).toEqual({ ok: false, viaLog: true, message: "Fatal error, can't open config file '/missing.conf': No such file or directory" });
  });

  it('checks that the logfile can be opened, with no line to show', () => {
    const openLog = (p: string) => (p.startsWith('/nonexistent/') ? 'No such file or directory' : undefined);
    expect(failure(load(['--logfile', '/nonexistent/x.log'], {}, { openLog }))).toBe(
      `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nCan't open the log file: No such file or directory\n`,
    );
  });

  it('refuses a replica in cluster mode, and module directives without a module', () => {
    expect(failure(load(['/r.conf'], { '/r.conf': 'cluster-enabled yes\nreplicaof h 1\n' }))).toBe(
      `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\nreplicaof directive not allowed in cluster mode\n`,
    );
    expect(load(['/r.conf'], { '/r.conf': 'x.y 1\n' })).toEqual({ ok: false, viaLog: true, message: 'Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting' });
  });

  it('refuses loadmodule: modules are not supported', () => {
    expect(failure(load(['/r.conf'], { '/r.conf': 'loadmodule /x.so\n' }))).toBe(fatal(1, 'loadmodule /x.so', 'Modules are not supported: loadmodule cannot be used with this server'));
  });

  it('accepts valid ACL rules, selectors included', () => {
    const c = loaded(load(['/r.conf'], { '/r.conf': 'user bob on %RW~x +@all ~* >p (+get ~k) allcommands resetpass nopass\nuser amy on +nosuchcommand\n' }));
    expect(c.fileDirective('user').map((u) => u[0])).toEqual(['bob', 'amy']);
  });
});

describe('command line (redis-server argv)', () => {
  it('--bind with several addresses and --save ""', () => {
    const c = loaded(load(['--bind', '127.0.0.1', '::1', '--save', '']));
    expect(c.get('bind')).toBe('127.0.0.1 ::1');
    expect(c.list('bind')).toEqual(['127.0.0.1', '::1']);
    expect(c.get('save')).toBe('');
  });

  it('--save with no value means no snapshots; repeated --save accumulates', () => {
    expect(loaded(load(['--save'])).get('save')).toBe('');
    expect(loaded(load(['--save', '--port', '1'])).get('save')).toBe('');
    expect(loaded(load(['--save', '60', '1', '--save', '30', '2'])).get('save')).toBe('60 1 30 2');
    expect(loaded(load(['--save', '60 1 30 2'])).get('save')).toBe('60 1 30 2');
  });

  it('flags come after the file and override it; their values are taken literally', () => {
    const c = loaded(load(['/r.conf', '--port', '7001', '--requirepass', 'p"ä \\s', '--HZ', '8'], { '/r.conf': 'port 7000\nhz 5\n' }));
    expect(c.get('port')).toBe('7001');
    expect(c.get('requirepass')).toBe('p"ä \\s');
    expect(c.get('hz')).toBe('8');
  });

  it('reports flag errors on the synthetic line after the file, quoted as Redis quotes them', () => {
    expect(failure(load(['--port', '70000']))).toBe(fatal(2, 'port "70000"', 'argument must be between 0 and 65535 inclusive'));
    expect(failure(load(['--foo', 'bar']))).toBe(fatal(2, 'foo "bar"', 'Bad directive or wrong number of arguments'));
    expect(failure(load(['--port']))).toBe(fatal(2, 'port', 'wrong number of arguments'));
    expect(failure(load(['--port', '1', 'extra']))).toBe(fatal(2, 'port "1" "extra"', 'wrong number of arguments'));
    expect(failure(load(['--save', '', '--port', '70000']))).toBe(fatal(3, 'port "70000"', 'argument must be between 0 and 65535 inclusive'));
    expect(failure(load(['--port 70000']))).toBe(fatal(2, 'port 70000', 'argument must be between 0 and 65535 inclusive'));
    expect(failure(load(['--maxmemory', 'a"b\\c']))).toBe(fatal(2, 'maxmemory "a\\"b\\\\c"', 'argument must be a memory value'));
    expect(failure(load(['--maxmemory', 'é']))).toBe(fatal(2, 'maxmemory "\\xc3\\xa9"', 'argument must be a memory value'));
    expect(failure(load(['-x']))).toBe(fatal(2, '"-x"', 'Bad directive or wrong number of arguments'));
    expect(failure(load(['/r.conf', '--port', '70000'], { '/r.conf': 'port 0\n# two\nsave ""\n' }))).toBe(fatal(5, 'port "70000"', 'argument must be between 0 and 65535 inclusive'));
  });

  it('-v / --version and -h / --help, only as the first argument', () => {
    const v = load(['--version']);
    expect(v).toMatchObject({ ok: true, action: 'version', stream: 'stdout', exitCode: 0 });
    expect(v.ok && v.action === 'version' && v.text).toContain(`v=${REDIS_VERSION}`);
    expect(load(['-h'])).toMatchObject({ ok: true, action: 'help', stream: 'stderr', exitCode: 1 });
    expect(failure(load(['--port', '1', '-v']))).toBe(fatal(2, 'port "1" "-v"', 'wrong number of arguments'));
  });

  it('no arguments: the defaults', () => {
    const r = load([]);
    expect(r.ok && r.action === 'run' && r.config.getMatching(['*'])).toEqual(Config.defaults().getMatching(['*']));
  });

  it('refuses what respd does not do: stdin config and sentinel mode', () => {
    expect(load(['-']).ok).toBe(false);
    expect(load(['--sentinel']).ok).toBe(false);
  });
});

describe('dir', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'respd-config-')));
  mkdirSync(join(root, 'sub'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('resolves relative to the current dir and prints the real absolute path', () => {
    const c = loaded(load(['--dir', root, '--dir', 'sub']));
    expect(c.get('dir')).toBe(join(root, 'sub'));
  });

  it("fails with strerror's text for a missing directory", () => {
    expect(failure(load(['--dir', join(root, 'nope')]))).toBe(fatal(2, `dir "${join(root, 'nope')}"`, 'No such file or directory'));
  });
});

describe('notActedOn', () => {
  it('names directives set in a file or flag that respd does not act on, once each, in order', () => {
    const c = loaded(load(['/r.conf', '--maxmemory', '1mb', '--port', '7000'], { '/r.conf': 'activerehashing no\nport 1\nactiverehashing yes\nslaveof 1.2.3.4 6379\nuser bob on\n' }));
    expect(c.notActedOn()).toEqual(['activerehashing', 'user', 'maxmemory']);
  });

  it('ignores CONFIG SET and acted-on directives', () => {
    const c = Config.defaults();
    expect(c.set('port', ['7000'], 'cli')).toEqual({ ok: true });
    expect(configSet(c, 'maxmemory', '1mb')).toBe('OK');
    expect(c.notActedOn()).toEqual([]);
  });
});
