// One native batch, turned into client events and command calls in the order native recorded
// them (layout.ts describes the records), and the request around each command: processCommand,
// the pushes held for after the reply, resetClient's flag work, protocol errors.
import { performance } from 'node:perf_hooks';
import { PendingProtocolError, type Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import { clientInfoLine } from '../clients/info-line.js';
import type { ClientLifecycle } from '../clients/lifecycle.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Acl } from '../acl/acl.js';
import { callCommand, processCommand, type DispatchHooks } from '../commands/dispatch.js';
import { FastPath } from '../commands/fast-path.js';
import type { Command, CommandCall, CommandTable } from '../table/table.js';
import { Args } from '../engine/args.js';
import { BIG_ARG_LEN, CloseReason, Field, type ProtoError, Rec, recordWords, Stat } from '../engine/layout.js';
import { protocolErrorReason, protocolErrorText } from '../engine/protocol-errors.js';
import type { BusyScript, DebugIo } from '../commands/context.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { Level, type Logger } from '../util/log.js';
import type { ServerState } from './state.js';

/** The outgoing connections' events (a replica's master link). */
export interface OutgoingLinks {
  connected(slot: number): void;
  raw(slot: number, bytes: Buffer): void;
  closed(slot: number, errno: number, handshake: boolean): void;
  /**
   * The master client processed a command of the stream: bytes start..end of `src`, as the master
   * sent them, valid during the call.
   */
  processed(src: Buffer, start: number, end: number): void;
}

/** What the batch hands on: blocked clients' keys served after each command, the batch's end. */
export interface BatchHooks extends DispatchHooks {
  /** Keys got data during the command: blocked clients waiting on them run again. */
  serveReadyKeys(): void;
  hasReadyKeys(): boolean;
  /** The clock passed the end of a CLIENT PAUSE. */
  pauseEnded(now: number): boolean;
  updatePause(now: number): void;
  /** The end of the batch (beforeSleep): invalidations, async frees, client eviction. */
  endOfBatch(): void;
}

/** What Redis 7.2 runs while a script is busy (allow_busy), besides the KILLs and SHUTDOWN. */
const ALLOW_BUSY = new Set(['auth', 'hello', 'quit', 'reset', 'multi', 'discard', 'watch', 'unwatch', 'function|stats']);

export class BatchRunner {
  private deferredPushes: ((r: ReplyWriter) => void)[] = [];
  /** The CommandCall of allow-busy commands run while a script is busy. */
  private readonly busyCall: CommandCall;
  private readonly args: Args;
  /** processCommand's shortcut for the hot data commands while nothing it checks is set. */
  private readonly fast: FastPath;
  /** The replica's master link (set by the server). */
  outgoing: OutgoingLinks | undefined;

  constructor(
    private readonly st: ServerState,
    private readonly clients: ClientRegistry,
    private readonly commands: CommandTable,
    private readonly lifecycle: ClientLifecycle,
    private readonly acl: Acl,
    private readonly log: Logger,
    private readonly hooks: BatchHooks,
  ) {
    this.args = st.call.args;
    this.busyCall = { ...st.call, args: new Args() };
    this.fast = new FastPath(st.call.server, commands, hooks);
  }

  /** Decodes `words` record words of the batch and acts on each. */
  onBatch(words: number, bigs: ArrayBuffer[] | undefined): void {
    const st = this.st;
    const r = st.records;
    const now = st.counters[Stat.NowMs];
    st.call.now = now;
    st.call.clock = performance.now();
    st.inBatch = true;
    // Saves, the AOF, the replication role and pauses change between batches too.
    this.fast.invalidate();
    if (this.hooks.pauseEnded(now)) this.hooks.updatePause(now);
    const life = this.lifecycle;
    let i = 0;
    while (i < words) {
      const type = r[i] as Rec;
      switch (type) {
        case Rec.Command: {
          const c = this.clients.atSlot(r[i + 1]);
          if (c !== undefined && !c.closing) {
            this.args.bind(r, i + 3, r[i + 2], st.arena, bigs);
            if (c.blocked || c.pending.length) c.pending.push(this.args.detach());
            else this.execute(c, this.args);
          }
          break;
        }
        case Rec.Open:
          life.onOpen(r[i + 1], r[i + 2], r[i + 3], now);
          break;
        case Rec.Close:
          life.onClose(r[i + 1], r[i + 2] as CloseReason, r[i + 3]);
          this.outgoing?.closed(r[i + 1], r[i + 3], r[i + 2] === CloseReason.Handshake);
          break;
        case Rec.Connected:
          this.outgoing?.connected(r[i + 1]);
          break;
        case Rec.Raw:
          this.outgoing?.raw(r[i + 1], st.arena.subarray(r[i + 2], r[i + 2] + r[i + 3]));
          break;
        case Rec.ProtocolError:
          this.onProtocolError(r[i + 1], r[i + 2] as ProtoError, r[i + 3]);
          break;
        case Rec.Log:
          this.log.log(r[i + 1] as Level, st.arena.toString('latin1', r[i + 2], r[i + 2] + r[i + 3]));
          break;
        case Rec.QueryLimit:
          life.onQueryLimit(r[i + 1], r[i + 2] + r[i + 3] * 2 ** 32);
          break;
        case Rec.OutputLimit:
          life.onOutputLimit(r[i + 1], true);
          break;
        default:
          throw new Error(`respd: corrupt batch record ${r[i]} at ${i}`);
      }
      i += recordWords(r, i);
    }
    this.hooks.endOfBatch();
    st.writer.commit();
    st.inBatch = false;
    this.fast.invalidate();
  }

  /** Runs one request of `c` (processCommand and everything around it). */
  execute(c: Client, args: Args, reprocessing = false): void {
    const st = this.st;
    const call = st.call;
    call.client = c;
    call.args = args;
    call.reprocessing = reprocessing;
    // Outside a batch (timers, unblocking) the last boundary is stale: start from now.
    if (!st.inBatch) {
      call.clock = performance.now();
      this.fast.invalidate();
    }
    st.writer.begin(c.slot, c.resp);
    // The master's stream runs without replies (REPLCONF GETACK answers on its own).
    const master = (c.flags & ClientFlag.Master) !== 0;
    st.writer.muted = (c.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip | ClientFlag.Master)) !== 0;
    st.current = c;
    st.requestSeq++;
    if (master) {
      // The bytes as the master sent them (a master sends every command as a multibulk): where
      // they lie in the arena, or encoded when they don't lie there whole.
      let src: Buffer;
      let start = 0;
      let end: number;
      if (args.wireSpan()) {
        src = args.source();
        start = args.spanStart;
        end = args.spanEnd;
      } else {
        src = args.encode();
        end = src.length;
      }
      call.server.keyspace.masterRunning = true;
      try {
        processCommand(call, this.commands, this.hooks, this.fast);
      } finally {
        call.server.keyspace.masterRunning = false;
      }
      // A command put off (it runs again later) is counted when it runs.
      if (!c.blocked) this.outgoing?.processed(src, start, end);
    } else {
      processCommand(call, this.commands, this.hooks, this.fast);
    }
    st.current = undefined;
    st.commandsProcessed++;
    this.afterRequest(c);
    if (this.hooks.hasReadyKeys()) this.hooks.serveReadyKeys();
  }

  /** A request that comes out of the pending queue of a client that was blocked. */
  resume(c: Client, args: Args | PendingProtocolError): void {
    if (args instanceof PendingProtocolError) {
      c.pending = [];
      this.replyProtocolError(c, args.text);
    } else {
      this.execute(c, args);
    }
  }

  /** EXEC: one queued command, its ACL checked again. */
  runQueued(call: CommandCall, cmd: Command): void {
    this.st.requestSeq++;
    const denied = call.client.flags & ClientFlag.Master ? null : this.acl.check(call.client.user, cmd, call.args);
    if (denied !== null) {
      call.reply.error(denied);
      return;
    }
    callCommand(call, cmd, this.hooks);
  }

  /**
   * While a script runs long: the requests that arrived meanwhile (native reads them into a batch
   * of their own) get -BUSY, except the KILL of that kind of script and SHUTDOWN NOSAVE.
   */
  serveWhileBusy(busy: BusyScript, shutdown: () => void): void {
    const st = this.st;
    const engine = st.engine;
    const batch = engine?.serveBusy();
    if (!engine || !batch) return;
    const r = new Uint32Array(batch.records);
    const arena = Buffer.from(batch.arena) as Buffer & { latin1Slice(start: number, end: number): string };
    const word = (i: number, k: number): string => {
      const off = r[i + 3 + 2 * k]!;
      const len = r[i + 4 + 2 * k]!;
      return len === BIG_ARG_LEN ? '' : arena.latin1Slice(off, off + len).toLowerCase();
    };
    for (let i = 0; i < batch.words; i += recordWords(r, i)) {
      const type = r[i] as Rec;
      if (type === Rec.ProtocolError) this.onProtocolError(r[i + 1]!, r[i + 2] as ProtoError, r[i + 3]!);
      else if (type === Rec.QueryLimit) this.lifecycle.onQueryLimit(r[i + 1]!, r[i + 2]! + r[i + 3]! * 2 ** 32);
      else if (type === Rec.OutputLimit) this.lifecycle.onOutputLimit(r[i + 1]!, true);
      if (type !== Rec.Command) continue;
      const c = this.clients.atSlot(r[i + 1]!);
      if (!c || c.closing) continue;
      const argc = r[i + 2]!;
      const name = word(i, 0);
      const sub = argc > 1 ? word(i, 1) : '';
      const kill = (name === 'script' || name === 'function') && sub === 'kill';
      let whole = true;
      for (let k = 0; k < argc; k++) if (r[i + 4 + 2 * k] === BIG_ARG_LEN) whole = false;
      if (whole && !kill && name !== 'shutdown' && ALLOW_BUSY.has(sub && ALLOW_BUSY.has(`${name}|${sub}`) ? `${name}|${sub}` : name)) {
        // Connection-state commands Redis runs while busy (allow_busy): on their own CommandCall,
        // so the script's call is left as it is.
        const call = this.busyCall;
        call.args.bind(r, i + 3, argc, arena, undefined);
        call.client = c;
        call.now = st.call.now;
        call.clock = performance.now();
        this.writeTo(c, () => processCommand(call, this.commands, this.hooks), false);
        continue;
      }
      let answer: string;
      if (kill && (name === 'script') === (busy.kind === 'script')) {
        if (busy.wrote()) {
          answer = '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
        } else {
          busy.kill();
          answer = '+OK';
        }
      } else if (name === 'shutdown' && Array.from({ length: argc - 1 }, (_, k) => word(i, k + 1)).includes('nosave')) {
        busy.kill(true);
        shutdown();
        continue;
      } else {
        answer = busy.kind === 'script'
          ? '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.'
          : '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
        // A refused command dooms a transaction being queued (flagTransaction).
        if (c.multi) c.multi.execAbort = true;
      }
      this.writeTo(c, (w) => (answer[0] === '+' ? w.status(answer.slice(1)) : w.error(answer)), false);
    }
    st.writer.commit();
    // The commit may mute the writer for a client over its output limit; the script's caller
    // writes next, as its own flags say.
    const cur = st.current;
    if (cur) st.writer.muted = (cur.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip)) !== 0;
    engine.flushNow();
  }

  /** Replies of `c` not written yet: in this batch's area, or in its output buffers. */
  hasPendingReplies(c: Client): boolean {
    const st = this.st;
    return st.writer.holds(c.slot) || st.slotField(c, Field.Obl) > 0 || st.slotField(c, Field.Oll) > 0;
  }

  /**
   * SCRIPT DEBUG's I/O on `c`, inside its EVAL: what was replied before goes to its output now
   * (the debugger's lines must follow it); the EVAL's own reply is written after the session.
   */
  debugIo(c: Client): DebugIo | undefined {
    const st = this.st;
    const engine = st.engine;
    if (!engine) return undefined;
    st.writer.commit();
    st.writer.begin(c.slot, c.resp);
    return {
      read: (timeoutMs) => engine.debugRead(c.slot, timeoutMs),
      // Redis gives the debugging client's writes a 5 s send timeout (ldbStartSession).
      write: (bytes) => engine.debugWrite(c.slot, bytes, 5000),
    };
  }

  /** A command from a script (redis.call): checked by the script engine, counted and fed as any. */
  callFromScript(call: CommandCall, cmd: Command): void {
    callCommand(call, cmd, this.hooks);
  }

  /**
   * Writes to another client (pub/sub messages, invalidations, MONITOR lines) and returns to the
   * current one. Push data ignores CLIENT REPLY OFF/SKIP, as in Redis.
   */
  writeTo(target: Client, write: (r: ReplyWriter) => void, push = true): void {
    if (target.closing) return;
    const st = this.st;
    if (push && target === st.current) {
      // Pushes for the client whose command runs go out after its reply (pending_push_messages).
      this.deferredPushes.push(write);
      return;
    }
    const w = st.writer;
    const cur = st.current;
    const muted = w.muted;
    w.begin(target.slot, target.resp);
    // Nothing but REPLCONF ACK goes back to a master (its client is muted whatever is written).
    w.muted = push ? false : (target.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip | ClientFlag.Master)) !== 0;
    write(w);
    if (cur) {
      w.begin(cur.slot, cur.resp);
      w.muted = muted;
    }
  }

  /** The CLIENT LIST line of `c`; the running client's command counts as its query buffer. */
  clientInfoLine(c: Client): string {
    const st = this.st;
    let running: { bytes: number } | undefined;
    if (c === st.current) {
      const args = st.call.args;
      let mem = 0;
      // *<argc>\r\n, then $<len>\r\n<arg>\r\n for each argument.
      let bytes = 3 + String(args.count).length;
      for (let i = 0; i < args.count; i++) {
        const n = args.len(i);
        mem += n;
        bytes += 5 + String(n).length + n;
      }
      c.argvMem = mem;
      running = { bytes };
    } else {
      c.argvMem = 0;
    }
    return clientInfoLine(c, st.counters, st.call.now || Date.now(), running);
  }

  /** Redis's resetClient and the work queued for after the reply. */
  private afterRequest(c: Client): void {
    if (this.deferredPushes.length) {
      const pushes = this.deferredPushes;
      this.deferredPushes = [];
      for (const p of pushes) this.writeTo(c, p, true);
    }
    // REPLY SKIP hides exactly the next command's reply.
    c.flags &= ~ClientFlag.ReplySkip;
    if (c.flags & ClientFlag.ReplySkipNext) {
      c.flags |= ClientFlag.ReplySkip;
      c.flags &= ~ClientFlag.ReplySkipNext;
    }
    // CLIENT CACHING lasts for the next command; any CLIENT subcommand in between keeps it (resetClient).
    if (c.tracking && c.tracking.caching && !c.multi && !c.lastCommand.startsWith('client|')) c.tracking.caching = undefined;
    if (this.lifecycle.closeCurrentAfterCommand) {
      this.lifecycle.closeCurrentAfterCommand = false;
      this.lifecycle.closeAfterReply(c);
    }
    if (c.blocked) this.st.engine?.setReading(c.slot, false);
    // A type change (SUBSCRIBE, MONITOR, ...) moves the client to another output-limit class.
    this.st.limits?.applyClass(c);
  }

  private onProtocolError(slot: number, code: ProtoError, byte: number): void {
    const c = this.clients.atSlot(slot);
    if (!c) return;
    const text = protocolErrorText(code, byte);
    if (c.blocked || c.pending.length) {
      // Requests before the bad one are still waiting: answer them first, then the error.
      c.pending.push(new PendingProtocolError(text));
      c.flags |= ClientFlag.ProtocolError;
      return;
    }
    this.replyProtocolError(c, text, code);
  }

  private replyProtocolError(c: Client, text: string, code?: ProtoError): void {
    const w = this.st.writer;
    w.begin(c.slot, c.resp);
    w.muted = (c.flags & (ClientFlag.ReplyOff | ClientFlag.ReplySkip)) !== 0;
    w.error(text);
    if (this.log.enabled(Level.Verbose)) {
      this.log.verbose(`Protocol error (${code !== undefined ? protocolErrorReason(code) : text}) from client: ${this.clientInfoLine(c)}. `);
    }
    c.flags |= ClientFlag.ProtocolError;
    this.lifecycle.closeAfterReply(c);
  }
}
