// ACL users and the rules that shape them (acl.c ACLSetUser / ACLSetSelector): user flags,
// password hashes, and selectors holding command permissions, key patterns and channel patterns.
// Rule errors carry Redis's errno names and texts; descriptions are Redis 7.2's (command rules
// replayed in the order given, as ACL LIST, ACL SAVE and ACL GETUSER print them). Which commands a
// category holds comes from the command table rows' `acl` lists.
import type { Command, CommandTable } from '../table/table.js';
import { nodeCrypto } from '../util/crypto.js';
import { globMatch } from '../util/glob.js';
import { splitArgs } from '../util/sds.js';

/** ACL CAT with no argument: Redis's categories, in Redis's order. */
export const CATEGORIES: readonly string[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
];

/** Why a rule failed: acl.c's errno values, with ACLSetUserStringError's texts. */
export const RULE_ERRORS = {
  EINVAL: 'Syntax error',
  ENOENT: 'Unknown command or category name in ACL',
  EEXIST: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  EALREADY: 'Duplicate user found. A user can only be defined once in config files',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
} as const;
export type RuleError = keyof typeof RULE_ERRORS;

/** Key pattern permissions (%R~ / %W~; ~ is both). */
export const KEY_READ = 1;
export const KEY_WRITE = 2;
const KEY_ALL = KEY_READ | KEY_WRITE;

export interface KeyPattern {
  readonly pattern: string;
  flags: number;
}

/** ASCII-only lower case, as C's tolower: binary strings keep their other bytes. */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)) : s;
}

/** acl.c ACLStringHasSpaces: isspace() in the C locale, or NUL. */
export function hasSpaces(s: string): boolean {
  return /[ \t\n\v\f\r\0]/.test(s);
}

/** acl.c ACLHashPassword: SHA-256 of the password's bytes, lower-case hex. */
function hashPassword(password: string): string {
  return nodeCrypto().createHash('sha256').update(Buffer.from(password, 'latin1')).digest('hex');
}

const isPasswordHash = (h: string): boolean => /^[0-9a-f]{64}$/.test(h);

/**
 * The command table seen the way ACL rules see it: name lookup (acl.c ACLLookupCommand, one level
 * of `|` subcommands), every command and subcommand, and what each category switches on or off.
 */
export class CommandIndex {
  /** Every command and subcommand, containers before their subcommands, in table order. */
  readonly all: readonly Command[];
  /** Each category's members, worked out when a rule or ACL CAT first names it. */
  private readonly categoryMembers = new Map<string, { commands: readonly Command[]; affected: readonly Command[] }>();
  private static readonly categoryNames = new Set(CATEGORIES);

  constructor(private readonly table: CommandTable) {
    this.all = [...table.everything()];
  }

  private members(cat: string): { commands: readonly Command[]; affected: readonly Command[] } | undefined {
    let m = this.categoryMembers.get(cat);
    if (m || !CommandIndex.categoryNames.has(cat)) return m;
    // ACLSetSelectorCommandBitsForCategory: a command of the category switches itself and all
    // its subcommands; a subcommand of the category switches itself.
    const commands: Command[] = [];
    const affected = new Set<Command>();
    for (const c of this.table.all()) {
      if (c.def.acl.includes(cat)) {
        commands.push(c);
        affected.add(c);
        if (c.subcommands) for (const s of c.subcommands.values()) affected.add(s);
      }
      if (c.subcommands) {
        for (const s of c.subcommands.values()) {
          if (!s.def.acl.includes(cat)) continue;
          commands.push(s);
          affected.add(s);
        }
      }
    }
    m = { commands, affected: [...affected] };
    this.categoryMembers.set(cat, m);
    return m;
  }

  /** 'get', 'config|get' (any case); undefined for unknown names or deeper paths. */
  lookup(name: string): Command | undefined {
    if (name === '') return undefined;
    const parts = name.split('|');
    if (parts.length > 2) return undefined;
    const base = this.table.get(asciiLower(parts[0] as string));
    if (parts.length === 1) return base;
    if (!base?.subcommands) return undefined;
    return base.subcommands.get(asciiLower(parts[1] as string));
  }

  /** A category's canonical name for any spelling, or undefined. */
  category(name: string): string | undefined {
    const lower = asciiLower(name);
    return CommandIndex.categoryNames.has(lower) ? lower : undefined;
  }

