// The CLUSTER subcommands that change who serves a slot on this node (cluster.c): ADDSLOTS,
// DELSLOTS and their RANGE forms, FLUSHSLOTS, and SETSLOT IMPORTING|MIGRATING|STABLE|NODE, the
// steps `redis-cli --cluster reshard` drives. Each change is saved to nodes.conf at once. With no
// cluster bus the other nodes learn of it only when told the same (SETSLOT NODE on each).
import { BlockType } from '../clients/client.js';
import type { ClusterNode } from '../cluster/node.js';
import { CLUSTER_SLOTS } from '../cluster/crc16.js';
import type { CommandCall } from '../table/table.js';
import { parseInteger } from '../util/numbers.js';

/** getSlotOrReply. */
export function slotOrReply(call: CommandCall, i: number): number | null {
  const v = parseInteger(call.args.str(i));
  if (typeof v !== 'number' || v < 0 || v >= CLUSTER_SLOTS) {
    call.reply.error('Invalid or out of range slot');
    return null;
  }
  return v;
}

/**
 * After a change of the map: nodes.conf saved at once (clusterDoBeforeSleep's SAVE_CONFIG; a
 * failure is logged where Redis would exit), and the clients blocked on keys of a slot no longer
 * served here unblocked with the redirection (clusterRedirectBlockedClientIfNeeded, which Redis
 * runs from clientsCron within the next second).
 */
export function mapChanged(call: CommandCall, node: ClusterNode): void {
  const { server } = call;
  const err = node.save();
  if (err !== undefined) server.logWarning(`Could not save the cluster config: ${err}`);
  for (const c of [...server.clients]) {
    const b = c.blocked;
    if (b === undefined || b.type !== BlockType.Keys) continue;
    const redirect = node.blockedRedirect(b.keys, c.connType === 'tls');
    if (redirect !== null) server.blocked.unblockClient(c, redirect);
  }
}

/**
 * checkSlotAssignmentsOrReply over [start, end]: each slot unassigned for ADDSLOTS (assigned for
 * DELSLOTS) and named once; `seen` collects them. False after the error.
 */
function checkSlots(call: CommandCall, node: ClusterNode, seen: Uint8Array, del: boolean, start: number, end: number): boolean {
  const owner = node.map.owner;
  for (let s = start; s <= end; s++) {
    if (del && owner[s] === undefined) {
      call.reply.error(`Slot ${s} is already unassigned`);
      return false;
    }
    if (!del && owner[s] !== undefined) {
      call.reply.error(`Slot ${s} is already busy`);
      return false;
    }
    if (seen[s]++ === 1) {
      call.reply.error(`Slot ${s} specified multiple times`);
      return false;
    }
  }
  return true;
}

/** clusterUpdateSlots: the slots given to this node (no longer importing), or unassigned. */
function updateSlots(node: ClusterNode, seen: Uint8Array, del: boolean): void {
  const map = node.map;
  for (let s = 0; s < CLUSTER_SLOTS; s++) {
    if (!seen[s]) continue;
    map.importingFrom.delete(s);
    if (del) map.unassign(s);
    else map.assign(s, map.myself);
  }
}

/** ADDSLOTS / DELSLOTS and their RANGE forms. */
export function slotAssignment(call: CommandCall, node: ClusterNode, del: boolean, ranges: boolean): void {
  const { args, reply } = call;
  const seen = new Uint8Array(CLUSTER_SLOTS);
  if (ranges) {
    if (args.count % 2 === 1) {
      reply.error(`wrong number of arguments for 'cluster|${args.lower(1)}' command`);
      return;
    }
    // Each range is parsed and checked before the next is read.
    for (let j = 2; j < args.count; j += 2) {
      const start = slotOrReply(call, j);
      if (start === null) return;
      const end = slotOrReply(call, j + 1);
      if (end === null) return;
      if (start > end) {
        reply.error(`start slot number ${start} is greater than end slot number ${end}`);
        return;
      }
      if (!checkSlots(call, node, seen, del, start, end)) return;
    }
  } else {
    for (let j = 2; j < args.count; j++) if (slotOrReply(call, j) === null) return;
    for (let j = 2; j < args.count; j++) {
      const s = slotOrReply(call, j)!;
      if (!checkSlots(call, node, seen, del, s, s)) return;
    }
  }
  updateSlots(node, seen, del);
  mapChanged(call, node);
  reply.status('OK');
}

