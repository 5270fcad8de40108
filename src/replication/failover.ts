// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (replication.c failoverCommand and
// updateFailoverStatus): a master hands its role to one of its replicas without losing a write.
// Writes are paused; once a replica acknowledged the whole stream (or the chosen one did, or the
// timeout passed with FORCE), this server becomes a replica of it and sends PSYNC ... FAILOVER,
// which makes the target promote itself and continue from where it was; the pause ends when the
// target accepted the PSYNC, or with the failover aborted.
import type { Logger } from '../util/log.js';
import type { ReplicationMaster } from './master.js';

export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

export interface FailoverHost {
  readonly log: Logger;
  readonly master: ReplicationMaster;
  /** Becomes a replica of host:port sending PSYNC ... FAILOVER; told whether the PSYNC was taken. */
  becomeReplicaOf(host: string, port: number, done: (accepted: boolean) => void): void;
  /** Back to master after an aborted failover (replicationUnsetMaster). */
  backToMaster(): void;
  /** Client writes paused while failing over, and resumed after. */
  pauseWrites(): void;
  resumeWrites(): void;
}

export class Failover {
  state: FailoverState = 'no-failover';
  private target: { host: string; port: number } | undefined;
  private endTime = 0;
  private force = false;

  constructor(private readonly host: FailoverHost) {}

  /** failoverCommand's checks passed: writes paused, waiting for a replica to catch up. */
  start(target: { host: string; port: number } | undefined, timeoutMs: number, force: boolean, now: number): void {
    this.target = target;
    this.force = force;
    this.endTime = timeoutMs ? now + timeoutMs : 0;
    this.state = 'waiting-for-sync';
    this.host.log.notice(target ? `FAILOVER requested to ${target.host}:${target.port}.` : 'FAILOVER requested to any replica.');
    this.host.pauseWrites();
    this.host.master.requestAcks();
  }

  /** abortFailover. */
  abort(reason: string): void {
    if (this.state === 'no-failover') return;
    const to = this.target ? `${this.target.host}:${this.target.port}` : 'any replica';
    this.host.log.notice(`FAILOVER to ${to} aborted: ${reason}`);
    if (this.state === 'failover-in-progress') this.host.backToMaster();
    this.clear();
  }

  private clear(): void {
    this.state = 'no-failover';
    this.target = undefined;
    this.endTime = 0;
    this.force = false;
    this.host.resumeWrites();
  }

  /** updateFailoverStatus, from the cron: the timeout, or a replica caught up. */
  cron(now: number): void {
    if (this.state !== 'waiting-for-sync') return;
    const m = this.host.master;
    if (this.endTime && this.endTime <= now) {
      if (this.force && this.target) {
        this.host.log.notice(`FAILOVER to ${this.target.host}:${this.target.port} time out exceeded, failing over.`);
        this.failTo(this.target);
      } else this.abort('Replica never caught up before timeout');
      return;
    }
    let chosen: { host: string; port: number } | undefined;
    for (const r of m.replicas.values()) {
      if (r.state !== 'online' || r.ackOffset !== m.offset) continue;
      const ip = r.ip || r.client.addr.slice(0, r.client.addr.lastIndexOf(':'));
      if (this.target && (this.target.host !== ip || this.target.port !== r.port)) continue;
      chosen = { host: ip, port: r.port };
      break;
    }
    // Writes are paused: the replicas' ACKs (one a second, and the one asked for at the start)
    // reach the offset, which stays put.
    if (!chosen) return;
    this.host.log.notice(`Failover target ${chosen.host}:${chosen.port} is synced, failing over.`);
    this.failTo(chosen);
  }

  private failTo(t: { host: string; port: number }): void {
    this.target = t;
    this.state = 'failover-in-progress';
    this.host.becomeReplicaOf(t.host, t.port, (accepted) => {
      if (this.state !== 'failover-in-progress') return;
      if (accepted) this.clear();
      else this.abort('Failover target rejected psync request');
    });
  }
}
