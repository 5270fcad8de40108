// The ACL: the users by name, the permission check dispatch runs before every command
// (acl.c ACLCheckAllUserCommandPerm), authentication, and loading users from redis.conf `user`
// lines, requirepass and the ACL file. Users and their rules live in user.ts.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Config } from '../config/config.js';
import type { Client } from '../clients/client.js';
import { CmdFlag, keySpecPositions, type Command, type CommandTable, type KeySpecDef } from '../table/table.js';
import type { Args } from '../engine/args.js';
import {
  asciiLower, channelAllowed, CommandIndex, hasSpaces, KEY_READ, KEY_WRITE, mergeSelectorArgs, revokedChannels, RULE_ERRORS,
  type RuleError, type Selector, type SubscriptionCheck, User,
} from './user.js';
import { randomBytes } from '../util/crypto.js';
import { strerror } from '../util/errors.js';
import { globMatch } from '../util/glob.js';

// acl.c's ACL_DENIED_* values: when no selector allows a command, the highest one is reported.
const ACL_OK = 0;
const DENIED_CMD = 1;
const DENIED_KEY = 2;
const DENIED_CHANNEL = 4;

/** Where a command's keys are and what it does to them (a key spec, or the legacy positions). */
interface KeyRange {
  readonly begin: number;
  /** >= 0: relative to begin; < 0: from the end of the arguments. */
  readonly lastKey: number;
  readonly step: number;
  readonly limit: number;
  /** KEY_READ / KEY_WRITE that a pattern must grant (from access/insert/delete/update). */
  readonly perm: number;
  readonly variable: ((args: Args, off: number) => number) | undefined;
  /** find_keys "keynum" (LMPOP, ZUNIONSTORE's sources...). */
  readonly keynum?: KeySpecDef['keynum'];
  /** begin_search "keyword" (XREAD's STREAMS). */
  readonly keyword?: KeySpecDef['keyword'];
}

/** Commands whose key flags depend on the arguments (db.c setGetKeys, bitfieldGetKeys). */
const VARIABLE_KEY_PERMS: Readonly<Record<string, (args: Args, off: number) => number>> = {
  set: (args, off) => {
    for (let i = off + 3; i < args.count; i++) if (args.is(i, 'get')) return KEY_READ | KEY_WRITE;
    return KEY_WRITE;
  },
  bitfield: (args, off) => {
    const argc = args.count - off;
    for (let i = 2; i < argc; i++) {
      const rest = argc - i - 1;
      if (args.is(off + i, 'get') && rest >= 2) i += 2;
      else if (args.is(off + i, 'overflow') && rest >= 1) i += 1;
      else return KEY_READ | KEY_WRITE; // SET / INCRBY, or a syntax error: assume a write
    }
    return KEY_READ;
  },
};

function specPerm(flags: readonly string[]): number {
  let perm = 0;
  for (const f of flags) {
    if (f === 'access') perm |= KEY_READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') perm |= KEY_WRITE;
  }
  return perm;
}

function keyRanges(cmd: Command): KeyRange[] {
  const variable = VARIABLE_KEY_PERMS[cmd.fullName];
  const specs = cmd.def.keySpecs;
  if (specs && specs.length > 0) {
    return specs.map((s) => ({
      begin: s.begin, keyword: s.keyword, lastKey: s.lastKey, step: s.step, limit: s.limit ?? 0, perm: specPerm(s.flags),
      variable: s.flags.includes('variable_flags') ? variable : undefined, keynum: s.keynum,
    }));
  }
  if (cmd.firstKey <= 0) return [];
  const lastKey = cmd.lastKey < 0 ? cmd.lastKey : cmd.lastKey - cmd.firstKey;
  return [{ begin: cmd.firstKey, lastKey, step: cmd.step || 1, limit: 0, perm: 0, variable: undefined }];
}

/** Which arguments name channels (db.c commands_with_channels; unsubscribing is never checked). */
const CHANNEL_ARGS: Readonly<Record<string, 'first' | 'all' | 'patterns'>> = {
  publish: 'first', spublish: 'first', subscribe: 'all', ssubscribe: 'all', psubscribe: 'patterns',
};

export interface SetUserResult {
  /**
   * Set when the user's channel permissions shrank: pub/sub clients of this user with a
   * subscription this refuses must be disconnected (acl.c ACLKillPubsubClientsIfNeeded).
   */
  readonly subscriptionAllowed: SubscriptionCheck | undefined;
}