/** FLUSHSLOTS: every slot of this node unassigned (clusterDelNodeSlots). */
export function flushSlots(call: CommandCall, node: ClusterNode): void {
  if (call.server.keyspace.dbs[0]!.size !== 0) {
    call.reply.error('DB must be empty to perform CLUSTER FLUSHSLOTS.');
    return;
  }
  const map = node.map;
  for (let s = 0; s < CLUSTER_SLOTS; s++) if (map.owner[s] === map.myself) map.unassign(s);
  mapChanged(call, node);
  call.reply.status('OK');
}

/** SETSLOT <slot> IMPORTING|MIGRATING <id> | STABLE | NODE <id>. */
export function setSlot(call: CommandCall, node: ClusterNode): void {
  const { args, reply } = call;
  const map = node.map;
  const me = map.myself;
  if (me.masterId !== undefined) {
    reply.error('Please use SETSLOT only with masters.');
    return;
  }
  const slot = slotOrReply(call, 2);
  if (slot === null) return;
  const action = args.lower(3);
  const id = args.count === 5 ? args.str(4) : '';
  if ((action === 'migrating' || action === 'importing') && args.count === 5) {
    // MIGRATING from a slot this node owns, IMPORTING into one it does not.
    const migrating = action === 'migrating';
    if ((map.owner[slot] === me) !== migrating) {
      reply.error(migrating ? `I'm not the owner of hash slot ${slot}` : `I'm already the owner of hash slot ${slot}`);
      return;
    }
    const n = map.lookup(id);
    if (n === undefined) reply.error(`I don't know about node ${id}`);
    else if (n.masterId !== undefined) reply.error('Target node is not a master');
    else {
      (migrating ? map.migratingTo : map.importingFrom).set(slot, n);
      done(call, node);
    }
  } else if (action === 'stable' && args.count === 4) {
    map.importingFrom.delete(slot);
    map.migratingTo.delete(slot);
    done(call, node);
  } else if (action === 'node' && args.count === 5) {
    setSlotNode(call, node, slot, id);
  } else {
    reply.error('Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
  }
}

function done(call: CommandCall, node: ClusterNode): void {
  mapChanged(call, node);
  call.reply.status('OK');
}

/**
 * SETSLOT <slot> NODE <id>: the slot handed to `id`, refused while this node still holds keys of
 * it for another owner. Closing an import here bumps this node's epoch as Redis does. A master
 * left with no slot stays a master (Redis would turn it into a replica of the new owner).
 */
function setSlotNode(call: CommandCall, node: ClusterNode, slot: number, id: string): void {
  const map = node.map;
  const me = map.myself;
  const n = map.lookup(id);
  if (n === undefined) {
    call.reply.error(`Unknown node ${id}`);
    return;
  }
  if (n.masterId !== undefined) {
    call.reply.error('Target node is not a master');
    return;
  }
  const keys = node.index.count(slot);
  if (map.owner[slot] === me && n !== me && keys !== 0) {
    call.reply.error(`Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
    return;
  }
  // With no keys left, giving the slot away ends its migration.
  if (keys === 0) map.migratingTo.delete(slot);
  map.unassign(slot);
  map.assign(slot, n);
  if (n === me && map.importingFrom.has(slot)) {
    // clusterBumpConfigEpochWithoutConsensus, then the import is over.
    const s = node.state;
    if (s.configEpoch === 0 || s.configEpoch !== s.currentEpoch) {
      s.currentEpoch++;
      s.configEpoch = s.currentEpoch;
      call.server.logAt(2, `configEpoch updated after importing slot ${slot}`);
    }
    map.importingFrom.delete(slot);
  }
  done(call, node);
}
