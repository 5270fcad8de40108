// CLUSTER, READONLY, READWRITE and ASKING (cluster.c) as Redis 7.2 answers them on a node of a
// static cluster (cluster/node.ts: the map nodes.conf gives, or one node owning every slot).
// Without cluster-enabled every one answers "This instance has cluster support disabled". What
// needs the cluster bus (MEET, REPLICATE, FAILOVER) is refused after the checks Redis makes first.
import type { ClusterNode } from '../cluster/node.js';
import { CLUSTER_SLOTS, keyHashSlot } from '../cluster/crc16.js';
import { describeNode, isNodeName } from '../cluster/nodes-conf.js';
import type { MapNode } from '../cluster/slot-map.js';
import { flushSlots, mapChanged, setSlot, slotAssignment } from './cluster-slots.js';
import { info, nodes, shards, slots, tlsPrimary } from './cluster-topology.js';
import { ClientFlag } from '../clients/flags.js';
import { isIP } from 'node:net';
import { CmdFlag as F, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { replyHelp } from './help.js';

const DISABLED = 'This instance has cluster support disabled';

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ADDSLOTS <slot> [<slot> ...]',
  '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH',
  '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>',
  '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>',
  '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]',
  '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]',
  '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]',
  '    Promote current replica node to being a master.',
  'FORGET <node-id>',
  '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>',
  '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS',
  '    Delete current node own slots information.',
  'INFO',
  '    Return information about the cluster.',
  'KEYSLOT <key>',
  '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]',
  '    Connect nodes into a working cluster.',
  'MYID',
  '    Return the node id.',
  'MYSHARDID',
  "    Return the node's shard id.",
  'NODES',
  '    Return cluster configuration seen by node. Output format:',
  '    <id> <ip:port@bus-port[,hostname]> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>',
  '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]',
  '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>',
  '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)',
  '    Set slot state.',
  'REPLICAS <node-id>',
  '    Return <node-id> replicas.',
  'SAVECONFIG',
  '    Force saving cluster configuration on disk.',
  'SLOTS',
  '    Return information about slots range mappings. Each range is made of:',
  '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS',
  '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS',
  '    Return information about all network links between this node and its peers.',
  '    Output format is an array where each array element is a map containing attributes of a link',
  'HELP',
  '    Print this help.',
];

/** What needs the cluster bus, which this build has none of: the map is static (nodes.conf). */
function unsupported(call: CommandCall, what: string): void {
  call.reply.error(`CLUSTER ${what} is not supported: this node has no cluster bus; list the nodes in its cluster-config-file (nodes.conf)`);
}

/** addReplySubcommandSyntaxError: a subcommand given more arguments than any of its forms takes. */
function subcommandSyntaxError({ args, reply }: CommandCall): void {
  reply.error(`unknown subcommand or wrong number of arguments for '${args.str(1).slice(0, 128)}'. Try ${args.str(0).toUpperCase()} HELP.`);
}

/** The cluster of a call, or undefined after replying that cluster support is disabled. */
function clusterOf(call: CommandCall): ClusterNode | undefined {
  const node = call.server.cluster;
  if (node === undefined) call.reply.error(DISABLED);
  return node;
}

/** A handler that runs only in cluster mode. */
function enabled(h: (call: CommandCall, node: ClusterNode) => void): (call: CommandCall) => void {
  return (call) => {
    const node = clusterOf(call);
    if (node !== undefined) h(call, node);
  };
}

/** getLongLongFromObjectOrReply: a 64-bit integer (a bigint beyond 2^53), or null after the error. */
function longLongOrReply(call: CommandCall, i: number): number | bigint | null {
  const v = parseInteger(call.args.str(i));
  if (v === null) call.reply.error(ERR_NOT_INTEGER);
  return v;
}

/** clusterLookupNode. */
function lookupNode(node: ClusterNode, name: string): MapNode | undefined {
  return isNodeName(name) ? node.map.lookup(name) : undefined;
}

function countKeysInSlot(call: CommandCall, node: ClusterNode): void {
  const slot = longLongOrReply(call, 2);
  if (slot === null) return;
  if (typeof slot !== 'number' || slot < 0 || slot >= CLUSTER_SLOTS) {
    call.reply.error('Invalid slot');
    return;
  }
  call.reply.integer(node.index.count(slot));
}

