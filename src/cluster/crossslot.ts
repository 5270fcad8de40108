// The cluster check of processCommand and scripts (cluster.c getNodeByQuery, script.c
// scriptVerifyClusterState) for a node that owns every slot: no key is ever elsewhere, so what
// is left is that the keys of a call (of every queued call, for EXEC) hash to one slot. Called
// only in cluster mode; the keys are the ones the command table's key specs name.
import type { Args } from '../engine/args.js';
import { CmdFlag, keySpecPositions, type Command } from '../table/table.js';
import { keyHashSlot } from './crc16.js';

export const CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot";

/** No key in the call. */
export const NO_SLOT = -1;
/** Keys in more than one slot. */
export const CROSS_SLOT = -2;

/** A call as EXEC keeps it queued. */
export interface QueuedCall {
  cmd: Command;
  args: Args;
}

/** Calls `each` with the position of every key `cmd` names in `args` until it returns false. */
function forEachKey(cmd: Command, args: Args, each: (pos: number) => boolean): void {
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

/** The slot the keys of one call hash to, continuing from `slot` (NO_SLOT to start): a slot, NO_SLOT or CROSS_SLOT. */
export function callSlot(cmd: Command, args: Args, slot = NO_SLOT): number {
  forEachKey(cmd, args, (pos) => {
    const s = keyHashSlot(args.str(pos));
    if (slot === NO_SLOT) slot = s;
    else if (s !== slot) slot = CROSS_SLOT;
    return slot !== CROSS_SLOT;
  });
  return slot;
}

/** processCommand's condition: only calls that can name keys (EXEC for what it queued) are looked at. */
function mayNameKeys(cmd: Command): boolean {
  const def = cmd.def;
  return (cmd.flags & CmdFlag.MovableKeys) !== 0 || (def.keySpecs !== undefined && def.keySpecs.length > 0) || def.getKeys !== undefined || cmd.firstKey > 0;
}

/**
 * getNodeByQuery: the slot of a request, NO_SLOT when it names no key, CROSS_SLOT when its keys
 * (or those of the transaction EXEC runs, `queued`) hash to different slots.
 */
export function querySlot(cmd: Command, args: Args, queued: readonly QueuedCall[] | undefined): number {
  if (cmd.name === 'exec' && !cmd.parent) {
    if (queued === undefined) return NO_SLOT;
    let slot = NO_SLOT;
    for (const q of queued) {
      slot = callSlot(q.cmd, q.args, slot);
      if (slot === CROSS_SLOT) break;
    }
    return slot;
  }
  return mayNameKeys(cmd) ? callSlot(cmd, args) : NO_SLOT;
}

/**
 * processCommand's cluster check: false when the request's keys are in more than one slot. The
 * slot is kept on `node` (Redis's c->slot) for the scripts the request may run.
 */
export function clusterAccepts(node: { slot: number }, cmd: Command, args: Args, queued: readonly QueuedCall[] | undefined): boolean {
  const slot = querySlot(cmd, args, queued);
  node.slot = slot === CROSS_SLOT ? NO_SLOT : slot;
  return slot !== CROSS_SLOT;
}

/**
 * scriptVerifyClusterState for a command a script runs: its own keys in one slot, and, unless
 * the script allows cross-slot keys, the slot every earlier key of the run (or of the script's
 * declared keys, `caller.slot`) hashed to. An error text, or null when it may run.
 */
export function scriptSlotError(cmd: Command, args: Args, caller: { slot: number }, allowCrossSlot: boolean): string | null {
  const slot = callSlot(cmd, args);
  if (slot === CROSS_SLOT) return `Command '${cmd.fullName}' in script attempted to access keys that don't hash to the same slot`;
  if (slot !== NO_SLOT && !allowCrossSlot) {
    if (caller.slot === NO_SLOT) caller.slot = slot;
    else if (caller.slot !== slot) return 'Script attempted to access keys that do not hash to the same slot';
  }
  return null;
}
