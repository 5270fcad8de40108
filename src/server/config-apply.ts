// CONFIG SET at runtime: the directives whose new value needs more than the config table
// (listeners, TLS, limits, the cron, logging), applied in the order given (configSetCommand).
import type { EngineOptions, TlsAuthClients } from '../../binding.js';
import type { Acl } from '../acl/acl.js';
import type { ClientLifecycle } from '../clients/lifecycle.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Config } from '../config/config.js';
import { ERR_BIND } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { Listeners } from './listeners.js';
import type { ServerState } from './state.js';
import { TLS_CONTEXT_DIRECTIVES, tlsInUse } from './tls.js';

export interface ConfigTargets {
  readonly st: ServerState;
  readonly config: Config;
  readonly log: Logger;
  readonly listeners: Listeners;
  readonly clients: ClientRegistry;
  readonly lifecycle: ClientLifecycle;
  readonly acl: Acl;
  /** appendonly changed: the AOF started (its first rewrite) or stopped. */
  readonly aof: { startAppendOnly(): boolean; stopAppendOnly(): void; readonly state: number };
  /** hz changed: the cron is scheduled again. */
  rescheduleCron(): void;
  /** The engine's options from the config, handed to native after every change. */
  engineOptions(): EngineOptions;
}

/** The engine's options as the config and the default user's state say (Server.engineOptions). */
export function engineOptionsFor(config: Config, acl: Acl, ioThreadsAlways: boolean): EngineOptions {
  return {
    maxclients: config.int('maxclients'),
    protoMaxBulkLen: config.int('proto-max-bulk-len'),
    maxNewConnectionsPerCycle: config.int('max-new-connections-per-cycle'),
    maxNewTlsConnectionsPerCycle: config.int('max-new-tls-connections-per-cycle'),
    tcpKeepalive: config.int('tcp-keepalive'),
    unauthenticatedDefault: !acl.defaultAuthenticated(),
    queryBufferLimit: config.int('client-query-buffer-limit'),
    ioThreads: config.int('io-threads'),
    ioThreadsDoReads: config.bool('io-threads-do-reads'),
    ioThreadsAlways,
    ioUring: config.str('io-uring') !== 'no',
  };
}

/**
 * Applies changed directives in the order given, each apply function once (applyTlsCfg serves
 * every tls-* directive); the first that fails stops, and its directive is named
 * (configSetCommand's err_arg_name). The caller restores the old values.
 */
export function applyConfig(t: ConfigTargets, changed: readonly string[]): { arg: string; error: string } | undefined {
  const engine = t.st.engine;
  if (!engine) return undefined;
  let tlsApplied = false;
  for (const name of changed) {
    let error: string | undefined;
    if (TLS_CONTEXT_DIRECTIVES.has(name)) {
      if (tlsApplied || !tlsInUse(t.config, false)) continue;
      tlsApplied = true;
      error = t.listeners.configureTls(engine);
    }
    switch (name) {
      case 'port':
        error = t.listeners.relisten(engine, 'tcp');
        break;
      case 'bind': {
        // Both listeners follow bind (changeBindAddr).
        const tcp = t.listeners.relisten(engine, 'tcp');
        const tls = t.listeners.relisten(engine, 'tls');
        if (tcp !== undefined || tls !== undefined) error = ERR_BIND;
        break;
      }
      case 'tls-port':
        error = t.listeners.applyTlsPort(engine);
        break;
      case 'tls-auth-clients':
        engine.setTlsAuthClients(t.config.str('tls-auth-clients') as TlsAuthClients);
        break;
      case 'client-output-buffer-limit':
        for (const c of t.clients) t.st.limits?.applyClass(c, true);
        break;
      case 'maxmemory-clients':
        t.lifecycle.evictClients();
        break;
      case 'requirepass':
        t.acl.setRequirepass(t.config.str('requirepass'));
        break;
      case 'hz':
        t.rescheduleCron();
        break;
      case 'appendonly':
        // updateAppendonly.
        if (!t.config.bool('appendonly') && t.aof.state !== 0) t.aof.stopAppendOnly();
        else if (t.config.bool('appendonly') && t.aof.state === 0 && !t.aof.startAppendOnly()) error = 'Unable to turn on AOF. Check server logs.';
        break;
      case 'loglevel':
        t.log.setLevel(t.config.str('loglevel'));
        break;
      case 'logfile':
        error = t.log.setFile(t.config.str('logfile'));
        break;
      default:
        break;
    }
    if (error !== undefined) {
      t.log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
      engine.configure(t.engineOptions());
      return { arg: name, error };
    }
  }
  engine.configure(t.engineOptions());
  return undefined;
}
