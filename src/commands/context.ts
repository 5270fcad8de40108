// What commands may ask of the server, cut by role: the data and registries, ClientControl,
// WaitControl and ServerAdmin. The server and its parts implement them; commands depend on these
// interfaces only, so imports go one way (server -> commands).
import type { Arg, Propagation } from '../propagation/propagation.js';
import type { ReplicationMaster } from '../replication/master.js';
import type { AofStatus } from '../persistence/persistence.js';
import type { ReplicationReplica } from '../replication/replica.js';
import type { Acl } from '../acl/acl.js';
import type { ClusterNode } from '../cluster/node.js';
import type { BlockingRegistry } from '../clients/blocking.js';
import type { PubSub } from '../clients/pubsub.js';
import type { Tracking } from '../clients/tracking.js';
import type { WatchRegistry } from '../clients/watch.js';
import type { Config } from '../config/config.js';
import type { Client, WakeEvent } from '../clients/client.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Keyspace } from '../data/keyspace.js';
import type { Args } from '../engine/args.js';
import type { ReplyWriter } from '../protocol/reply.js';
import type { LatencyMonitor } from '../stats/latency-monitor.js';
import type { SlowLog } from '../stats/slowlog.js';
import type { Command, CommandCall, CommandTable } from '../table/table.js';

export interface DebugFlags {
  /** Active expiry in the cron (keys still expire when read). */
  activeExpire: boolean;
  /** The cron does nothing at all while set. */
  pauseCron: boolean;
}

/** The script a busy server is running, as SCRIPT KILL / FUNCTION KILL see it. */
export interface BusyScript {
  /** EVAL and EVALSHA ('script'), or FCALL ('function'). */
  kind: 'script' | 'function';
  /** It has written: only SHUTDOWN NOSAVE ends it. */
  wrote(): boolean;
  /** Stops it at its next step, with Redis's error for its caller (none when `silent`: shutdown). */
  kill(silent?: boolean): void;
}

/** Blocking I/O on one client, for the Lua debugger (the engine's debugRead/debugWrite). */
export interface DebugIo {
  /** Bytes from the client, null after `timeoutMs` (< 0: wait for ever), false once it is gone. */
  read(timeoutMs: number): Buffer | null | false;
  /** Written whole before returning (after the client's pending output); false on failure. */
  write(bytes: Uint8Array): boolean;
}

/** What SCRIPT DEBUG asks of the batch runner (server/batch.ts). */
export interface ScriptDebugHost {
  /** Replies of `c` not yet written (Redis's clientHasPendingReplies): SCRIPT DEBUG refuses a pipeline. */
  hasPendingReplies(c: Client): boolean;
  /**
   * Blocking I/O on `c` for the Lua debugger, inside the running command. The replies given
   * before are handed to its output first; undefined when there is no engine.
   */
  debugIo(c: Client): DebugIo | undefined;
}

export interface ShutdownOptions {
  save: boolean;
  nosave: boolean;
  now: boolean;
  force: boolean;
}

/**
 * Closing, killing and resetting clients (implemented by clients/lifecycle.ts). CLIENT, RESET,
 * AUTH, HELLO, MONITOR and QUIT ask for it as `server.lifecycle`.
 */
export interface ClientControl {
  /** Closes `c` once its pending replies are written. */
  closeAfterReply(c: Client): void;
  /** Redis's freeClient: closes `c` now, pending output discarded (CLIENT KILL of another client). */
  freeClient(c: Client): void;
  /** Kills every client `match` selects; the caller itself is closed after its reply. Returns the count. */
  killClients(caller: Client, match: (c: Client) => boolean): number;
  /** RESET: everything Redis's clearClientConnectionState clears. */
  reset(c: Client): void;
  /** The client passed AUTH/HELLO AUTH: lift the pre-auth protocol limits. */
  onAuthenticated(c: Client): void;
  /** MONITOR. */
  addMonitor(c: Client): void;
  /** The CLIENT LIST / CLIENT INFO line of `c`. */
  clientInfoLine(c: Client): string;
  /** Closes `c` (async) when its query buffer plus queued MULTI bytes exceed the limit. */
  queryLimitExceeded(c: Client): boolean;
}

/** How a stream reader blocks (XREAD, XREADGROUP): its command as it will run again, and what wakes it. */
export interface StreamBlock {
  /** The arguments to run again (XREAD's `$` replaced by the ID it stood for). */
  args: Args;
  /** Whether the value now at a ready key wakes it. */
  wants: (value: unknown) => boolean;
  /** XREADGROUP: deleting or replacing the key wakes it. */
  noKey: boolean;
}

