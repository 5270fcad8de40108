// A diskless full sync's transfer (rdbSaveToSlavesSockets, rdbPipeReadHandler): the background
// save writes the RDB straight into the sockets of the replicas it serves, `$EOF:<mark>\r\n`
// first and the same 40-byte mark last, no file. It is the save's sink: serialization waits
// while any of its replicas has more than PENDING_MAX bytes of payload still queued (the
// slowest socket sets the pace, as the pipe does in Redis). A replica that goes is dropped from
// the transfer; the owner stops the save when none is left.
import type { Client } from '../clients/client.js';
import type { ReplyWriter } from '../protocol/reply.js';
import type { SaveSink } from '../persistence/save-sink.js';
import { randomBytes } from '../util/crypto.js';
import type { Replica } from './master.js';
import { StreamHold } from './stream-hold.js';

/** Payload bytes a replica may have waiting in its output before serialization pauses. */
export const PENDING_MAX = 4 << 20;

export interface TransferHost {
  /** Writes to a client outside its own command. */
  writeTo(target: Client, write: (r: ReplyWriter) => void, push?: boolean): void;
  /** Hands what was written to the sockets now (outside a batch nothing else would). */
  flush(): void;
  /** Bytes waiting in a client's output (CLIENT LIST omem). */
  pendingOutput(c: Client): number;
}

export class DisklessTransfer implements SaveSink {
  /** RDB_EOF_MARK_SIZE random hex characters. */
  readonly mark = randomBytes(20).toString('hex');
  /** The stream since the snapshot's offset, for every target alike. */
  readonly hold = new StreamHold();
  readonly targets: Set<Replica>;
  /** Payload bytes sent to each target so far. */
  sent = 0;
  failed: string | undefined = undefined;

  constructor(private readonly host: TransferHost, targets: readonly Replica[], readonly offset: number) {
    this.targets = new Set(targets);
  }

  /** Targets still connected. */
  *live(): Iterable<Replica> {
    for (const r of this.targets) if (!r.client.closing) yield r;
  }

  /** The first bytes each target gets: the PSYNC answer (none after SYNC) and the EOF-marked header. */
  begin(replId: string): void {
    const header = `$EOF:${this.mark}\r\n`;
    for (const r of this.live()) {
      const line = r.prePsync ? '' : `+FULLRESYNC ${replId} ${this.offset}\r\n`;
      this.host.writeTo(r.client, (w) => w.rawAscii(line + header), false);
    }
    this.host.flush();
  }

  push(chunk: Buffer): void {
    for (const r of this.live()) this.host.writeTo(r.client, (w) => w.raw(chunk), false);
    this.sent += chunk.length;
    this.host.flush();
    this.pushed = true;
  }

  /** Something was pushed since `full` last looked (the save asks after every key). */
  private pushed = false;
  private behind = false;

  get full(): boolean {
    if (!this.pushed && !this.behind) return false;
    this.pushed = false;
    this.behind = false;
    for (const r of this.live()) {
      if (this.host.pendingOutput(r.client) > PENDING_MAX) {
        this.behind = true;
        if (!this.stalled.has(r)) this.stalled.set(r, Date.now());
      } else {
        this.stalled.delete(r);
      }
    }
    return this.behind;
  }

  /** Since when (ms) each replica holding the transfer back has been doing so (repl_last_partial_write). */
  private readonly stalled = new Map<Replica, number>();

  /** Targets that held the transfer back for longer than `timeoutMs`. */
  *stalledFor(timeoutMs: number, now: number): Iterable<Replica> {
    for (const [r, since] of this.stalled) if (!r.client.closing && now - since > timeoutMs) yield r;
  }

  /** Every chunk was handed to the sockets when pushed: the end is at once. */
  finish(done: (error: string | undefined) => void): void {
    done(undefined);
  }

  abort(): void {
    // Nothing is kept: what was sent is the replicas' to discard.
  }

  /** The mark that ends the payload, to the targets still there. */
  end(): void {
    const mark = this.mark;
    for (const r of this.live()) this.host.writeTo(r.client, (w) => w.rawAscii(mark), false);
    this.host.flush();
  }

  /** A target went: true when none is left. */
  drop(r: Replica): boolean {
    this.targets.delete(r);
    this.stalled.delete(r);
    for (const _ of this.live()) return false;
    return true;
  }
}
