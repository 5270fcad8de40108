// nodes.conf as Redis 7.2 writes and reads it (cluster.c clusterGenNodeDescription and
// clusterLoadConfig): one line per node, `id ip:port@cport[,hostname[,aux=value...]] flags master
// ping pong epoch link slots...`, this node's line flagged `myself` and carrying its open slots
// as `[slot->-id]` / `[slot-<-id]`, then `vars currentEpoch N lastVoteEpoch N`. The same line,
// without the aux fields, is CLUSTER NODES' reply.
import { randomBytes } from 'node:crypto';
import { CLUSTER_SLOTS } from './crc16.js';
import { newNode, SlotMap, type MapNode } from './slot-map.js';

/** CLUSTER_NAMELEN. */
export const NAME_LEN = 40;

/** getRandomHexChars for a node name or shard id. */
export function randomName(): string {
  return randomBytes(NAME_LEN / 2).toString('hex');
}

/** verifyClusterNodeId: exactly 40 hex digits in lower case, as getRandomHexChars writes them. */
export function isNodeName(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}

/** How a node is reached, as announced (for myself, read live from the configuration). */
export interface NodeAddress {
  ip: string;
  port: number;
  tlsPort: number;
  /** The cluster bus port: announced, cluster-port, or the client port + 10000. */
  cport: number;
  /** '' when none. */
  hostname: string;
  /** '' when none. */
  humanNodename: string;
}

/** The address the map holds for a peer. */
export function addressOf(n: MapNode): NodeAddress {
  return { ip: n.ip, port: n.port, tlsPort: n.tlsPort, cport: n.cport, hostname: n.hostname, humanNodename: n.humanNodename };
}

/**
 * clusterGenNodeDescription: CLUSTER NODES' line for `n` at address `a`, or with `forFile` the
 * nodes.conf line, whose address column carries the aux fields clients are not shown.
 * `tlsPrimary` (a TLS client asking) puts the TLS port where the TCP port goes.
 */
export function describeNode(map: SlotMap, n: MapNode, a: NodeAddress, forFile: boolean, tlsPrimary = false): string {
  let ci = `${n.id} ${a.ip}:${tlsPrimary ? a.tlsPort : a.port}@${a.cport}`;
  if (a.hostname !== '') ci += `,${a.hostname}`;
  if (forFile) {
    if (a.hostname === '') ci += ',';
    // Aux fields from the last to the first (tls-port, tcp-port, nodename, shard-id), the one
    // of the port already written left out.
    if (tlsPrimary) ci += `,tcp-port=${a.port}`;
    else ci += `,tls-port=${a.tlsPort}`;
    if (a.humanNodename !== '') ci += `,nodename=${a.humanNodename}`;
    ci += `,shard-id=${n.shardId}`;
  }
  const master = n.masterId !== undefined ? map.lookup(n.masterId) : undefined;
  const flags = (n.myself ? 'myself,' : '') + (n.masterId !== undefined ? 'slave' : 'master');
  const epoch = master !== undefined ? master.configEpoch : n.configEpoch;
  // No bus: no ping sent or pong received to report, and every node of the map counts as linked.
  ci += ` ${flags} ${n.masterId ?? '-'} 0 0 ${epoch} connected`;
  for (const [start, end] of map.ranges(n)) ci += start === end ? ` ${start}` : ` ${start}-${end}`;
  if (n.myself) {
    for (let s = 0; s < CLUSTER_SLOTS; s++) {
      const to = map.migratingTo.get(s);
      if (to !== undefined) ci += ` [${s}->-${to.id}]`;
      else {
        const from = map.importingFrom.get(s);
        if (from !== undefined) ci += ` [${s}-<-${from.id}]`;
      }
    }
  }
  return ci;
}

/** What clusterLoadConfig read: the map (myself found) and the vars line. */
export interface LoadedConfig {
  map: SlotMap;
  currentEpoch: number;
  lastVoteEpoch: number;
}

function corrupted(line: string): Error {
  return new Error(`Unrecoverable error: corrupted cluster config file "${line}".`);
}

