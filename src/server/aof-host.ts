// The server as the AOF sees it (persistence/aof/aof.ts): the propagation stream it listens to,
// RDB persistence for its bases, and the AOF client that replays the files at start-up: a client
// of its own whose commands run without replies (Redis's createAOFClient), never blocked.
import { Client } from '../clients/client.js';
import { aofCommands } from '../commands/aof.js';
import { ClientFlag } from '../clients/flags.js';
import { lookupCommand } from '../commands/dispatch.js';
import { Args } from '../engine/args.js';
import { Aof } from '../persistence/aof/aof.js';
import type { AofReplayer } from '../persistence/aof/loader.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { CommandCall } from '../table/table.js';
import type { CommandHooks } from './hooks.js';
import type { Server } from './server.js';
import type { ServerState } from './state.js';

/** CLIENT_ID_AOF. */
const AOF_CLIENT_ID = Number.MAX_SAFE_INTEGER;

function aofReplayer(server: Server): AofReplayer {
  const client = new Client(AOF_CLIENT_ID, -1, 'aof', true, Date.now(), true, () => '');
  client.flags |= ClientFlag.DenyBlocking;
  // Replies are encoded and dropped: the AOF client answers no one.
  const reply = new ReplyWriter({ commit: () => undefined, appendRaw: () => undefined }, 1 << 16, 1024);
  const args = new Args();
  const call: CommandCall = { client, args, reply, server, now: 0, reprocessing: false, clock: 0, us: 0 };
  const bind = (argv: readonly Buffer[]) => args.setStrings(argv.map((b) => b.toString('latin1')));
  return {
    known(argv) {
      bind(argv);
      return lookupCommand(server.commands, args) !== undefined;
    },
    run(argv) {
      bind(argv);
      const cmd = lookupCommand(server.commands, args)!;
      call.args = args;
      call.now = Date.now();
      call.clock = performance.now();
      reply.begin(-1, 2);
      cmd.handler!(call);
      reply.discard();
    },
  };
}

/** The server's AOF, its buffer written (and with appendfsync always, fsynced) before any reply leaves. */
export function aofFor(server: Server, st: ServerState, hooks: CommandHooks): Aof {
  const aof = new Aof({
    config: server.config,
    log: server.log,
    persistence: server.persistence,
    addSink: (s) => server.propagation.addSink(s),
    removeSink: (s) => server.propagation.removeSink(s),
    replayer: () => aofReplayer(server),
    // EXEC runs its queue while the client is still in MULTI (Redis's server.in_exec).
    inExec: () => st.current?.multi !== undefined,
    exit: () => process.exit(1),
    latency: (event, ms) => {
      const threshold = server.config.int('latency-monitor-threshold');
      if (threshold > 0 && ms >= threshold) server.latency.addSample(event, ms, Date.now());
    },
  });
  st.beforeReplies = hooks.beforeSleep = () => aof.beforeSleep();
  // WAITAOF clients look again when more of the AOF is on disk.
  aof.onFsynced = () => server.replication.wakeWaiters();
  return aof;
}

/** serverCron's persistence part: save points and a scheduled BGSAVE, then the AOF's. */
export function persistenceCron(server: Server, now: number): void {
  server.persistence.cron(now);
  server.aof.cron();
  server.replication.cron(now);
  server.replica.cron(now);
}

/** BGREWRITEAOF's row, bound to the server's AOF (created after the command table). */
export function aofCommandsOf(server: Server): ReturnType<typeof aofCommands> {
  return aofCommands(() => server.aof);
}
