// The keyspace: `databases` dictionaries of key -> value with a separate expires dictionary,
// as Redis keeps them. Keys are binary strings (one char per byte); values are owned copies.
// Expired keys are never returned: every lookup checks the deadline against the batch clock.

/** A stored value. Strings only for now; other types join this union. */
export type Value = Buffer;

export class Db {
  readonly dict = new Map<string, Value>();
  /** Absolute deadlines in ms. */
  readonly expires = new Map<string, number>();
  expiredKeys = 0;

  constructor(readonly id: number) {}

  /** The live value of `key`, deleting it first if it has expired. */
  lookup(key: string, now: number): Value | undefined {
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size > 0) {
      const when = this.expires.get(key);
      if (when !== undefined && when <= now) {
        this.dict.delete(key);
        this.expires.delete(key);
        this.expiredKeys++;
        return undefined;
      }
    }
    return v;
  }

  exists(key: string, now: number): boolean {
    return this.lookup(key, now) !== undefined;
  }

  /** Stores a value; the TTL is dropped unless `keepTtl`. */
  set(key: string, value: Value, keepTtl = false): void {
    this.dict.set(key, value);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
  }

  setExpire(key: string, whenMs: number): void {
    this.expires.set(key, whenMs);
  }

  /** Deletes a live key; false if it was missing (or expired). */
  delete(key: string, now: number): boolean {
    if (this.lookup(key, now) === undefined) return false;
    this.dict.delete(key);
    this.expires.delete(key);
    return true;
  }

  /** Keys counted as Redis's DBSIZE does: expired keys not yet reclaimed included. */
  get size(): number {
    return this.dict.size;
  }

  clear(): number {
    const n = this.dict.size;
    this.dict.clear();
    this.expires.clear();
    return n;
  }
}

export class Keyspace {
  readonly dbs: Db[];

  constructor(databases: number) {
    this.dbs = Array.from({ length: databases }, (_, i) => new Db(i));
  }

  flushAll(): number {
    let n = 0;
    for (const db of this.dbs) n += db.clear();
    return n;
  }
}
