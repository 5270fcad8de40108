// ACL and its subcommands (acl.c aclCommand): SETUSER, DELUSER, GETUSER, USERS, LIST, WHOAMI,
// CAT, DRYRUN, GENPASS, LOG, LOAD, SAVE, HELP. The users, checks and log live in src/acl.
import { Acl } from '../acl/acl.js';
import { CATEGORIES, type Selector, type User } from '../acl/user.js';
import type { Client } from '../clients/client.js';
import type { Args } from '../engine/args.js';
import type { ReplyWriter } from '../protocol/reply.js';
import type { ServerContext } from './context.js';
import { CmdFlag, type Command, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { replyHelp } from './help.js';

const F = CmdFlag;
const ADMIN = ['admin', 'slow', 'dangerous'];
const SUB = F.NoScript | F.Loading | F.Stale | F.Sentinel;

/** Closes every client logged in as one of `names`: others now, the caller after its reply. */
function closeClientsOf(server: ServerContext, caller: Client, names: ReadonlySet<string>): void {
  const victims = [...server.clients].filter((c) => names.has(c.user));
  for (const c of victims) {
    // As acl.c ACLFreeUserAndKillClients: back to an unauthenticated default before closing.
    c.user = 'default';
    c.authenticated = false;
    if (c === caller) server.lifecycle.closeAfterReply(c);
    else server.lifecycle.freeClient(c);
  }
}

function setuser({ args, reply, client, server }: CommandCall): void {
  const name = args.str(2);
  const rules: string[] = [];
  for (let i = 3; i < args.count; i++) rules.push(args.str(i));
  const r = server.acl.setUser(name, rules);
  if ('error' in r) {
    reply.error(r.error);
    return;
  }
  const allowed = r.subscriptionAllowed;
  if (allowed) {
    for (const c of [...server.clients]) {
      if (c.user !== name || c.type !== 'pubsub') continue;
      let kill = false;
      for (const p of c.patterns) if (!allowed(p, true)) kill = true;
      for (const ch of c.channels) if (!kill && !allowed(ch, false)) kill = true;
      for (const ch of c.shardChannels) if (!kill && !allowed(ch, false)) kill = true;
      if (!kill) continue;
      if (c === client) server.lifecycle.closeAfterReply(c);
      else server.lifecycle.freeClient(c);
    }
  }
  reply.status('OK');
}

function deluser({ args, reply, client, server }: CommandCall): void {
  for (let i = 2; i < args.count; i++) {
    if (args.str(i) === 'default') {
      reply.error("The 'default' user cannot be removed");
      return;
    }
  }
  const deleted = new Set<string>();
  for (let i = 2; i < args.count; i++) {
    const name = args.str(i);
    if (server.acl.deleteUser(name)) deleted.add(name);
  }
  closeClientsOf(server, client, deleted);
  reply.integer(deleted.size);
}

function replySelector(r: ReplyWriter, s: Selector): void {
  r.bulkStr('commands');
  r.bulkStr(s.describeCommands());
  r.bulkStr('keys');
  r.bulkStr(s.describeKeys());
  r.bulkStr('channels');
  r.bulkStr(s.describeChannels());
}

function getuser({ args, reply, server }: CommandCall): void {
  const u: User | undefined = server.acl.getUser(args.str(2));
  if (!u) {
    reply.nullBulk();
    return;
  }
  reply.map(6);
  reply.bulkStr('flags');
  const flags = u.flags();
  reply.set(flags.length);
  for (const f of flags) reply.bulkStr(f);
  reply.bulkStr('passwords');
  reply.array(u.passwords.length);
  for (const p of u.passwords) reply.bulkStr(p);
  replySelector(reply, u.root);
  reply.bulkStr('selectors');
  reply.array(u.selectors.length - 1);
  for (const s of u.selectors.slice(1)) {
    reply.map(3);
    replySelector(reply, s);
  }
}

function users({ reply, server }: CommandCall): void {
  const names = server.acl.usernames();
  reply.array(names.length);
  for (const n of names) reply.bulkStr(n);
}

function list({ reply, server }: CommandCall): void {
  const lines = server.acl.list();
  reply.array(lines.length);
  for (const l of lines) reply.bulkStr(l);
}

function whoami({ reply, client }: CommandCall): void {
  reply.bulkStr(client.user);
}

function cat({ args, reply, server }: CommandCall): void {
  if (args.count === 2) {
    reply.array(CATEGORIES.length);
    for (const c of CATEGORIES) reply.bulkStr(c);
    return;
  }
  if (args.count > 3) {
    syntaxError(args, reply);
    return;
  }
  const names = server.acl.categoryCommands(args.str(2));
  if (!names) {
    reply.error(`Unknown category '${args.str(2).slice(0, 128)}'`);
    return;
  }
  reply.array(names.length);
  for (const n of names) reply.bulkStr(n);
}

/** networking.c lookupCommandLogic, not strict: a container with its subcommand. */
function lookupAt(call: CommandCall, off: number): Command | undefined {
  const { args, server } = call;
  const base = server.commands.get(args.lower(off));
  if (!base || !base.subcommands || args.count - off === 1) return base;
  return base.subcommands.get(args.lower(off + 1));
}

function dryrun(call: CommandCall): void {
  const { args, reply, server } = call;
  const u = server.acl.getUser(args.str(2));
  if (!u) {
    reply.error(`User '${args.str(2)}' not found`);
    return;
  }
  const cmd = lookupAt(call, 3);
  if (!cmd) {
    reply.error(`Command '${args.str(3)}' not found`);
    return;
  }
  if (!cmd.arityOk(args.count - 3)) {
    reply.error(`wrong number of arguments for '${cmd.fullName}' command`);
    return;
  }
  const denied = server.acl.dryRun(u, cmd, args, 3);
  if (denied === null) reply.status('OK');
  else reply.bulkStr(denied);
}

const GENPASS_MAX_BITS = 4096;

function genpass({ args, reply }: CommandCall): void {
  if (args.count > 3) {
    syntaxError(args, reply);
    return;
  }
  let bits = 256;
  if (args.count === 3) {
    const v = parseInteger(args.str(2));
    if (v === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    bits = typeof v === 'bigint' ? (v > 0n ? Infinity : -Infinity) : v;
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    reply.error(`ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
    return;
  }
  reply.bulkStr(Acl.genpass(bits));
}

function log({ args, reply, server }: CommandCall): void {
  if (args.count > 3) {
    syntaxError(args, reply);
    return;
  }
  const entries = server.acl.log;
  let count = 10;
  if (args.count === 3) {
    if (args.is(2, 'reset')) {
      entries.length = 0;
      reply.status('OK');
      return;
    }
    const v = parseInteger(args.str(2));
    if (v === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    count = typeof v === 'bigint' ? (v > 0n ? Infinity : 0) : Math.max(0, v);
  }
  count = Math.min(count, entries.length);
  const now = Date.now();
  reply.array(count);
  for (const e of entries.slice(0, count)) {
    reply.map(10);
    reply.bulkStr('count');
    reply.integer(e.count);
    reply.bulkStr('reason');
    reply.bulkStr(e.reason);
    reply.bulkStr('context');
    reply.bulkStr(e.context);
    reply.bulkStr('object');
    reply.bulkStr(e.object);
    reply.bulkStr('username');
    reply.bulkStr(e.username);
    reply.bulkStr('age-seconds');
    reply.double((now - e.ctime) / 1000);
    reply.bulkStr('client-info');
    reply.bulkStr(e.cinfo);
    reply.bulkStr('entry-id');
    reply.integer(e.entryId);
    reply.bulkStr('timestamp-created');
    reply.integer(e.created);
    reply.bulkStr('timestamp-last-updated');
    reply.integer(e.ctime);
  }
}

const NO_ACL_FILE =
  'This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function load({ reply, client, server }: CommandCall): void {
  if (!server.acl.hasAclFile) {
    reply.error(NO_ACL_FILE);
    return;
  }
  const r = server.acl.load();
  if ('error' in r) {
    reply.error(r.error);
    return;
  }
  closeClientsOf(server, client, new Set(r.replaced));
  reply.status('OK');
}

function save({ reply, server }: CommandCall): void {
  if (!server.acl.hasAclFile) {
    reply.error(NO_ACL_FILE);
    return;
  }
  if (server.acl.save()) reply.status('OK');
  else reply.error('There was an error trying to save the ACLs. Please check the server logs for more information');
}

/** addReplySubcommandSyntaxError, for subcommands whose own argument checks fail. */
function syntaxError(args: Args, reply: ReplyWriter): void {
  reply.error(`unknown subcommand or wrong number of arguments for '${args.str(1).slice(0, 128)}'. Try ${args.str(0).toUpperCase()} HELP.`);
}

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Print this help.',
];

const sub = (def: Omit<CommandDef, 'group' | 'acl'> & { acl?: readonly string[] }): CommandDef => ({
  group: 'server', acl: ADMIN, ...def,
});

export const aclCommands: CommandDef[] = [
  {
    name: 'acl', arity: -2, flags: F.Sentinel, acl: ['slow'], group: 'server', since: '6.0.0',
    summary: 'A container for Access List Control commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      sub({
        name: 'cat', arity: -2, flags: SUB, acl: ['slow'], since: '6.0.0',
        summary: 'Lists the ACL categories, or the commands inside a category.',
        complexity: 'O(1) since the categories and commands are a fixed set.', handler: cat,
      }),
      sub({
        name: 'deluser', arity: -3, flags: F.Admin | SUB, since: '6.0.0',
        summary: 'Deletes ACL users, and terminates their connections.',
        complexity: 'O(1) amortized time considering the typical user.', handler: deluser,
      }),
      sub({
        name: 'dryrun', arity: -4, flags: F.Admin | SUB, since: '7.0.0',
        summary: 'Simulates the execution of a command by a user, without executing the command.',
        complexity: 'O(1).', handler: dryrun,
      }),
      sub({
        name: 'genpass', arity: -2, flags: SUB, acl: ['slow'], since: '6.0.0',
        summary: 'Generates a pseudorandom, secure password that can be used to identify ACL users.',
        complexity: 'O(1)', handler: genpass,
      }),
      sub({
        name: 'getuser', arity: 3, flags: F.Admin | SUB, since: '6.0.0', summary: 'Lists the ACL rules of a user.',
        complexity: 'O(N). Where N is the number of password, command and pattern rules that the user has.',
        handler: getuser,
      }),
      sub({
        name: 'help', arity: 2, flags: F.Loading | F.Stale | F.Sentinel, acl: ['slow'], since: '6.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c) => replyHelp(c, HELP),
      }),
      sub({
        name: 'list', arity: 2, flags: F.Admin | SUB, since: '6.0.0',
        summary: 'Dumps the effective rules in ACL file format.',
        complexity: 'O(N). Where N is the number of configured users.', handler: list,
      }),
      sub({
        name: 'load', arity: 2, flags: F.Admin | SUB, since: '6.0.0',
        summary: 'Reloads the rules from the configured ACL file.',
        complexity: 'O(N). Where N is the number of configured users.', handler: load,
      }),
      sub({
        name: 'log', arity: -2, flags: F.Admin | SUB, since: '6.0.0',
        summary: 'Lists recent security events generated due to ACL rules.',
        complexity: 'O(N) with N being the number of entries shown.', handler: log,
      }),
      sub({
        name: 'save', arity: 2, flags: F.Admin | SUB, since: '6.0.0',
        summary: 'Saves the effective ACL rules in the configured ACL file.',
        complexity: 'O(N). Where N is the number of configured users.', handler: save,
      }),
      sub({
        name: 'setuser', arity: -3, flags: F.Admin | SUB, since: '6.0.0',
        summary: 'Creates and modifies an ACL user and its rules.',
        complexity: 'O(N). Where N is the number of rules provided.', handler: setuser,
      }),
      sub({
        name: 'users', arity: 2, flags: F.Admin | SUB, since: '6.0.0', summary: 'Lists all ACL users.',
        complexity: 'O(N). Where N is the number of configured users.', handler: users,
      }),
      sub({
        name: 'whoami', arity: 2, flags: SUB, acl: ['slow'], since: '6.0.0',
        summary: 'Returns the authenticated username of the current connection.', complexity: 'O(1)',
        handler: whoami,
      }),
    ],
  },
];
