// Clients that wait (blocked.c, timeout.c and CLIENT PAUSE): blocked on keys until a key gets
// data or the deadline passes, blocked until an event (replicas' ACKs for WAIT, an fsync for
// WAITAOF, a transfer's end for MIGRATE), postponed while clients are paused, unblocked by
// CLIENT UNBLOCK; and the idle-client timeout. What arrived while a client waited runs once it is free again.
import type { Client, WakeEvent } from '../clients/client.js';
import { BlockType } from '../clients/client.js';
import type { BlockingRegistry } from '../clients/blocking.js';
import { ClientFlag } from '../clients/flags.js';
import type { ClientLifecycle } from '../clients/lifecycle.js';
import type { ClientRegistry } from '../clients/registry.js';
import type { Tracking } from '../clients/tracking.js';
import type { StreamBlock, WaitControl } from '../commands/context.js';
import { lookupCommand, queuedFlags } from '../commands/dispatch.js';
import { CmdFlag, type Command, type CommandCall, type CommandTable } from '../table/table.js';
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';
import { Field } from '../engine/layout.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { ERR_UNBLOCKED } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { BatchRunner } from './batch.js';
import type { ServerState } from './state.js';

export class Blocked implements WaitControl {
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private pause = { end: 0, all: false };

  /** A CLIENT PAUSE is set (it may be past its end until the next check). */
  get paused(): boolean {
    return this.pause.end !== 0;
  }

  constructor(
    private readonly st: ServerState,
    private readonly blocking: BlockingRegistry,
    private readonly clients: ClientRegistry,
    private readonly commands: CommandTable,
    private readonly keyspace: Keyspace,
    private readonly tracking: Tracking,
    private readonly lifecycle: ClientLifecycle,
    private readonly config: Config,
    private readonly log: Logger,
    /** Set once the batch runner exists (it runs what the waiters run). */
    public runner: BatchRunner | undefined = undefined,
  ) {}

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  // ---- blocked on keys ----------------------------------------------------------------------------

  blockOnKeys(call: CommandCall, keys: readonly string[], deadlineMs: number, timeoutReply: (r: ReplyWriter) => void, opts?: StreamBlock): void {
    const c = call.client;
    const cmd = lookupCommand(this.commands, call.args)!;
    const args = opts?.args ?? call.args.detach();
    c.blocked = { type: BlockType.Keys, db: c.db, keys: [...keys], deadline: deadlineMs, cmd, args, timeoutReply, wants: opts?.wants, noKey: opts?.noKey };
    c.flags |= ClientFlag.Blocked;
    this.blocking.add(c);
    if (deadlineMs > 0 && (this.timerAt === 0 || deadlineMs < this.timerAt)) this.armTimer(deadlineMs);
  }

  signalKeyAsReady(db: number, key: string): void {
    this.blocking.signalReady(db, key);
  }

  /**
   * Blocks the calling client until `event` is signalled (or `deadlineMs`, 0 = never: then
   * `timeoutReply` answers). Signalled, its command runs again with call.reprocessing set, and
   * may block again, keeping its deadline.
   */
  blockUntilWoken(call: CommandCall, event: WakeEvent, deadlineMs: number, timeoutReply: (r: ReplyWriter) => void, unblockable = true): void {
    const c = call.client;
    const cmd = lookupCommand(this.commands, call.args)!;
    c.blocked = { type: BlockType.Event, db: c.db, keys: [], deadline: deadlineMs, cmd, args: call.args.detach(), timeoutReply, event, unblockable };
    c.flags |= ClientFlag.Blocked;
    this.blocking.add(c);
    if (deadlineMs > 0 && (this.timerAt === 0 || deadlineMs < this.timerAt)) this.armTimer(deadlineMs);
  }

