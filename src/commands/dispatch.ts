// processCommand: from a parsed request to a handler, with Redis's checks in Redis's order
// (server.c:processCommand): lookup (container subcommands included), arity, auth, ACL, the
// RESP2 pub/sub context, CLIENT PAUSE, then MULTI queueing or the call itself.
import { performance } from 'node:perf_hooks';
import { ClientFlag } from '../clients/flags.js';
import { discardTransaction } from '../clients/lifecycle.js';
import type { Client } from '../clients/client.js';
import type { Args } from '../engine/args.js';
import { loadingDenied } from './loading-guard.js';
import { writeDenied } from './write-guards.js';
import { encodeCommand, Target } from '../propagation/propagation.js';
import type { Db } from '../data/keyspace.js';
import type { FastPath } from './fast-path.js';
import { CmdFlag, keySpecPositions, type Command, type CommandCall, type CommandTable } from '../table/table.js';

/** C string semantics for text Redis formats with %s: stops at the first NUL. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

function unknownCommandError(args: Args): string {
  let rest = '';
  for (let i = 1; i < args.count && rest.length < 128; i++) {
    rest += `'${cstr(args.str(i)).slice(0, 128 - rest.length)}' `;
  }
  return `unknown command '${cstr(args.str(0)).slice(0, 128)}', with args beginning with: ${rest}`;
}

/** Looks a request up: the command, a subcommand of a container, or undefined. */
export function lookupCommand(table: CommandTable, args: Args): Command | undefined {
  const base = table.find(args, 0);
  if (!base || !base.subcommands || args.count < 2) return base;
  return base.findSub(args, 1);
}

/** "POST" and "Host:" (any case): what a browser or HTTP proxy sends first. */
const POST = Buffer.from('post');
const HOST = Buffer.from('host:');
function isHttp(args: Args): boolean {
  return args.matchesLower(0, POST) || args.matchesLower(0, HOST);
}

export interface DispatchHooks {
  /** "POST" / "Host:": a browser or proxy speaking HTTP to us. */
  securityWarning(call: CommandCall): void;
  /**
   * maxmemory-clients: the command's arguments count for its client before it runs; true when
   * that made the client itself evicted (the command is then dropped without a reply).
   */
  evictClientsBeforeCommand(call: CommandCall): boolean;
  /**
   * maxmemory: evicts keys as the policy allows; true when memory is still over the limit (the
   * caller then refuses deny-oom commands and anything queued in MULTI).
   */
  outOfMemory(call: CommandCall): boolean;
  /** CLIENT PAUSE: true when the command was postponed (it runs again after the pause). */
  postpone(call: CommandCall, cmd: Command): boolean;
  /** After a command ran for `us` microseconds (MONITOR feed, slow log, latency). */
  /** After a command ran, its duration in call.us. */
  afterCommand(call: CommandCall, cmd: Command): void;
}

