// SLOWLOG GET/LEN/RESET/HELP (slowlog.c): the commands that took at least slowlog-log-slower-than µs.
import { CmdFlag as F, type CommandCall, type CommandDef } from '../table/table.js';
import { parseInteger } from '../util/numbers.js';
import { replyHelp } from './help.js';

function get({ args, reply, server }: CommandCall): void {
  const entries = server.slowlog.entries;
  let count = 10;
  if (args.count === 3) {
    const n = parseInteger(args.str(2));
    if (n === null || typeof n !== 'number' || n < -1) {
      reply.error('count should be greater than or equal to -1');
      return;
    }
    count = n === -1 ? entries.length : n;
  } else if (args.count > 3) {
    reply.error(`unknown subcommand or wrong number of arguments for '${args.str(1)}'. Try SLOWLOG HELP.`);
    return;
  }
  count = Math.min(count, entries.length);
  reply.array(count);
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    reply.array(6);
    reply.integer(e.id);
    reply.integer(e.time);
    reply.integer(e.duration);
    reply.array(e.args.length);
    for (const a of e.args) reply.bulkStr(a);
    reply.bulkStr(e.peer);
    reply.bulkStr(e.name);
  }
}

const HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Print this help.',
];

const SUB = F.Admin | F.Loading | F.Stale;
const ACL = ['admin', 'slow', 'dangerous'];

export const slowlogCommands: CommandDef[] = [
  {
    name: 'slowlog', arity: -2, flags: 0, acl: ['slow'], group: 'server', since: '2.2.12',
    summary: 'A container for slow log commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { name: 'get', arity: -2, flags: SUB, acl: ACL, group: 'server', since: '2.2.12', summary: 'Returns the slow log\'s entries.', complexity: 'O(N) where N is the number of entries returned', tips: ['request_policy:all_nodes', 'nondeterministic_output'], handler: get },
      { name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'server', since: '6.2.0', summary: 'Show helpful text about the different subcommands', complexity: 'O(1)', handler: (c) => replyHelp(c, HELP) },
      {
        name: 'len', arity: 2, flags: SUB, acl: ACL, group: 'server', since: '2.2.12', summary: 'Returns the number of entries in the slow log.', complexity: 'O(1)',
        tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'], handler: ({ reply, server }) => reply.integer(server.slowlog.entries.length),
      },
      {
        name: 'reset', arity: 2, flags: SUB, acl: ACL, group: 'server', since: '2.2.12', summary: 'Clears all entries from the slow log.', complexity: 'O(N) where N is the number of entries in the slowlog',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: ({ reply, server }) => {
          server.slowlog.reset();
          reply.status('OK');
        },
      },
    ],
  },
];
