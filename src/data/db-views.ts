// The Map faces of a Db: Db.dict (key -> value) and Db.expires (key -> deadline in ms), kept for
// code written against the Maps a Db used to hold. Reads see entries as stored (deadlines are not
// checked); the only write is Db.expires.delete, which drops a deadline without signalling.
import type { Db, Value } from './keyspace.js';

/** Db.dict: a read-only Map face over the entries (values as stored, deadlines not checked). */
export class KeysView implements ReadonlyMap<string, Value> {
  constructor(private readonly db: Db) {}
  get size(): number {
    return this.db.size;
  }
  get(key: string): Value | undefined {
    return this.db.rawEntry(key)?.v;
  }
  has(key: string): boolean {
    return this.db.rawEntry(key) !== undefined;
  }
  forEach(cb: (value: Value, key: string, map: ReadonlyMap<string, Value>) => void): void {
    for (const e of this.db.rawEntries()) cb(e.v, e.key, this);
  }
  *entries(): MapIterator<[string, Value]> {
    for (const e of this.db.rawEntries()) yield [e.key, e.v];
  }
  *keys(): MapIterator<string> {
    for (const e of this.db.rawEntries()) yield e.key;
  }
  *values(): MapIterator<Value> {
    for (const e of this.db.rawEntries()) yield e.v;
  }
  [Symbol.iterator](): MapIterator<[string, Value]> {
    return this.entries();
  }
}

/** Db.expires: the keys with a deadline as a Map of key -> ms; delete() drops a deadline, unsignalled. */
export interface ExpiresMap extends ReadonlyMap<string, number> {
  delete(key: string): boolean;
}

export class ExpiresView implements ExpiresMap {
  constructor(private readonly db: Db) {}
  get size(): number {
    return this.db.volatileCount;
  }
  get(key: string): number | undefined {
    const e = this.db.rawEntry(key);
    return e !== undefined && e.vi >= 0 ? e.expire : undefined;
  }
  has(key: string): boolean {
    const e = this.db.rawEntry(key);
    return e !== undefined && e.vi >= 0;
  }
  delete(key: string): boolean {
    return this.db.dropExpire(key);
  }
  forEach(cb: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    for (const e of [...this.db.volatileEntries()]) cb(e.expire, e.key, this);
  }
  *entries(): MapIterator<[string, number]> {
    for (const e of [...this.db.volatileEntries()]) yield [e.key, e.expire];
  }
  *keys(): MapIterator<string> {
    for (const e of [...this.db.volatileEntries()]) yield e.key;
  }
  *values(): MapIterator<number> {
    for (const e of [...this.db.volatileEntries()]) yield e.expire;
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
}
