// The command table: one row per command (name, arity, flags, key positions, ACL categories,
// docs, handler). It drives dispatch, arity errors, COMMAND INFO/DOCS/LIST and the ACL. Each
// family file in commands/ exports its rows; commands/index.ts gathers them. It sits below the
// clients, the ACL and the commands, which all use it, and imports none of them.
import type { LatencyHistogram } from '../stats/latency-histogram.js';
import { nameHash, type Args } from '../engine/args.js';
import type { ReplyWriter } from '../protocol/reply.js';

export enum CmdFlag {
  Write = 1 << 0,
  Readonly = 1 << 1,
  DenyOom = 1 << 2,
  Admin = 1 << 3,
  PubSub = 1 << 4,
  NoScript = 1 << 5,
  Blocking = 1 << 6,
  Loading = 1 << 7,
  Stale = 1 << 8,
  SkipMonitor = 1 << 9,
  SkipSlowlog = 1 << 10,
  Fast = 1 << 11,
  NoAuth = 1 << 12,
  MayReplicate = 1 << 13,
  Sentinel = 1 << 14,
  OnlySentinel = 1 << 15,
  NoMandatoryKeys = 1 << 16,
  Protected = 1 << 17,
  NoAsyncLoading = 1 << 18,
  NoMulti = 1 << 19,
  MovableKeys = 1 << 20,
  AllowBusy = 1 << 21,
  Asking = 1 << 22,
}

/** Flag names as COMMAND INFO prints them, in Redis's order. */
export const FLAG_NAMES: readonly [CmdFlag, string][] = [
  [CmdFlag.Write, 'write'],
  [CmdFlag.Readonly, 'readonly'],
  [CmdFlag.DenyOom, 'denyoom'],
  [CmdFlag.Admin, 'admin'],
  [CmdFlag.PubSub, 'pubsub'],
  [CmdFlag.NoScript, 'noscript'],
  [CmdFlag.Blocking, 'blocking'],
  [CmdFlag.Loading, 'loading'],
  [CmdFlag.Stale, 'stale'],
  [CmdFlag.SkipMonitor, 'skip_monitor'],
  [CmdFlag.SkipSlowlog, 'skip_slowlog'],
  [CmdFlag.Asking, 'asking'],
  [CmdFlag.Fast, 'fast'],
  [CmdFlag.NoAuth, 'no_auth'],
  // may_replicate, sentinel, only_sentinel and protected: hidden on purpose, as Redis's
  // addReplyFlagsForCommand hides them.
  [CmdFlag.NoMandatoryKeys, 'no_mandatory_keys'],
  [CmdFlag.NoAsyncLoading, 'no_async_loading'],
  [CmdFlag.NoMulti, 'no_multi'],
  [CmdFlag.MovableKeys, 'movablekeys'],
  [CmdFlag.AllowBusy, 'allow_busy'],
];

/**
 * What a handler gets: reused for every command, valid only during the call. Its `client` and
 * `server` are declared by commands/context.ts (declaration merging), so that this file needs
 * neither the clients nor the server.
 */
export interface CommandCall {
  args: Args;
  reply: ReplyWriter;
  /** The batch clock, ms. */
  now: number;
  /** True when a blocked command runs again because a key it waits on got data. */
  reprocessing: boolean;
  /**
   * Set by a handler whose own reply decides whether the call failed (EVAL, FCALL: errors of
   * the script's commands count in errorstats but not as the script's failure).
   */
  failed?: boolean;
  /**
   * performance.now() at the last command boundary: a command's duration runs from here to the
   * end of its handler, and that end is the next command's start (one clock read per command).
   */
  clock: number;
  /**
   * The duration of the command that just ran, µs, for what is recorded after it (the slow log,
   * latency, histograms). A field, not an argument: a fractional number handed to a function
   * V8 did not inline is boxed, a heap allocation per command.
   */
  us: number;
}

export type Handler = (call: CommandCall) => void;

