// Where a request belongs (cluster.c getNodeByQuery) and the error that sends it there
// (clusterRedirectClient): every key of the call (of every queued call, for EXEC) in one slot,
// that slot served here, or -MOVED to its owner; while the slot is migrating, -ASK for keys
// already gone and -TRYAGAIN for a multi-key request that is only partly here; while importing,
// served only after ASKING. Commands without keys run anywhere.
import type { Args } from '../engine/args.js';
import { CmdFlag, type Command } from '../table/table.js';
import { keyHashSlot } from './crc16.js';
import { forEachKey, mayNameKeys, NO_SLOT, type QueuedCall } from './call-keys.js';
import type { MapNode, SlotMap } from './slot-map.js';

/** clusterRedirectClient's error codes (CLUSTER_REDIR_*). */
export const enum Redir {
  None,
  CrossSlot,
  Unstable,
  DownState,
  DownRoState,
  DownUnbound,
  Moved,
  Ask,
}

/** What the check reads of the node and of the configuration. */
export interface QueryContext {
  readonly map: SlotMap;
  /** cluster_state:ok. */
  readonly clusterOk: boolean;
  readonly allowReadsWhenDown: boolean;
  readonly allowPubsubshardWhenDown: boolean;
  /** The ASKING flag of the client (or of a script's caller). */
  readonly asking: boolean;
  /** lookupKeyReadWithFlags(NOTOUCH|NOEXPIRE...) in database 0: present and not past its deadline. */
  exists(key: string): boolean;
}

/** Where getNodeByQuery's answer is left (no allocation per request): the slot, and the node to redirect to. */
export const query = { slot: NO_SLOT, node: undefined as MapNode | undefined };

const PUBSUB_SHARD = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

/** Walk state of one request, reset by getNodeByQuery. */
const walk = {
  ctx: undefined as QueryContext | undefined,
  args: undefined as Args | undefined,
  pubsubshard: false,
  first: undefined as string | undefined,
  slot: 0,
  owner: undefined as MapNode | undefined,
  stop: Redir.None,
  multipleKeys: false,
  migrating: false,
  importing: false,
  missing: 0,
  existing: 0,
};

/** One key of the request (the loop body of getNodeByQuery); false stops the walk. */
function visitKey(pos: number): boolean {
  const w = walk;
  const ctx = w.ctx!;
  const key = w.args!.str(pos);
  const slot = keyHashSlot(key);
  if (w.first === undefined) {
    w.first = key;
    w.slot = slot;
    const n = ctx.map.owner[slot];
    w.owner = n;
    // Unassigned: the cluster is down for this slot, whatever the other keys are.
    if (n === undefined) {
      w.stop = Redir.DownUnbound;
      return false;
    }
    if (n === ctx.map.myself && ctx.map.migratingTo.has(slot)) w.migrating = true;
    else if (ctx.map.importingFrom.has(slot)) w.importing = true;
  } else if (slot !== w.slot) {
    w.stop = Redir.CrossSlot;
    return false;
  } else if (key !== w.first) w.multipleKeys = true;
  // A shard channel is served by the source until the slot is handed over: never counted missing.
  if ((w.migrating || w.importing) && !w.pubsubshard && !ctx.exists(key)) w.missing++;
  else w.existing++;
  return true;
}

/**
 * getNodeByQuery for `cmd` (with `queued`, EXEC's transaction, undefined outside MULTI): Redir.None
 * when this node serves it, else the error code, with `query.slot` and `query.node` set for
 * MOVED and ASK. `query.slot` is the request's slot (Redis's c->slot) whenever it is served here.
 */
