// The cluster as this node knows it (cluster.c's clusterState: nodes, slots[], migrating_slots_to,
// importing_slots_from): every node of the static map, the owner of each of the 16384 slots and
// the slots this node is moving. There is no cluster bus: the map changes only by nodes.conf at
// start and by the CLUSTER commands run on this node.
import { CLUSTER_SLOTS } from './crc16.js';
import type { NodeAddress } from './nodes-conf.js';

/**
 * A node of the map, this one (`myself`) included, with the address the map gives (for myself,
 * what nodes.conf last said; the live one is ClusterNode.address).
 */
export interface MapNode extends NodeAddress {
  readonly id: string;
  shardId: string;
  /** A replica's master; undefined for a master. */
  masterId: string | undefined;
  configEpoch: number;
  readonly myself: boolean;
}

/** A node with no address or slots yet (createClusterNode). */
export function newNode(id: string, shardId: string, myself: boolean): MapNode {
  return { id, ip: '', port: 0, tlsPort: 0, cport: 0, hostname: '', humanNodename: '', shardId, masterId: undefined, configEpoch: 0, myself };
}

export class SlotMap {
  /** Every known node in the order it became known (CLUSTER NODES and nodes.conf list them so). */
  readonly nodes = new Map<string, MapNode>();
  /** slots[]: the owner of each slot, undefined while unassigned. */
  readonly owner: (MapNode | undefined)[] = new Array<MapNode | undefined>(CLUSTER_SLOTS).fill(undefined);
  /** migrating_slots_to: slots of this node whose keys go to another. */
  readonly migratingTo = new Map<number, MapNode>();
  /** importing_slots_from: slots another node owns whose keys come here. */
  readonly importingFrom = new Map<number, MapNode>();
  private assignedCount = 0;

  constructor(public myself: MapNode) {
    this.nodes.set(myself.id, myself);
  }

  /** clusterLookupNode. */
  lookup(id: string): MapNode | undefined {
    return this.nodes.get(id);
  }

  add(n: MapNode): void {
    this.nodes.set(n.id, n);
  }

  /** clusterDelNode: the node forgotten, with the slots it served and the migrations towards or from it. */
  remove(n: MapNode): void {
    for (let s = 0; s < CLUSTER_SLOTS; s++) if (this.owner[s] === n) this.unassign(s);
    for (const [s, to] of this.migratingTo) if (to === n) this.migratingTo.delete(s);
    for (const [s, from] of this.importingFrom) if (from === n) this.importingFrom.delete(s);
    this.nodes.delete(n.id);
  }

  /** clusterAddSlot after clusterDelSlot: `slot` served by `n`. */
  assign(slot: number, n: MapNode): void {
    if (this.owner[slot] === undefined) this.assignedCount++;
    this.owner[slot] = n;
  }

  /** clusterDelSlot: the slot unassigned (its migrating or importing state, if any, stays). */
  unassign(slot: number): void {
    if (this.owner[slot] !== undefined) this.assignedCount--;
    this.owner[slot] = undefined;
  }

  /** Slots with an owner (cluster_slots_assigned). */
  get assigned(): number {
    return this.assignedCount;
  }

  /** The contiguous ranges `n` serves, in slot order. */
  ranges(n: MapNode): [number, number][] {
    const out: [number, number][] = [];
    let start = -1;
    for (let s = 0; s <= CLUSTER_SLOTS; s++) {
      const mine = s < CLUSTER_SLOTS && this.owner[s] === n;
      if (mine && start < 0) start = s;
      else if (!mine && start >= 0) {
        out.push([start, s - 1]);
        start = -1;
      }
    }
    return out;
  }

  /** The contiguous runs of one owner over all slots, in slot order (clusterReplyMultiBulkSlots). */
  runs(): { start: number; end: number; node: MapNode }[] {
    const out: { start: number; end: number; node: MapNode }[] = [];
    for (let s = 0; s < CLUSTER_SLOTS; s++) {
      const n = this.owner[s];
      if (n === undefined) continue;
      const last = out[out.length - 1];
      if (last !== undefined && last.node === n && last.end === s - 1) last.end = s;
      else out.push({ start: s, end: s, node: n });
    }
    return out;
  }

  /** The replicas of `master` in map order. */
  replicasOf(master: MapNode): MapNode[] {
    const out: MapNode[] = [];
    for (const n of this.nodes.values()) if (n.masterId === master.id) out.push(n);
    return out;
  }

  /** cluster->size: masters serving at least one slot. */
  get size(): number {
    const owners = new Set<MapNode>();
    for (const n of this.owner) if (n !== undefined) owners.add(n);
    return owners.size;
  }

  /**
   * clusterUpdateState with every node reachable (no bus, no failure detection): down only when
   * full coverage is required and a slot is unassigned, or when no master serves anything (no quorum).
   */
  ok(requireFullCoverage: boolean): boolean {
    if (this.assignedCount === 0) return false;
    return !requireFullCoverage || this.assignedCount === CLUSTER_SLOTS;
  }
}
