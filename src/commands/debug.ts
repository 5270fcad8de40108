// DEBUG: the subcommands respd supports (REPLYBUFFER, SLEEP, HELP); the others answer Redis's
// unknown-subcommand error.
import { CmdFlag, type CommandCall, type CommandDef } from './table.js';

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Print this help.',
];

function debug(call: CommandCall): void {
  const { args, reply, server } = call;
  const sub = args.lower(1);
  if (sub === 'help' && args.count === 2) {
    reply.array(HELP.length);
    for (const l of HELP) reply.status(l);
    return;
  }
  if (sub === 'replybuffer' && args.count === 4) {
    const opt = args.lower(2);
    const val = args.lower(3);
    if (opt === 'peak-reset-time') {
      const ms = val === 'never' ? -1 : val === 'reset' ? 5000 : Number(val);
      if (!Number.isInteger(ms)) {
        reply.error('value is not an integer or out of range');
        return;
      }
      server.debugReplyBuffer({ peakResetTimeMs: ms });
      reply.status('OK');
      return;
    }
    if (opt === 'resizing' && (val === '0' || val === '1')) {
      server.debugReplyBuffer({ resizing: val === '1' });
      reply.status('OK');
      return;
    }
    reply.error('Syntax error');
    return;
  }
  if (sub === 'sleep' && args.count === 3) {
    const secs = Number(args.str(2));
    if (!Number.isFinite(secs) || secs < 0) {
      reply.error('value is not a valid float');
      return;
    }
    const until = Date.now() + secs * 1000;
    while (Date.now() < until) {
      // DEBUG SLEEP blocks the whole server on purpose, as in Redis.
    }
    reply.status('OK');
    return;
  }
  reply.error(`unknown subcommand or wrong number of arguments for '${args.str(1).slice(0, 128)}'. Try DEBUG HELP.`);
}

export const debugCommands: CommandDef[] = [
  {
    name: 'debug', arity: -2, flags: CmdFlag.Admin | CmdFlag.NoScript | CmdFlag.Loading | CmdFlag.Stale | CmdFlag.Protected,
    acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0', summary: 'A container for debugging commands.',
    complexity: 'Depends on subcommand.', handler: debug,
  },
];
