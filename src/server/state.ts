// What the server's parts share while it runs: the engine once started, the views of its shared
// memory (batch records, arena, counters), the reply writer and the one reusable CommandCall,
// and the client whose command is running. One instance per Server; the parts read it, only the
// part named on each field writes it.
import type { NativeEngine } from '../../binding.js';
import type { Client } from '../clients/client.js';
import type { ClientLimits } from '../clients/limits.js';
import type { CommandCall } from '../table/table.js';
import { Args } from '../engine/args.js';
import { Field, SLOT_FIELDS, STAT_FIELDS } from '../engine/layout.js';
import { ReplyWriter } from '../protocol/reply.js';
import type { ServerContext } from '../commands/context.js';

export class ServerState {
  /** Server.start creates it, Server.close stops it. */
  engine: NativeEngine | undefined;
  /** The engine's shared memory (Server.start maps them). */
  records = new Uint32Array(0);
  arena = Buffer.alloc(0);
  counters = new Float64Array(0);
  /** Output-limit classes, reply-buffer resizing, client eviction (made with the engine). */
  limits: ClientLimits | undefined;
  readonly writer: ReplyWriter;
  readonly call: CommandCall;
  /** The client whose command is running (BatchRunner.execute). */
  current: Client | undefined;
  /** Inside a batch, call.clock is the last command boundary (BatchRunner). */
  inBatch = false;
  /** Requests started so far (BatchRunner): FLUSH* tells tracking clients once per request. */
  requestSeq = 0;
  commandsProcessed = 0;
  /** Runs before replies are handed to native: the AOF's write (and fsync) comes first. */
  beforeReplies: () => void = () => undefined;

  constructor(server: ServerContext) {
    this.writer = new ReplyWriter({
      commit: (n) => {
        this.beforeReplies();
        return this.engine?.commit(n);
      },
      appendRaw: (slot, b) => {
        this.beforeReplies();
        return this.engine?.appendRaw(slot, b);
      },
    });
    this.call = { client: undefined as unknown as Client, args: new Args(), reply: this.writer, server, now: 0, reprocessing: false, clock: 0, us: 0 };
  }

  /** One of the per-client counters native keeps for `c`. */
  slotField(c: Client, field: Field): number {
    return this.counters[STAT_FIELDS + c.slot * SLOT_FIELDS + field];
  }
}
