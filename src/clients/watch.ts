// WATCH: which clients watch which keys. A change to a watched key (or a flush of a database
// holding it) marks its watchers DIRTY_CAS, so their EXEC fails.
import type { Client } from './client.js';
import { ClientFlag } from './flags.js';

const ref = (db: number, key: string) => `${db}\0${key}`;

export class WatchRegistry {
  private readonly watchers = new Map<string, Set<Client>>();

  get totalKeys(): number {
    return this.watchers.size;
  }

  watch(c: Client, db: number, key: string): void {
    const r = ref(db, key);
    if (c.watched.has(r)) return;
    c.watched.add(r);
    let set = this.watchers.get(r);
    if (!set) this.watchers.set(r, (set = new Set()));
    set.add(c);
  }

  unwatchAll(c: Client): void {
    for (const r of c.watched) {
      const set = this.watchers.get(r);
      set?.delete(c);
      if (set && set.size === 0) this.watchers.delete(r);
    }
    c.watched.clear();
  }

  touch(db: number, key: string): void {
    if (this.watchers.size === 0) return;
    const set = this.watchers.get(ref(db, key));
    if (set) for (const c of set) c.flags |= ClientFlag.DirtyCas;
  }

  /** FLUSHDB/FLUSHALL: watchers of keys that exist in the database are dirtied. */
  touchDb(db: number, exists: (key: string) => boolean): void {
    if (this.watchers.size === 0) return;
    const prefix = `${db}\0`;
    for (const [r, set] of this.watchers) {
      if (!r.startsWith(prefix) || !exists(r.slice(prefix.length))) continue;
      for (const c of set) c.flags |= ClientFlag.DirtyCas;
    }
  }
}
