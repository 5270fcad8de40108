// Cluster mode (cluster-enabled yes) as the server holds it: this node's state and nodes.conf
// (state.ts), the keys by slot (slot-index.ts), how it announces itself, and the slot of the
// running request that scripts check their keys against. Made at start-up only in cluster mode.
import { resolve } from 'node:path';
import { ClientFlag } from '../clients/flags.js';
import type { Client } from '../clients/client.js';
import type { Keyspace } from '../data/keyspace.js';
import type { Args } from '../engine/args.js';
import type { Command } from '../table/table.js';
import { CLUSTER_SLOTS, keyHashSlot } from './crc16.js';
import { SlotIndex } from './slot-index.js';
import { ClusterState, type NodeAddress } from './state.js';
import { NO_SLOT } from './call-keys.js';
import { addressOf } from './nodes-conf.js';
import { getNodeByQuery, query, Redir, redirectError, scriptRedirectError, type QueryContext } from './redirect.js';
import type { MapNode, SlotMap } from './slot-map.js';

/** What the node reads of the configuration (cluster-announce-*, cluster-port, ...). */
export interface ClusterConfig {
  str(name: string): string;
  int(name: string): number;
  bool(name: string): boolean;
}

/** The ports the server bound (kernel-chosen ones included), known once it listens. */
export interface BoundPorts {
  tcp: number;
  tls: number;
}

/** CLUSTER_PORT_INCR: the bus port's default distance from the client port. */
const PORT_INCR = 10000;

export class ClusterNode implements QueryContext {
  readonly state: ClusterState;
  readonly index = new SlotIndex();
  /** Redis's c->slot: the slot of the running request's keys (NO_SLOT: none), which scripts hold to. */
  slot = NO_SLOT;
  /** The running request's client had asked (ASKING): the scripts it runs inherit it. */
  asking = false;
  private ports: BoundPorts = { tcp: 0, tls: 0 };
  /** The clock of the request being checked (keys past their deadline count as missing). */
  private now = 0;

  /** Starts keeping `keyspace`'s keys by slot. */
  constructor(private readonly config: ClusterConfig, private readonly keyspace: Keyspace) {
    keyspace.keyIndex = this.index;
    this.state = new ClusterState(resolve(config.str('dir'), config.str('cluster-config-file')));
  }

  get map(): SlotMap {
    return this.state.map;
  }

  get clusterOk(): boolean {
    const map = this.state.map;
    // Every slot assigned: ok whatever the configuration says (the common case, no lookup).
    return map.assigned === CLUSTER_SLOTS || map.ok(this.config.bool('cluster-require-full-coverage'));
  }

  get allowReadsWhenDown(): boolean {
    return this.config.bool('cluster-allow-reads-when-down');
  }

  get allowPubsubshardWhenDown(): boolean {
    return this.config.bool('cluster-allow-pubsubshard-when-down');
  }

  exists(key: string): boolean {
    const db = this.keyspace.dbs[0]!;
    if (db.rawValue(key) === undefined) return false;
    const deadline = db.rawDeadline(key);
    return deadline === undefined || deadline >= this.now;
  }

  /**
   * processCommand's cluster check: null when this node serves the request, else the error
   * that redirects it (MOVED, ASK, TRYAGAIN, CROSSSLOT, CLUSTERDOWN). Takes the client's ASKING
   * flag for this request, and clears it as resetClient does after the command (kept by ASKING and in MULTI).
   */
  redirect(client: Client, cmd: Command, args: Args, now: number): string | null {
    this.asking = (client.flags & ClientFlag.Asking) !== 0;
    if (this.asking) {
      const base = cmd.parent ? cmd.parent.name : cmd.name;
      // resetClient keeps the flag when the client is in MULTI once the command ran.
      const inMultiAfter = base === 'multi' || (client.multi !== undefined && base !== 'exec' && base !== 'discard');
      if (base !== 'asking' && !inMultiAfter) client.flags &= ~ClientFlag.Asking;
    }
    this.now = now;
    const code = getNodeByQuery(this, cmd, args, client.multi?.commands);
    this.slot = query.slot;
    if (code === Redir.None) return null;
    return redirectError(code, this.config.str('cluster-preferred-endpoint-type'), client.connType === 'tls');
  }