function getKeysInSlot(call: CommandCall, node: ClusterNode): void {
  const slot = longLongOrReply(call, 2);
  if (slot === null) return;
  const max = longLongOrReply(call, 3);
  if (max === null) return;
  if (typeof slot !== 'number' || slot < 0 || slot >= CLUSTER_SLOTS || max < 0) {
    call.reply.error('Invalid slot or number of keys');
    return;
  }
  const keys = node.index.keys(slot, Number(max));
  call.reply.array(keys.length);
  for (const k of keys) call.reply.bulkStr(k);
}

function meet(call: CommandCall): void {
  const { args, reply } = call;
  if (args.count > 5) {
    subcommandSyntaxError(call);
    return;
  }
  const port = parseInteger(args.str(3));
  if (port === null) {
    reply.error(`Invalid base port specified: ${args.str(3)}`);
    return;
  }
  let cport: number | bigint = typeof port === 'number' ? port + 10000 : port;
  if (args.count === 5) {
    const c = parseInteger(args.str(4));
    if (c === null) {
      reply.error(`Invalid bus port specified: ${args.str(4)}`);
      return;
    }
    cport = c;
  }
  // clusterStartHandshake's EINVAL: an address that is no IP, or a port out of range.
  if (isIP(args.str(2)) === 0 || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) {
    reply.error(`Invalid node address specified: ${args.str(2)}:${args.str(3)}`);
    return;
  }
  unsupported(call, 'MEET');
}

/** FORGET: the node and the slots it served leave this node's map (no blacklist: nothing would bring it back). */
function forget(call: CommandCall, node: ClusterNode): void {
  const name = call.args.str(2);
  const n = lookupNode(node, name);
  const me = node.map.myself;
  if (n === undefined) call.reply.error(`Unknown node ${name}`);
  else if (n === me) call.reply.error("I tried hard but I can't forget myself...");
  else if (me.masterId === n.id) call.reply.error("Can't forget my master!");
  else {
    node.map.remove(n);
    mapChanged(call, node);
    call.reply.status('OK');
  }
}

function replicate(call: CommandCall, node: ClusterNode): void {
  const name = call.args.str(2);
  const n = lookupNode(node, name);
  if (n === undefined) call.reply.error(`Unknown node ${name}`);
  else if (n.myself) call.reply.error("Can't replicate myself");
  else if (n.masterId !== undefined) call.reply.error('I can only replicate a master, not a replica.');
  else if (node.map.ranges(node.map.myself).length !== 0 || call.server.keyspace.dbs[0]!.size !== 0) {
    call.reply.error('To set a master the node must be empty and without assigned slots.');
  } else unsupported(call, 'REPLICATE');
}

/** REPLICAS: the lines of a master's replicas, as CLUSTER NODES gives them. */
function replicas(call: CommandCall, node: ClusterNode): void {
  const name = call.args.str(2);
  const n = lookupNode(node, name);
  if (n === undefined) call.reply.error(`Unknown node ${name}`);
  else if (n.masterId !== undefined) call.reply.error('The specified node is not a master');
  else {
    const list = node.map.replicasOf(n);
    call.reply.array(list.length);
    for (const r of list) call.reply.bulkStr(describeNode(node.map, r, node.addressOf(r, call.client), false, tlsPrimary(call)));
  }
}

function countFailureReports(call: CommandCall, node: ClusterNode): void {
  const name = call.args.str(2);
  if (lookupNode(node, name) !== undefined) call.reply.integer(0);
  else call.reply.error(`Unknown node ${name}`);
}

function failover(call: CommandCall): void {
  const { args, reply } = call;
  if (args.count > 3) {
    subcommandSyntaxError(call);
    return;
  }
  if (args.count === 3 && !args.is(2, 'force') && !args.is(2, 'takeover')) {
    reply.error(ERR_SYNTAX);
    return;
  }
  reply.error('You should send CLUSTER FAILOVER to a replica');
}

