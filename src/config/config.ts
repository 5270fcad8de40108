// The live configuration: the current value of every directive, kept as the exact string CONFIG GET
// prints, validated and formatted the way Redis 7 does it (config.c), for redis.conf, command-line
// flags and CONFIG GET/SET alike. The rows of directives.ts drive everything here.
import { accessSync, constants as fsConstants, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DIRECTIVES, type Directive, findDirective, LLONG_MAX } from './directives.js';
import { exactBound } from './directives.js';
import { strerror } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { formatDouble, memtoull, string2d, string2ll, strtoll } from '../util/numbers.js';
import { splitArgs, splitOnSpaces } from '../util/sds.js';

// The primitives moved to parse.ts; these names stay importable from here.

export type ConfigSource = 'file' | 'cli' | 'config-set';
export type SetResult = { ok: true } | { ok: false; error: string };
/** `previous` holds the values before the change, for restore() when applying it fails. */
export type SetManyResult = { ok: true; changed: string[]; previous: ReadonlyMap<Directive, string> } | { ok: false; error: string };
export interface BufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}
export interface ClientOutputBufferLimits {
  normal: BufferLimit;
  replica: BufferLimit;
  pubsub: BufferLimit;
}
export interface SetOptions {
  /** CONFIG SET from a local client: PROTECTED_CONFIG directives under `enable-protected-configs local`. */
  localClient?: boolean;
  /**
   * Redis's reading_config_file flag, for 'file' / 'cli' sets (default true): while it is set, the
   * first `save` line replaces the default list and later ones append. Redis clears it when an
   * `include`d file finishes, so later `save` lines of the including file each replace the list.
   */
  readingConfigFile?: boolean;
}

/**
 * CONFIG SET's error text for `name` (as Redis names it) failing with `reason`. Like every error
 * text here it has no "ERR " prefix: the reply layer adds it, as Redis's addReplyErrorFormat does.
 */
