// The keys of a call as the cluster check sees them (getKeysFromCommand for getNodeByQuery,
// redirect.ts): the ones the command table's key specs name, and which commands may name any.
import type { Args } from '../engine/args.js';
import { CmdFlag, keySpecPositions, type Command } from '../table/table.js';

/** No key in the call. */
export const NO_SLOT = -1;

/** A call as EXEC keeps it queued. */
export interface QueuedCall {
  cmd: Command;
  args: Args;
}

/** Calls `each` with the position of every key `cmd` names in `args` until it returns false. */
export function forEachKey(cmd: Command, args: Args, each: (pos: number) => boolean): void {
  const argc = args.count;
  const def = cmd.def;
  if (def.getKeys) {
    for (const k of def.getKeys(argc, (i) => args.lower(i))) if (!each(k.pos)) return;
  } else if (def.keySpecs && def.keySpecs.length > 0) {
    const at = (i: number) => args.str(i);
    for (const spec of def.keySpecs) for (const pos of keySpecPositions(spec, argc, at)) if (!each(pos)) return;
  } else if (cmd.firstKey > 0) {
    const last = cmd.lastKey < 0 ? argc + cmd.lastKey : cmd.lastKey;
    for (let i = cmd.firstKey; i <= last && i < argc; i += cmd.step || 1) if (!each(i)) return;
  }
}

/** processCommand's condition: only calls that can name keys (EXEC for what it queued) are looked at. */
export function mayNameKeys(cmd: Command): boolean {
  const def = cmd.def;
  return (cmd.flags & CmdFlag.MovableKeys) !== 0 || (def.keySpecs !== undefined && def.keySpecs.length > 0) || def.getKeys !== undefined || cmd.firstKey > 0;
}