export function getNodeByQuery(ctx: QueryContext, cmd: Command, args: Args, queued: readonly QueuedCall[] | undefined): Redir {
  query.slot = NO_SLOT;
  query.node = undefined;
  const w = walk;
  w.ctx = ctx;
  w.pubsubshard = PUBSUB_SHARD.has(cmd.name);
  w.first = undefined;
  w.owner = undefined;
  w.stop = Redir.None;
  w.multipleKeys = w.migrating = w.importing = false;
  w.missing = w.existing = 0;
  const exec = cmd.name === 'exec' && !cmd.parent;
  let flags = cmd.flags;
  if (exec) {
    // EXEC outside MULTI only answers its error.
    if (queued === undefined) return Redir.None;
    flags = 0;
    for (const q of queued) {
      flags |= q.cmd.flags;
      w.args = q.args;
      forEachKey(q.cmd, q.args, visitKey);
      if (w.stop !== Redir.None) break;
    }
  } else if (mayNameKeys(cmd)) {
    w.args = args;
    forEachKey(cmd, args, visitKey);
  }
  w.args = undefined;
  w.ctx = undefined;
  if (w.stop !== Redir.None) return w.stop;
  const n = w.owner;
  // No key at all: served here whatever the state of the cluster.
  if (n === undefined) return Redir.None;
  if (!ctx.clusterOk) {
    if (w.pubsubshard) {
      if (!ctx.allowPubsubshardWhenDown) return Redir.DownState;
    } else if (!ctx.allowReadsWhenDown) return Redir.DownState;
    else if (flags & CmdFlag.Write) return Redir.DownRoState;
  }
  query.slot = w.slot;
  const map = ctx.map;
  // MIGRATE moves keys of an open slot from here whatever the slot's owner.
  if ((w.migrating || w.importing) && cmd.name === 'migrate') return Redir.None;
  if (w.migrating && w.missing > 0) {
    if (w.existing > 0) return Redir.Unstable;
    query.node = map.migratingTo.get(w.slot);
    return Redir.Ask;
  }
  if (w.importing && (ctx.asking || flags & CmdFlag.Asking)) {
    return w.multipleKeys && w.missing > 0 ? Redir.Unstable : Redir.None;
  }
  if (n !== map.myself) {
    query.node = n;
    return Redir.Moved;
  }
  return Redir.None;
}

/** getPreferredEndpoint: what a redirection and CLUSTER SHARDS name a node by. */
export function preferredEndpoint(type: string, ip: string, hostname: string): string {
  if (type === 'ip') return ip;
  if (type === 'hostname') return hostname !== '' ? hostname : '?';
  return '';
}

/** clusterRedirectClient's error text for `code` (query.slot and query.node as getNodeByQuery left them). */
export function redirectError(code: Redir, endpointType: string, tls: boolean): string {
  switch (code) {
    case Redir.CrossSlot:
      return "-CROSSSLOT Keys in request don't hash to the same slot";
    case Redir.Unstable:
      return '-TRYAGAIN Multiple keys request during rehashing of slot';
    case Redir.DownState:
      return '-CLUSTERDOWN The cluster is down';
    case Redir.DownRoState:
      return '-CLUSTERDOWN The cluster is down and only accepts read commands';
    case Redir.DownUnbound:
      return '-CLUSTERDOWN Hash slot not served';
    default: {
      const n = query.node!;
      const endpoint = preferredEndpoint(endpointType, n.ip, n.hostname);
      return `-${code === Redir.Ask ? 'ASK' : 'MOVED'} ${query.slot} ${endpoint}:${tls ? n.tlsPort : n.port}`;
    }
  }
}

/** scriptVerifyClusterState's texts for a command a script runs that this node does not serve. */
export function scriptRedirectError(code: Redir, cmd: Command): string {
  switch (code) {
    case Redir.DownRoState:
      return 'Script attempted to execute a write command while the cluster is down and readonly';
    case Redir.DownState:
      return 'Script attempted to execute a command while the cluster is down';
    case Redir.CrossSlot:
      return `Command '${cmd.fullName}' in script attempted to access keys that don't hash to the same slot`;
    default:
      return 'Script attempted to access a non local key in a cluster node';
  }
}
