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
    return this.db.rawValue(key);
  }
  has(key: string): boolean {
    return this.db.rawValue(key) !== undefined;
  }
  forEach(cb: (value: Value, key: string, map: ReadonlyMap<string, Value>) => void): void {
    this.db.forEachRaw((key, value) => cb(value, key, this));
  }
  *entries(): MapIterator<[string, Value]> {
    yield* this.snapshot();
  }
  *keys(): MapIterator<string> {
    for (const [key] of this.snapshot()) yield key;
  }
  *values(): MapIterator<Value> {
    for (const [, value] of this.snapshot()) yield value;
  }
  [Symbol.iterator](): MapIterator<[string, Value]> {
    return this.entries();
  }
  /** The pairs as they are now: iterators stay valid while the Db changes. */
  private snapshot(): [string, Value][] {
    const out: [string, Value][] = [];
    this.db.forEachRaw((key, value) => out.push([key, value]));
    return out;
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
    return this.db.rawDeadline(key);
  }
  has(key: string): boolean {
    return this.db.rawDeadline(key) !== undefined;
  }
  delete(key: string): boolean {
    return this.db.dropExpire(key);
  }
  forEach(cb: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    const [keys, deadlines] = this.db.volatileSnapshot();
    for (let i = 0; i < keys.length; i++) cb(deadlines[i]!, keys[i]!, this);
  }
  *entries(): MapIterator<[string, number]> {
    const [keys, deadlines] = this.db.volatileSnapshot();
    for (let i = 0; i < keys.length; i++) yield [keys[i]!, deadlines[i]!];
  }
  *keys(): MapIterator<string> {
    yield* this.db.volatileSnapshot()[0];
  }
  *values(): MapIterator<number> {
    yield* this.db.volatileSnapshot()[1];
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
}