/**
 * Clients that wait (implemented by server/blocked.ts): the blocking commands, CLIENT UNBLOCK and
 * CLIENT PAUSE ask for it as `server.blocked`.
 */
export interface WaitControl {
  /**
   * Blocks the calling client on `keys` of its database (BLPOP & co). When one of them is
   * signalled ready the same command runs again (call.reprocessing is then true) and may block
   * again, keeping its place; at `deadlineMs` (0 = never) `timeoutReply` answers instead.
   */
  blockOnKeys(call: CommandCall, keys: readonly string[], deadlineMs: number, timeoutReply: (r: ReplyWriter) => void, opts?: StreamBlock): void;
  /** A key got data that blocked clients may want (LPUSH, ZADD, ...). Handled after the command. */
  signalKeyAsReady(db: number, key: string): void;
  /**
   * Blocks the calling client until `event` is signalled, then runs its command again (which may
   * block again); at `deadlineMs` (0 = never) `timeoutReply` answers instead. `unblockable` false:
   * CLIENT UNBLOCK can't end the wait.
   */
  blockUntilWoken(call: CommandCall, event: WakeEvent, deadlineMs: number, timeoutReply: (r: ReplyWriter) => void, unblockable?: boolean): void;
  /** Signals `event`: its waiters look again after the current command, or on the next turn. */
  wake(event: WakeEvent): void;
  /** CLIENT UNBLOCK: true if `c` was blocked and is now unblocked. */
  unblockClient(c: Client, error: boolean | string): boolean;
  /** CLIENT PAUSE: the later end time wins; `all` beats `write`. */
  pauseClients(endMs: number, all: boolean): void;
  /** CLIENT UNPAUSE. */
  unpauseClients(): void;
  /** A CLIENT PAUSE is set (the fast path stays closed meanwhile). */
  readonly paused: boolean;
}

/** RDB persistence (implemented by persistence/persistence.ts): SAVE, LASTSAVE, FLUSHALL, DEBUG RELOAD. */
export interface PersistenceControl {
  /** Writes dir/dbfilename now; an error text when it failed. */
  save(): string | undefined;
  /** Unix seconds of the last successful save. */
  readonly lastSave: number;
  /** INFO's rdb_saves: SAVE commands run and background saves started. */
  saves: number;
  /** After FLUSHALL: an empty dump when save points are set. */
  afterFlushAll(): void;
  /** BGSAVE [SCHEDULE]: the status to reply, or the error; inside EXEC (`inExec`) scheduled for the cron. */
  bgsave(schedule: boolean, inExec: boolean): { ok: string } | { error: string };
  /** FLUSHALL stops a background save before emptying the data (killRDBChild). */
  abortBackground(): void;
  /** DEBUG RELOAD: an error text when it failed. */
  reload(opts: { save: boolean; flush: boolean; merge: boolean }): string | undefined;
  /** How the last background save ended (INFO's rdb_last_bgsave_status; -MISCONF when 'err'). */
  readonly lastStatus: 'ok' | 'err';
  /** The AOF's state, offsets and last write error. */
  readonly aofStatus: AofStatus;
  /** DEBUG LOADAOF: the AOF files loaded again into the emptied dataset (false: failed). */
  loadAofForDebug(): boolean;
  /** A load is in progress (server.loading): commands without the `loading` flag get -LOADING. */
  readonly loading: boolean;
  /** It is an async load (repl-diskless-load swapdb): only `no_async_loading` commands are refused. */
  readonly asyncLoading: boolean;
}

