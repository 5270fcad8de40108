// Keys by hash slot (Redis 7.2's slots_to_keys), kept only in cluster mode: the keyspace tells it
// of every key added or removed (Keyspace.keyIndex), and CLUSTER COUNTKEYSINSLOT and
// GETKEYSINSLOT read it. Only database 0 exists in cluster mode; other ids are ignored.
import type { KeyIndex } from '../data/keyspace.js';
import { CLUSTER_SLOTS, keyHashSlot } from './crc16.js';

export class SlotIndex implements KeyIndex {
  /** The keys of each slot in the order they were added; a slot with none has no set. */
  private slots: (Set<string> | undefined)[] = new Array<Set<string> | undefined>(CLUSTER_SLOTS).fill(undefined);

  added(db: number, key: string): void {
    if (db !== 0) return;
    const slot = keyHashSlot(key);
    let keys = this.slots[slot];
    if (keys === undefined) keys = this.slots[slot] = new Set();
    keys.add(key);
  }

  removed(db: number, key: string): void {
    if (db !== 0) return;
    const slot = keyHashSlot(key);
    const keys = this.slots[slot];
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.slots[slot] = undefined;
  }

  cleared(db: number): void {
    if (db === 0) this.slots.fill(undefined);
  }

  /** countKeysInSlot: expired keys not yet reclaimed included, as Redis counts them. */
  count(slot: number): number {
    return this.slots[slot]?.size ?? 0;
  }

  /** Up to `max` keys of `slot`, the most recently added first (Redis links new keys at the head). */
  keys(slot: number, max: number): string[] {
    const keys = this.slots[slot];
    if (keys === undefined || max <= 0) return [];
    const all = [...keys];
    const out: string[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < max; i--) out.push(all[i]!);
    return out;
  }
}
