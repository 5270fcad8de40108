// MIGRATE's connections to other servers (cluster.c's migrate sockets), over the native core's
// outgoing connections: each transfer connects, sends its commands (AUTH, SELECT, a RESTORE per
// key) in one write, reads one reply per command in raw mode, and closes. The caller is told the
// replies, or why there are none (Redis's -IOERR texts), once, within the timeout.
import type { NativeEngine } from '../../binding.js';

/** What a transfer ended with: the replies as RESP texts, or an -IOERR text. */
export type MigrateOutcome = { replies: string[] } | { ioerr: string };

interface Transfer {
  slot: number;
  commands: Buffer;
  expected: number;
  buf: string;
  replies: string[];
  connected: boolean;
  timer: NodeJS.Timeout;
  done: (o: MigrateOutcome) => void;
}

export class MigrateLinks {
  private readonly transfers = new Map<number, Transfer>();

  constructor(private readonly engine: () => NativeEngine | undefined) {}

  /** Starts a transfer; an error text when the connection can't even be attempted. */
  start(host: string, port: number, commands: Buffer, expected: number, timeoutMs: number, done: (o: MigrateOutcome) => void): string | undefined {
    const engine = this.engine();
    if (!engine) return 'error or timeout connecting to the client';
    const r = engine.connect(host, port, false);
    if (r.error !== undefined) return 'error or timeout connecting to the client';
    const t: Transfer = {
      slot: r.slot, commands, expected, buf: '', replies: [], connected: false, done,
      timer: setTimeout(() => this.finish(t, { ioerr: t.connected ? 'error or timeout reading to target instance' : 'error or timeout connecting to the client' }), timeoutMs),
    };
    this.transfers.set(r.slot, t);
    return undefined;
  }

  /** The connection is up: everything goes out at once. True when the slot is a transfer's. */
  connected(slot: number): boolean {
    const t = this.transfers.get(slot);
    if (!t) return false;
    t.connected = true;
    this.engine()?.appendRaw(slot, t.commands);
    return true;
  }

  /** Reply bytes: complete replies are counted until every command has one. */
  raw(slot: number, bytes: Buffer): boolean {
    const t = this.transfers.get(slot);
    if (!t) return false;
    t.buf += bytes.toString('latin1');
    for (;;) {
      const end = replyEnd(t.buf, 0);
      if (end < 0) break;
      t.replies.push(t.buf.slice(0, end));
      t.buf = t.buf.slice(end);
      if (t.replies.length === t.expected) {
        this.finish(t, { replies: t.replies });
        break;
      }
    }
    return true;
  }

  /** The connection closed before every reply came. */
  closed(slot: number): boolean {
    const t = this.transfers.get(slot);
    if (!t) return false;
    this.finish(t, { ioerr: t.connected ? 'error or timeout reading to target instance' : 'error or timeout connecting to the client' });
    return true;
  }

  private finish(t: Transfer, o: MigrateOutcome): void {
    if (!this.transfers.delete(t.slot)) return;
    clearTimeout(t.timer);
    this.engine()?.closeClient(t.slot, false);
    t.done(o);
  }
}

/** Where the RESP2 value at `i` ends, or -1 when it is incomplete. */
function replyEnd(b: string, i: number): number {
  const nl = b.indexOf('\r\n', i);
  if (nl < 0) return -1;
  const type = b[i];
  if (type === '$') {
    const n = Number(b.slice(i + 1, nl));
    if (n < 0) return nl + 2;
    return b.length >= nl + 4 + n ? nl + 4 + n : -1;
  }
  if (type === '*') {
    let at = nl + 2;
    for (let k = Number(b.slice(i + 1, nl)); k > 0; k--) {
      at = replyEnd(b, at);
      if (at < 0) return -1;
    }
    return at;
  }
  return nl + 2;
}