/** Run immediately even inside MULTI. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** What may still run inside MULTI while over maxmemory. */
const OOM_ALLOWED_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);
/** All that a RESP2 client may run while subscribed. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe', 'quit', 'reset']);

function reject(call: CommandCall, msg: string, cmd: Command | undefined): void {
  call.reply.error(msg);
  if (cmd) cmd.rejectedCalls++;
  // A queue-time error dooms the transaction (flagTransaction).
  if (call.client.multi) call.client.multi.execAbort = true;
}

export function processCommand(call: CommandCall, table: CommandTable, hooks: DispatchHooks, fast?: FastPath): void {
  const { args, client } = call;
  const cmd = lookupCommand(table, args);
  if (fast !== undefined && cmd !== undefined) {
    if (fast.run(call, cmd)) return;
    // Any other command may change what the fast path's guard reads.
    if (!cmd.fastPath) fast.invalidate();
  }
  if (!cmd) {
    // No command is named POST or Host:, so testing for them only after a failed lookup keeps
    // Redis's behaviour without two compares on every request.
    if (isHttp(args)) {
      hooks.securityWarning(call);
      return;
    }
    client.lastCommand = 'NULL';
    const name = args.lower(0);
    if (table.get(name)?.subcommands) {
      reject(call, `unknown subcommand '${cstr(args.str(1)).slice(0, 128)}'. Try ${name.toUpperCase()} HELP.`, undefined);
    } else {
      reject(call, unknownCommandError(args), undefined);
    }
    return;
  }
  client.lastCommand = cmd.fullName;
  if (!cmd.arityOk(args.count)) {
    reject(call, `wrong number of arguments for '${cmd.fullName}' command`, cmd);
    return;
  }
  // DEBUG (and MODULE) only where enable-debug-command allows it, checked before auth (processCommand).
  if (cmd.flags & CmdFlag.Protected) {
    const denied = protectedCommandDenied(call, cmd);
    if (denied !== null) {
      reject(call, denied, cmd);
      return;
    }
  }
  // Auth is required only while the default user has a password (or is off): after
  // CONFIG SET requirepass "" unauthenticated clients may go on (clientRequireAuth).
  if (!client.authenticated && !(cmd.flags & CmdFlag.NoAuth) && !call.server.acl.defaultAuthenticated()) {
    reject(call, '-NOAUTH Authentication required.', cmd);
    return;
  }
  // The master client has no user and no limits (c->user NULL in Redis).
  const denied = client.flags & ClientFlag.Master ? null : call.server.acl.check(client.user, cmd, args, client);
  if (denied !== null) {
    reject(call, denied, cmd);
    return;
  }
  const base = cmd.parent ? cmd.parent.name : cmd.name;
  // Cluster mode only: the keys of a request (of the transaction, for EXEC) in one slot this node serves.
  const redirect = call.server.cluster?.redirect(client, cmd, args, call.now) ?? null;
  if (redirect !== null) {
    if (base === 'exec') discardTransaction(client, call.server.watches);
    reject(call, redirect, cmd);
    return;
  }
  if (hooks.evictClientsBeforeCommand(call)) return;
  if (hooks.outOfMemory(call)) {
    // processCommand: deny-oom commands (EXEC with one queued), and in MULTI anything but the
    // commands that end or leave the transaction.
    const denyoom = (cmd.flags & CmdFlag.DenyOom) !== 0 || (base === 'exec' && (queuedFlags(client) & CmdFlag.DenyOom) !== 0);
    if (denyoom || (client.multi && !OOM_ALLOWED_IN_MULTI.has(base))) {
      reject(call, "-OOM command not allowed when used memory > 'maxmemory'.", cmd);
      return;
    }
  }
  const deniedWrite = writeDenied(call, cmd, queuedFlags);
  if (deniedWrite !== null) {
    reject(call, deniedWrite, cmd);
    return;
  }
  // A replica: writes only from its master when read-only, and only stale-allowed commands while
  // the link is down with replica-serve-stale-data no (processCommand).
  const replica = call.server.replica;
  if (replica.active && !(client.flags & ClientFlag.Master)) {
    const denied = replicaDenied(call, cmd, base);
    if (denied !== null) {
      reject(call, denied, cmd);
      return;
    }
  }
  if (client.flags & ClientFlag.PubSub && client.resp === 2 && !PUBSUB_ALLOWED.has(base)) {
    reject(call, `Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`, cmd);
    return;
  }
  // Replicas, and MONITOR clients (they carry the replica bit), may not touch the keyspace.
  if (client.flags & ClientFlag.Slave) {
    const keyspace = CmdFlag.Write | CmdFlag.Readonly | CmdFlag.MayReplicate;
    if (cmd.flags & keyspace || (cmd.name === 'exec' && queuedFlags(client) & keyspace)) {
      reject(call, "Replica can't interact with the keyspace", cmd);
      return;
    }
  }
  const loading = call.server.persistence.loading ? loadingDenied(call, cmd, base) : null;
  if (loading !== null) {
    reject(call, loading, cmd);
    return;
  }
  if (hooks.postpone(call, cmd)) return;
  if (client.multi && !MULTI_IMMEDIATE.has(base)) {
    if (cmd.flags & CmdFlag.NoMulti) {
      reject(call, 'Command not allowed inside a transaction', cmd);
      return;
    }
    queueCommand(client, cmd, args);
    // Queued arguments count against client-query-buffer-limit, as in Redis.
    if (call.server.lifecycle.queryLimitExceeded(client)) return;
    call.reply.status('QUEUED');
    return;
  }
  callCommand(call, cmd, hooks);
}

function replicaDenied(call: CommandCall, cmd: Command, base: string): string | null {
  const { config } = call.server;
  const queued = base === 'exec' ? queuedFlags(call.client) : 0;
  if (config.bool('replica-read-only') && (cmd.flags & CmdFlag.Write || queued & CmdFlag.Write)) {
    return "-READONLY You can't write against a read only replica.";
  }
  if (!call.server.replica.linkUp && !config.bool('replica-serve-stale-data')) {
    const stale = (cmd.flags & CmdFlag.Stale) !== 0 && !(base === 'exec' && call.client.multi?.commands.some((q) => !(q.cmd.flags & CmdFlag.Stale)));
    if (!stale) return "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
  }
  return null;
}

/** allowProtectedAction: `yes`, or `local` for a loopback or unix-socket client. */
function protectedCommandDenied(call: CommandCall, cmd: Command): string | null {
  const base = cmd.parent ? cmd.parent.name : cmd.name;
  const directive = base === 'module' ? 'enable-module-command' : 'enable-debug-command';
  const mode = call.server.config.str(directive);
  if (mode === 'yes' || (mode === 'local' && call.client.local)) return null;
  return `${base.toUpperCase()} command not allowed. If the ${directive} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`;
}

/** The keys a write command names (key specs, a getKeys hook, or the legacy range), told to the keyspace's hook. */
function preserveKeys(call: CommandCall, cmd: Command): void {
  forEachCommandKey(call, cmd, (db, key) => db.willChange(key));
}

