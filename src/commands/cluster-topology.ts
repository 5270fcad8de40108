// CLUSTER INFO, SLOTS, SHARDS and NODES (cluster.c genClusterInfoString, clusterReplyMultiBulkSlots,
// clusterReplyShards, clusterGenNodesDescription) over the static map: every node, its role and
// the slots it serves. With no bus there are no failure reports, pings or message counts.
import type { ClusterNode } from '../cluster/node.js';
import { describeNode, type NodeAddress } from '../cluster/nodes-conf.js';
import { preferredEndpoint } from '../cluster/redirect.js';
import type { MapNode } from '../cluster/slot-map.js';
import type { CommandCall } from '../table/table.js';

/** shouldReturnTlsInfo: a TLS client is told the TLS port, others the TCP port. */
export function tlsPrimary(call: CommandCall): boolean {
  return call.client.connType === 'tls';
}

export function info({ reply }: CommandCall, node: ClusterNode): void {
  const s = node.state;
  const map = s.map;
  reply.verbatim(
    `cluster_state:${node.clusterOk ? 'ok' : 'fail'}\r\n` +
      `cluster_slots_assigned:${map.assigned}\r\n` +
      `cluster_slots_ok:${map.assigned}\r\n` +
      'cluster_slots_pfail:0\r\n' +
      'cluster_slots_fail:0\r\n' +
      `cluster_known_nodes:${map.nodes.size}\r\n` +
      `cluster_size:${map.size}\r\n` +
      `cluster_current_epoch:${s.currentEpoch}\r\n` +
      `cluster_my_epoch:${myEpoch(node)}\r\n` +
      'cluster_stats_messages_sent:0\r\n' +
      'cluster_stats_messages_received:0\r\n' +
      'total_cluster_links_buffer_limit_exceeded:0\r\n',
  );
}

/** A replica reports its master's epoch. */
function myEpoch(node: ClusterNode): number {
  const me = node.state.myself;
  const master = me.masterId !== undefined ? node.map.lookup(me.masterId) : undefined;
  return master?.configEpoch ?? me.configEpoch;
}

/** addNodeToNodeReply: endpoint, port, id, and the networking facts that are not the endpoint. */
function nodeEntry(call: CommandCall, a: NodeAddress, id: string): void {
  const { reply, server } = call;
  const endpoint = server.config.str('cluster-preferred-endpoint-type');
  reply.array(4);
  if (endpoint === 'ip') reply.bulkStr(a.ip);
  else if (endpoint === 'hostname') reply.bulkStr(a.hostname !== '' ? a.hostname : '?');
  else reply.nullBulk();
  reply.integer(tlsPrimary(call) ? a.tlsPort : a.port);
  reply.bulkStr(id);
  const extra: [string, string][] = [];
  if (endpoint !== 'ip') extra.push(['ip', a.ip]);
  if (endpoint !== 'hostname' && a.hostname !== '') extra.push(['hostname', a.hostname]);
  reply.map(extra.length);
  for (const [k, v] of extra) {
    reply.bulkStr(k);
    reply.bulkStr(v);
  }
}

/**
 * clusterReplyMultiBulkSlots: each run of slots one master serves, in slot order. Replicas are
 * listed only once they report a replication offset (isReplicaAvailable); with no bus, a peer
 * replica never does, so none is.
 */
export function slots(call: CommandCall, node: ClusterNode): void {
  const runs = node.map.runs();
  call.reply.array(runs.length);
  for (const { start, end, node: n } of runs) {
    call.reply.array(3);
    call.reply.integer(start);
    call.reply.integer(end);
    nodeEntry(call, node.addressOf(n, call.client), n.id);
  }
}

/** addNodeDetailsToShardReply. */
function shardNode(call: CommandCall, node: ClusterNode, n: MapNode): void {
  const { reply, server } = call;
  const a = node.addressOf(n, call.client);
  const fields: [string, string | number][] = [['id', n.id]];
  if (a.port !== 0) fields.push(['port', a.port]);
  if (a.tlsPort !== 0) fields.push(['tls-port', a.tlsPort]);
  fields.push(['ip', a.ip], ['endpoint', preferredEndpoint(server.config.str('cluster-preferred-endpoint-type'), a.ip, a.hostname)]);
  if (a.hostname !== '') fields.push(['hostname', a.hostname]);
  const replica = n.masterId !== undefined;
  // A peer's replication offset travels on the bus: 0 here, which Redis shows a replica as loading with.
  fields.push(['role', replica ? 'replica' : 'master'], ['replication-offset', 0], ['health', replica ? 'loading' : 'online']);
  reply.map(fields.length);
  for (const [k, v] of fields) {
    reply.bulkStr(k);
    if (typeof v === 'number') reply.integer(v);
    else reply.bulkStr(v);
  }
}

/** clusterReplyShards: one entry per shard id, its master's slot ranges, then its nodes. */
export function shards(call: CommandCall, node: ClusterNode): void {
  const { reply } = call;
  const byShard = new Map<string, MapNode[]>();
  for (const n of node.map.nodes.values()) {
    const list = byShard.get(n.shardId);
    if (list === undefined) byShard.set(n.shardId, [n]);
    else list.push(n);
  }
  reply.array(byShard.size);
  for (const members of byShard.values()) {
    const first = members[0]!;
    const master = (first.masterId !== undefined ? node.map.lookup(first.masterId) : undefined) ?? first;
    const ranges = node.map.ranges(master);
    reply.map(2);
    reply.bulkStr('slots');
    reply.array(ranges.length * 2);
    for (const [start, end] of ranges) {
      reply.integer(start);
      reply.integer(end);
    }
    reply.bulkStr('nodes');
    reply.array(members.length);
    for (const n of members) shardNode(call, node, n);
  }
}

/** clusterGenNodesDescription: one line per known node. */
export function nodes(call: CommandCall, node: ClusterNode): void {
  let text = '';
  const map = node.map;
  const tls = tlsPrimary(call);
  for (const n of map.nodes.values()) text += describeNode(map, n, node.addressOf(n, call.client), false, tls) + '\n';
  call.reply.verbatim(text);
}