  /** ACL CAT <category>: the commands and subcommands whose rows list it. */
  commandsIn(category: string): readonly Command[] {
    return this.members(category)?.commands ?? [];
  }

  /** Everything +@category / -@category switches. */
  affectedBy(category: string): readonly Command[] {
    return this.members(category)?.affected ?? [];
  }
}

/**
 * One set of permissions. A user has a root selector (the rules outside parentheses) and any
 * number of others; a command runs if one selector allows all of it.
 */
export class Selector {
  /** SELECTOR_FLAG_ALLCOMMANDS: every command, without looking at `allowed`. */
  allCommands = false;
  /** The reserved bit +@all sets and -@all clears: the description starts from +@all. */
  futureCommands = false;
  readonly allowed = new Set<Command>();
  /** +cmd|arg for a command that is otherwise off (deprecated in Redis, still honoured). */
  firstArgs: Map<Command, string[]> | undefined;
  /** Command and category rules in the order they last took effect, e.g. '+get', '-@write'. */
  commandRules: string[] = [];
  allKeys = false;
  keyPatterns: KeyPattern[] = [];
  allChannels = false;
  channels: string[] = [];

  constructor(readonly root: boolean, allChannels: boolean) {
    this.allChannels = allChannels;
  }

  clone(): Selector {
    const s = new Selector(this.root, this.allChannels);
    s.allCommands = this.allCommands;
    s.futureCommands = this.futureCommands;
    for (const c of this.allowed) s.allowed.add(c);
    if (this.firstArgs) s.firstArgs = new Map([...this.firstArgs].map(([c, a]) => [c, [...a]]));
    s.commandRules = [...this.commandRules];
    s.allKeys = this.allKeys;
    s.keyPatterns = this.keyPatterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    return s;
  }