export function configSetError(name: string, reason: string): string {
  return `CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

/** CONFIG SET's error for a name that is no directive. */
function configSetUnknownError(name: string): string {
  return `Unknown option or number of arguments for CONFIG SET - '${name}'`;
}

// ---- value handlers: arguments → the string CONFIG GET prints, or Redis's error text ------------

type Parsed = { value: string } | { error: string };
interface HandlerContext {
  readonly row: Directive;
  readonly current: string;
  /** CONFIG SET (not a file or flag): its apply step may adjust the value (clampOnSet). */
  readonly configSet: boolean;
  /** Redis's reading_config_file: `save` lines then accumulate. */
  readonly readingFile: boolean;
  /** The first `save` line of a load replaces the default; later ones append. */
  firstSaveOfLoad(): boolean;
}
type Handler = (args: readonly string[], ctx: HandlerContext) => Parsed;

function parseBool(args: readonly string[]): Parsed {
  const v = (args[0] ?? '').toLowerCase();
  return v === 'yes' || v === 'no' ? { value: v } : { error: "argument must be 'yes' or 'no'" };
}

function parseEnum(args: readonly string[], { row }: HandlerContext): Parsed {
  const values = row.values ?? [];
  const bad = { error: `argument(s) must be one of the following: ${values.join(', ')}` };
  if (!row.bitflags) {
    const v = args.length === 1 ? values.find((x) => x === (args[0] as string).toLowerCase()) : undefined;
    return v === undefined ? bad : { value: row.synonyms?.[v] ?? v };
  }
  // values[0] is 0 and values[i] is bit i-1; printed as Redis's configEnumGetName does.
  if (args.length === 0) return bad;
  let bits = 0;
  for (const a of args) {
    const i = values.indexOf(a.toLowerCase());
    if (i < 0) return bad;
    if (i > 0) bits |= 1 << (i - 1);
  }
  const value = bits === 0 ? (values[0] as string) : values.filter((_, i) => i > 0 && bits & (1 << (i - 1))).join(' ');
  const err = row.validate?.(value);
  return err === undefined ? { value } : { error: err };
}

function parseString(args: readonly string[], { row }: HandlerContext): Parsed {
  const v = args[0] ?? '';
  const err = row.validate?.(v);
  return err === undefined ? { value: v } : { error: err };
}

/** config.c numericParseString + numericBoundaryCheck + numericConfigGet. */
function parseNumber(args: readonly string[], { row, configSet }: HandlerContext): Parsed {
  const v = args[0] ?? '';
  let ll: bigint | undefined;
  if (row.kind === 'memory') {
    const m = memtoull(v);
    if (m !== undefined) ll = BigInt.asIntN(64, m);
  }
  if (ll === undefined && row.percent && v.length > 1 && v.endsWith('%')) {
    const n = string2ll(v.slice(0, -1));
    if (n !== undefined && n >= 0n) ll = -n; // Redis stores N% as -N
  }
  if (ll === undefined && row.octal) {
    const r = strtoll(v, 8);
    if (r.whole && !r.overflow) ll = r.value;
  }
  if (ll === undefined && row.kind === 'int' && !row.octal) ll = string2ll(v);
  if (ll === undefined) {
    if (row.kind === 'memory') return { error: row.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value' };
    return { error: row.octal ? "argument couldn't be parsed as an octal number" : "argument couldn't be parsed into an integer" };
  }
  const lo = exactBound(row.min ?? -LLONG_MAX);
  const hi = exactBound(row.max ?? LLONG_MAX);
  if (row.unsigned) {
    const u = BigInt.asUintN(64, ll);
    if (u > hi || u < lo) {
      const f = (b: bigint) => (row.octal ? b.toString(8) : b.toString());
      return { error: `argument must be between ${f(lo)} and ${f(hi)} inclusive` };
    }
  } else if (row.percent && ll < 0n) {
    if (ll < lo) return { error: `percentage argument must be less or equal to ${-lo}` };
  } else if (ll > hi || ll < lo) {
    return { error: `argument must be between ${lo} and ${hi} inclusive` };
  }
  const clamp = row.clamp ?? (configSet ? row.clampOnSet : undefined);
  if (clamp) {
    const [cmin, cmax] = [exactBound(clamp[0]), exactBound(clamp[1])];
    if (ll < cmin) ll = cmin;
    if (ll > cmax) ll = cmax;
  }
  if (row.percent && ll < 0n) return { value: `${-ll}%` };
  if (row.kind === 'memory') return { value: BigInt.asUintN(64, ll).toString() };
  return { value: row.octal ? ll.toString(8) : ll.toString() };
}

// notify.c keyspace event classes; 'A' is the alias for g$lshzxetd.
const KEYSPACE_CLASSES = 'g$lshzxetdn';
const KEYSPACE_ALL = 'g$lshzxetd';
function parseKeyspaceEvents(args: readonly string[]): Parsed {
  if (args.length !== 1) return { error: 'wrong number of arguments' };
  const set = new Set<string>();
  for (const c of args[0] as string) {
    if (c === 'A') for (const a of KEYSPACE_ALL) set.add(a);
    else if (KEYSPACE_CLASSES.includes(c) || c === 'K' || c === 'E' || c === 'm') set.add(c);
    else return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
  }
  let out = [...KEYSPACE_ALL].every((c) => set.has(c)) ? 'A' : [...KEYSPACE_CLASSES].filter((c) => set.has(c)).join('');
  for (const c of 'KEm') if (set.has(c)) out += c;
  return { value: out };
}

const CLASS_INDEX: Readonly<Record<string, number>> = { normal: 0, slave: 1, replica: 1, pubsub: 2 };
const CLASS_NAMES = ['normal', 'slave', 'pubsub'] as const;

function parseObufLimits(args: readonly string[], { current }: HandlerContext): Parsed {
  if (args.length % 4) return { error: 'Wrong number of arguments in buffer limit configuration.' };
  const limits = splitOnSpaces(current);
  for (let j = 0; j < args.length; j += 4) {
    const cls = CLASS_INDEX[(args[j] as string).toLowerCase()];
    if (cls === undefined) return { error: 'Invalid client class specified in buffer limit configuration.' };
    const hard = memtoull(args[j + 1] as string);
    const soft = memtoull(args[j + 2] as string);
    const secs = strtoll(args[j + 3] as string, 10);
    const seconds = BigInt.asIntN(32, secs.value); // Redis keeps soft_seconds in an int
    if (hard === undefined || soft === undefined || seconds < 0n || !secs.whole)
      return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
    limits.splice(cls * 4, 4, CLASS_NAMES[cls] as string, hard.toString(), soft.toString(), seconds.toString());
  }
  return { value: limits.join(' ') };
}

function parseSave(args: readonly string[], ctx: HandlerContext): Parsed {
  let list = args;
  let reset = !ctx.readingFile;
  if (list.length === 1 && list[0] === '') {
    list = []; // `save ""`: no snapshots, even in the middle of a file
    reset = true;
  }
  if (list.length % 2) return { error: 'Invalid save parameters' };
  for (let j = 0; j < list.length; j++) {
    const r = strtoll(list[j] as string, 10);
    if (!r.whole || (j % 2 === 0 && r.value < 1n) || (j % 2 === 1 && r.value < 0n)) return { error: 'Invalid save parameters' };
  }
  if (ctx.firstSaveOfLoad()) reset = true;
  const pairs: string[] = reset || ctx.current === '' ? [] : [ctx.current];
  for (let j = 0; j < list.length; j += 2) {
    const seconds = strtoll(list[j] as string, 10).value;
    const changes = BigInt.asIntN(32, strtoll(list[j + 1] as string, 10).value);
    pairs.push(`${seconds} ${changes}`);
  }
  return { value: pairs.join(' ') };
}

function parseBind(args: readonly string[]): Parsed {
  if (args.length > 16) return { error: 'Too many bind addresses specified.' };
  return { value: args.length === 1 && args[0] === '' ? '' : args.join(' ') };
}

function parseReplicaOf(args: readonly string[]): Parsed {
  if (args.length !== 2) return { error: 'wrong number of arguments' };
  const [host, portText] = args as [string, string];
  if (host.toLowerCase() === 'no' && portText.toLowerCase() === 'one') return { value: '' };
  const port = strtoll(portText, 10);
  if (!port.whole || port.value < 0n || port.value > 65535n) return { error: 'Invalid master port' };
  return { value: `${host} ${port.value}` };
}

function parseOomValues(args: readonly string[]): Parsed {
  if (args.length !== 3) return { error: 'wrong number of arguments' };
  const out: string[] = [];
  for (const a of args) {
    const r = strtoll(a, 10);
    if (!r.whole || r.value < -2000n || r.value > 2000n)
      return { error: 'Invalid oom-score-adj-values, elements must be between -2000 and 2000.' };
    out.push(r.value.toString());
  }
  return { value: out.join(' ') };
}

function parsePercentiles(args: readonly string[]): Parsed {
  if (args.length === 1 && args[0] === '') return { value: '' };
  const out: string[] = [];
  for (const a of args) {
    const v = string2d(a);
    if (v === undefined) return { error: 'Invalid latency-tracking-info-percentiles parameters' };
    if (v > 100 || v < 0) return { error: 'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]' };
    out.push(formatDouble(v));
  }
  return { value: out.join(' ') };
}

// Redis chdir()s; respd keeps the process directory alone and stores the resolved absolute path
// (what getcwd() would print), so relative paths resolve against the current `dir`.
function parseDir(args: readonly string[], { current }: HandlerContext): Parsed {
  if (args.length !== 1) return { error: 'wrong number of arguments' };
  const arg = args[0] as string;
  try {
    if (arg === '') throw Object.assign(new Error(), { code: 'ENOENT' });
    const target = resolve(current, arg);
    if (!statSync(target).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    accessSync(target, fsConstants.X_OK);
    return { value: realpathSync(target) };
  } catch (e) {
    return { error: strerror((e as NodeJS.ErrnoException).code) };
  }
}

const KIND_HANDLERS: Readonly<Record<Directive['kind'], Handler>> = {
  bool: parseBool,
  int: parseNumber,
  memory: parseNumber,
  enum: parseEnum,
  string: parseString,
  list: parseBind,
  special: () => ({ error: 'Bad directive or wrong number of arguments' }),
};

const SPECIAL_HANDLERS: Readonly<Record<string, Handler>> = {
  dir: parseDir,
  save: parseSave,
  'client-output-buffer-limit': parseObufLimits,
  'oom-score-adj-values': parseOomValues,
  'notify-keyspace-events': parseKeyspaceEvents,
  replicaof: parseReplicaOf,
  'latency-tracking-info-percentiles': parsePercentiles,
};

const handlerFor = (row: Directive): Handler => SPECIAL_HANDLERS[row.name] ?? KIND_HANDLERS[row.kind];

// ---- the configuration ------------------------------------------------------------------------

/** One CONFIG entry: Redis registers each alias as an entry of its own, with its own name. */
interface Entry {
  readonly row: Directive;
  readonly name: string;
}

function lookupEntry(name: string): Entry | undefined {
  const row = findDirective(name);
  return row && !row.fileOnly ? { row, name: name.toLowerCase() } : undefined;
}

function bufferLimit(words: readonly string[], at: number): BufferLimit {
  return { hard: Number(words[at + 1]), soft: Number(words[at + 2]), softSeconds: Number(words[at + 3]) };
}

export class Config {
  private readonly values = new Map<Directive, string>();
  /** Rows set from a file or flag, in the order first set: what `notActedOn()` reports from. */
  private readonly explicit = new Set<Directive>();
  private readonly listeners: ((name: string, value: string) => void)[] = [];
  /** Argument lists of repeatable file-only directives (user, rename-command), in file order. */
  private readonly fileLines = new Map<string, string[][]>();
  /** Redis's static save_loaded: the first `save` line of a file or flag replaces the default list. */
  private saveSeenInLoad = false;

  /** int() results by the name asked for: the hot paths read a few directives per command. */
  private readonly ints = new Map<string, number>();

  private constructor() {
    for (const row of DIRECTIVES) if (!row.fileOnly) this.values.set(row, row.default);
  }

  /** Every change of a value goes through here, and forgets the parsed integers. */
  private put(row: Directive, value: string): void {
    this.values.set(row, value);
    this.ints.clear();
  }

  /** A fresh configuration, as redis-server has it with no file and no flags. */
  static defaults(): Config {
    const c = new Config();
    let cwd = ''; // what Redis prints when getcwd() fails
    try {
      cwd = realpathSync(process.cwd());
    } catch {
      // the working directory was removed
    }
    c.put(findDirective('dir') as Directive, cwd);
    return c;
  }

  /** The value CONFIG GET prints, by name or alias (any case); undefined for no such directive. */
  get(name: string): string | undefined {
    // findDirective, not lookupEntry: a read needs the row only (no entry object, no lower-cased name).
    const row = findDirective(name);
    return row && !row.fileOnly ? this.values.get(row) : undefined;
  }

  /** The value as a number (unixsocketperm is decoded from octal). Throws for a non-integer value. */
  int(name: string): number {
    const cached = this.ints.get(name);
    if (cached !== undefined) return cached;
    const v = this.str(name);
    const row = findDirective(name) as Directive;
    let n: number;
    if (row.octal) n = parseInt(v, 8);
    else if (!/^-?[0-9]+$/.test(v)) throw new TypeError(`config ${name} is not an integer: '${v}'`);
    else n = Number(v);
    this.ints.set(name, n);
    return n;
  }

  bool(name: string): boolean {
    const v = this.str(name);
    if (v !== 'yes' && v !== 'no') throw new TypeError(`config ${name} is not yes/no: '${v}'`);
    return v === 'yes';
  }

  str(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new TypeError(`no such config directive: ${name}`);
    return v;
  }

  /** The value's space-separated words: bind addresses, save pairs, percentiles... ([] when empty). */
  list(name: string): string[] {
    return splitOnSpaces(this.str(name));
  }

  /** maxmemory-clients style values: a byte count, or a percentage of maxmemory. */
  bytesOrPercent(name: string): { bytes: number } | { percent: number } {
    const v = this.str(name);
    return v.endsWith('%') ? { percent: Number(v.slice(0, -1)) } : { bytes: Number(v) };
  }

  clientOutputBufferLimits(): ClientOutputBufferLimits {
    const w = this.list('client-output-buffer-limit'); // always "normal h s t slave h s t pubsub h s t"
    return { normal: bufferLimit(w, 0), replica: bufferLimit(w, 4), pubsub: bufferLimit(w, 8) };
  }

  /** Argument lists given to a repeatable file-only directive ('user', 'rename-command'). */
  fileDirective(name: 'user' | 'rename-command'): readonly (readonly string[])[] {
    return this.fileLines.get(name) ?? [];
  }

  /** Records a validated `user` / `rename-command` line (the loader validates them). */
  addFileDirective(name: 'user' | 'rename-command', args: readonly string[]): void {
    const lines = this.fileLines.get(name) ?? [];
    lines.push([...args]);
    this.fileLines.set(name, lines);
    this.explicit.add(findDirective(name) as Directive);
  }

  /**
   * Sets one directive. From 'file' / 'cli', `args` are the tokens after the directive name and the
   * error is Redis's bare reason (load.ts frames it). From 'config-set', `args` is the one value
   * string and the error is CONFIG SET's full text.
   */
  set(name: string, args: readonly string[], from: ConfigSource, opts: SetOptions = {}): SetResult {
    if (from === 'config-set') {
      if (args.length !== 1) return { ok: false, error: configSetUnknownError(name) };
      const r = this.setMany([[name, args[0] as string]], opts);
      return r.ok ? { ok: true } : r;
    }
    const e = lookupEntry(name);
    if (!e) return { ok: false, error: 'Bad directive or wrong number of arguments' };
    const { row } = e;
    let list = args;
    if (!row.multiArg && list.length !== 1) return { ok: false, error: 'wrong number of arguments' };
    // A multi-argument directive given one non-empty argument is split again, so that
    // `--bind "127.0.0.1 ::1"` works; `--save ""` stays one empty argument.
    if (row.multiArg && list.length === 1 && list[0] !== '') list = splitArgs(list[0] as string) ?? [];
    const r = this.parse(row, list, false, opts.readingConfigFile ?? true);
    if ('error' in r) return { ok: false, error: r.error };
    this.explicit.add(row);
    this.store(row, r.value);
    return { ok: true };
  }

  /**
   * CONFIG SET name value [name value ...], all or nothing as in Redis 7: unknown names, immutable
   * or protected directives and duplicates are refused before anything changes; a value error
   * restores every value set so far. `changed` lists canonical names whose value changed.
   */
  setMany(pairs: readonly (readonly [string, string])[], opts: SetOptions = {}): SetManyResult {
    let unknown: string | undefined;
    let reason: string | undefined;
    let culprit = '';
    const entries: Entry[] = [];
    for (const [name] of pairs) {
      const e = lookupEntry(name);
      if (!e) {
        if (unknown === undefined && reason === undefined) unknown = name;
        continue;
      }
      if (unknown !== undefined || reason !== undefined) continue;
      if (!e.row.mutable || (e.row.protectedConfig && !this.protectedAllowed(opts))) {
        reason = e.row.mutable ? "can't set protected config" : "can't set immutable config";
        culprit = name;
        continue;
      }
      if (entries.some((x) => x.row === e.row && x.name === e.name)) {
        reason = 'duplicate parameter';
        culprit = name;
        continue;
      }
      entries.push(e);
    }
    if (unknown !== undefined) return { ok: false, error: configSetUnknownError(unknown) };
    if (reason !== undefined) return { ok: false, error: configSetError(culprit, reason) };

    // A name and its alias are two entries of one row, so later pairs see earlier ones' values.
    const before = new Map<Directive, string>();
    for (const e of entries) if (!before.has(e.row)) before.set(e.row, this.values.get(e.row) as string);
    for (let i = 0; i < entries.length; i++) {
      const { row, name } = entries[i] as Entry;
      const value = (pairs[i] as readonly [string, string])[1];
      const r = this.parse(row, row.multiArg ? splitOnSpaces(value) : [value], true, false);
      if ('error' in r) {
        for (const [d, v] of before) this.put(d, v);
        return { ok: false, error: configSetError(name, r.error) };
      }
      this.put(row, r.value);
    }
    const changed = [...before].filter(([d, v]) => d.volatile || this.values.get(d) !== v).map(([d]) => d);
    for (const d of changed) this.notify(d);
    return { ok: true, changed: changed.map((d) => d.name), previous: before };
  }

  /** Redis's restoreBackupConfig: the values setMany replaced, back after their apply step failed. */
  restore(previous: ReadonlyMap<Directive, string>): void {
    for (const [row, value] of previous) this.store(row, value);
  }

  /**
   * CONFIG GET pattern [pattern ...]: exact names (no * ? [) are looked up directly, hidden ones
   * included, and answered under the name as given; patterns match every name and alias (case
   * insensitive), hidden ones excluded. Each entry once, in the order found (Redis: hash order).
   */
  getMatching(patterns: readonly string[]): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const e = lookupEntry(pattern);
        if (e && !seen.has(e.name)) {
          seen.add(e.name);
          out.push([pattern, this.values.get(e.row) as string]);
        }
        continue;
      }
      for (const row of DIRECTIVES) {
        if (row.hidden || row.fileOnly) continue;
        for (const name of [row.name, ...(row.aliases ?? [])]) {
          if (seen.has(name) || !globMatch(pattern, name, true)) continue;
          seen.add(name);
          out.push([name, this.values.get(row) as string]);
        }
      }
    }
    return out;
  }

  /** Called with (canonical name, new value) after each successful change. */
  onChange(listener: (name: string, value: string) => void): void {
    this.listeners.push(listener);
  }

  /** Directives given in the config file or flags that respd does not act on, in the order given. */
  notActedOn(): string[] {
    return [...this.explicit].filter((d) => !d.actedOn).map((d) => d.name);
  }

  private parse(row: Directive, args: readonly string[], configSet: boolean, readingFile: boolean): Parsed {
    const ctx: HandlerContext = {
      row,
      current: this.values.get(row) as string,
      configSet,
      readingFile,
      firstSaveOfLoad: () => {
        if (!readingFile || this.saveSeenInLoad) return false;
        this.saveSeenInLoad = true;
        return true;
      },
    };
    return handlerFor(row)(args, ctx);
  }

  private store(row: Directive, value: string): void {
    const old = this.values.get(row);
    this.put(row, value);
    if (old !== value || row.volatile) this.notify(row);
  }

  private notify(row: Directive): void {
    const value = this.values.get(row) as string;
    for (const l of this.listeners) l(row.name, value);
  }

  private protectedAllowed(opts: SetOptions): boolean {
    const mode = this.values.get(findDirective('enable-protected-configs') as Directive);
    return mode === 'yes' || (mode === 'local' && opts.localClient === true);
  }
}