/** The server as a whole: INFO, CONFIG, SHUTDOWN, DEBUG, SLOWLOG and LATENCY ask for these. */
export interface ServerAdmin {
  readonly startedMs: number;
  /** The config file given at start ('' if none), for CONFIG REWRITE. */
  readonly configFile: string;
  /** INFO text for the given section names (lower case; empty = default sections). */
  info(sections: readonly string[]): string;
  /** SHUTDOWN: stops the server; false with a reason if it can't. */
  shutdown(how: ShutdownOptions): { ok: true } | { ok: false; error: string };
  /** CONFIG SET succeeded for these directives: apply them at runtime. */
  applyConfig(changed: readonly string[]): { arg: string; error: string } | undefined;
  /** CONFIG RESETSTAT. */
  resetStats(): void;
  /** SAVE, LASTSAVE, DEBUG RELOAD and FLUSHALL's empty dump. */
  readonly persistence: PersistenceControl;
  /** SLOWLOG's entries. */
  readonly slowlog: SlowLog;
  /** The latency monitor (LATENCY LATEST/HISTORY/RESET/DOCTOR). */
  readonly latency: LatencyMonitor;
  /** DEBUG SET-ACTIVE-EXPIRE and PAUSE-CRON: the switches Redis keeps for its test suite. */
  readonly debugFlags: DebugFlags;
  /** A WARNING line in the server log (DEBUG LOG). */
  logWarning(msg: string): void;
  /** A line in the server log at a level (0 debug .. 3 warning), as redis.log writes. */
  logAt(level: number, msg: string): void;
  /** DEBUG CHANGE-REPL-ID: a new replication id (INFO's master_replid), logged as Redis does. */
  changeReplicationId(): void;
  /** DEBUG REPLYBUFFER: the reply-buffer resizing knobs. */
  debugReplyBuffer(opts: { peakResetTimeMs?: number; resizing?: boolean }): void;
}

/** What every command may ask of the server: the data, the registries, and the roles above. */
export interface ServerContext extends ServerAdmin {
  readonly keyspace: Keyspace;
  readonly config: Config;
  readonly clients: ClientRegistry;
  readonly commands: CommandTable;
  readonly acl: Acl;
  readonly pubsub: PubSub;
  readonly watches: WatchRegistry;
  readonly blocking: BlockingRegistry;
  readonly tracking: Tracking;
  readonly lifecycle: ClientControl;
  readonly blocked: WaitControl;
  /** Cluster mode (cluster-enabled yes): this node, its nodes.conf and its keys by slot; undefined otherwise. */
  readonly cluster: ClusterNode | undefined;
  /** Keys changed since start (Redis's `dirty`), for SHUTDOWN SAVE bookkeeping and INFO. */
  dirty: number;
  /** The propagation stream: the effects of writes for the AOF and replicas. */
  readonly propagation: Propagation;
  /** The master side of replication: replicas, the backlog, the stream's offset. */
  readonly replication: ReplicationMaster;
  /** The replica side of replication: the master link, REPLICAOF. */
  readonly replica: ReplicationReplica;
  /** The batch clock, ms. */
  readonly now: number;
  /**
   * Writes to another client (pub/sub messages, invalidations, MONITOR lines) and returns to the
   * current one. Push data ignores CLIENT REPLY OFF/SKIP, as in Redis.
   */
  writeTo(target: Client, write: (r: ReplyWriter) => void, push?: boolean): void;
  /** EXEC: runs one queued command (ACL re-checked) with call.args already pointing at it. */
  runQueued(call: CommandCall, cmd: Command): void;
  /** redis.call: runs a command a script checked, with the hooks every call has (stats, MONITOR). */
  callFromScript(call: CommandCall, cmd: Command): void;
  /**
   * A script runs past busy-reply-threshold: answers what clients sent meanwhile (-BUSY, or the
   * script's KILL, or SHUTDOWN NOSAVE) without running anything else.
   */
  serveWhileBusy(busy: BusyScript): void;
  /** The batch runner, for what SCRIPT DEBUG needs of the request being run. */
  readonly runner: ScriptDebugHost;
  /**
   * Shows the running command to MONITOR clients now: EVAL and FCALL skip the usual feed after
   * the command and call this before running, so that their script's commands follow them.
   */
  feedMonitors(call: CommandCall, cmd?: Command): void;
  /** Memory was over maxmemory when the running command started (scripts' OOM rules). */
  readonly preCommandOom: boolean;
}

declare module '../table/table.js' {
  /** The calling client and the server, as handlers see them (see table.ts). */
  interface CommandCall {
    client: Client;
    server: ServerContext;
    /**
     * The propagation stream (propagation/propagation.ts), read only while it is active: the
     * command as the handler rewrote it for the AOF and replicas (rewriteClientCommandVector)...
     */
    propagateAs?: Arg[];
    /** ...or kept out of the stream, the handler having recorded its effects itself... */
    preventPropagation?: boolean;
    /** ...or recorded whether or not it changed the dataset (Target bits; FLUSHALL, PUBLISH). */
    forcePropagation?: number;
  }
}