export interface KeySpecDef {
  /** Free text COMMAND INFO prints first when present. */
  notes?: string;
  /** Key-spec flags as COMMAND INFO prints them (RW, RO, OW, RM, access, insert, ...). */
  flags: readonly string[];
  begin: number;
  /** begin_search "keyword": keys follow this keyword, searched from `startFrom` (negative: from the end, backwards); `begin` is then unused. */
  keyword?: { keyword: string; startFrom: number };
  lastKey: number;
  step: number;
  limit?: number;
  /** find_keys "keynum": the key count is the argument at begin+index, keys start at begin+first. */
  keynum?: { index: number; first: number; step: number };
  /** begin_search and find_keys "unknown" (SORT's BY/GET and STORE): the row's getKeys finds them. */
  unknown?: boolean;
}

/** A key a command names, found by its getKeys (Redis's getkeys_proc), with its spec flags. */
export interface KeyRef {
  pos: number;
  flags: readonly string[];
}

/** Where keys begin after a begin_search keyword (the keyword's index + 1), -1 when absent. */
function keywordPosition(k: { keyword: string; startFrom: number }, argc: number, argAt: (i: number) => string): number {
  const start = k.startFrom >= 0 ? k.startFrom : argc + k.startFrom;
  const step = k.startFrom >= 0 ? 1 : -1;
  const end = k.startFrom >= 0 ? argc : 0;
  for (let i = start; i !== end && i >= 0 && i < argc; i += step) {
    if (argAt(i).toLowerCase() === k.keyword.toLowerCase()) return i + 1;
  }
  return -1;
}

/** Argument positions (relative to the command name) of the keys a key spec selects. */
export function keySpecPositions(
  s: Pick<KeySpecDef, 'begin' | 'keyword' | 'lastKey' | 'step' | 'limit' | 'keynum' | 'unknown'>,
  argc: number,
  argAt: (i: number) => string,
): number[] {
  const out: number[] = [];
  if (s.unknown) return out;
  if (s.keyword) {
    const begin = keywordPosition(s.keyword, argc, argAt);
    if (begin < 0) return out;
    s = { ...s, keyword: undefined, begin };
  }
  if (s.keynum) {
    const at = s.begin + s.keynum.index;
    if (at >= argc) return out;
    const n = Number(argAt(at));
    if (!Number.isInteger(n) || n <= 0) return out;
    for (let k = 0, i = s.begin + s.keynum.first; k < n && i < argc; k++, i += s.keynum.step) out.push(i);
    return out;
  }
  let last: number;
  if (s.lastKey >= 0) last = s.begin + s.lastKey;
  else if (!s.limit) last = argc + s.lastKey;
  else last = s.begin + Math.floor((argc - s.begin) / s.limit) + s.lastKey;
  for (let i = s.begin; i <= last && i < argc; i += s.step || 1) out.push(i);
  return out;
}

export interface CommandDef {
  name: string;
  arity: number;
  flags: number;
  acl: readonly string[];
  group: string;
  since: string;
  summary: string;
  complexity?: string;
  firstKey?: number;
  lastKey?: number;
  step?: number;
  keySpecs?: readonly KeySpecDef[];
  /**
   * Redis's getkeys_proc, for rows whose key specs cannot find every key ("unknown" ones): the
   * keys of a call, from its argument count and lower-cased arguments (0 is the command name).
   */
  getKeys?: (argc: number, lower: (i: number) => string) => KeyRef[];
  tips?: readonly string[];
  handler?: Handler;
  subcommands?: readonly CommandDef[];
}

export class Command {
  readonly name: string;
  /** 'get', or 'client|list' for a subcommand. */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: number;
  readonly handler: Handler | undefined;
  readonly subcommands: Map<string, Command> | undefined;
  /** The lower-case name as bytes, and subcommands by name hash: lookups without strings. */
  readonly nameBytes: Uint8Array;
  private readonly subByHash: NameIndex | undefined;
  calls = 0;
  usec = 0;
  failedCalls = 0;
  rejectedCalls = 0;
  /** Latency of its calls (latency-tracking), made on the first call. */
  histogram: LatencyHistogram | undefined;
  /** May skip processCommand's checks while nothing they look at is set (commands/fast-path.ts). */
  fastPath = false;

