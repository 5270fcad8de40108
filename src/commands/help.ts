// The reply to a container's HELP subcommand: one status line per line of text.
import type { CommandCall } from '../table/table.js';

export function replyHelp({ reply }: CommandCall, lines: readonly string[]): void {
  reply.array(lines.length);
  for (const l of lines) reply.status(l);
}