/**
 * Each key `cmd` names with its database (the client's; COPY ... DB n names its destination in
 * another): what a background save or a debugging session's rollback keeps before it writes.
 */
export function forEachCommandKey(call: CommandCall, cmd: Command, fn: (db: Db, key: string) => void): void {
  const { args, server } = call;
  const db = server.keyspace.dbs[call.client.db]!;
  const argc = args.count;
  const at = (i: number) => args.str(i);
  if (cmd.def.getKeys) {
    for (const k of cmd.def.getKeys(argc, (i) => args.lower(i))) fn(db, args.str(k.pos));
  } else if (cmd.def.keySpecs && cmd.def.keySpecs.length > 0) {
    for (const spec of cmd.def.keySpecs) for (const pos of keySpecPositions(spec, argc, at)) fn(db, args.str(pos));
  } else if (cmd.firstKey > 0) {
    const last = cmd.lastKey < 0 ? argc + cmd.lastKey : cmd.lastKey;
    for (let i = cmd.firstKey; i <= last && i < argc; i += cmd.step || 1) fn(db, args.str(i));
  }
  if (cmd.name === 'copy') {
    for (let i = 3; i + 1 < argc; i++) {
      if (!args.is(i, 'db')) continue;
      const other = server.keyspace.dbs[Number(args.str(i + 1))];
      if (other) fn(other, args.str(2));
    }
  }
}

/**
 * Redis's call(): runs the handler and counts it. A call that blocks is counted when it is
 * served (it runs again) or times out; an error reply makes it a failed call.
 */
export function callCommand(call: CommandCall, cmd: Command, hooks: DispatchHooks): void {
  // A background save in progress writes what the keys a write command names held before it runs.
  if (cmd.flags & CmdFlag.Write && call.server.keyspace.beforeChange !== undefined) preserveKeys(call, cmd);
  const errors = call.reply.errorCount;
  const start = call.clock;
  if (call.server.propagation.active) callPropagating(call, cmd);
  else cmd.handler!(call);
  const end = performance.now();
  call.clock = end;
  // More errors than before (a CONFIG RESETSTAT that zeroed the count is no failure, as in Redis).
  if (call.failed ?? call.reply.errorCount > errors) cmd.failedCalls++;
  call.failed = undefined;
  const us = (end - start) * 1000;
  call.us = us;
  if (call.client.blocked === undefined) {
    cmd.calls++;
    cmd.usec += us;
  }
  hooks.afterCommand(call, cmd);
}

/**
 * The handler run as one execution unit of the propagation stream (call() with
 * CMD_CALL_PROPAGATE): a command that changed the dataset is recorded as sent or as its handler
 * rewrote it, after what the handler recorded itself; the outermost unit sends it all.
 */
function callPropagating(call: CommandCall, cmd: Command): void {
  const { server } = call;
  const prop = server.propagation;
  const dirty = server.dirty;
  const outerAs = call.propagateAs;
  const outerPrevent = call.preventPropagation;
  const outerForce = call.forcePropagation;
  call.propagateAs = undefined;
  call.preventPropagation = false;
  call.forcePropagation = 0;
  prop.nesting++;
  /** The target of a write sent at once from the request's own bytes (0: none). */
  let direct = 0;
  try {
    cmd.handler!(call);
    // EXEC is never recorded itself: the commands it ran were.
    if (!call.preventPropagation && cmd.name !== 'exec') {
      // Redis's call(): a counter that went down (DEBUG LOADAOF, a reload) is no change.
      let target = server.dirty > dirty ? Target.Both : 0;
      target |= call.forcePropagation;
      if (target !== 0) {
        const as = call.propagateAs;
        const args = call.args;
        // The whole unit is this one write, as the client sent it: its bytes go from the arena.
        if (as === undefined && prop.nesting === 1 && prop.idle && args.wireSpan()) direct = target;
        else prop.record(call.client.db, as ? encodeCommand(as) : args.encode(), target);
      }
    }
  } finally {
    prop.nesting--;
    call.propagateAs = outerAs;
    call.preventPropagation = outerPrevent;
    call.forcePropagation = outerForce;
  }
  if (direct !== 0) {
    const args = call.args;
    prop.feedRange(call.client.db, args.source(), args.spanStart, args.spanEnd, direct);
    server.replication.wrote(call.client);
    return;
  }
  // The client's write offset (WAIT) moves with what its command sent.
  if (prop.nesting === 0 && prop.flush(cmd.name === 'randomkey' || cmd.name === 'scan')) server.replication.wrote(call.client);
}

function queueCommand(c: Client, cmd: Command, args: Args): void {
  const multi = c.multi!;
  let mem = 0;
  for (let i = 0; i < args.count; i++) mem += args.len(i) + 8;
  multi.commands.push({ cmd, args: args.detach() });
  multi.mem += mem;
}

/** Flags of every queued command, for CLIENT PAUSE WRITE deciding about EXEC. */
export function queuedFlags(c: Client): number {
  let f = 0;
  for (const q of c.multi?.commands ?? []) f |= q.cmd.flags;
  return f;
}
