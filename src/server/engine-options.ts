// What the native engine is told of the config (at start and after CONFIG SET).
import type { EngineOptions } from '../../binding.js';
import type { Acl } from '../acl/acl.js';
import type { Config } from '../config/config.js';

export function engineOptions(config: Config, acl: Acl, ioThreadsAlways: boolean): EngineOptions {
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
  };
}
