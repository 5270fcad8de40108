// Types of the native addon (build/Release/respd.node or prebuilds/<platform>-<arch>/), as
// loaded by node-gyp-build. Record layouts and counter indexes are mirrored in
// src/engine/layout.ts from native/core/engine.h.

export interface EngineOptions {
  maxclients?: number;
  protoMaxBulkLen?: number;
  maxNewConnectionsPerCycle?: number;
  maxNewTlsConnectionsPerCycle?: number;
  tcpKeepalive?: number;
  /** New clients start under Redis's pre-authentication protocol limits. */
  unauthenticatedDefault?: boolean;
  /** client-query-buffer-limit, bytes. */
  queryBufferLimit?: number;
  /** io-threads: taken when the engine is made (and on start), never changed after. */
  ioThreads?: number;
  /** io-threads-do-reads. */
  ioThreadsDoReads?: boolean;
  /** Test hook: the IO threads serve every turn, helpers first, whatever the load. */
  ioThreadsAlways?: boolean;
  /** io-uring auto or yes: the io_uring poller (taken when the engine is made; epoll where it is refused). */
  ioUring?: boolean;
}

export interface TcpListenRequest {
  binds: string[];
  port: number;
  /** Let the kernel pick one port (used for every bind address). */
  ephemeral: boolean;
  backlog: number;
  /** Serve the tls connection type (configureTls first) instead of plain tcp. */
  tls?: boolean;
}

/** The tls-* directives that shape the server's TLS context (empty string = not set). */
export interface TlsSettings {
  certFile: string;
  keyFile: string;
  keyFilePass: string;
  /** tls-client-cert-file / -key-file / -key-file-pass: what a replica presents to its master. */
  clientCertFile: string;
  clientKeyFile: string;
  clientKeyFilePass: string;
  caCertFile: string;
  caCertDir: string;
  dhParamsFile: string;
  protocols: string;
  ciphers: string;
  ciphersuites: string;
  preferServerCiphers: boolean;
  sessionCaching: boolean;
  sessionCacheSize: number;
  sessionCacheTimeout: number;
  authClients: TlsAuthClients;
  /** tls-replication or tls-cluster: a CA is then required too. */
  replicationOrCluster: boolean;
}
export type TlsAuthClients = 'no' | 'yes' | 'optional';

export type ListenResult = { id: number; port: number; error?: undefined } | { error: string; id?: undefined };

/**
 * Called once per loop turn with the number of uint32 words in the records buffer. `bigArgs`
 * holds arguments of 32 KiB and more (each `length + 2` bytes, ending in CRLF) by index.
 */
export type BatchHandler = (words: number, bigArgs: ArrayBuffer[] | undefined) => void;
/** Called before a batch whenever native replaced one of the shared buffers (growth). */
export type BuffersHandler = (records: ArrayBuffer, arena: ArrayBuffer, counters: ArrayBuffer) => void;

