// SCRIPT DEBUG YES without fork(): Redis debugs in a forked child, so whatever the script writes
// is gone when the session ends. respd runs the session in its own process and undoes the writes
// instead: before a key first changes (a write command naming it, or the keyspace's beforeChange
// hook for deletions, expiries and renames) its value and deadline are kept, a key that did not
// exist is remembered as absent, and a database about to be emptied or swapped is kept whole.
// At the end every kept key is put back as it was. The hooks of a background save in progress
// are chained, not replaced.
import { cloneValue, type Db, type Keyspace, type Value } from '../../data/keyspace.js';

interface Kept {
  value: Value;
  expire: number;
}

export class Rollback {
  /** Per database, per key: what it held before its first change (null: it did not exist). */
  private readonly kept = new Map<Db, Map<string, Kept | null>>();
  /** Databases emptied or swapped: emptied again before their keys are put back. */
  private readonly cleared = new Set<Db>();
  private readonly prevChange: Keyspace['beforeChange'];
  private readonly prevClear: Keyspace['beforeClear'];

  constructor(private readonly ks: Keyspace) {
    this.prevChange = ks.beforeChange;
    this.prevClear = ks.beforeClear;
    const prevChange = this.prevChange;
    const prevClear = this.prevClear;
    ks.beforeChange = (db, s) => {
      const e = db.slotEntry(s);
      if (e) this.keep(db, e.key);
      prevChange?.(db, s);
    };
    ks.beforeClear = (db) => {
      this.keepAll(db);
      prevClear?.(db);
    };
  }

  /** `key` of `db` may change now: its present state is kept, the first time only. */
  keep(db: Db, key: string): void {
    let m = this.kept.get(db);
    if (!m) {
      m = new Map();
      this.kept.set(db, m);
    }
    if (m.has(key)) return;
    const value = db.rawValue(key);
    const copy = value === undefined ? undefined : cloneValue(value);
    m.set(key, copy === undefined ? null : { value: copy, expire: db.rawDeadline(key) ?? -1 });
  }

  private keepAll(db: Db): void {
    if (this.cleared.has(db)) return;
    const keys: string[] = [];
    db.forEachRaw((key) => keys.push(key));
    for (const key of keys) this.keep(db, key);
    this.cleared.add(db);
  }

  /** The number of keys kept (tests, the log line). */
  get size(): number {
    let n = 0;
    for (const m of this.kept.values()) n += m.size;
    return n;
  }

  /** Puts every kept key back and gives the keyspace its hooks back. Returns the keys restored. */
  restore(now: number): number {
    this.ks.beforeChange = this.prevChange;
    this.ks.beforeClear = this.prevClear;
    for (const db of this.cleared) db.clear();
    let n = 0;
    for (const [db, m] of this.kept) {
      for (const [key, was] of m) {
        if (!this.cleared.has(db) && db.rawValue(key) !== undefined) db.delete(key, now);
        if (was) db.addCopy(key, was.value, was.expire, now);
        n++;
      }
    }
    return n;
  }
}