/** CLUSTER RESET on an empty master: the other nodes forgotten, every slot served here again (see ClusterState.reset); HARD gives a new name and zeroes the epochs. */
function reset(call: CommandCall, node: ClusterNode): void {
  const { args, reply, server, client } = call;
  if (args.count > 3) {
    subcommandSyntaxError(call);
    return;
  }
  let hard = false;
  if (args.count === 3) {
    if (args.is(2, 'hard')) hard = true;
    else if (!args.is(2, 'soft')) {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (server.keyspace.dbs[client.db]!.size !== 0) {
    reply.error("CLUSTER RESET can't be called with master nodes containing keys");
    return;
  }
  node.state.reset(hard);
  const err = node.save();
  if (err !== undefined) server.logWarning(`Fatal: can't update cluster config file. (${err})`);
  reply.status('OK');
}

function bumpEpoch({ reply }: CommandCall, node: ClusterNode): void {
  const s = node.state;
  // clusterBumpConfigEpochWithoutConsensus: the greatest epoch known is the current one.
  const bumped = s.configEpoch === 0 || s.configEpoch !== s.currentEpoch;
  if (bumped) {
    s.currentEpoch++;
    s.configEpoch = s.currentEpoch;
    node.save();
  }
  reply.status(`${bumped ? 'BUMPED' : 'STILL'} ${s.configEpoch}`);
}

function setConfigEpoch(call: CommandCall, node: ClusterNode): void {
  const epoch = longLongOrReply(call, 2);
  if (epoch === null) return;
  const s = node.state;
  if (epoch < 0) call.reply.error(`Invalid config epoch specified: ${epoch}`);
  else if (s.configEpoch !== 0) call.reply.error('Node config epoch is already non-zero');
  else {
    s.configEpoch = Number(epoch);
    if (s.currentEpoch < s.configEpoch) s.currentEpoch = s.configEpoch;
    call.server.logAt(2, `configEpoch set to ${s.configEpoch} via CLUSTER SET-CONFIG-EPOCH`);
    node.save();
    call.reply.status('OK');
  }
}

function saveConfig({ reply }: CommandCall, node: ClusterNode): void {
  const err = node.save();
  if (err === undefined) reply.status('OK');
  else reply.error(`error saving the cluster node config: ${err}`);
}

const ADMIN = F.NoAsyncLoading | F.Admin | F.Stale;
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];
const TIPS = ['nondeterministic_output'];

/** A CLUSTER subcommand row. */
function sub(name: string, arity: number, flags: number, since: string, summary: string, complexity: string, handler: (call: CommandCall, node: ClusterNode) => void, extra: Partial<CommandDef> = {}): CommandDef {
  const acl = flags & F.Admin ? ADMIN_ACL : ['slow'];
  return { name, arity, flags, acl, group: 'cluster', since, summary, complexity, handler: enabled(handler), ...extra };
}

const BY_REPLICAS = 'O(N) where N is the number of replicas.';
const BY_NODES = 'O(N) where N is the total number of Cluster nodes';
const BY_SLOTS = 'O(N) where N is the total number of the slots between the start slot and end slot arguments.';

export const clusterCommands: CommandDef[] = [
  {
    name: 'cluster', arity: -2, flags: 0, acl: ['slow'], group: 'cluster', since: '3.0.0', summary: 'A container for Redis Cluster commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('addslots', -3, ADMIN, '3.0.0', 'Assigns new hash slots to a node.', 'O(N) where N is the total number of hash slot arguments', (c, n) => slotAssignment(c, n, false, false)),
      sub('addslotsrange', -4, ADMIN, '7.0.0', 'Assigns new hash slot ranges to a node.', BY_SLOTS, (c, n) => slotAssignment(c, n, false, true)),
      sub('bumpepoch', 2, ADMIN, '3.0.0', 'Advances the cluster config epoch.', 'O(1)', bumpEpoch, { tips: TIPS }),
      sub('count-failure-reports', 3, F.Admin | F.Stale, '3.0.0', 'Returns the number of active failure reports active for a node.', 'O(N) where N is the number of failure reports', countFailureReports, { tips: TIPS }),
      sub('countkeysinslot', 3, F.Stale, '3.0.0', 'Returns the number of keys in a hash slot.', 'O(1)', countKeysInSlot),
      sub('delslots', -3, ADMIN, '3.0.0', 'Sets hash slots as unbound for a node.', 'O(N) where N is the total number of hash slot arguments', (c, n) => slotAssignment(c, n, true, false)),
      sub('delslotsrange', -4, ADMIN, '7.0.0', 'Sets hash slot ranges as unbound for a node.', BY_SLOTS, (c, n) => slotAssignment(c, n, true, true)),
      sub('failover', -2, ADMIN, '3.0.0', 'Forces a replica to perform a manual failover of its master.', 'O(1)', failover),
      sub('flushslots', 2, ADMIN, '3.0.0', 'Deletes all slots information from a node.', 'O(1)', flushSlots),
      sub('forget', 3, ADMIN, '3.0.0', 'Removes a node from the nodes table.', 'O(1)', forget),
      sub('getkeysinslot', 4, F.Stale, '3.0.0', 'Returns the key names in a hash slot.', 'O(N) where N is the number of requested keys', getKeysInSlot, { tips: TIPS }),
      { name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'cluster', since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: enabled((c) => replyHelp(c, HELP)) },
      sub('info', 2, F.Stale, '3.0.0', 'Returns information about the state of a node.', 'O(1)', info, { tips: TIPS }),
      sub('keyslot', 3, F.Stale, '3.0.0', 'Returns the hash slot for a key.', 'O(N) where N is the number of bytes in the key', (c) => c.reply.integer(keyHashSlot(c.args.str(2)))),
      sub('links', 2, F.Stale, '7.0.0', 'Returns a list of all TCP links to and from peer nodes.', BY_NODES, (c) => c.reply.array(0), { tips: TIPS }),
      sub('meet', -4, ADMIN, '3.0.0', 'Forces a node to handshake with another node.', 'O(1)', meet),
      sub('myid', 2, F.Stale, '3.0.0', 'Returns the ID of a node.', 'O(1)', (c, n) => c.reply.bulkStr(n.state.myId)),
      sub('myshardid', 2, F.Stale, '7.2.0', 'Returns the shard ID of a node.', 'O(1)', (c, n) => c.reply.bulkStr(n.state.shardId), { tips: TIPS }),
      sub('nodes', 2, F.Stale, '3.0.0', 'Returns the cluster configuration for a node.', BY_NODES, nodes, { tips: TIPS }),
      sub('replicas', 3, F.Admin | F.Stale, '5.0.0', 'Lists the replica nodes of a master node.', BY_REPLICAS, replicas, { tips: TIPS }),
      sub('replicate', 3, ADMIN, '3.0.0', 'Configure a node as replica of a master node.', 'O(1)', replicate),
      sub('reset', -2, F.Admin | F.Stale | F.NoScript, '3.0.0', 'Resets a node.', 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.', reset),
      sub('saveconfig', 2, ADMIN, '3.0.0', 'Forces a node to save the cluster configuration to disk.', 'O(1)', saveConfig),
      sub('set-config-epoch', 3, ADMIN, '3.0.0', 'Sets the configuration epoch for a new node.', 'O(1)', setConfigEpoch),
      sub('setslot', -4, ADMIN, '3.0.0', 'Binds a hash slot to a node.', 'O(1)', setSlot),
      sub('shards', 2, F.Loading | F.Stale, '7.0.0', 'Returns the mapping of cluster slots to shards.', 'O(N) where N is the total number of cluster nodes', shards, { tips: TIPS }),
      sub('slaves', 3, F.Admin | F.Stale, '3.0.0', 'Lists the replica nodes of a master node.', BY_REPLICAS, replicas, { tips: TIPS }),
      sub('slots', 2, F.Loading | F.Stale, '3.0.0', 'Returns the mapping of cluster slots to nodes.', BY_NODES, slots, { tips: TIPS }),
    ],
  },
  {
    name: 'asking', arity: 1, flags: F.Fast, acl: ['fast', 'connection'], group: 'cluster', since: '3.0.0', summary: 'Signals that a cluster client is following an -ASK redirect.', complexity: 'O(1)',
    // The next command may use a slot being imported here (cleared after it, see ClusterNode.redirect).
    handler: enabled(({ reply, client }) => {
      client.flags |= ClientFlag.Asking;
      reply.status('OK');
    }),
  },
  {
    name: 'readonly', arity: 1, flags: F.Fast | F.Loading | F.Stale, acl: ['fast', 'connection'], group: 'cluster', since: '3.0.0', summary: 'Enables read-only queries for a connection to a Redis Cluster replica node.', complexity: 'O(1)',
    handler: enabled(({ reply, client }) => {
      client.flags |= ClientFlag.Readonly;
      reply.status('OK');
    }),
  },
  {
    name: 'readwrite', arity: 1, flags: F.Fast | F.Loading | F.Stale, acl: ['fast', 'connection'], group: 'cluster', since: '3.0.0', summary: 'Enables read-write queries for a connection to a Reids Cluster replica node.', complexity: 'O(1)',
    handler: enabled(({ reply, client }) => {
      client.flags &= ~ClientFlag.Readonly;
      reply.status('OK');
    }),
  },
];