  /**
   * scriptVerifyClusterState for a command a script runs: served here with the caller's ASKING,
   * and, unless the script allows cross-slot keys, in the slot every earlier key of the run (or of
   * the script's declared keys, `caller.slot`) hashed to. An error text, or null when it may run.
   */
  scriptError(cmd: Command, args: Args, caller: { slot: number }, allowCrossSlot: boolean): string | null {
    const code = getNodeByQuery(this, cmd, args, undefined);
    if (code !== Redir.None) return scriptRedirectError(code, cmd);
    const slot = query.slot;
    if (slot !== NO_SLOT && !allowCrossSlot) {
      if (caller.slot === NO_SLOT) caller.slot = slot;
      else if (caller.slot !== slot) return 'Script attempted to access keys that do not hash to the same slot';
    }
    return null;
  }

  /**
   * clusterRedirectBlockedClientIfNeeded for a client blocked on `keys` (all in one slot): the
   * error that unblocks it once the slot is served elsewhere (and not imported here), unassigned,
   * or the cluster is down; null while it may keep waiting here.
   */
  blockedRedirect(keys: readonly string[], tls: boolean): string | null {
    const endpointType = this.config.str('cluster-preferred-endpoint-type');
    if (!this.clusterOk) return redirectError(Redir.DownState, endpointType, tls);
    const key = keys[0];
    if (key === undefined) return null;
    const slot = keyHashSlot(key);
    const map = this.state.map;
    const n = map.owner[slot];
    if (n === map.myself || map.importingFrom.has(slot)) return null;
    if (n === undefined) return redirectError(Redir.DownUnbound, endpointType, tls);
    query.slot = slot;
    query.node = n;
    return redirectError(Redir.Moved, endpointType, tls);
  }

  /** Where `n` is reached: for this node the live address (see address()), for a peer what the map says. */
  addressOf(n: MapNode, asker?: { laddr: string; connType: string }): NodeAddress {
    return n.myself ? this.address(asker) : addressOf(n);
  }

  /**
   * clusterInit once the listeners are bound: nodes.conf read back (a new node name otherwise)
   * and written with this run's ports. Throws with Redis's message when the file is corrupt or
   * cannot be written.
   */
  start(ports: BoundPorts): void {
    this.ports = ports;
    this.state.load();
    const err = this.state.save(this.address());
    if (err !== undefined) throw new Error(`Fatal: can't update cluster config file. (${err})`);
  }

  /** clusterSaveConfig (CLUSTER SAVECONFIG and every change of the epochs): an error text on failure. */
  save(): string | undefined {
    return this.state.save(this.address());
  }

  /**
   * deriveAnnouncedPorts and the announced names, read now (they are CONFIG SET-able). Without
   * cluster-announce-ip, a Redis node knows its address only once a peer has told it; this node
   * takes the one its nodes.conf line gives, and with none the address the asking client reached
   * it on stands in (`asker`), which cluster
   * clients need to route to it. Without a TCP or TLS asker (nodes.conf, a unix socket, a script) it
   * stays unknown: ''.
   */
  address(asker?: { laddr: string; connType: string }): NodeAddress {
    const c = this.config;
    const announced = c.str('cluster-announce-ip');
    const port = c.int('cluster-announce-port') || this.ports.tcp;
    const tlsPort = c.int('cluster-announce-tls-port') || this.ports.tls;
    const clientPort = c.bool('tls-cluster') ? tlsPort : port;
    const cport = c.int('cluster-announce-bus-port') || c.int('cluster-port') || clientPort + PORT_INCR;
    const known = announced !== '' ? announced : this.state.myself.ip;
    return {
      ip: known === '' && (asker?.connType === 'tcp' || asker?.connType === 'tls') ? hostOf(asker.laddr) : known,
      port,
      tlsPort,
      cport,
      hostname: c.str('cluster-announce-hostname'),
      humanNodename: c.str('cluster-announce-human-nodename'),
    };
  }
}

/** The host of a local address as CLIENT LIST's laddr writes it: `host:port`, `[v6]:port` unwrapped. */
function hostOf(laddr: string): string {
  const host = laddr.slice(0, laddr.lastIndexOf(':'));
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