  /** acl.c ACLSetSelector. */
  apply(op: string, index: CommandIndex): RuleError | undefined {
    const lower = asciiLower(op);
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.keyPatterns = [];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.keyPatterns = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      for (const c of index.all) this.allowed.add(c);
      this.allCommands = true;
      this.futureCommands = true;
      this.commandRules = [];
      this.firstArgs = undefined;
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.clear();
      this.allCommands = false;
      this.futureCommands = false;
      this.commandRules = [];
      this.firstArgs = undefined;
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) return 'EISDIR';
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) return 'EINVAL';
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
    } else if (op[0] === '+' && op[1] !== '@') {
      return this.allowCommand(op.slice(1), index);
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = index.lookup(op.slice(1));
      if (!cmd) return 'ENOENT';
      this.changePerm(cmd, false);
      this.updateCommandRules(cmd.fullName, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const cat = index.category(op.slice(2));
      if (cat === undefined) return 'ENOENT';
      const allow = op[0] === '+';
      this.updateCommandRules(op.slice(1), allow);
      for (const c of index.affectedBy(cat)) this.setBit(c, allow);
      for (const c of index.commandsIn(cat)) this.firstArgs?.delete(c);
    } else {
      return 'EINVAL';
    }
    return undefined;
  }

  private addKeyPattern(op: string): RuleError | undefined {
    if (this.allKeys) return 'EEXIST';
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const c = (op[offset] as string).toUpperCase();
        if (c === 'R' && !(flags & KEY_READ)) flags |= KEY_READ;
        else if (c === 'W' && !(flags & KEY_WRITE)) flags |= KEY_WRITE;
        else if (op[offset] === '~' && flags) {
          offset++;
          break;
        } else return 'EINVAL';
      }
    } else {
      flags = KEY_ALL;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return 'EINVAL';
    const found = this.keyPatterns.find((p) => p.pattern === pattern);
    if (found) found.flags |= flags;
    else this.keyPatterns.push({ pattern, flags });
    return undefined;
  }

  /** '+name', '+container|sub' or '+command|first-arg'. */
  private allowCommand(name: string, index: CommandIndex): RuleError | undefined {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = index.lookup(name);
      if (!cmd) return 'ENOENT';
      this.changePerm(cmd, true);
      this.updateCommandRules(cmd.fullName, true);
      return undefined;
    }
    const cmd = index.lookup(name.slice(0, bar));
    if (!cmd) return 'ENOENT';
    if (cmd.parent) return 'ECHILD';
    const sub = name.slice(bar + 1);
    if (sub === '') return 'EINVAL';
    if (cmd.subcommands) {
      const subcmd = index.lookup(name);
      if (!subcmd) return 'ENOENT';
      this.changePerm(subcmd, true);
    } else {
      this.firstArgs ??= new Map();
      const list = this.firstArgs.get(cmd) ?? [];
      if (!list.some((a) => asciiLower(a) === asciiLower(sub))) list.push(sub);
      this.firstArgs.set(cmd, list);
    }
    this.updateCommandRules(name, true);
    return undefined;
  }

  /** ACLChangeSelectorPerm: the command, and all its subcommands for a container. */
  private changePerm(cmd: Command, allow: boolean): void {
    this.setBit(cmd, allow);
    this.firstArgs?.delete(cmd);
    if (cmd.subcommands) for (const s of cmd.subcommands.values()) this.setBit(s, allow);
  }

  private setBit(cmd: Command, allow: boolean): void {
    if (allow) {
      this.allowed.add(cmd);
    } else {
      this.allowed.delete(cmd);
      this.allCommands = false;
    }
  }

  /**
   * ACLUpdateCommandRules: drops earlier rules for the same name (and, for a whole command, its
   * `name|...` rules), then appends this one, so the description replays to the same bits.
   */
  private updateCommandRules(rule: string, allow: boolean): void {
    const name = asciiLower(rule);
    this.commandRules = this.commandRules.filter((r) => {
      const body = r.slice(1);
      return !(body === name || (body.length > name.length && body.startsWith(name) && body[name.length] === '|'));
    });
    this.commandRules.push((allow ? '+' : '-') + name);
  }

  /** ACLDescribeSelectorCommandRules. */
  describeCommands(): string {
    const start = this.futureCommands ? '+@all' : '-@all';
    return this.commandRules.length ? `${start} ${this.commandRules.join(' ')}` : start;
  }

  /** The `keys` field of ACL GETUSER. */
  describeKeys(): string {
    return this.allKeys ? '~*' : this.keyPatterns.map(patternString).join(' ');
  }

  /** The `channels` field of ACL GETUSER. */
  describeChannels(): string {
    return this.allChannels ? '&*' : this.channels.map((c) => '&' + c).join(' ');
  }

  /** ACLDescribeSelector: keys, channels, then command rules, as in ACL LIST. */
  describe(): string {
    let s = '';
    if (this.allKeys) s += '~* ';
    else for (const p of this.keyPatterns) s += patternString(p) + ' ';
    if (this.allChannels) s += '&* ';
    else {
      s += 'resetchannels ';
      for (const c of this.channels) s += '&' + c + ' ';
    }
    return s + this.describeCommands();
  }
}

function patternString(p: KeyPattern): string {
  const prefix = p.flags === KEY_ALL ? '~' : p.flags === KEY_READ ? '%R~' : '%W~';
  return prefix + p.pattern;
}

/** User flags in the order ACL LIST and ACL GETUSER print them. */
const FLAG_ORDER = ['on', 'off', 'nopass', 'skip-sanitize-payload', 'sanitize-payload'] as const;

export class User {
  enabled = false;
  nopass = false;
  /** RESTORE payload sanitizing: unset until a rule names it ('reset' sets 'sanitize'). */
  sanitize: 'unset' | 'sanitize' | 'skip' = 'unset';
  /** SHA-256 hex digests, in the order added. */
  passwords: string[] = [];
  /** selectors[0] is the root selector. */
  selectors: Selector[];

  /** acl.c ACLCreateUser: off, no passwords, no commands, no keys; channels per acl-pubsub-default. */
  constructor(readonly name: string, allChannelsByDefault: boolean) {
    this.selectors = [new Selector(true, allChannelsByDefault)];
  }

  get root(): Selector {
    return this.selectors[0] as Selector;
  }