/** isValidAuxChar over a whole string. */
function validAux(s: string): boolean {
  return !/[!#$%&()*+:;<>?@[\]^{|}~]/.test(s);
}

function slotNumber(s: string, line: string): number {
  if (!/^\d+$/.test(s)) throw corrupted(line);
  const v = Number(s);
  if (v >= CLUSTER_SLOTS) throw corrupted(line);
  return v;
}

/**
 * clusterLoadConfig: the nodes, slots and open slots of a nodes.conf text. Throws with Redis's
 * message when a line cannot be read or no line is flagged myself.
 */
export function parseNodesConf(text: string): LoadedConfig {
  const nodes = new Map<string, MapNode>();
  const get = (id: string, myself: boolean): MapNode => {
    let n = nodes.get(id);
    if (n === undefined) nodes.set(id, (n = newNode(id, '', myself)));
    else if (myself && !n.myself) nodes.set(id, (n = { ...n, myself }));
    return n;
  };
  const slotLines: { node: MapNode; fields: string[]; line: string }[] = [];
  let myself: MapNode | undefined;
  let currentEpoch = 0;
  let lastVoteEpoch = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const argv = line.split(/\s+/);
    if (argv[0]!.toLowerCase() === 'vars') {
      if (argv.length % 2 === 0) throw corrupted(line);
      for (let j = 1; j + 1 < argv.length; j += 2) {
        const v = Number(argv[j + 1]);
        const name = argv[j]!.toLowerCase();
        if (name === 'currentepoch') currentEpoch = v;
        else if (name === 'lastvoteepoch') lastVoteEpoch = v;
      }
      continue;
    }
    if (argv.length < 8 || !isNodeName(argv[0]!)) throw corrupted(line);
    const flags = argv[2]!.toLowerCase().split(',');
    const isMyself = flags.includes('myself');
    if (isMyself && myself !== undefined) throw corrupted(line);
    const n = get(argv[0]!, isMyself);
    if (isMyself) myself = n;
    // ip:port[@cport][,hostname][,aux=value]*
    const aux = argv[1]!.split(',');
    n.hostname = aux.length > 1 ? aux[1]! : '';
    let auxTcp = false;
    let auxTls = false;
    for (const field of aux.slice(2)) {
      const kv = field.split('=');
      if (kv.length !== 2 || !validAux(kv[0]!) || !validAux(kv[1]!)) throw corrupted(line);
      const [k, v] = kv as [string, string];
      if (k === 'shard-id') {
        if (!isNodeName(v)) throw corrupted(line);
        n.shardId = v;
      } else if (k === 'nodename') n.humanNodename = v;
      else if (k === 'tcp-port') {
        n.port = Number(v) | 0;
        auxTcp = true;
      } else if (k === 'tls-port') {
        n.tlsPort = Number(v) | 0;
        auxTls = true;
      } else throw corrupted(line);
    }
    const addr = aux[0]!;
    const colon = addr.lastIndexOf(':');
    if (colon < 0) throw corrupted(line);
    n.ip = addr.slice(0, colon);
    const [port, bus] = addr.slice(colon + 1).split('@') as [string, string | undefined];
    // With neither port among the aux fields the file is older than 7.2: the port is the TCP one.
    if (!auxTcp) n.port = Number.parseInt(port, 10) || 0;
    else if (!auxTls) n.tlsPort = Number.parseInt(port, 10) || 0;
    n.cport = bus !== undefined ? Number.parseInt(bus, 10) || 0 : n.port + 10000;
    for (const f of flags) {
      if (!['myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover', 'noflags'].includes(f)) {
        throw new Error('Unknown flag in redis cluster config file');
      }
    }
    if (argv[3] !== '-') {
      if (!isNodeName(argv[3]!)) throw corrupted(line);
      get(argv[3]!, false);
      n.masterId = argv[3];
    } else n.masterId = undefined;
    n.configEpoch = Number(argv[6]) || 0;
    slotLines.push({ node: n, fields: argv.slice(8), line });
  }
  if (myself === undefined) throw corrupted('');
  const map = new SlotMap(myself);
  // Listed in the file's order, as they were known.
  map.nodes.clear();
  for (const n of nodes.values()) map.add(n);
  // No shard id (a file older than 7.2): a replica follows its master's, a master gets a new one.
  for (const n of nodes.values()) if (n.shardId === '' && n.masterId === undefined) n.shardId = randomName();
  for (const n of nodes.values()) if (n.shardId === '') n.shardId = nodes.get(n.masterId!)!.shardId;
  for (const { node, fields, line } of slotLines) {
    for (const f of fields) {
      if (f.startsWith('[')) {
        // [slot->-id] (migrating to) or [slot-<-id] (importing from); only myself's line has them.
        const m = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(f);
        if (m === null) throw corrupted(line);
        const slot = slotNumber(m[1]!, line);
        const other = nodes.get(m[3]!) ?? get(m[3]!, false);
        if (!map.nodes.has(other.id)) map.add(other);
        if (m[2] === '>') map.migratingTo.set(slot, other);
        else map.importingFrom.set(slot, other);
        continue;
      }
      const dash = f.indexOf('-');
      const start = slotNumber(dash < 0 ? f : f.slice(0, dash), line);
      const end = dash < 0 ? start : slotNumber(f.slice(dash + 1), line);
      for (let s = start; s <= end; s++) map.assign(s, node);
    }
  }
  return { map, currentEpoch, lastVoteEpoch };
}
