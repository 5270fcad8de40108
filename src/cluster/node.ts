// Cluster mode (cluster-enabled yes) as the server holds it: this node's state and nodes.conf
// (state.ts), the keys by slot (slot-index.ts), how it announces itself, and the slot of the
// running request that scripts check their keys against. Made at start-up only in cluster mode.
import { resolve } from 'node:path';
import type { Keyspace } from '../data/keyspace.js';
import { SlotIndex } from './slot-index.js';
import { ClusterState, type NodeAddress } from './state.js';
import { NO_SLOT } from './crossslot.js';

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

export class ClusterNode {
  readonly state: ClusterState;
  readonly index = new SlotIndex();
  /** Redis's c->slot: the slot of the running request's keys (NO_SLOT: none), which scripts hold to. */
  slot = NO_SLOT;
  private ports: BoundPorts = { tcp: 0, tls: 0 };

  /** Starts keeping `keyspace`'s keys by slot. */
  constructor(private readonly config: ClusterConfig, keyspace: Keyspace) {
    keyspace.keyIndex = this.index;
    this.state = new ClusterState(resolve(config.str('dir'), config.str('cluster-config-file')));
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
   * has none, so the address the asking client reached it on stands in (`asker`), which cluster
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
    return {
      ip: announced === '' && (asker?.connType === 'tcp' || asker?.connType === 'tls') ? hostOf(asker.laddr) : announced,
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
