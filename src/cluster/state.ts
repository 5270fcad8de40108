// The one node of the emulated cluster (cluster.c's myself and clusterState for a node that owns
// every slot and knows no other node): its 40-hex-char name and shard id, the epochs, and the
// nodes.conf that keeps them across restarts, written and read back in Redis 7.2's format.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { CLUSTER_SLOTS } from './crc16.js';

/** CLUSTER_NAMELEN. */
export const NAME_LEN = 40;

/** How the node announces itself (clusterUpdateMyselfAnnouncedPorts and friends), read when asked. */
export interface NodeAddress {
  /** cluster-announce-ip, or '' (a node that met no other has not learnt its address). */
  ip: string;
  port: number;
  tlsPort: number;
  /** The cluster bus port: announced, cluster-port, or the client port + 10000. */
  cport: number;
  /** cluster-announce-hostname, or ''. */
  hostname: string;
  /** cluster-announce-human-nodename, or ''. */
  humanNodename: string;
}

function randomName(): string {
  return randomBytes(NAME_LEN / 2).toString('hex');
}

/** verifyClusterNodeId: exactly 40 hex digits in lower case, as getRandomHexChars writes them. */
export function isNodeName(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}

export class ClusterState {
  myId = randomName();
  shardId = randomName();
  currentEpoch = 0;
  configEpoch = 0;
  lastVoteEpoch = 0;

  /** CLUSTER RESET HARD (clusterReset): a new name and shard, every epoch back to 0. */
  hardReset(): void {
    this.myId = randomName();
    this.shardId = randomName();
    this.currentEpoch = this.configEpoch = this.lastVoteEpoch = 0;
  }

  /** `file`: cluster-config-file resolved against dir. */
  constructor(readonly file: string) {}

  /**
   * clusterLoadConfig for this node's own line and the vars line. False when the file is missing
   * or empty (a new node); throws with Redis's message when it cannot be read as nodes.conf.
   */
  load(): boolean {
    if (!existsSync(this.file) || statSync(this.file).size === 0) return false;
    let myself = false;
    for (const raw of readFileSync(this.file, 'latin1').split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      const argv = line.split(/\s+/);
      if (argv[0] === 'vars') {
        for (let j = 1; j + 1 < argv.length; j += 2) {
          const v = Number(argv[j + 1]);
          if (argv[j] === 'currentEpoch') this.currentEpoch = v;
          else if (argv[j] === 'lastVoteEpoch') this.lastVoteEpoch = v;
          else throw corrupted(line);
        }
        continue;
      }
      if (argv.length < 8 || !isNodeName(argv[0]!)) throw corrupted(line);
      if (!argv[2]!.split(',').includes('myself')) continue;
      myself = true;
      this.myId = argv[0]!;
      this.configEpoch = Number(argv[6]);
      // ip:port@cport[,hostname[,aux=value...]]: only the shard id is kept; the rest is announced anew.
      for (const field of argv[1]!.split(',').slice(2)) {
        const eq = field.indexOf('=');
        if (eq > 0 && field.slice(0, eq) === 'shard-id') {
          const id = field.slice(eq + 1);
          if (!isNodeName(id)) throw corrupted(line);
          this.shardId = id;
        }
      }
    }
    if (!myself) throw corrupted('');
    if (this.currentEpoch < this.configEpoch) this.currentEpoch = this.configEpoch;
    return true;
  }

  /** clusterSaveConfig: written to a temp file then renamed over. An error text when it failed. */
  save(addr: NodeAddress): string | undefined {
    const text = this.nodeLine(addr, true) + '\n' + `vars currentEpoch ${this.currentEpoch} lastVoteEpoch ${this.lastVoteEpoch}\n`;
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

  /**
   * clusterGenNodeDescription for this node: CLUSTER NODES' line, or with `forFile` the
   * nodes.conf line, whose address column carries the aux fields (7.2) clients are not shown.
   * `tlsPrimary` (a TLS client asking) puts the TLS port where the TCP port goes.
   */
  nodeLine(addr: NodeAddress, forFile: boolean, tlsPrimary = false): string {
    let ci = `${this.myId} ${addr.ip}:${tlsPrimary ? addr.tlsPort : addr.port}@${addr.cport}`;
    if (addr.hostname !== '') ci += `,${addr.hostname}`;
    if (forFile) {
      if (addr.hostname === '') ci += ',';
      // Aux fields from the last to the first, the client port's own field left out.
      ci += `,tls-port=${addr.tlsPort}`;
      if (addr.humanNodename !== '') ci += `,nodename=${addr.humanNodename}`;
      ci += `,shard-id=${this.shardId}`;
    }
    return `${ci} myself,master - 0 0 ${this.configEpoch} connected 0-${CLUSTER_SLOTS - 1}`;
  }
}

function corrupted(line: string): Error {
  return new Error(`Unrecoverable error: corrupted cluster config file "${line}".`);
}
