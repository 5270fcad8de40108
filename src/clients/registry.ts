// The client registry: insertion-ordered list plus id index (one Map does both), and the
// slot index the engine's batch records use. Ids are never reused. Redis spends ids 1 and 2 on
// its scripting and functions clients at start-up, so its first connection gets id 3; so does ours.
import { Client } from './client.js';

export class ClientRegistry {
  private readonly byId = new Map<number, Client>();
  private readonly bySlot: (Client | undefined)[] = [];
  private nextId = 3;

  allocateId(): number {
    return this.nextId++;
  }

  link(c: Client): void {
    this.byId.set(c.id, c);
    this.bySlot[c.slot] = c;
  }

  unlink(c: Client): void {
    this.byId.delete(c.id);
    if (this.bySlot[c.slot] === c) this.bySlot[c.slot] = undefined;
  }

  atSlot(slot: number): Client | undefined {
    return this.bySlot[slot];
  }

  byID(id: number): Client | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  [Symbol.iterator](): IterableIterator<Client> {
    return this.byId.values();
  }
}
