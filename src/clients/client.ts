// One connected client: identity, protocol state, flags and the per-state data behind CLIENT
// LIST's fields (transaction queue, watched keys, subscriptions, tracking, blocking). The bytes
// (query buffer, output chain) live in native under `slot`; their sizes are read from the
// shared counters.
import type { Args } from '../engine/args.js';
import type { Resp, ReplyWriter } from '../protocol/reply.js';
import type { Command } from '../table/table.js';
import { ClientFlag } from './flags.js';

export interface QueuedCommand {
  cmd: Command;
  args: Args;
}

export interface MultiState {
  commands: QueuedCommand[];
  /** Bytes of queued arguments plus a pointer per argument (multi-mem). */
  mem: number;
  /** A queue-time error happened: EXEC answers EXECABORT. */
  execAbort: boolean;
}

/** Why a client is blocked. */
export const enum BlockType {
  Keys = 1,
  Postpone = 2,
  /** Until an event is signalled (WAIT, WAITAOF: replicas' ACKs or an fsync; MIGRATE: its transfer). */
  Event = 3,
}

/** What a client blocked until woken waits for. */
export type WakeEvent = 'replication' | 'migrate';

export interface BlockedState {
  type: BlockType;
  db: number;
  keys: readonly string[];
  /** Absolute ms; 0 = never. */
  deadline: number;
  cmd: Command;
  args: Args;
  timeoutReply: ((r: ReplyWriter) => void) | undefined;
  /**
   * Stream readers: whether the value now at a ready key wakes this client (a stream; for
   * XREADGROUP also no key or another type, unblock_on_nokey). Undefined: every signal wakes it.
   */
  wants?: (value: unknown) => boolean;
  /** XREADGROUP: a deleted or replaced key wakes it (Redis's unblock_on_nokey). */
  noKey?: boolean;
  /** BlockType.Event: the event it waits for. */
  event?: WakeEvent;
  /** false: CLIENT UNBLOCK can't end it (MIGRATE, which must hear its target out). */
  unblockable?: boolean;
}

export interface TrackingState {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: string[];
  /** CLIENT CACHING yes/no for the next command. */
  caching: 'yes' | 'no' | undefined;
}

/** A protocol error met while earlier requests of the client still wait: replied in its turn. */
export class PendingProtocolError {
  constructor(readonly text: string) {}
}

export class Client {
  db = 0;
  resp: Resp = 2;
  name = '';
  libName = '';
  libVer = '';
  flags = 0;
  user = 'default';
  authenticated: boolean;
  /** Full name of the last command run (CLIENT LIST cmd=), 'NULL' before any. */
  lastCommand = 'NULL';
  multi: MultiState | undefined;
  /** "db\0key" of each WATCHed key. */
  readonly watched = new Set<string>();
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  tracking: TrackingState | undefined;
  blocked: BlockedState | undefined;
  /** Requests that arrived while blocked, run in order once it is unblocked. */
  pending: (Args | PendingProtocolError)[] = [];
  /** Arguments of the command running now (argv-mem). */
  argvMem = 0;
  /**
   * Redis's c->woff: the replication stream's offset after this client's last propagated write
   * (WAIT waits for replicas to reach it), and the AOF's (WAITAOF waits for the fsync to pass it).
   */
  replWoff = 0;
  aofWoff = 0;
  /** The output-limit class native was last given (see clients/limits.ts). */
  limitClass: 'normal' | 'replica' | 'pubsub' | undefined;
  private cachedAddr: string | undefined;
  private cachedLaddr: string | undefined;

  constructor(
    readonly id: number,
    readonly slot: number,
    readonly connType: string,
    readonly local: boolean,
    readonly ctimeMs: number,
    authenticated: boolean,
    private readonly resolveAddress: (slot: number, remote: boolean) => string,
  ) {
    this.authenticated = authenticated;
  }

  /** Peer address, read once and cached (Redis caches it on first use too). */
  get addr(): string {
    if (this.cachedAddr === undefined) this.cachedAddr = this.resolveAddress(this.slot, true);
    return this.cachedAddr;
  }

  get laddr(): string {
    if (this.cachedLaddr === undefined) this.cachedLaddr = this.resolveAddress(this.slot, false);
    return this.cachedLaddr;
  }

  /** No more commands run for a client that is closing (either way). */
  get closing(): boolean {
    return (this.flags & (ClientFlag.CloseAfterReply | ClientFlag.CloseAsap)) !== 0;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Redis's getClientType: master, replica (not MONITOR), pubsub, normal. */
  get type(): 'master' | 'slave' | 'pubsub' | 'normal' {
    if (this.flags & ClientFlag.Master) return 'master';
    if (this.flags & ClientFlag.Slave && !(this.flags & ClientFlag.Monitor)) return 'slave';
    if (this.flags & ClientFlag.PubSub) return 'pubsub';
    return 'normal';
  }
}

/** Client type names as CLIENT LIST TYPE / CLIENT KILL TYPE accept them. */
export function clientTypeByName(name: string): 'master' | 'slave' | 'pubsub' | 'normal' | undefined {
  switch (name.toLowerCase()) {
    case 'normal': return 'normal';
    case 'slave':
    case 'replica': return 'slave';
    case 'pubsub': return 'pubsub';
    case 'master': return 'master';
    default: return undefined;
  }
}
