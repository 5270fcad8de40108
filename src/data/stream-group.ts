// Consumer groups of a stream (t_stream.c, streamCG / streamConsumer / streamNACK): the group's
// last delivered ID and read counter, its pending entries list (PEL) of delivered but not yet
// acknowledged IDs, and its consumers, each with its own PEL sharing the group's NACKs.
import { cmpId, type StreamID } from './stream-id.js';

/** SCG_INVALID_ENTRIES_READ. */
export const ENTRIES_READ_INVALID = -1;

/** A pending entry: when it was last delivered, how often, and to whom. */
export interface Nack {
  deliveryTime: number;
  deliveryCount: number;
  consumer: StreamConsumer;
}

/** IDs in order with a value each: a PEL (Redis uses a radix tree keyed by the 128-bit ID). */
export class IdMap<T> {
  ids: StreamID[] = [];
  vals: T[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Index of the first ID >= id. */
  lowerBound(id: StreamID): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpId(this.ids[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamID): T | undefined {
    const i = this.lowerBound(id);
    return i < this.ids.length && cmpId(this.ids[i]!, id) === 0 ? this.vals[i] : undefined;
  }

  /** Inserts or replaces; true when the ID was new. */
  set(id: StreamID, v: T): boolean {
    const n = this.ids.length;
    if (n === 0 || cmpId(this.ids[n - 1]!, id) < 0) {
      this.ids.push(id);
      this.vals.push(v);
      return true;
    }
    const i = this.lowerBound(id);
    if (i < n && cmpId(this.ids[i]!, id) === 0) {
      this.vals[i] = v;
      return false;
    }
    this.ids.splice(i, 0, id);
    this.vals.splice(i, 0, v);
    return true;
  }

  delete(id: StreamID): boolean {
    const i = this.lowerBound(id);
    if (i >= this.ids.length || cmpId(this.ids[i]!, id) !== 0) return false;
    this.ids.splice(i, 1);
    this.vals.splice(i, 1);
    return true;
  }

  first(): StreamID | undefined {
    return this.ids[0];
  }

  last(): StreamID | undefined {
    return this.ids[this.ids.length - 1];
  }
}

export class StreamConsumer {
  pel = new IdMap<Nack>();
  constructor(
    readonly name: string,
    /** Last time the consumer was seen (any read or claim attempt), ms. */
    public seenTime: number,
    /** Last time it got entries (read or claimed), ms; -1 never. */
    public activeTime = -1,
  ) {}
}

export class StreamGroup {
  pel = new IdMap<Nack>();
  /** Consumers by name; XINFO lists them in name order. */
  consumers = new Map<string, StreamConsumer>();

  constructor(
    public lastId: StreamID,
    public entriesRead: number,
  ) {}

  consumer(name: string): StreamConsumer | undefined {
    return this.consumers.get(name);
  }

  /** streamCreateConsumer: undefined when it exists already. */
  createConsumer(name: string, now: number): StreamConsumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const c = new StreamConsumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** streamDelConsumer: its pending entries leave the group's PEL too; returns how many. */
  deleteConsumer(c: StreamConsumer): number {
    const n = c.pel.size;
    for (const id of c.pel.ids) this.pel.delete(id);
    this.consumers.delete(c.name);
    return n;
  }

  /** Consumers sorted by name as the radix tree orders them (bytewise). */
  sortedConsumers(): StreamConsumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  clone(): StreamGroup {
    const g = new StreamGroup(this.lastId, this.entriesRead);
    for (const c of this.consumers.values()) {
      const copy = new StreamConsumer(c.name, c.seenTime, c.activeTime);
      g.consumers.set(c.name, copy);
    }
    for (let i = 0; i < this.pel.ids.length; i++) {
      const n = this.pel.vals[i]!;
      const owner = g.consumers.get(n.consumer.name)!;
      const copy: Nack = { deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: owner };
      g.pel.set(this.pel.ids[i]!, copy);
      owner.pel.set(this.pel.ids[i]!, copy);
    }
    return g;
  }
}
