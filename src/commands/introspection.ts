// COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP), generated from the
// command table so what clients learn is what dispatch does.
import type { ReplyWriter } from '../protocol/reply.js';
import { CmdFlag, FLAG_NAMES, keySpecPositions, type Command, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { replyDocs } from './command-docs.js';
import { replyHelp } from './help.js';

const F = CmdFlag;

function replyInfo(r: ReplyWriter, c: Command): void {
  const d = c.def;
  r.array(10);
  r.bulkStr(c.fullName);
  r.integer(c.arity);
  const flags = FLAG_NAMES.filter(([bit]) => (c.flags & bit) !== 0).map(([, n]) => n);
  r.set(flags.length);
  for (const f of flags) r.status(f);
  r.integer(c.firstKey);
  r.integer(c.lastKey);
  r.integer(c.step);
  r.set(d.acl.length);
  for (const a of d.acl) r.status('@' + a);
  const tips = d.tips ?? [];
  r.set(tips.length);
  for (const t of tips) r.bulkStr(t);
  const specs = d.keySpecs ?? [];
  r.array(specs.length);
  for (const s of specs) {
    r.map(s.notes ? 4 : 3);
    if (s.notes) {
      r.bulkStr('notes');
      r.bulkStr(s.notes);
    }
    r.bulkStr('flags');
    r.set(s.flags.length);
    for (const f of s.flags) r.status(f);
    r.bulkStr('begin_search');
    r.map(2);
    r.bulkStr('type');
    if (s.unknown) {
      r.bulkStr('unknown');
      r.bulkStr('spec');
      r.map(0);
    } else if (s.keyword) {
      r.bulkStr('keyword');
      r.bulkStr('spec');
      r.map(2);
      r.bulkStr('keyword');
      r.bulkStr(s.keyword.keyword);
      r.bulkStr('startfrom');
      r.integer(s.keyword.startFrom);
    } else {
      r.bulkStr('index');
      r.bulkStr('spec');
      r.map(1);
      r.bulkStr('index');
      r.integer(s.begin);
    }
    r.bulkStr('find_keys');
    r.map(2);
    r.bulkStr('type');
    if (s.unknown) {
      r.bulkStr('unknown');
      r.bulkStr('spec');
      r.map(0);
    } else if (s.keynum) {
      r.bulkStr('keynum');
      r.bulkStr('spec');
      r.map(3);
      r.bulkStr('keynumidx');
      r.integer(s.keynum.index);
      r.bulkStr('firstkey');
      r.integer(s.keynum.first);
      r.bulkStr('keystep');
      r.integer(s.keynum.step);
    } else {
      r.bulkStr('range');
      r.bulkStr('spec');
      r.map(3);
      r.bulkStr('lastkey');
      r.integer(s.lastKey);
      r.bulkStr('keystep');
      r.integer(s.step);
      r.bulkStr('limit');
      r.integer(s.limit ?? 0);
    }
  }
  const subs = c.subcommands ? [...c.subcommands.values()] : [];
  r.array(subs.length);
  for (const s of subs) replyInfo(r, s);
}

/** Finds "get" or "config|get". */
function lookupFull(call: CommandCall, name: string): Command | undefined {
  const lower = name.toLowerCase();
  const bar = lower.indexOf('|');
  if (bar < 0) return call.server.commands.get(lower);
  return call.server.commands.get(lower.slice(0, bar))?.subcommands?.get(lower.slice(bar + 1));
}

function command(call: CommandCall): void {
  const all = [...call.server.commands.all()];
  call.reply.array(all.length);
  for (const c of all) replyInfo(call.reply, c);
}

function info(call: CommandCall): void {
  const { args, reply } = call;
  if (args.count === 2) {
    command(call);
    return;
  }
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) {
    const c = lookupFull(call, args.str(i));
    if (c) replyInfo(reply, c);
    else reply.nullBulk();
  }
}

function docs(call: CommandCall): void {
  const { args, reply } = call;
  const list: Command[] = [];
  if (args.count === 2) list.push(...call.server.commands.all());
  else {
    for (let i = 2; i < args.count; i++) {
      const c = lookupFull(call, args.str(i));
      if (c) list.push(c);
    }
  }
  reply.map(list.length);
  for (const c of list) {
    reply.bulkStr(c.fullName);
    replyDocs(reply, c);
  }
}

function list(call: CommandCall): void {
  const { args, reply } = call;
  let filter: ((c: Command) => boolean) | undefined;
  if (args.count === 5 && args.is(2, 'filterby')) {
    const what = args.lower(3);
    const value = args.str(4);
    if (what === 'module') filter = () => false;
    else if (what === 'aclcat') filter = (c) => c.def.acl.includes(value.toLowerCase());
    else if (what === 'pattern') filter = (c) => globMatch(value, c.fullName, true);
    else {
      reply.error(ERR_SYNTAX);
      return;
    }
  } else if (args.count !== 2) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const names: string[] = [];
  for (const c of call.server.commands.everything()) if (!filter || filter(c)) names.push(c.fullName);
  reply.array(names.length);
  for (const n of names) reply.bulkStr(n);
}

/** Key-spec flags in the order Redis prints them (addReplyFlagsForKeyArgs). */
const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

/**
 * The flags of a spec marked variable_flags, as the command's getkeys_proc decides them from the
 * arguments: SET with GET reads the key (setGetKeys), BITFIELD writes only with SET/INCRBY
 * (bitfieldGetKeys).
 */
