// The propagation stream (Redis's alsoPropagate / propagatePendingCommands, server.c): the one
// place where the effects of writes are recorded in Redis's propagated form, for the AOF and the
// replicas to consume. A command that changed the dataset (server.dirty moved) is recorded as it
// was sent, or as its handler rewrote it (SET EX as SET PXAT, EXPIRE as PEXPIREAT, INCRBYFLOAT as
// SET KEEPTTL, BLPOP as LPOP, ...); handlers may add effects of their own (SPOP's SREMs, XREADGROUP's
// XCLAIMs) or keep the command itself out (scripts, whose commands are recorded one by one).
// Everything recorded during one execution unit (a command with what it ran: EXEC's queue, a
// script's redis.call) goes out when the unit ends, wrapped in MULTI/EXEC when it is more than one
// op; deletions outside any command (active expiry, eviction) go out one by one.
//
// Nothing is recorded while no sink listens (no AOF, no replica): `active` is the one check the
// hot path makes.

/** An argument as commands hold them: a binary string (one char per byte) or bytes. */
export type Arg = string | Buffer;

export enum Target {
  Aof = 1,
  Repl = 2,
  Both = 3,
}

/** A consumer of the stream: the AOF, the replication backlog. */
export interface PropagationSink {
  /** Which targets it takes (Target.Aof or Target.Repl). */
  readonly target: Target;
  /**
   * One command of the stream, RESP-encoded, to run in database `db`; db -1 (MULTI, EXEC): no
   * SELECT is needed before it. Each sink keeps its own selected database.
   */
  feed(db: number, command: Buffer): void;
  /**
   * The same for bytes start..end of `src`, valid only during the call: the sink copies what it
   * keeps, and a write read whole from a client goes out without a buffer of its own.
   */
  feedRange(db: number, src: Buffer, start: number, end: number): void;
}

interface Op {
  db: number;
  command: Buffer;
  target: Target;
}

const MULTI = encodeCommand(['MULTI']);
const EXEC = encodeCommand(['EXEC']);

/** A command as RESP: *N then each argument as a bulk string. */
export function encodeCommand(argv: readonly Arg[]): Buffer {
  let size = 16;
  for (const a of argv) size += a.length + 16;
  const out = Buffer.allocUnsafe(size);
  let o = out.write(`*${argv.length}\r\n`, 0, 'latin1');
  for (const a of argv) {
    o += out.write(`$${a.length}\r\n`, o, 'latin1');
    o += typeof a === 'string' ? out.write(a, o, 'latin1') : a.copy(out, o);
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
}

export class Propagation {
  /** Some sink listens: commands are recorded. */
  active = false;
  /** Execution units entered and not yet left (call() nesting). */
  nesting = 0;
  private readonly sinks: PropagationSink[] = [];
  private ops: Op[] = [];

  addSink(s: PropagationSink): void {
    if (!this.sinks.includes(s)) this.sinks.push(s);
    this.active = true;
  }

  removeSink(s: PropagationSink): void {
    const i = this.sinks.indexOf(s);
    if (i >= 0) this.sinks.splice(i, 1);
    this.active = this.sinks.length > 0;
  }

  /** Runs `f` with nothing recorded (a reload replaying files the stream already holds). */
  suspended(f: () => void): void {
    const was = this.active;
    this.active = false;
    try {
      f();
    } finally {
      this.active = was && this.sinks.length > 0;
    }
  }

  /** alsoPropagate: records one command, sent when the current execution unit ends. */
  also(db: number, argv: readonly Arg[], target: Target = Target.Both): void {
    if (!this.active) return;
    this.record(db, encodeCommand(argv), target);
  }

  /** Records an already encoded command. */
  record(db: number, command: Buffer, target: Target = Target.Both): void {
    if (!this.active) return;
    this.ops.push({ db, command, target });
    if (this.nesting === 0) this.flush(false);
  }

  /**
   * propagateDeletion: a key expired or evicted, as DEL (or UNLINK with lazy freeing). Outside a
   * command it goes out on its own at once.
   */
  deletion(db: number, key: Arg, lazy: boolean): void {
    this.also(db, [lazy ? 'UNLINK' : 'DEL', key]);
  }

  /**
   * The end of an execution unit (propagatePendingCommands): what it recorded goes to the sinks,
   * in MULTI/EXEC when more than one command, unless the command that ran touches arbitrary
   * keys directly (it is then recorded op by op, as active expiry is).
   */
  flush(touchesArbitraryKeys: boolean): boolean {
    const ops = this.ops;
    if (ops.length === 0) return false;
    this.ops = [];
    const transaction = ops.length > 1 && !touchesArbitraryKeys;
    if (transaction) this.feed(-1, MULTI, Target.Both);
    for (const op of ops) this.feed(op.db, op.command, op.target);
    if (transaction) this.feed(-1, EXEC, Target.Both);
    return true;
  }

  /** Nothing recorded waits for the end of an execution unit. */
  get idle(): boolean {
    return this.ops.length === 0;
  }

  /**
   * A one-command execution unit, sent at once as bytes start..end of `src` (its request as the
   * client sent it) to each sink's feedRange.
   */
  feedRange(db: number, src: Buffer, start: number, end: number, target: Target): void {
    for (const s of this.sinks) if (s.target & target) s.feedRange(db, src, start, end);
  }

  /** Drops what the current unit recorded (a unit that must leave no trace). */
  discard(): void {
    this.ops = [];
  }

  private feed(db: number, command: Buffer, target: Target): void {
    for (const s of this.sinks) if (s.target & target) s.feed(db, command);
  }
}
