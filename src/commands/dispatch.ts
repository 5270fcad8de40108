// processCommand: from a parsed request to a handler, with Redis's checks in Redis's order
// (server.c:processCommand): lookup (container subcommands included), arity, then auth.
import { ClientFlag } from '../clients/flags.js';
import type { Args } from '../engine/args.js';
import { CmdFlag, type Command, type CommandCall, type CommandTable } from './table.js';

/** C string semantics for text Redis formats with %s: stops at the first NUL. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

export function unknownCommandError(args: Args): string {
  let rest = '';
  for (let i = 1; i < args.count && rest.length < 128; i++) {
    rest += `'${cstr(args.str(i)).slice(0, 128 - rest.length)}' `;
  }
  return `unknown command '${cstr(args.str(0)).slice(0, 128)}', with args beginning with: ${rest}`;
}

/** Looks a request up: the command, a subcommand of a container, or undefined. */
export function lookupCommand(table: CommandTable, args: Args): Command | undefined {
  const base = table.get(args.lower(0));
  if (!base || !base.subcommands || args.count < 2) return base;
  return base.subcommands.get(args.lower(1));
}

export interface DispatchHooks {
  /** "POST" / "Host:": a browser or proxy speaking HTTP to us. */
  securityWarning(call: CommandCall): void;
  /** Runs after a command's handler (stats, MONITOR, ...). */
  rejected(call: CommandCall, cmd: Command | undefined): void;
}

export function processCommand(call: CommandCall, table: CommandTable, hooks: DispatchHooks): void {
  const { args, reply, client } = call;
  const name = args.lower(0);
  if (name === 'host:' || name === 'post') {
    hooks.securityWarning(call);
    return;
  }
  const cmd = lookupCommand(table, args);
  client.lastCommand = cmd ? cmd.fullName : 'NULL';
  if (!cmd) {
    if (table.get(name)?.subcommands) {
      reply.error(`unknown subcommand '${cstr(args.str(1)).slice(0, 128)}'. Try ${name.toUpperCase()} HELP.`);
    } else {
      reply.error(unknownCommandError(args));
    }
    hooks.rejected(call, undefined);
    return;
  }
  if (!cmd.arityOk(args.count)) {
    reply.error(`wrong number of arguments for '${cmd.fullName}' command`);
    cmd.rejectedCalls++;
    hooks.rejected(call, cmd);
    return;
  }
  if (!client.authenticated && !(cmd.flags & CmdFlag.NoAuth)) {
    reply.error('-NOAUTH Authentication required.');
    cmd.rejectedCalls++;
    hooks.rejected(call, cmd);
    return;
  }
  cmd.calls++;
  cmd.handler!(call);
}

export function isClosing(flags: number): boolean {
  return (flags & (ClientFlag.CloseAfterReply | ClientFlag.CloseAsap)) !== 0;
}
