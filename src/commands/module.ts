// MODULE (module.c): respd loads no Redis modules, which are native extensions built against
// redis-server's own structures. LIST answers that none is loaded; LOAD and LOADEX fail as a
// module that cannot be loaded fails in Redis (the reason in the log); UNLOAD finds no module.
// LOAD, LOADEX and UNLOAD are protected by enable-module-command (dispatch.ts).
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { replyHelp } from './help.js';

const F = CmdFlag;

const HELP = [
  'MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
  'HELP',
  '    Print this help.',
];

function load(call: CommandCall): void {
  const path = call.args.str(2);
  call.server.logWarning(`Module ${path} failed to load: respd cannot load Redis modules (native extensions built for redis-server)`);
  call.reply.error('Error loading the extension. Please check the server logs.');
}

function unload(call: CommandCall): void {
  call.server.logWarning(`Error unloading module ${call.args.str(2)}: no such module with that name`);
  call.reply.error('Error unloading module: no such module with that name');
}

const PROTECTED = F.NoAsyncLoading | F.Admin | F.NoScript | F.Protected;
const ACL = ['admin', 'slow', 'dangerous'];

export const moduleCommands: CommandDef[] = [
  {
    name: 'module', arity: -2, flags: 0, acl: ['slow'], group: 'server', since: '4.0.0',
    summary: 'A container for module commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, HELP),
      },
      {
        name: 'list', arity: 2, flags: F.Admin | F.NoScript, acl: ACL, group: 'server', since: '4.0.0',
        summary: 'Returns all loaded modules.', complexity: 'O(N) where N is the number of loaded modules.',
        tips: ['nondeterministic_output_order'], handler: (c) => c.reply.array(0),
      },
      {
        name: 'load', arity: -3, flags: PROTECTED, acl: ACL, group: 'server', since: '4.0.0',
        summary: 'Loads a module.', complexity: 'O(1)', handler: load,
      },
      {
        name: 'loadex', arity: -3, flags: PROTECTED, acl: ACL, group: 'server', since: '7.0.0',
        summary: 'Loads a module using extended parameters.', complexity: 'O(1)', handler: load,
      },
      {
        name: 'unload', arity: 3, flags: PROTECTED, acl: ACL, group: 'server', since: '4.0.0',
        summary: 'Unloads a module.', complexity: 'O(1)', handler: unload,
      },
    ],
  },
];
