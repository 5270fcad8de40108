// Pub/Sub subscriptions: channel, pattern and shard-channel registries with their subscribers
// in subscription order. Message delivery goes through a writer the server provides, so this
// module knows clients and names, not sockets.
import type { ReplyWriter } from '../protocol/reply.js';
import type { Client } from './client.js';
import { ClientFlag } from './flags.js';
import { globMatch } from '../util/glob.js';

export type WriteTo = (target: Client, write: (r: ReplyWriter) => void, push: boolean) => void;

type Kind = 'channel' | 'pattern' | 'shard';

const NAMES: Record<Kind, [string, string]> = {
  channel: ['subscribe', 'unsubscribe'],
  pattern: ['psubscribe', 'punsubscribe'],
  shard: ['ssubscribe', 'sunsubscribe'],
};

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();

  constructor(private readonly writeTo: WriteTo) {}

  private registry(kind: Kind): Map<string, Set<Client>> {
    return kind === 'channel' ? this.channels : kind === 'pattern' ? this.patterns : this.shardChannels;
  }

  private own(c: Client, kind: Kind): Set<string> {
    return kind === 'channel' ? c.channels : kind === 'pattern' ? c.patterns : c.shardChannels;
  }

  private count(c: Client, kind: Kind): number {
    return kind === 'shard' ? c.shardChannels.size : c.subscriptionCount;
  }

  private updateFlag(c: Client): void {
    if (c.subscriptionCount + c.shardChannels.size > 0) c.flags |= ClientFlag.PubSub;
    else c.flags &= ~ClientFlag.PubSub;
  }

  /** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE: one confirmation per name, on `r` (the caller's reply). */
  subscribe(c: Client, kind: Kind, names: readonly string[], r: ReplyWriter): void {
    const reg = this.registry(kind);
    const own = this.own(c, kind);
    for (const name of names) {
      if (!own.has(name)) {
        own.add(name);
        let set = reg.get(name);
        if (!set) reg.set(name, (set = new Set()));
        set.add(c);
      }
      this.updateFlag(c);
      const muted = r.muted;
      r.muted = false; // confirmations are push data: CLIENT REPLY OFF does not hide them
      r.push(3);
      r.bulkStr(NAMES[kind][0]);
      r.bulkStr(name);
      r.integer(this.count(c, kind));
      r.muted = muted;
    }
  }

  /** UNSUBSCRIBE family; no names means all. With nothing to leave, one reply with a null name. */
  unsubscribe(c: Client, kind: Kind, names: readonly string[], r: ReplyWriter | undefined): void {
    const own = this.own(c, kind);
    const list = names.length ? names : [...own];
    const reg = this.registry(kind);
    const confirm = (name: string | null) => {
      if (!r) return;
      const muted = r.muted;
      r.muted = false;
      r.push(3);
      r.bulkStr(NAMES[kind][1]);
      if (name === null) r.nullBulk();
      else r.bulkStr(name);
      r.integer(this.count(c, kind));
      r.muted = muted;
    };
    for (const name of list) {
      if (own.delete(name)) {
        const set = reg.get(name);
        set?.delete(c);
        if (set && set.size === 0) reg.delete(name);
      }
      this.updateFlag(c);
      confirm(name);
    }
    if (list.length === 0) confirm(null);
  }

  /** Drops every subscription without notifications (client freed, RESET). */
  removeAll(c: Client): void {
    this.unsubscribe(c, 'channel', [], undefined);
    this.unsubscribe(c, 'pattern', [], undefined);
    this.unsubscribe(c, 'shard', [], undefined);
  }

  /** PUBLISH: delivers to channel then pattern subscribers; returns the receiver count. */
  publish(channel: string, message: Buffer): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs) {
      for (const c of subs) {
        this.writeTo(c, (w) => {
          w.push(3);
          w.bulkStr('message');
          w.bulkStr(channel);
          w.bulk(message);
        }, true);
        n++;
      }
    }
    for (const [pattern, set] of this.patterns) {
      if (!globMatch(pattern, channel, false)) continue;
      for (const c of set) {
        this.writeTo(c, (w) => {
          w.push(4);
          w.bulkStr('pmessage');
          w.bulkStr(pattern);
          w.bulkStr(channel);
          w.bulk(message);
        }, true);
        n++;
      }
    }
    return n;
  }

  /** SPUBLISH. */
  spublish(channel: string, message: Buffer): number {
    const subs = this.shardChannels.get(channel);
    if (!subs) return 0;
    for (const c of subs) {
      this.writeTo(c, (w) => {
        w.push(3);
        w.bulkStr('smessage');
        w.bulkStr(channel);
        w.bulk(message);
      }, true);
    }
    return subs.size;
  }
}
