// Server-assisted client-side caching (CLIENT TRACKING): the keys each tracking client read,
// BCAST prefixes, and the invalidation messages sent when those keys change: RESP3 pushes, or
// messages on __redis__:invalidate to a redirect client (RESP2).
import type { ReplyWriter } from '../protocol/reply.js';
import type { Client, TrackingState } from './client.js';
import { ClientFlag } from './flags.js';
import type { ClientRegistry } from './registry.js';

type WriteTo = (target: Client, write: (r: ReplyWriter) => void, push: boolean) => void;

export class Tracking {
  /** key -> ids of clients that may have it cached (Redis's TrackingTable, all databases). */
  private readonly table = new Map<string, Set<number>>();
  private readonly bcast = new Map<string, Set<Client>>();
  /** BCAST: per prefix, the keys changed since the last broadcast and who changed each last. */
  private readonly pendingBcast = new Map<string, Map<string, Client | undefined>>();
  trackingClients = 0;

  constructor(private readonly writeTo: WriteTo, private readonly clients: ClientRegistry) {}

  get trackedKeys(): number {
    return this.table.size;
  }

  enable(c: Client, state: TrackingState): void {
    if (c.tracking) this.removePrefixes(c);
    else this.trackingClients++;
    c.tracking = state;
    c.flags |= ClientFlag.Tracking;
    c.flags &= ~ClientFlag.TrackingBrokenRedir;
    if (state.bcast) {
      c.flags |= ClientFlag.TrackingBcast;
      for (const p of state.prefixes) {
        let set = this.bcast.get(p);
        if (!set) this.bcast.set(p, (set = new Set()));
        set.add(c);
      }
    }
  }

  disable(c: Client): void {
    if (!c.tracking) return;
    this.removePrefixes(c);
    c.tracking = undefined;
    c.flags &= ~(ClientFlag.Tracking | ClientFlag.TrackingBcast | ClientFlag.TrackingBrokenRedir);
    this.trackingClients--;
  }

  private removePrefixes(c: Client): void {
    for (const p of c.tracking?.prefixes ?? []) {
      const set = this.bcast.get(p);
      set?.delete(c);
      if (set && set.size === 0) this.bcast.delete(p);
    }
  }

  /** After a read-only command: remember the keys it read, as OPTIN/OPTOUT allow. */
  rememberKeys(c: Client, keys: readonly string[]): void {
    const t = c.tracking;
    if (!t || t.bcast) return;
    if (t.optin && t.caching !== 'yes') return;
    if (t.optout && t.caching === 'no') return;
    for (const k of keys) {
      let set = this.table.get(k);
      if (!set) this.table.set(k, (set = new Set()));
      set.add(c.id);
    }
  }

  /** A key changed: invalidate it for every client that may cache it. */
  keyModified(key: string, by: Client | undefined): void {
    const ids = this.table.get(key);
    if (ids) {
      this.table.delete(key);
      for (const id of ids) {
        const c = this.clients.byID(id);
        if (!c || !c.tracking || c.tracking.bcast) continue;
        if (c.tracking.noloop && c === by) continue;
        this.send(c, [key]);
      }
    }
    if (this.bcast.size > 0) {
      for (const prefix of this.bcast.keys()) {
        if (!key.startsWith(prefix)) continue;
        let keys = this.pendingBcast.get(prefix);
        if (!keys) this.pendingBcast.set(prefix, (keys = new Map()));
        keys.delete(key);
        keys.set(key, by);
      }
    }
  }

  /**
   * Sends the BCAST invalidations collected since the last call: one message per prefix with its
   * keys in sorted order, minus, for NOLOOP clients, the keys they changed themselves
   * (trackingBroadcastInvalidationMessages, run from beforeSleep).
   */
  broadcastPending(): void {
    if (this.pendingBcast.size === 0) return;
    const prefixes = [...this.pendingBcast.keys()].sort();
    for (const prefix of prefixes) {
      const changed = this.pendingBcast.get(prefix)!;
      const keys = [...changed.keys()].sort();
      for (const c of this.bcast.get(prefix) ?? []) {
        const mine = c.tracking?.noloop ? keys.filter((k) => changed.get(k) !== c) : keys;
        if (mine.length) this.send(c, mine);
      }
    }
    this.pendingBcast.clear();
  }

  /** FLUSHDB/FLUSHALL: every tracking client is told to drop everything (a null key list). */
  flushed(): void {
    this.table.clear();
    for (const c of this.clients) if (c.tracking) this.send(c, null);
  }

  /**
   * One invalidation for tracking client `c` (tracking.c sendTrackingMessage): a RESP3 push to the
   * target, or a __redis__:invalidate message when a RESP2 target is in pub/sub mode. A flush
   * sends a null, shaped by `c`'s protocol as Redis does.
   */
  private send(c: Client, keys: string[] | null): void {
    const t = c.tracking!;
    let target = c;
    if (t.redirect) {
      const r = this.clients.byID(t.redirect);
      if (!r) {
        c.flags |= ClientFlag.TrackingBrokenRedir;
        if (c.resp === 3) {
          this.writeTo(c, (w) => {
            w.push(2);
            w.bulkStr('tracking-redir-broken');
            w.integer(t.redirect);
          }, true);
        }
        return;
      }
      target = r;
    }
    const nullReply = c.resp === 3 ? '_\r\n' : '$-1\r\n';
    const body = (w: ReplyWriter) => {
      if (keys === null) w.rawAscii(nullReply);
      else {
        w.array(keys.length);
        for (const k of keys) w.bulkStr(k);
      }
    };
    if (target.resp === 3) {
      this.writeTo(target, (w) => {
        w.push(2);
        w.bulkStr('invalidate');
        body(w);
      }, true);
    } else if (t.redirect && target.flags & ClientFlag.PubSub) {
      this.writeTo(target, (w) => {
        w.push(3);
        w.bulkStr('message');
        w.bulkStr('__redis__:invalidate');
        body(w);
      }, true);
    }
  }

  /** The client went away: redirecting clients now have a broken redirect. */
  clientGone(c: Client): void {
    this.disable(c);
  }
}
