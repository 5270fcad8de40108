// Clients blocked on keys (BLPOP & co), until an event (WAIT, WAITAOF, MIGRATE) or postponed by
// CLIENT PAUSE. Per key, blocked clients are kept in arrival order; a key signalled ready is
// served to them first come, first served by re-running their command; an event signalled runs
// every command waiting for it again. Deadlines have millisecond precision.
import type { Client, WakeEvent } from './client.js';
import { BlockType } from './client.js';

const ref = (db: number, key: string) => `${db}\0${key}`;

export class BlockingRegistry {
  private readonly byKey = new Map<string, Client[]>();
  private readonly ready = new Set<string>();
  /** Keys with a waiter that a deletion wakes (XREADGROUP), with how many. */
  private readonly noKey = new Map<string, number>();
  /** Clients postponed by CLIENT PAUSE, in order. */
  readonly postponed: Client[] = [];
  /** Clients blocked until an event, by event, in arrival order. */
  private readonly byEvent = new Map<WakeEvent, Client[]>();
  private readonly readyEvents = new Set<WakeEvent>();
  blockedCount = 0;

  add(c: Client): void {
    this.blockedCount++;
    const b = c.blocked!;
    if (b.type === BlockType.Postpone) {
      this.postponed.push(c);
      return;
    }
    if (b.type === BlockType.Event) {
      const list = this.byEvent.get(b.event!);
      if (list) list.push(c);
      else this.byEvent.set(b.event!, [c]);
      return;
    }
    for (const key of b.keys) {
      const r = ref(b.db, key);
      let list = this.byKey.get(r);
      if (!list) this.byKey.set(r, (list = []));
      list.push(c);
      if (b.noKey) this.noKey.set(r, (this.noKey.get(r) ?? 0) + 1);
    }
  }

  remove(c: Client): void {
    const b = c.blocked;
    if (!b) return;
    this.blockedCount--;
    if (b.type === BlockType.Postpone) {
      const i = this.postponed.indexOf(c);
      if (i >= 0) this.postponed.splice(i, 1);
      return;
    }
    if (b.type === BlockType.Event) {
      const list = this.byEvent.get(b.event!);
      const i = list ? list.indexOf(c) : -1;
      if (i >= 0) list!.splice(i, 1);
      if (list?.length === 0) this.byEvent.delete(b.event!);
      return;
    }
    for (const key of b.keys) {
      const r = ref(b.db, key);
      const list = this.byKey.get(r);
      if (!list) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(r);
      if (b.noKey) {
        const n = (this.noKey.get(r) ?? 1) - 1;
        if (n === 0) this.noKey.delete(r);
        else this.noKey.set(r, n);
      }
    }
  }

  /** signalDeletedKeyAsReady: a key was deleted or replaced; waiters that care are woken. */
  signalDeleted(db: number, key: string): void {
    if (this.noKey.size === 0) return;
    const r = ref(db, key);
    if (this.noKey.has(r)) this.ready.add(r);
  }

  /** A database was flushed: every key of it with such a waiter. */
  signalDbFlushed(db: number): void {
    if (this.noKey.size === 0) return;
    const prefix = `${db}\0`;
    for (const r of this.noKey.keys()) if (r.startsWith(prefix)) this.ready.add(r);
  }

  get keyCount(): number {
    return this.byKey.size;
  }

  signalReady(db: number, key: string): void {
    if (this.byKey.size === 0) return;  // nobody blocked: no key reference to build
    const r = ref(db, key);
    if (this.byKey.has(r)) this.ready.add(r);
  }

  /** Every client waiting for `event` runs its command again (after the current command). */
  signalEvent(event: WakeEvent): void {
    if (this.byEvent.has(event)) this.readyEvents.add(event);
  }

  hasReady(): boolean {
    return this.ready.size > 0 || this.readyEvents.size > 0;
  }

  /** Takes the signalled events' waiters, each list in arrival order. */
  takeReadyEvents(): Client[][] {
    return takeWaiters(this.readyEvents, this.byEvent);
  }

  /** Takes the ready keys, each with a snapshot of its waiters in arrival order. */
  takeReady(): Client[][] {
    return takeWaiters(this.ready, this.byKey);
  }

  /** Clients blocked on keys or until an event whose deadline has passed. */
  expired(now: number, all: Iterable<Client>): Client[] {
    const out: Client[] = [];
    for (const c of all) {
      const b = c.blocked;
      if (b && b.type !== BlockType.Postpone && b.deadline > 0 && b.deadline <= now) out.push(c);
    }
    return out;
  }

  /** The nearest deadline of a client blocked on keys or until an event, or 0. */
  nextDeadline(all: Iterable<Client>): number {
    let next = 0;
    for (const c of all) {
      const b = c.blocked;
      if (b && b.type !== BlockType.Postpone && b.deadline > 0 && (next === 0 || b.deadline < next)) next = b.deadline;
    }
    return next;
  }
}

/** Snapshots of the waiters of each signalled key or event (arrival order), the signals cleared. */
function takeWaiters<K>(signalled: Set<K>, waiters: ReadonlyMap<K, Client[]>): Client[][] {
  const out: Client[][] = [];
  for (const k of signalled) {
    const list = waiters.get(k);
    if (list) out.push([...list]);
  }
  signalled.clear();
  return out;
}
