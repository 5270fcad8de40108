// BGSAVE without fork: a point-in-time RDB written in slices of the event loop while clients keep
// writing. At the start every database's live slots are marked pending (one bit per slot). The
// writer walks the databases in order and each database's slots in order, writing the pending
// ones. Before anything changes a pending key (a command about to write it, a deletion, an
// expiry, an eviction, a FLUSHDB or SWAPDB), the key is written first as it was, and unmarked:
// copy on write per key, as Dragonfly's versioned snapshot does, so the extra memory is what was
// written early for databases not reached yet, never a copy of the dataset. Keys created after
// the start have no pending bit and are not written.
import type { Db, Keyspace } from '../data/keyspace.js';
import type { EncodeValue, RdbKey } from './rdb.js';

/** What the snapshot writes into: an RDB (rdb.ts RdbWriter) or an AOF base of commands. */
export interface SnapshotWriter {
  /** Starts database `id` (size and volatile keys as they were at the start). */
  selectDb(id: number, size: number, expires: number): void;
  key(k: RdbKey, encode: EncodeValue): void;
  /** A key's bytes as key() writes them, kept until its database's turn. */
  encodeKey(k: RdbKey, encode: EncodeValue): Uint8Array;
  write(b: Uint8Array): void;
}

/** How a key is written: its value, deadline, and the LRU/LFU opcode its policy wants. */
export type KeyOf = (db: Db, entry: { key: string; value: RdbKey['value']; expire: number; clock: number }) => RdbKey;

export class Snapshot {
  /** Per database: the pending bit of each slot below its top at the start. */
  private readonly pending: Uint8Array[];
  /** Keys written early for databases the walk has not reached: their encoded bytes. */
  private readonly early = new Map<number, Uint8Array[]>();
  private readonly sizes: { size: number; expires: number }[];
  private db = 0;
  private slot = 0;
  private sectionOpen = false;
  keysDone = 0;
  readonly keysTotal: number;
  done = false;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly writer: SnapshotWriter,
    private readonly encode: EncodeValue,
    private readonly keyOf: KeyOf,
  ) {
    let total = 0;
    this.sizes = keyspace.dbs.map((d) => ({ size: d.size, expires: d.volatileCount }));
    this.pending = keyspace.dbs.map((d) => {
      const bits = new Uint8Array((d.slotTop + 7) >> 3);
      for (let s = 0; s < d.slotTop; s++) {
        if (d.slotEntry(s) !== undefined) {
          bits[s >> 3]! |= 1 << (s & 7);
          total++;
        }
      }
      return bits;
    });
    this.keysTotal = total;
  }

  private isPending(db: number, s: number): boolean {
    const bits = this.pending[db]!;
    return s >> 3 < bits.length && (bits[s >> 3]! & (1 << (s & 7))) !== 0;
  }

  private clearPending(db: number, s: number): void {
    this.pending[db]![s >> 3]! &= ~(1 << (s & 7));
  }

  /** The key in slot `s` of `db` is about to change: written now if still pending. */
  beforeChange(db: Db, s: number): void {
    if (this.done || !this.isPending(db.id, s)) return;
    const e = db.slotEntry(s);
    this.clearPending(db.id, s);
    if (!e) return;
    const k = this.keyOf(db, e);
    if (db.id === this.db) {
      this.openSection();
      this.writer.key(k, this.encode);
    } else {
      // A later database: kept encoded until the walk gets there (an earlier one is complete).
      const parts = this.early.get(db.id) ?? [];
      parts.push(this.writer.encodeKey(k, this.encode));
      this.early.set(db.id, parts);
    }
    this.keysDone++;
  }

  /** `db` is about to be emptied or swapped: everything of it still pending is written first. */
  beforeClear(db: Db): void {
    if (this.done) return;
    for (let s = 0; s < db.slotTop; s++) this.beforeChange(db, s);
  }

  private openSection(): void {
    if (this.sectionOpen) return;
    this.sectionOpen = true;
    const sz = this.sizes[this.db]!;
    const early = this.early.get(this.db);
    if (sz.size === 0 && !early) return;
    this.writer.selectDb(this.db, sz.size, sz.expires);
    for (const b of early ?? []) this.writer.write(b);
    this.early.delete(this.db);
  }

  /**
   * Writes up to `budget` keys (or until `deadline`, performance.now() ms, or until `full` says
   * the output is behind); true when the whole dataset is written. Databases without pending
   * keys are skipped without a section.
   */
  step(budget: number, deadline: number, full?: () => boolean): boolean {
    const dbs = this.keyspace.dbs;
    let n = 0;
    while (this.db < dbs.length) {
      const d = dbs[this.db]!;
      const bits = this.pending[this.db]!;
      const top = bits.length << 3;
      while (this.slot < top) {
        const s = this.slot++;
        if (!this.isPending(this.db, s)) continue;
        this.clearPending(this.db, s);
        const e = d.slotEntry(s);
        if (!e) continue;
        this.openSection();
        this.writer.key(this.keyOf(d, e), this.encode);
        this.keysDone++;
        if (++n >= budget || (n % 64 === 0 && performance.now() >= deadline) || full?.()) return false;
      }
      // A database whose keys all went early still gets its section.
      if (this.early.has(this.db)) this.openSection();
      this.db++;
      this.slot = 0;
      this.sectionOpen = false;
    }
    this.done = true;
    return true;
  }
}
