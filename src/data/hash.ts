// The hash value: field -> value, both binary strings (one char per byte), in an OrderedDict
// (dict.ts): insertion order, so small hashes answer HGETALL, HSCAN and HRANDFIELD in the order
// Redis's listpack would, and seq cursors, so HSCAN never misses a field present for a whole scan.
import type { Config } from '../config/config.js';
import { OrderedDict, type DictEntry } from './dict.js';

export interface HashEntry extends DictEntry {
  /** The field's value; overwritten in place (the entry keeps its place and seq). */
  value: string;
}

export type HashEncoding = 'listpack' | 'hashtable';

/**
 * A hash. Redis keeps small hashes as a listpack and converts to a hashtable for good once one
 * has held more than hash-max-listpack-entries fields (or been promised that many by a single
 * HSET) or a field or value longer than hash-max-listpack-value. The two high-water marks below
 * record exactly that, so encoding() answers as Redis would for the limits in force.
 */
export class RedisHash {
  private readonly dict = new OrderedDict<HashEntry>();
  /** Most fields ever held, or announced by a size hint. */
  private peak = 0;
  /** Longest field or value ever stored. */
  private longest = 0;

  get size(): number {
    return this.dict.size;
  }

  get(field: string): string | undefined {
    return this.dict.get(field)?.value;
  }

  has(field: string): boolean {
    return this.dict.has(field);
  }

  /** Sets `field` to `value`; true when the field is new. */
  set(field: string, value: string): boolean {
    if (field.length > this.longest) this.longest = field.length;
    if (value.length > this.longest) this.longest = value.length;
    const e = this.dict.get(field);
    if (e !== undefined) {
      e.value = value;
      return false;
    }
    this.dict.add({ key: field, seq: 0, value });
    if (this.dict.size > this.peak) this.peak = this.dict.size;
    return true;
  }

  delete(field: string): boolean {
    return this.dict.delete(field) !== undefined;
  }

  /** HSET with `n` pairs: Redis converts up front when n alone exceeds the listpack limit. */
  sizeHint(n: number): void {
    if (n > this.peak) this.peak = n;
  }

  /** Fields in insertion order (the listpack's order; a hashtable has none worth copying). */
  entries(): IterableIterator<HashEntry> {
    return this.dict.values();
  }

  /** A field chosen uniformly at random; the hash must not be empty. */
  random(): HashEntry {
    return this.dict.random() as HashEntry;
  }

  /** One HSCAN step over the hashtable: see OrderedDict.scan. */
  scan(cursor: number, count: number, out: HashEntry[]): number {
    return this.dict.scan(cursor, count, out);
  }

  /** OBJECT ENCODING: listpack or hashtable, as Redis would have it under `config`'s limits. */
  encoding(config: Config): HashEncoding {
    return this.peak <= config.int('hash-max-listpack-entries') && this.longest <= config.int('hash-max-listpack-value')
      ? 'listpack'
      : 'hashtable';
  }

  /** COPY: an independent hash with the same fields, order and encoding. */
  clone(): RedisHash {
    const h = new RedisHash();
    for (const e of this.dict.values()) h.dict.add({ key: e.key, seq: 0, value: e.value });
    h.peak = this.peak;
    h.longest = this.longest;
    return h;
  }
}