  /**
   * An event's waiters look again. It may come from outside any command (the AOF's fsync, a
   * transfer's reply) or from one (a replica's ACK): inside a batch they run after the current
   * command; otherwise on the next turn of the event loop.
   */
  wake(event: WakeEvent): void {
    this.blocking.signalEvent(event);
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      if (this.st.inBatch || !this.blocking.hasReady()) return;
      this.serveReadyKeys();
      this.tracking.broadcastPending();
      this.st.writer.commit();
    });
  }

  private wakeQueued = false;

  /** Keys got data: their waiters run their command again, first come first served. */
  serveReadyKeys(): void {
    for (let rounds = 0; rounds < 64 && this.blocking.hasReady(); rounds++) {
      // Each waiter of an event has its own condition (its own offset to reach): all look again.
      for (const waiters of this.blocking.takeReadyEvents()) {
        for (const c of waiters) {
          const b = c.blocked;
          if (!b || b.type !== BlockType.Event || c.closing) continue;
          this.endBlock(c);
          this.runner!.execute(c, b.args, true);
          if (c.blocked && c.blocked.type === BlockType.Event) c.blocked.deadline = b.deadline;
          else if (!c.blocked) this.resumeClient(c);
        }
      }
      for (const waiters of this.blocking.takeReady()) {
        for (const c of waiters) {
          const b = c.blocked;
          if (!b || b.type !== BlockType.Keys || c.closing) continue;
          if (b.wants) {
            // A stream reader: woken only by a stream at one of its keys (or, for XREADGROUP, by
            // the key going); others may still be served after it blocks again.
            const db = this.keyspace.dbs[b.db]!;
            if (!b.keys.some((k) => b.wants!(db.peek(k, this.st.call.now)))) continue;
            this.endBlock(c);
            this.runner!.execute(c, b.args, true);
            if (c.blocked && c.blocked.type === BlockType.Keys) c.blocked.deadline = b.deadline;
            if (!c.blocked) this.resumeClient(c);
            continue;
          }
          this.endBlock(c);
          this.runner!.execute(c, b.args, true);
          // Blocked again: it keeps its original deadline, as in Redis 7.2.
          if (c.blocked && c.blocked.type === BlockType.Keys) c.blocked.deadline = b.deadline;
          if (c.blocked) {
            // Still nothing for it: later waiters will not find anything either.
            break;
          }
          this.resumeClient(c);
        }
      }
    }
  }

  /** CLIENT UNBLOCK: true if `c` was blocked and is now unblocked. `error` may be the error's text. */
  unblockClient(c: Client, error: boolean | string): boolean {
    const b = c.blocked;
    if (!b) return false;
    // TIMEOUT on a paused client would crash Redis ([BUG]); here it just can't be unblocked that way.
    if (b.type === BlockType.Postpone && !error) return false;
    if (b.unblockable === false) return false;
    this.endBlock(c);
    if (b.cmd) {
      b.cmd.calls++;
      if (error) b.cmd.failedCalls++;
    }
    this.runner!.writeTo(c, (w) => {
      if (error) w.error(typeof error === 'string' ? error : ERR_UNBLOCKED);
      else b.timeoutReply?.(w);
    }, false);
    // The rest of its pipeline runs after the current command.
    setImmediate(() => {
      this.resumeClient(c);
      this.tracking.broadcastPending();
      this.st.writer.commit();
    });
    return true;
  }

  /** Ends a block: out of the registry, flag cleared; the caller decides what is replied. */
  private endBlock(c: Client): void {
    this.blocking.remove(c);
    c.blocked = undefined;
    c.flags &= ~ClientFlag.Blocked;
  }

  /** Runs what arrived while `c` was blocked, until it blocks again or nothing is left. */
  private resumeClient(c: Client): void {
    while (!c.blocked && c.pending.length && !c.closing && this.clients.byID(c.id)) {
      this.runner!.resume(c, c.pending.shift()!);
    }
    if (!c.blocked && !c.closing) this.st.engine?.setReading(c.slot, true);
  }

  private armTimer(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.handleBlockedTimeouts(), Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private handleBlockedTimeouts(): void {
    this.timer = undefined;
    this.timerAt = 0;
    const now = Date.now();
    this.st.call.now = now;
    for (const c of this.blocking.expired(now, this.clients)) {
      const b = c.blocked!;
      this.endBlock(c);
      // updateStatsOnUnblock: a call that timed out counts once.
      if (b.cmd) b.cmd.calls++;
      this.runner!.writeTo(c, (w) => b.timeoutReply?.(w), false);
      this.resumeClient(c);
    }
    const next = this.blocking.nextDeadline(this.clients);
    if (next) this.armTimer(next);
    this.tracking.broadcastPending();
    this.st.writer.commit();
  }

  // ---- CLIENT PAUSE ---------------------------------------------------------------------------------

  /** CLIENT PAUSE: true when the command was postponed (it runs again after the pause). */
  postpone(call: CommandCall, cmd: Command): boolean {
    if (this.pause.end === 0) return false;
    const now = this.st.call.now;
    if (now >= this.pause.end) {
      this.updatePause(now);
      if (this.pause.end === 0) return false;
    }
    const c = call.client;
    if (c.flags & (ClientFlag.Master | ClientFlag.Slave) && !(c.flags & ClientFlag.Monitor)) return false;
    if (!this.pause.all) {
      const writeLike = CmdFlag.Write | CmdFlag.MayReplicate;
      const isExec = cmd.name === 'exec' && (queuedFlags(c) & writeLike) !== 0;
      if (!(cmd.flags & writeLike) && !isExec) return false;
    }
    c.blocked = { type: BlockType.Postpone, db: c.db, keys: [], deadline: 0, cmd, args: call.args.detach(), timeoutReply: undefined };
    c.flags |= ClientFlag.Blocked;
    this.blocking.add(c);
    return true;
  }

  /** The later end time wins, and WRITE asked for during an ALL pause stays ALL. */
  pauseClients(endMs: number, all: boolean): void {
    const now = this.st.call.now;
    const active = this.pause.end > now;
    if (active) this.setPause(Math.max(this.pause.end, endMs), all || this.pause.all);
    else if (endMs > now) this.setPause(endMs, all);
  }

  unpauseClients(): void {
    this.setPause(0, false);
    setImmediate(() => this.updatePause(Date.now()));
  }

  pauseEnded(now: number): boolean {
    return this.pause.end !== 0 && now >= this.pause.end;
  }

  /** At the end of a pause, postponed clients run their command again, in order. */
  updatePause(now: number): void {
    if (this.pause.end !== 0 && now < this.pause.end) return;
    this.setPause(0, false);
    if (this.blocking.postponed.length === 0) return;
    for (const c of [...this.blocking.postponed]) {
      const b = c.blocked!;
      this.endBlock(c);
      this.runner!.execute(c, b.args);
      this.resumeClient(c);
    }
    this.tracking.broadcastPending();
    this.st.writer.commit();
  }

  /** The pause and, with it at once, expiry (Redis checks the pause at every expiry). */
  private setPause(end: number, all: boolean): void {
    this.pause = { end, all };
    this.keyspace.expiryPaused = end !== 0 || this.keyspace.isReplica;
  }

  // ---- timeout ----------------------------------------------------------------------------------

  /** clientsCronHandleTimeout: idle clients past `timeout` seconds are closed. */
  closeIdleClients(now: number): void {
    const timeout = this.config.int('timeout');
    if (timeout <= 0) return;
    const nowS = Math.floor(now / 1000);
    for (const c of [...this.clients]) {
      // Replicas and MONITORs (the replica bit), masters, blocked and pub/sub clients are exempt.
      if (c.flags & (ClientFlag.Slave | ClientFlag.Master | ClientFlag.Blocked | ClientFlag.PubSub)) continue;
      const last = this.st.slotField(c, Field.LastInteraction);
      if (nowS - Math.floor(last / 1000) > timeout) {
        this.log.verbose('Closing idle client');
        this.lifecycle.freeClient(c);
      }
    }
  }
}
