// Arguments Redis hides from MONITOR and the slow log ("(redacted)"): AUTH's, and HELLO's AUTH
// username and password (redactClientCommandArgument).
import type { Args } from '../engine/args.js';
import type { Command } from '../table/table.js';

export function redactedArgs(cmd: Command, args: Args): Set<number> | undefined {
  if (cmd.name === 'auth') {
    const r = new Set<number>();
    for (let i = 1; i < args.count; i++) r.add(i);
    return r;
  }
  if (cmd.name === 'hello') {
    let r: Set<number> | undefined;
    for (let i = 1; i < args.count - 2; i++) {
      if (args.is(i, 'auth')) {
        r ??= new Set();
        r.add(i + 1);
        r.add(i + 2);
      }
    }
    return r;
  }
  return undefined;
}
