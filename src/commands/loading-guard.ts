// What runs while the dataset loads (processCommand): only commands flagged `loading` (INFO,
// CONFIG, CLIENT, SHUTDOWN, ...), and for EXEC only when every queued command is; during an
// async load (repl-diskless-load swapdb) everything but the `no_async_loading` commands.
import { CmdFlag, type Command, type CommandCall } from '../table/table.js';

export const LOADING_ERR = '-LOADING Redis is loading the dataset in memory';

/** The error refusing `cmd` while a load is in progress, or null. Called only while loading. */
export function loadingDenied(call: CommandCall, cmd: Command, base: string): string | null {
  const queued = base === 'exec' ? call.client.multi?.commands : undefined;
  if (call.server.persistence.asyncLoading) {
    const deny = (cmd.flags & CmdFlag.NoAsyncLoading) !== 0 || (queued?.some((q) => (q.cmd.flags & CmdFlag.NoAsyncLoading) !== 0) ?? false);
    return deny ? LOADING_ERR : null;
  }
  const deny = !(cmd.flags & CmdFlag.Loading) || (queued?.some((q) => !(q.cmd.flags & CmdFlag.Loading)) ?? false);
  return deny ? LOADING_ERR : null;
}
