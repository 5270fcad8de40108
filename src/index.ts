// Embedding API: `await createServer({ port: 0 })` starts a server in this process and returns
// a handle with the bound port and close(). Options are redis.conf directives by name.
import { Config } from './config/config.js';
import { Logger } from './util/log.js';
import { Server } from './server/server.js';

export type DirectiveValue = string | number | boolean | readonly string[];

export interface CreateServerOptions {
  /** TCP port; 0 (the default) lets the system choose one. Ignored when `tcp` is false. */
  port?: number;
  /** Set false to listen on the unix socket only. */
  tcp?: boolean;
  /**
   * Set true for a TLS listener on a system-chosen port as well (a `tls-port` given wins).
   * The tls-* directives (`tls-cert-file`, `tls-key-file`, ...) configure it.
   */
  tls?: boolean;
  /**
   * Test hook: with `io-threads` > 1, hand every turn's reads and writes to the IO threads
   * (the first clients to the helper threads) instead of only under load, as Redis does.
   */
  ioThreadsAlways?: boolean;
  /**
   * true (the default): the promise resolves once the dataset named by `dir`/`dbfilename`/
   * `appendonly` is loaded. false: it resolves as soon as the server listens, while an RDB still
   * loads in slices (clients meanwhile get `-LOADING`, as from Redis); `handle.loaded` settles
   * when the load is over.
   */
  awaitLoad?: boolean;
  /** Any other redis.conf directive by name: `bind`, `unixsocket`, `requirepass`, `maxclients`... */
  [directive: string]: DirectiveValue | undefined;
}

export interface ServerHandle {
  /** The TCP port bound (0 when TCP is off). */
  readonly port: number;
  /** The TLS port bound (0 without a TLS listener). */
  readonly tlsPort: number;
  readonly host: string;
  readonly unixsocket: string | undefined;
  readonly server: Server;
  /**
   * Settles when the data from disk is loaded (already, unless `awaitLoad: false` was given);
   * rejects when it could not be loaded (the server is then closed).
   */
  readonly loaded: Promise<void>;
  close(): Promise<void>;
}

/** A directive's value as the argument list a config line would give. */
function toArgs(name: string, v: DirectiveValue): string[] {
  if (typeof v === 'boolean') return [v ? 'yes' : 'no'];
  if (typeof v === 'number') return [String(v)];
  if (typeof v === 'string') return name === 'bind' ? v.split(/\s+/).filter(Boolean) : [v];
  return [...v];
}

/**
 * Embedded servers default to loopback, a system-chosen port, warnings-only logging, and DEBUG
 * allowed from local connections.
 */
export async function createServer(options: CreateServerOptions = {}): Promise<ServerHandle> {
  const config = Config.defaults();
  // DEBUG from local connections, for the tests that embed a server (the CLI keeps Redis's `no`).
  // No save points: an embedded server writes no dump.rdb unless asked (SAVE, or `save` given).
  const defaults: Record<string, DirectiveValue> = { bind: '127.0.0.1', loglevel: 'warning', 'enable-debug-command': 'local', save: '' };
  const merged: Record<string, DirectiveValue> = { ...defaults };
  for (const [k, v] of Object.entries(options)) if (v !== undefined && k !== 'port' && k !== 'tcp' && k !== 'tls' && k !== 'ioThreadsAlways' && k !== 'awaitLoad') merged[k] = v;
  for (const [k, v] of Object.entries(merged)) {
    const r = config.set(k, toArgs(k, v), 'cli');
    if (!r.ok) throw new Error(`respd: bad option '${k}': ${r.error}`);
  }
  // As loading a config file does (config.c): cluster mode has database 0 only.
  if (config.bool('cluster-enabled') && config.int('databases') > 1) config.set('databases', ['1'], 'cli');
  const tcp = options.tcp !== false;
  const port = options.port ?? 0;
  const r = config.set('port', [String(tcp ? port : 0)], 'cli');
  if (!r.ok) throw new Error(`respd: bad option 'port': ${r.error}`);
  const logger = new Logger();
  logger.role = 'M';
  logger.setLevel(config.str('loglevel'));
  const fileErr = logger.setFile(config.str('logfile'));
  if (fileErr) throw new Error(`respd: ${fileErr}`);
  const ephemeralTlsPort = options.tls === true && config.int('tls-port') === 0;
  const server = new Server({ config, logger, ephemeralPort: tcp && port === 0, ephemeralTlsPort, ioThreadsAlways: options.ioThreadsAlways === true });
  const fail = (e: unknown): Error => {
    server.close();
    logger.close();
    // An AOF that can't be loaded has said why in the log, as Redis does before exiting.
    if (e instanceof Error && e.message === '') return new Error('respd: the append only file could not be loaded (see the log)');
    return e instanceof Error ? e : new Error(String(e));
  };
  try {
    server.start();
  } catch (e) {
    throw fail(e);
  }
  // Data from disk only when the options name where it lives or when to save it: a stray
  // dump.rdb in the working directory must not fill every test server started there. The
  // listeners are open meanwhile: clients connecting during the load get -LOADING.
  const fromDisk = options.dir !== undefined || options.dbfilename !== undefined || options.save !== undefined || options.appendonly !== undefined;
  const loaded = fromDisk ? server.loadDataFromDisk().catch((e: unknown) => Promise.reject(fail(e))) : Promise.resolve();
  if (options.awaitLoad !== false) await loaded;
  // Handled here too, so that a failed load nobody awaits is no unhandled rejection.
  else loaded.catch(() => undefined);
  const unixsocket = config.str('unixsocket') || undefined;
  return {
    port: server.tcpPortBound,
    tlsPort: server.tlsPortBound,
    host: config.list('bind')[0]?.replace(/^-/, '') ?? '127.0.0.1',
    unixsocket,
    server,
    loaded,
    close: async () => {
      server.close();
      logger.close();
    },
  };
}

export { Server } from './server/server.js';
export { Config } from './config/config.js';