/** The rules 'default' starts with (acl.c ACLCreateDefaultUser). */
const DEFAULT_USER_RULES = ['+@all', '~*', '&*', 'on', 'nopass'];

/** One ACL LOG entry (acl.c ACLLogEntry). */
export interface AclLogEntry {
  count: number;
  readonly reason: 'command' | 'key' | 'channel' | 'auth';
  readonly context: 'toplevel' | 'multi';
  /** The command, key or channel refused; for auth, the command name as typed. */
  readonly object: string;
  readonly username: string;
  /** Last update, ms. */
  ctime: number;
  /** CLIENT LIST line of the client at the last update. */
  cinfo: string;
  readonly entryId: number;
  readonly created: number;
}

/** Entries similar to a recent one (same reason, context, object, user, within 60 s) are merged. */
const LOG_GROUPING_MS = 60000;

export class Acl {
  /** INFO acl_access_denied_auth / _cmd / _key / _channel. */
  readonly deniedCount = { auth: 0, cmd: 0, key: 0, channel: 0 };
  /** ACL LOG, newest first. */
  readonly log: AclLogEntry[] = [];
  /**
   * Set by the server: a client's CLIENT LIST line, for ACL LOG. Without it (or without a client
   * passed to check/authenticate) entries have an empty client-info.
   */
  clientInfo: ((c: Client) => string) | undefined;
  private logEntries = 0;
  private readonly users = new Map<string, User>();
  private readonly index: CommandIndex;
  /** Each command's key ranges, worked out the first time a user with key patterns runs it. */
  private readonly keys = new Map<Command, readonly KeyRange[]>();
  /** The argument index (relative to the command) of the last refused key or channel. */
  private deniedAt = 0;

  private keyRangesOf(cmd: Command): readonly KeyRange[] {
    let r = this.keys.get(cmd);
    if (r === undefined) this.keys.set(cmd, (r = keyRanges(cmd)));
    return r;
  }

  /**
   * Creates 'default' (on, nopass, ~* &* +@all), applies requirepass, then the `user` lines of
   * the configuration, then the ACL file. Throws with Redis's message when they are invalid.
   */
  constructor(private readonly config: Config, commands: CommandTable) {
    this.index = new CommandIndex(commands);
    const def = this.createUser('default');
    for (const op of DEFAULT_USER_RULES) this.applyRule(def, op);
    this.setRequirepass(config.str('requirepass'));

    const lines = config.fileDirective('user');
    const aclfile = config.str('aclfile');
    if (aclfile !== '' && lines.length > 0) {
      throw new Error(
        'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.',
      );
    }
    this.loadConfiguredUsers(lines);
    if (aclfile !== '') {
      const r = this.load();
      if ('error' in r) throw new Error(`Aborting Redis startup because of ACL errors: ${r.error}`);
    }
  }

  private get allChannelsByDefault(): boolean {
    return this.config.str('acl-pubsub-default') === 'allchannels';
  }

  private createUser(name: string): User {
    const u = new User(name, this.allChannelsByDefault);
    this.users.set(name, u);
    return u;
  }

  private applyRule(u: User, op: string): RuleError | undefined {
    return u.apply(op, this.index, this.allChannelsByDefault);
  }