  /** ACLCopyUser: takes `src`'s rules, keeps this name. */
  copyFrom(src: User): void {
    this.enabled = src.enabled;
    this.nopass = src.nopass;
    this.sanitize = src.sanitize;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.clone());
  }

  flags(): string[] {
    const on: Record<(typeof FLAG_ORDER)[number], boolean> = {
      on: this.enabled,
      off: !this.enabled,
      nopass: this.nopass,
      'skip-sanitize-payload': this.sanitize === 'skip',
      'sanitize-payload': this.sanitize === 'sanitize',
    };
    return FLAG_ORDER.filter((f) => on[f]);
  }

  /** acl.c ACLCheckUserCredentials. */
  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    const h = hashPassword(password);
    return this.passwords.includes(h);
  }

  /**
   * acl.c ACLSetUser: one rule. `allChannelsByDefault` is acl-pubsub-default, which new selectors
   * and 'reset' start from.
   */
  apply(op: string, index: CommandIndex, allChannelsByDefault: boolean): RuleError | undefined {
    if (op === '') return undefined;
    const lower = asciiLower(op);
    if (lower === 'on') this.enabled = true;
    else if (lower === 'off') this.enabled = false;
    else if (lower === 'skip-sanitize-payload') this.sanitize = 'skip';
    else if (lower === 'sanitize-payload') this.sanitize = 'sanitize';
    else if (lower === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (lower === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let hash: string;
      if (op[0] === '>') hash = hashPassword(op.slice(1));
      else {
        hash = op.slice(1);
        if (!isPasswordHash(hash)) return 'EBADMSG';
      }
      if (!this.passwords.includes(hash)) this.passwords.push(hash);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let hash: string;
      if (op[0] === '<') hash = hashPassword(op.slice(1));
      else {
        hash = op.slice(1);
        if (!isPasswordHash(hash)) return 'EBADMSG';
      }
      const at = this.passwords.indexOf(hash);
      if (at < 0) return 'ENODEV';
      this.passwords.splice(at, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      // An unbalanced quote inside gives an empty selector, as sdssplitargs' NULL does in Redis.
      const sel = new Selector(false, allChannelsByDefault);
      for (const rule of splitArgs(op.slice(1, -1)) ?? []) {
        const err = sel.apply(rule, index);
        if (err) return err;
      }
      this.selectors.push(sel);
    } else if (lower === 'clearselectors') {
      this.selectors.length = 1;
    } else if (lower === 'reset') {
      this.nopass = false;
      this.passwords = [];
      const root = this.root;
      root.apply('resetkeys', index);
      root.apply('resetchannels', index);
      if (allChannelsByDefault) root.apply('allchannels', index);
      this.enabled = false;
      this.sanitize = 'sanitize';
      this.selectors.length = 1;
      root.apply('-@all', index);
    } else {
      return this.root.apply(op, index);
    }
    return undefined;
  }

  /** acl.c ACLDescribeUser: the rules after `user <name> ` in ACL LIST and ACL SAVE. */
  describe(): string {
    let s = '';
    for (const f of this.flags()) s += f + ' ';
    for (const p of this.passwords) s += '#' + p + ' ';
    for (const sel of this.selectors) s += sel.root ? sel.describe() : ` (${sel.describe()})`;
    return s;
  }
}

/**
 * acl.c ACLMergeSelectorArguments: "(~a" "+get)" is one selector rule. Returns the merged rules,
 * or the index of the argument that opened an unclosed selector.
 */
export function mergeSelectorArgs(args: readonly string[]): { rules: string[] } | { unmatched: number } {
  const rules: string[] = [];
  let open = -1;
  let selector = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j] as string;
    if (open === -1 && op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      selector += ' ' + op;
      if (op[op.length - 1] === ')') {
        open = -1;
        rules.push(selector);
      }
      continue;
    }
    rules.push(op);
  }
  return open === -1 ? { rules } : { unmatched: open };
}

/**
 * acl.c ACLCheckChannelAgainstList: a PSUBSCRIBE pattern must equal an ACL pattern literally; a
 * channel is glob-matched against them.
 */
export function channelAllowed(patterns: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of patterns) if (isPattern ? p === channel : globMatch(p, channel, false)) return true;
  return false;
}

export type SubscriptionCheck = (channel: string, isPattern: boolean) => boolean;

/**
 * acl.c ACLKillPubsubClientsIfNeeded's test: undefined when no subscription allowed by `before`
 * can have become forbidden, else the check each subscription must pass under `after`.
 */
export function revokedChannels(before: User, after: User): SubscriptionCheck | undefined {
  if (after.selectors.some((s) => s.allChannels)) return undefined;
  const upcoming = after.selectors.flatMap((s) => s.channels);
  const kept = before.selectors.every((s) => !s.allChannels && s.channels.every((c) => upcoming.includes(c)));
  if (kept) return undefined;
  return (channel, isPattern) => channelAllowed(upcoming, channel, isPattern);
}
