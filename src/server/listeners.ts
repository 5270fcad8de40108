// The listeners (tcp on every bind address, tls, the unix socket) and the TLS context: opened at
// start, re-opened by CONFIG SET port / tls-port / bind (the old one kept if the new one fails),
// and INFO's listener<i> lines. Sockets and OpenSSL are native; this decides what is open.
import type { NativeEngine } from '../../binding.js';
import type { Config } from '../config/config.js';
import { ERR_LISTEN, ERR_TLS_UPDATE } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { tlsInUse, tlsSettings } from './tls.js';

type Kind = 'tcp' | 'unix' | 'tls';

interface Listener {
  kind: Kind;
  id: number;
  port: number;
  binds: string[];
}

/** INFO's listener<i> is numbered by connection type, as Redis's server.listeners[]. */
const LISTENER_INDEX: Record<Kind, number> = { tcp: 0, unix: 1, tls: 2 };

export class Listeners {
  private list: Listener[] = [];
  /** A TLS context was built (Redis configures it once something needs TLS). */
  private tlsConfigured = false;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    /** Bind tcp / tls to kernel-chosen ports when their port is 0 (createServer). */
    private readonly ephemeral: { tcp: boolean; tls: boolean },
  ) {}

  /** Everything the config asks for; throws with Redis's start-up message if one can't open. */
  open(engine: NativeEngine): void {
    this.openTcp(engine, 'tcp');
    if (tlsInUse(this.config, this.ephemeral.tls)) {
      if (this.configureTls(engine) !== undefined) throw new Error('Failed to configure TLS. Check logs for more info.');
    }
    this.openTcp(engine, 'tls');
    const path = this.config.str('unixsocket');
    if (path) {
      const perm = parseInt(this.config.str('unixsocketperm') || '0', 8) || 0;
      const r = engine.listenUnix({ path, perm, backlog: this.config.int('tcp-backlog') });
      if (r.error !== undefined) {
        this.log.warning(r.error);
        throw new Error(`Failed opening Unix socket ${path}, aborting.`);
      }
      this.list.push({ kind: 'unix', id: r.id, port: 0, binds: [path] });
    }
  }

  /** The port a kind of listener is bound to, 0 if none. */
  port(kind: 'tcp' | 'tls'): number {
    return this.list.find((l) => l.kind === kind)?.port ?? 0;
  }

  /** [connection type index, line] for each listener: INFO's listener<index>. */
  infoLines(): [number, string][] {
    return this.list
      .map((l): [number, string] => [
        LISTENER_INDEX[l.kind],
        l.kind === 'unix' ? `name=unix,bind=${l.binds[0]}` : `name=${l.kind},${l.binds.map((b) => `bind=${b}`).join(',')},port=${l.port}`,
      ])
      .sort((a, b) => a[0] - b[0]);
  }

  /** The tcp or tls listener on every bind address at start-up; port 0 opens none unless ephemeral. */
  private openTcp(engine: NativeEngine, kind: 'tcp' | 'tls'): void {
    const directive = kind === 'tcp' ? 'port' : 'tls-port';
    const ephemeral = this.ephemeral[kind];
    const port = this.config.int(directive);
    const binds = this.config.list('bind');
    if ((port === 0 && !ephemeral) || binds.length === 0) return;
    const r = engine.listenTcp({ binds, port, ephemeral: ephemeral && port === 0, backlog: this.config.int('tcp-backlog'), tls: kind === 'tls' });
    if (r.error !== undefined) {
      this.log.warning(`Warning: ${r.error}`);
      throw new Error(`Failed listening on port ${port} (${kind}), aborting.`);
    }
    this.list.push({ kind, id: r.id, port: r.port, binds });
    if (ephemeral) this.config.set(directive, [String(r.port)], 'file');
  }

  /** Re-opens the tcp or tls listener after CONFIG SET port/tls-port/bind; keeps the old one on failure. */
  relisten(engine: NativeEngine, kind: 'tcp' | 'tls'): string | undefined {
    const old = this.list.find((l) => l.kind === kind);
    const port = this.config.int(kind === 'tcp' ? 'port' : 'tls-port');
    const binds = this.config.list('bind');
    const backlog = this.config.int('tcp-backlog');
    const tls = kind === 'tls';
    if (old) engine.closeListener(old.id);
    this.list = this.list.filter((l) => l !== old);
    if (port === 0 || binds.length === 0) return undefined;
    const r = engine.listenTcp({ binds, port, ephemeral: false, backlog, tls });
    if (r.error !== undefined) {
      this.log.warning(`Warning: ${r.error}`);
      if (old) {
        const back = engine.listenTcp({ binds: old.binds, port: old.port, ephemeral: false, backlog, tls });
        if (back.error === undefined) this.list.push({ ...old, id: back.id });
      }
      return ERR_LISTEN;
    }
    this.list.push({ kind, id: r.id, port: r.port, binds });
    return undefined;
  }

  /** tlsConfigure: a new context from the tls-* directives, swapped in only if it loads. */
  configureTls(engine: NativeEngine): string | undefined {
    const err = engine.configureTls(tlsSettings(this.config));
    if (err !== undefined) {
      this.log.warning(err);
      return ERR_TLS_UPDATE;
    }
    this.tlsConfigured = true;
    return undefined;
  }

  /** applyTLSPort: TLS is configured first if it never was, then the listener follows the port. */
  applyTlsPort(engine: NativeEngine): string | undefined {
    if (this.config.int('tls-port') !== 0 && !this.tlsConfigured) {
      const err = this.configureTls(engine);
      if (err !== undefined) return err;
    }
    return this.relisten(engine, 'tls');
  }
}