  constructor(readonly def: CommandDef, readonly parent?: Command) {
    this.name = def.name;
    this.fullName = parent ? `${parent.name}|${def.name}` : def.name;
    this.arity = def.arity;
    this.flags = def.flags;
    this.handler = def.handler;
    this.nameBytes = Buffer.from(def.name, 'latin1');
    if (def.subcommands) {
      this.subcommands = new Map(def.subcommands.map((s) => [s.name, new Command(s, this)]));
      this.subByHash = new NameIndex(this.subcommands.entries());
    }
  }

  /** The subcommand named by argument i. */
  findSub(args: Args, i: number): Command | undefined {
    return this.subByHash?.find(args, i) ?? this.subcommands?.get(args.lower(i));
  }

  get firstKey(): number {
    return this.def.firstKey ?? 0;
  }
  get lastKey(): number {
    return this.def.lastKey ?? 0;
  }
  get step(): number {
    return this.def.step ?? 0;
  }

  arityOk(argc: number): boolean {
    return this.arity > 0 ? argc === this.arity : argc >= -this.arity;
  }
}

/**
 * Commands by the hash of their lower-case name, in an open-addressing array (a Map keyed by
 * numbers costs more per request): the request's name is hashed and compared in place, so the
 * lookup builds no string. Linear probing; the table stays at most a quarter full.
 */
class NameIndex {
  private readonly slots: (Command | undefined)[];
  private readonly names: Uint8Array[];
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /** Entries are [name it is called by, command]: a renamed command is found by its new name. */
  constructor(entries: Iterable<[string, Command]>) {
    const list = [...entries];
    let size = 16;
    while (size < list.length * 4) size *= 2;
    this.mask = size - 1;
    this.slots = new Array<Command | undefined>(size).fill(undefined);
    this.names = new Array<Uint8Array>(size);
    this.hashes = new Int32Array(size);
    for (const [name, c] of list) {
      const h = nameHash(name) | 0;
      let k = h & this.mask;
      while (this.slots[k] !== undefined) k = (k + 1) & this.mask;
      this.slots[k] = c;
      this.names[k] = name === c.name ? c.nameBytes : Buffer.from(name, 'latin1');
      this.hashes[k] = h;
    }
  }

  find(args: Args, i: number): Command | undefined {
    const h = args.lowerHash(i) | 0;
    for (let k = h & this.mask; ; k = (k + 1) & this.mask) {
      const c = this.slots[k];
      if (c === undefined) return undefined;
      if (this.hashes[k] === h && args.matchesLower(i, this.names[k]!)) return c;
    }
  }
}

export class CommandTable {
  private readonly commands = new Map<string, Command>();
  private byHash: NameIndex;

  constructor(defs: readonly CommandDef[]) {
    for (const d of defs) {
      if (this.commands.has(d.name)) throw new Error(`command ${d.name} defined twice`);
      this.commands.set(d.name, new Command(d));
    }
    this.byHash = new NameIndex(this.commands.entries());
  }

  /**
   * rename-command: the command is called `to` from now on (COMMAND INFO, stats and errors keep
   * its real name, as Redis's fullname does); an empty `to` removes it. The loader checked both.
   */
  rename(from: string, to: string): void {
    const c = this.commands.get(from.toLowerCase());
    if (!c) return;
    this.commands.delete(from.toLowerCase());
    if (to !== '') this.commands.set(to.toLowerCase(), c);
    this.byHash = new NameIndex(this.commands.entries());
  }

  get(name: string): Command | undefined {
    return this.commands.get(name);
  }

  /** The command named by argument i, found without building a string on the hot path. */
  find(args: Args, i: number): Command | undefined {
    return this.byHash.find(args, i) ?? this.commands.get(args.lower(i));
  }

  get size(): number {
    return this.commands.size;
  }

  all(): IterableIterator<Command> {
    return this.commands.values();
  }

  /** Every command and subcommand, for COMMAND LIST / COMMAND COUNT style walks. */
  *everything(): IterableIterator<Command> {
    for (const c of this.commands.values()) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}
