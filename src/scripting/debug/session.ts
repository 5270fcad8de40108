// SCRIPT DEBUG YES|SYNC|NO and the debugging session an EVAL then runs in (eval.c ldbEnable,
// ldbStartSession, ldbEndSession). The script runs under a debug compile whose hooks stop it
// inside the batch; the debugger talks to the client over blocking I/O on its socket. At the end
// the client gets "<endsession>", then the script's reply, and is closed, as in Redis.
//
// SYNC blocks the whole server while the session lasts, as Redis says it does. YES is Redis's
// forked session, without a fork: the session runs here too, but every key the script changes
// is put back when it ends (rollback.ts), and while the debugger waits for its client the other
// clients are answered as during a long script: -BUSY, SCRIPT KILL ending the session (its writes
// are undone, so it is always allowed), SHUTDOWN NOSAVE. Nothing of a YES session reaches the AOF
// or the replicas.
import type { Client } from '../../clients/client.js';
import type { CommandCall } from '../../table/table.js';
import type { ScriptEngine } from '../engine.js';
import { Ldb } from './ldb.js';
import { Rollback } from './rollback.js';

export type DebugMode = 'yes' | 'sync';

/** Clients whose next EVAL is debugged (Redis's CLIENT_LUA_DEBUG and CLIENT_LUA_DEBUG_SYNC). */
const modes = new WeakMap<Client, DebugMode>();

export function debugModeOf(c: Client): DebugMode | undefined {
  return modes.get(c);
}

/** SCRIPT DEBUG YES|SYNC|NO. */
export function scriptDebug({ args, reply, client, server }: CommandCall): void {
  if (server.runner.hasPendingReplies(client)) {
    reply.error('SCRIPT DEBUG must be called outside a pipeline');
    return;
  }
  if (args.is(2, 'no')) modes.delete(client);
  else if (args.is(2, 'yes')) modes.set(client, 'yes');
  else if (args.is(2, 'sync')) modes.set(client, 'sync');
  else {
    reply.error('Use SCRIPT DEBUG YES/SYNC/NO');
    return;
  }
  reply.status('OK');
}

/** What the session hands the EVAL it wraps. */
export interface DebugRun {
  ldb: Ldb;
  mode: DebugMode;
}

/**
 * Runs `run` (the EVAL) as a debugging session of the caller, then ends the session: the
 * remaining log lines and "<endsession>" are sent, YES mode's writes undone, and the client is
 * closed once the EVAL's reply is written.
 */
export function debugSession(call: CommandCall, engine: ScriptEngine, mode: DebugMode, body: string, run: (d: DebugRun) => void): void {
  const { client, server } = call;
  modes.delete(client);
  const io = server.runner.debugIo(client);
  if (!io) {
    call.reply.error('SCRIPT DEBUG needs a client connection');
    return;
  }
  const R = engine.R;
  const threshold = server.config.int('busy-reply-threshold');
  const ldb = new Ldb({
    io,
    source: body,
    R,
    timeLimitMs: threshold > 0 ? threshold : 5000,
    whileWaiting: mode === 'yes' ? () => {
      if (engine.busy) server.serveWhileBusy(engine.busy);
      if (R.killed) throw R.killed;
    } : undefined,
  });
  const rollback = mode === 'yes' ? new Rollback(server.keyspace) : undefined;
  server.logAt(2, mode === 'sync' ? 'Redis synchronous debugging eval session started' : 'Lua debugging session started (its writes are rolled back at the end)');
  engine.ldb = ldb;
  engine.rollback = rollback;
  try {
    run({ ldb, mode });
  } finally {
    engine.ldb = undefined;
    engine.rollback = undefined;
    ldb.log('<endsession>');
    ldb.send();
    if (rollback) {
      // Redis's forked child propagates nothing: what the script recorded in the EVAL's execution
      // unit is dropped, and putting the keys back is not a command of the stream either.
      server.propagation.discard();
      const n = rollback.restore(server.now);
      server.logAt(2, `Lua debugging session ended: ${n} keys restored`);
    } else {
      server.logAt(2, 'Redis synchronous debugging eval session ended');
    }
    server.lifecycle.closeAfterReply(client);
  }
}
