// This node's view of the cluster (cluster.c's clusterState and myself): the static map of
// nodes and slots (slot-map.ts), the epochs, and the nodes.conf that keeps them across restarts
// (nodes-conf.ts). A node with no nodes.conf starts as a cluster of one that owns every slot.
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { CLUSTER_SLOTS } from './crc16.js';
import { addressOf, describeNode, parseNodesConf, randomName, type NodeAddress } from './nodes-conf.js';
import { newNode, SlotMap, type MapNode } from './slot-map.js';

export { isNodeName, NAME_LEN, type NodeAddress } from './nodes-conf.js';

/** A map of one node owning every slot, with a new name and shard. */
function singleNodeMap(): SlotMap {
  const map = new SlotMap(newNode(randomName(), randomName(), true));
  for (let s = 0; s < CLUSTER_SLOTS; s++) map.assign(s, map.myself);
  return map;
}

export class ClusterState {
  map = singleNodeMap();
  currentEpoch = 0;
  lastVoteEpoch = 0;

  /** `file`: cluster-config-file resolved against dir. */
  constructor(readonly file: string) {}

  get myself(): MapNode {
    return this.map.myself;
  }

  get myId(): string {
    return this.map.myself.id;
  }

  get shardId(): string {
    return this.map.myself.shardId;
  }

  get configEpoch(): number {
    return this.map.myself.configEpoch;
  }

  set configEpoch(v: number) {
    this.map.myself.configEpoch = v;
  }

  /**
   * CLUSTER RESET: every other node forgotten and, HARD, a new name and shard with every epoch
   * back to 0. Without a bus nothing would hand the slots back, so the node serves all of them
   * again, as a node with no nodes.conf does.
   */
  reset(hard: boolean): void {
    const old = this.map.myself;
    const me = newNode(hard ? randomName() : old.id, hard ? randomName() : old.shardId, true);
    me.ip = old.ip;
    if (hard) this.currentEpoch = this.lastVoteEpoch = 0;
    else me.configEpoch = old.configEpoch;
    this.map = new SlotMap(me);
    for (let s = 0; s < CLUSTER_SLOTS; s++) this.map.assign(s, me);
  }

  /**
   * clusterLoadConfig: the map, epochs and open slots nodes.conf lists. False when the file is
   * missing or empty (a new node); throws with Redis's message when it cannot be read as nodes.conf.
   */
  load(): boolean {
    if (!existsSync(this.file) || statSync(this.file).size === 0) return false;
    const loaded = parseNodesConf(readFileSync(this.file, 'latin1'));
    this.map = loaded.map;
    this.currentEpoch = loaded.currentEpoch;
    this.lastVoteEpoch = loaded.lastVoteEpoch;
    // clusterLoadConfig: the greatest epoch of any node is at least the current one.
    for (const n of this.map.nodes.values()) if (n.configEpoch > this.currentEpoch) this.currentEpoch = n.configEpoch;
    return true;
  }

  /** clusterSaveConfig: written to a temp file then renamed over. An error text when it failed. */
  save(myAddress: NodeAddress): string | undefined {
    let text = '';
    for (const n of this.map.nodes.values()) text += describeNode(this.map, n, n.myself ? myAddress : addressOf(n), true) + '\n';
    text += `vars currentEpoch ${this.currentEpoch} lastVoteEpoch ${this.lastVoteEpoch}\n`;
    const temp = `${this.file}.tmp-${process.pid}-${Date.now()}`;
    try {
      writeFileSync(temp, text, { mode: 0o644 });
      renameSync(temp, this.file);
      return undefined;
    } catch (e) {
      try {
        unlinkSync(temp);
      } catch {
        // Nothing was written.
      }
      return (e as Error).message;
    }
  }
}