  /** acl.c ACLLoadConfiguredUsers. */
  private loadConfiguredUsers(lines: readonly (readonly string[])[]): void {
    for (const line of lines) {
      const name = line[0] as string;
      if (hasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
      const merged = mergeSelectorArgs(line.slice(1));
      if ('unmatched' in merged) {
        throw new Error(`Unmatched parenthesis in acl selector starting at '${line[merged.unmatched + 1]}'.`);
      }
      let u = this.users.get(name);
      if (u) this.applyRule(u, 'reset');
      else u = this.createUser(name);
      for (const rule of merged.rules) {
        const err = this.applyRule(u, rule);
        if (err) throw new Error(`Error loading ACL rule '${rule}' for the user named '${name}': ${RULE_ERRORS[err]}`);
      }
    }
  }

  get defaultUser(): User {
    return this.users.get('default') as User;
  }

  /** CONFIG SET requirepass (and start): '' makes default nopass, anything else its only password. */
  setRequirepass(pass: string): void {
    const def = this.defaultUser;
    this.applyRule(def, 'resetpass');
    this.applyRule(def, pass === '' ? 'nopass' : '>' + pass);
  }

  /** New connections start authenticated as default (Redis's createClient): nopass and on. */
  defaultAuthenticated(): boolean {
    const d = this.defaultUser;
    return d.nopass && d.enabled;
  }

  /** Protected mode applies while default has no password (on or off, as in Redis). */
  defaultNoPass(): boolean {
    return this.defaultUser.nopass;
  }

  /**
   * AUTH / HELLO AUTH: false for unknown or disabled users and wrong passwords. Failures are
   * counted and logged; `command` is the command name as the client typed it (the log's object).
   */
  authenticate(username: string, password: string, client?: Client, command = 'AUTH'): boolean {
    const u = this.users.get(username);
    if (u && u.checkPassword(password)) return true;
    this.deniedCount.auth++;
    this.addLogEntry('auth', client, username, command);
    return false;
  }

  userExists(name: string): boolean {
    return this.users.has(name);
  }

  getUser(name: string): User | undefined {
    return this.users.get(name);
  }

  /** User names in Redis's (radix tree) order: bytewise. */
  usernames(): string[] {
    return [...this.users.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Whether check() passes every command of every user (no user has a restriction): the fast path's guard. */
  everyUserUnrestricted(): boolean {
    for (const u of this.users.values()) {
      const root = u.root;
      if (!(root.allCommands && root.allKeys && root.allChannels)) return false;
    }
    return true;
  }

  /**
   * Dispatch's ACL check: null if `username` may run this command with these arguments, else the
   * -NOPERM error text (server.c processCommand with getAclErrorMessage, not verbose). Denials
   * are counted and, with `client`, logged for ACL LOG.
   */
  check(username: string, cmd: Command, args: Args, client?: Client): string | null {
    const u = this.users.get(username);
    if (u) {
      const root = u.root;
      if (root.allCommands && root.allKeys && root.allChannels) return null;
    }
    const result = u ? this.checkUser(u, cmd, args, 0) : DENIED_CMD;
    if (result === ACL_OK) return null;
    if (result === DENIED_KEY) {
      this.deniedCount.key++;
      this.addLogEntry('key', client, username, args.str(this.deniedAt));
      return '-NOPERM No permissions to access a key';
    }
    if (result === DENIED_CHANNEL) {
      this.deniedCount.channel++;
      this.addLogEntry('channel', client, username, args.str(this.deniedAt));
      return '-NOPERM No permissions to access a channel';
    }
    this.deniedCount.cmd++;
    this.addLogEntry('command', client, username, cmd.fullName);
    return `-NOPERM User ${username} has no permissions to run the '${cmd.fullName}' command`;
  }

  /** acl.c addACLLogEntry: merges with a similar recent entry, else adds one and trims. */
  private addLogEntry(reason: AclLogEntry['reason'], client: Client | undefined, username: string, object: string): void {
    const now = Date.now();
    const context = client?.multi ? 'multi' : 'toplevel';
    const cinfo = client && this.clientInfo ? this.clientInfo(client) : '';
    for (let i = 0; i < Math.min(10, this.log.length); i++) {
      const e = this.log[i] as AclLogEntry;
      if (e.reason !== reason || e.context !== context || Math.abs(e.ctime - now) > LOG_GROUPING_MS) continue;
      if (e.object !== object || e.username !== username) continue;
      e.count++;
      e.ctime = now;
      e.cinfo = cinfo;
      this.log.splice(i, 1);
      this.log.unshift(e);
      return;
    }
    this.log.unshift({ count: 1, reason, context, object, username, ctime: now, cinfo, entryId: this.logEntries++, created: now });
    const max = this.config.int('acllog-max-len');
    if (this.log.length > max) this.log.length = max;
  }

  /**
   * ACL DRYRUN: the command is args[off..]. null if allowed, else the verbose message. Not
   * counted in INFO.
   */
  dryRun(u: User, cmd: Command, args: Args, off: number): string | null {
    const result = this.checkUser(u, cmd, args, off);
    if (result === ACL_OK) return null;
    if (result === DENIED_CMD) return `User ${u.name} has no permissions to run the '${cmd.fullName}' command`;
    const what = result === DENIED_KEY ? 'key' : 'channel';
    return `User ${u.name} has no permissions to access the '${args.str(off + this.deniedAt)}' ${what}`;
  }

  /** acl.c ACLCheckAllUserCommandPerm: the first selector allowing it wins. */
  private checkUser(u: User, cmd: Command, args: Args, off: number): number {
    let relevant = DENIED_CMD;
    let lastIdx = 0;
    for (const s of u.selectors) {
      this.deniedAt = 0;
      const r = this.checkSelector(s, cmd, args, off);
      if (r === ACL_OK) return ACL_OK;
      if (r > relevant || (r === relevant && this.deniedAt > lastIdx)) {
        relevant = r;
        lastIdx = this.deniedAt;
      }
    }
    this.deniedAt = lastIdx;
    return relevant;
  }

  /**
   * acl.c ACLUserCheckCmdWithUnrestrictedKeyAccess: does a selector that allows this call reach
   * every key with `perm` (~*, or a '*' pattern with those permissions, %R~* for reads)? SORT's
   * BY and GET read keys no argument names, so they need it.
   */
  unrestrictedKeyAccess(username: string, cmd: Command, args: Args, perm: number): boolean {
    const u = this.users.get(username);
    if (!u) return true;
    for (const s of u.selectors) {
      if (this.checkSelector(s, cmd, args, 0) !== ACL_OK) continue;
      if (s.allKeys || s.keyPatterns.some((p) => p.pattern === '*' && (p.flags & perm) === perm)) return true;
    }
    return false;
  }

  /** acl.c ACLSelectorCheckCmd. */
  private checkSelector(s: Selector, cmd: Command, args: Args, off: number): number {
    const argc = args.count - off;
    if (!s.allCommands && !(cmd.flags & CmdFlag.NoAuth) && !s.allowed.has(cmd)) {
      const firstArgs = argc >= 2 ? s.firstArgs?.get(cmd) : undefined;
      if (!firstArgs) return DENIED_CMD;
      const arg = asciiLower(args.str(off + (cmd.parent ? 2 : 1)));
      if (!firstArgs.some((a) => asciiLower(a) === arg)) return DENIED_CMD;
    }
    if (!s.allKeys && cmd.def.getKeys) {
      // Keys the specs cannot find (SORT's STORE): the row's getKeys, as Redis falls back to getkeys_proc.
      for (const k of cmd.def.getKeys(argc, (i) => asciiLower(args.str(off + i)))) {
        if (!keyAllowed(s, args.str(off + k.pos), specPerm(k.flags))) {
          this.deniedAt = k.pos;
          return DENIED_KEY;
        }
      }
    } else if (!s.allKeys) {
      for (const r of this.keyRangesOf(cmd)) {
        const perm = r.variable ? r.variable(args, off) : r.perm;
        for (const i of keySpecPositions(r, argc, (k) => args.str(off + k))) {
          if (!keyAllowed(s, args.str(off + i), perm)) {
            this.deniedAt = i;
            return DENIED_KEY;
          }
        }
      }
    }
    const channels = s.allChannels ? undefined : CHANNEL_ARGS[cmd.fullName];
    if (channels) {
      const last = channels === 'first' ? Math.min(1, argc - 1) : argc - 1;
      for (let i = 1; i <= last; i++) {
        if (!channelAllowed(s.channels, args.str(off + i), channels === 'patterns')) {
          this.deniedAt = i;
          return DENIED_CHANNEL;
        }
      }
    }
    return ACL_OK;
  }

  /**
   * ACL SETUSER: all rules or none. Returns the error text (without "ERR ") or what changed for
   * the user's pub/sub clients.
   */
  setUser(name: string, rules: readonly string[]): { error: string } | SetUserResult {
    if (hasSpaces(name)) return { error: "Usernames can't contain spaces or null characters" };
    const merged = mergeSelectorArgs(rules);
    if ('unmatched' in merged) {
      return { error: `Unmatched parenthesis in acl selector starting at '${rules[merged.unmatched]}'.` };
    }
    const existing = this.users.get(name);
    const temp = new User(name, this.allChannelsByDefault);
    if (existing) temp.copyFrom(existing);
    for (const rule of merged.rules) {
      const err = this.applyRule(temp, rule);
      if (err) return { error: `Error in ACL SETUSER modifier '${rule}': ${RULE_ERRORS[err]}` };
    }
    const subscriptionAllowed = existing ? revokedChannels(existing, temp) : undefined;
    (existing ?? this.createUser(name)).copyFrom(temp);
    return { subscriptionAllowed };
  }

  /** ACL DELUSER of one name ('default' is refused by the caller): true if it existed. */
  deleteUser(name: string): boolean {
    if (name === 'default') return false;
    return this.users.delete(name);
  }

  /** ACL LIST lines. */
  list(): string[] {
    return this.usernames().map((n) => `user ${n} ${(this.users.get(n) as User).describe()}`);
  }

  /** ACL CAT <category>: full names, or undefined for an unknown category. */
  categoryCommands(category: string): string[] | undefined {
    const cat = this.index.category(category);
    return cat === undefined ? undefined : this.index.commandsIn(cat).map((c) => c.fullName);
  }

  /** The ACL file as configured ('' if none) and as a path. */
  private aclFile(): { name: string; path: string } {
    const name = this.config.str('aclfile');
    return { name, path: resolve(this.config.str('dir'), name) };
  }

  get hasAclFile(): boolean {
    return this.config.str('aclfile') !== '';
  }

  /**
   * acl.c ACLLoadFromFile: all users or nothing. On success returns the names of the users that
   * were replaced (every user but default), whose clients must be disconnected.
   */
  load(): { error: string } | { replaced: string[] } {
    const { name: file, path } = this.aclFile();
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (e) {
      return { error: `Error loading ACLs, opening file '${file}': ${strerror((e as NodeJS.ErrnoException).code)}` };
    }
    let errors = '';
    const fresh = new Map<string, User>();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const linenum = i + 1;
      if (line === '') continue;
      const argv = line.split(' ');
      if (argv[0] !== 'user' || argv.length < 2) {
        errors += `${file}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1] as string;
      if (hasSpaces(name)) {
        errors += `'${file}:${linenum}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (fresh.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${linenum}. `;
        continue;
      }
      const u = new User(name, this.allChannelsByDefault);
      fresh.set(name, u);
      const merged = mergeSelectorArgs(argv.slice(2));
      if ('unmatched' in merged) {
        errors += `${file}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      let syntaxError = false;
      for (const raw of merged.rules) {
        const rule = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
        const err = this.applyRule(u, rule);
        if (!err) continue;
        if (err === 'ENOENT') {
          errors += `${file}:${linenum}: Error in applying operation '${rule}': ${RULE_ERRORS[err]}. `;
        } else if (!syntaxError) {
          errors += `${file}:${linenum}: ${RULE_ERRORS[err]}. `;
          syntaxError = true;
        }
      }
    }
    if (errors !== '') {
      return { error: errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed' };
    }
    // The default user object stays (clients point at it by name anyway); it takes the file's
    // rules, or the built-in ones if the file does not mention it.
    let newDefault = fresh.get('default');
    if (!newDefault) {
      newDefault = new User('default', this.allChannelsByDefault);
      for (const op of DEFAULT_USER_RULES) this.applyRule(newDefault, op);
    }
    const def = this.defaultUser;
    def.copyFrom(newDefault);
    const replaced = [...this.users.keys()].filter((n) => n !== 'default');
    this.users.clear();
    for (const [n, u] of fresh) this.users.set(n, n === 'default' ? def : u);
    this.users.set('default', def);
    return { replaced };
  }

  /** acl.c ACLSaveToFile: false on an I/O error. */
  save(): boolean {
    const { path } = this.aclFile();
    let body = '';
    for (const line of this.list()) body += line + '\n';
    const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
    try {
      writeFileSync(tmp, Buffer.from(body, 'latin1'), { mode: 0o644 });
      renameSync(tmp, path);
      return true;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // the temporary file was never created
      }
      return false;
    }
  }

  /** ACL GENPASS: `bits` of randomness as hex (rounded up to whole hex digits). */
  static genpass(bits: number): string {
    const chars = Math.floor((bits + 3) / 4);
    return randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars);
  }
}

/** acl.c ACLSelectorCheckKey. */
function keyAllowed(s: Selector, key: string, perm: number): boolean {
  for (const p of s.keyPatterns) {
    if ((p.flags & perm) !== perm) continue;
    if (globMatch(p.pattern, key, false)) return true;
  }
  return false;
}