export declare class NativeEngine {
  constructor(options?: EngineOptions);
  configure(options: EngineOptions): void;
  listenTcp(req: TcpListenRequest): ListenResult;
  listenUnix(req: { path: string; perm: number; backlog: number }): { id: number; error?: undefined } | { error: string; id?: undefined };
  closeListener(id: number): void;
  start(onBatch: BatchHandler, onBuffers: BuffersHandler): void;
  /** Flushes what can be written, closes listeners and every client. */
  stop(): void;
  /** The reply area: bytes, and [slot, start, end] triples. */
  setReplyArea(bytes: Uint8Array, index: Int32Array): void;
  /** Appends the first `records` reply records to their clients' output. */
  /** false when the last record's client is over its output limit (its output is dropped). */
  commit(records: number): boolean;
  /** Appends bytes to a client's output (copied at once). */
  /** false when the client is over its output limit. */
  appendRaw(slot: number, bytes: Uint8Array): boolean;
  /** Inside a batch, while a script runs long: what clients sent since, in a batch of its own. */
  serveBusy(): { words: number; records: ArrayBuffer; arena: ArrayBuffer } | undefined;
  /** Writes pending replies now (inside a batch they are written when it returns). */
  flushNow(): void;
  /**
   * Inside a batch, for the Lua debugger: waits up to `timeoutMs` (< 0: forever) for bytes from
   * one client. The bytes, null on timeout, false when the client is gone (or outside a batch).
   */
  debugRead(slot: number, timeoutMs: number): Buffer | null | false;
  /** Inside a batch: writes the client's pending output, then `bytes`, before returning; false on failure. */
  debugWrite(slot: number, bytes: Uint8Array, timeoutMs: number): boolean;
  /** Closes the client now (pending output discarded) or once its pending output is written. */
  closeClient(slot: number, afterReply: boolean): void;
  setUnauthenticated(slot: number, on: boolean): void;
  setReading(slot: number, on: boolean): void;
  address(slot: number, remote: boolean): string;
  pollBackend(): string;
  /** Why io-uring yes was not honoured ("" when it was, or was not asked for). */
  pollFallback(): string;
  /** Detaches a big argument's ArrayBuffer that is no longer used, freeing its block now. */
  release(buffer: ArrayBuffer): void;
  /** [reads, writes] handled in fan-out rounds per IO thread, the main thread (0) first. */
  ioThreadStats(): [number, number][];
  /** The client's output-buffer limit class (0 = none); checked when a reply block is added. */
  setOutputLimit(slot: number, hard: number, soft: number, softSeconds: number): void;
  /** false exempts the client from the 64 KiB-per-turn write cap (replicas, MONITOR). */
  setWriteCap(slot: number, capped: boolean): void;
  /** The cron's output-limit check: slots whose output was dropped; the caller closes them. */
  checkOutputLimits(): number[];
  /** Resizes the static reply buffer (only while empty); false if not taken now. */
  resizeReplyBuffer(slot: number, size: number): boolean;
  resetReplyPeak(slot: number): void;
  /** Frees idle private query buffers, shrinks oversized ones; returns bytes released. */
  shrinkQueryBuffers(idleMs: number): number;
  /**
   * Builds a new TLS context and swaps it in only if everything loads; connections accepted
   * before keep theirs. Returns Redis's log line on failure, undefined on success.
   */
  configureTls(settings: TlsSettings): string | undefined;
  /**
   * A non-blocking TCP connection to host:port (a replica's master link), over TLS with `tls`
   * (the context configureTls built), in raw mode: a Connected record, or a Close record
   * (reason Handshake, errno), follows in a later batch.
   */
  connect(host: string, port: number, tls?: boolean): { slot: number; error?: undefined } | { error: string; slot?: undefined };
  /**
   * Raw mode (Raw records of unparsed bytes) on or off; `giveBack` are raw bytes not consumed,
   * read again before the socket in the mode now set.
   */
  setRaw(slot: number, raw: boolean, giveBack?: Uint8Array): void;
  /** tls-auth-clients for connections accepted from now on (no context rebuild). */
  setTlsAuthClients(mode: TlsAuthClients): void;
}

/** The batch and counter layout native defines (test/layout.test.ts compares src/engine/layout.ts). */
export interface NativeLayout {
  records: { type: number; name: string; words: number; countWord: number; itemWords: number; arenaWord: number }[];
  bigArgLen: number;
  openLocal: number;
  openUnix: number;
  statFields: number;
  slotFields: number;
  closeAfterReply: number;
  closeHandshake: number;
  fieldMemory: number;
  statIoWrites: number;
  protoErrorLast: number;
}

export interface NativeBinding {
  Engine: typeof NativeEngine;
  layout: NativeLayout;
  /** Why TLS cannot be used (the node binary's OpenSSL is not 3.x), or '' when it can. */
  tlsError: string;
}
