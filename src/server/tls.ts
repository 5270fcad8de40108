// The tls-* directives as the native TLS context takes them, and which of them rebuild it
// (Redis's applyTlsCfg); the context itself, its reload and every OpenSSL call are native.
import type { TlsAuthClients, TlsSettings } from '../../binding.js';
import type { Config } from '../config/config.js';

/** Directives whose CONFIG SET builds a new context (swapped in only if it loads). */
export const TLS_CONTEXT_DIRECTIVES: ReadonlySet<string> = new Set([
  'tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file',
  'tls-client-key-file-pass', 'tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-protocols',
  'tls-ciphers', 'tls-ciphersuites', 'tls-prefer-server-ciphers', 'tls-session-caching',
  'tls-session-cache-size', 'tls-session-cache-timeout', 'tls-replication', 'tls-cluster',
]);

export function tlsSettings(config: Config): TlsSettings {
  return {
    certFile: config.str('tls-cert-file'),
    keyFile: config.str('tls-key-file'),
    keyFilePass: config.str('tls-key-file-pass'),
    clientCertFile: config.str('tls-client-cert-file'),
    clientKeyFile: config.str('tls-client-key-file'),
    clientKeyFilePass: config.str('tls-client-key-file-pass'),
    caCertFile: config.str('tls-ca-cert-file'),
    caCertDir: config.str('tls-ca-cert-dir'),
    dhParamsFile: config.str('tls-dh-params-file'),
    protocols: config.str('tls-protocols'),
    ciphers: config.str('tls-ciphers'),
    ciphersuites: config.str('tls-ciphersuites'),
    preferServerCiphers: config.bool('tls-prefer-server-ciphers'),
    sessionCaching: config.bool('tls-session-caching'),
    sessionCacheSize: config.int('tls-session-cache-size'),
    sessionCacheTimeout: config.int('tls-session-cache-timeout'),
    authClients: config.str('tls-auth-clients') as TlsAuthClients,
    replicationOrCluster: config.bool('tls-replication') || config.bool('tls-cluster'),
  };
}

/** Redis configures TLS when something uses it: a TLS port, replication or cluster bus. */
export function tlsInUse(config: Config, ephemeralTlsPort: boolean): boolean {
  return config.int('tls-port') !== 0 || ephemeralTlsPort || config.bool('tls-replication') || config.bool('tls-cluster');
}