function variableKeyFlags(name: string, argc: number, lower: (i: number) => string): readonly string[] {
  if (name === 'set') {
    for (let i = 3; i < argc; i++) if (lower(i) === 'get') return ['RW', 'access', 'update'];
    return ['OW', 'update'];
  }
  if (name === 'bitfield') {
    for (let i = 2; i < argc; i++) {
      const a = lower(i);
      if (a === 'set' || a === 'incrby') return ['RW', 'access', 'update'];
    }
    return ['RO', 'access'];
  }
  return [];
}

/**
 * COMMAND GETKEYS and GETKEYSANDFLAGS: the key positions (relative to the command name) and each
 * key's spec flags, or undefined once an error was replied.
 */
function commandKeys(call: CommandCall): { pos: number; flags: readonly string[] }[] | undefined {
  const { args, reply } = call;
  const c = call.server.commands.get(args.lower(2));
  if (!c) {
    reply.error('Invalid command specified');
    return undefined;
  }
  const argc = args.count - 2;
  if (!c.arityOk(argc)) {
    reply.error('Invalid number of arguments specified for command');
    return undefined;
  }
  // Key specs when the row has them (movable keys: LMPOP, ZUNIONSTORE...), else the legacy range.
  const keys: { pos: number; flags: readonly string[] }[] = [];
  const specs = c.def.keySpecs ?? [];
  if (c.def.getKeys) {
    for (const k of c.def.getKeys(argc, (i) => args.lower(i + 2))) keys.push({ pos: k.pos, flags: KEY_FLAG_ORDER.filter((f) => k.flags.includes(f)) });
  } else if (specs.length > 0) {
    for (const s of specs) {
      if (s.flags.includes('not_key')) continue;
      const flags = s.flags.includes('variable_flags') ? variableKeyFlags(c.name, argc, (i) => args.lower(i + 2)) : KEY_FLAG_ORDER.filter((f) => s.flags.includes(f));
      for (const pos of keySpecPositions(s, argc, (i) => args.str(i + 2))) keys.push({ pos, flags });
    }
  } else if (c.firstKey > 0) {
    const last = c.lastKey < 0 ? argc + c.lastKey : c.lastKey;
    for (let i = c.firstKey; i <= last; i += c.step) keys.push({ pos: i, flags: [] });
  }
  if (keys.length === 0) {
    reply.error('The command has no key arguments');
    return undefined;
  }
  return keys;
}

function getkeys(call: CommandCall): void {
  const keys = commandKeys(call);
  if (!keys) return;
  call.reply.array(keys.length);
  for (const k of keys) call.reply.bulkStr(call.args.str(k.pos + 2));
}

function getkeysandflags(call: CommandCall): void {
  const keys = commandKeys(call);
  if (!keys) return;
  const { reply } = call;
  reply.array(keys.length);
  for (const k of keys) {
    reply.array(2);
    reply.bulkStr(call.args.str(k.pos + 2));
    reply.set(k.flags.length);
    for (const f of k.flags) reply.status(f);
  }
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Print this help.',
];

const SUB = F.Loading | F.Stale | F.Sentinel;
const CONN = ['slow', 'connection'];

export const introspectionCommands: CommandDef[] = [
  {
    name: 'command', arity: -1, flags: SUB, acl: CONN, group: 'server', since: '2.8.13',
    summary: 'Returns detailed information about all commands.',
    complexity: 'O(N) where N is the total number of Redis commands', tips: ['nondeterministic_output_order'],
    handler: command,
    subcommands: [
      {
        name: 'count', arity: 2, flags: SUB, acl: CONN, group: 'server', since: '2.8.13',
        summary: 'Returns a count of commands.', complexity: 'O(1)',
        handler: (c) => c.reply.integer(c.server.commands.size),
      },
      {
        name: 'info', arity: -2, flags: SUB, acl: CONN, group: 'server', since: '2.8.13',
        summary: 'Returns information about one, multiple or all commands.',
        complexity: 'O(N) where N is the number of commands to look up', tips: ['nondeterministic_output_order'],
        handler: info,
      },
      {
        name: 'docs', arity: -2, flags: SUB, acl: CONN, group: 'server', since: '7.0.0',
        summary: 'Returns documentary information about one, multiple or all commands.',
        complexity: 'O(N) where N is the number of commands to look up', tips: ['nondeterministic_output_order'],
        handler: docs,
      },
      {
        name: 'list', arity: -2, flags: SUB, acl: CONN, group: 'server', since: '7.0.0',
        summary: 'Returns a list of command names.', complexity: 'O(N) where N is the total number of Redis commands',
        tips: ['nondeterministic_output_order'], handler: list,
      },
      {
        name: 'getkeys', arity: -4, flags: SUB, acl: CONN, group: 'server', since: '2.8.13',
        summary: 'Extracts the key names from an arbitrary command.', complexity: 'O(N) where N is the number of arguments to the command',
        handler: getkeys,
      },
      {
        name: 'getkeysandflags', arity: -4, flags: SUB, acl: CONN, group: 'server', since: '7.0.0',
        summary: 'Extracts the key names and access flags for an arbitrary command.',
        complexity: 'O(N) where N is the number of arguments to the command', handler: getkeysandflags,
      },
      {
        name: 'help', arity: 2, flags: SUB, acl: CONN, group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c) => replyHelp(c, HELP),
      },
    ],
  },
];
