// The hash value: field -> value, both binary strings (one char per byte), in an OrderedDict
// (dict.ts): insertion order, so small hashes answer HGETALL, HSCAN and HRANDFIELD in the order
// Redis's listpack would, and seq cursors, so HSCAN never misses a field present for a whole scan.
import type { Config } from '../config/config.js';
import { OrderedDict, type DictEntry } from './dict.js';
import { FieldTtls } from './hash-ttl.js';

export interface HashEntry extends DictEntry {
  /** The field's value; overwritten in place (the entry keeps its place and seq). */
  value: string;
}

export type HashEncoding = 'listpack' | 'listpackex' | 'hashtable';

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
  /**
   * Field deadlines (ms), Redis 7.4's hash field expiration; null until HEXPIRE first touches the
   * hash (Redis's conversion to listpackex, or a dict with HFE metadata), so a hash that never had
   * a field TTL pays one null check. See hash-ttl.ts for what keeps them.
   */
  private ttl: FieldTtls | null = null;

  get size(): number {
    return this.dict.size;
  }

  /** Set once HEXPIRE has run on the hash: its field deadlines, maybe none. */
  get ttls(): FieldTtls | null {
    return this.ttl;
  }

  /** Redis's hashTypeSetExInit: makes the hash able to hold field deadlines (listpack -> listpackex). */
  enableTtls(): FieldTtls {
    if (this.ttl === null) this.ttl = new FieldTtls(this.dict.values());
    return this.ttl;
  }

  /** True when `field` has a deadline before `now` (it may still be stored: see hashes.ts). */
  isExpired(field: string, now: number): boolean {
    return this.ttl !== null && this.ttl.expired(field, now);
  }

  get(field: string): string | undefined {
    return this.dict.get(field)?.value;
  }

  has(field: string): boolean {
    return this.dict.has(field);
  }

  /**
   * Sets `field` to `value`; true when the field is new. Overwriting drops the field's deadline
   * unless `keepTtl` (HINCRBY, HINCRBYFLOAT), as Redis's hashTypeSet with HASH_SET_KEEP_TTL.
   */
  set(field: string, value: string, keepTtl = false): boolean {
    if (field.length > this.longest) this.longest = field.length;
    if (value.length > this.longest) this.longest = value.length;
    const e = this.dict.get(field);
    if (e !== undefined) {
      e.value = value;
      if (this.ttl !== null && !keepTtl) this.ttl.persist(field);
      return false;
    }
    this.dict.add({ key: field, seq: 0, value });
    if (this.dict.size > this.peak) this.peak = this.dict.size;
    if (this.ttl !== null) this.ttl.added(field);
    return true;
  }

  delete(field: string): boolean {
    if (this.dict.delete(field) === undefined) return false;
    if (this.ttl !== null) this.ttl.deleted(field);
    return true;
  }

  /** HSET with `n` pairs: Redis converts up front when n alone exceeds the listpack limit. */
  sizeHint(n: number): void {
    if (n > this.peak) this.peak = n;
  }

  /** Fields in insertion order (the listpack's order; a hashtable has none worth copying). */
  entries(): IterableIterator<HashEntry> {
    return this.dict.values();
  }

  /**
   * Fields in the order Redis's encoding under `config` holds them: a listpackex keeps fields by
   * deadline (see FieldTtls.order), the others insertion order.
   */
  ordered(config: Config): Iterable<HashEntry> {
    if (this.ttl === null || this.encoding(config) !== 'listpackex') return this.dict.values();
    return this.ttl.order(this.dict.values());
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
    if (this.peak > config.int('hash-max-listpack-entries') || this.longest > config.int('hash-max-listpack-value')) return 'hashtable';
    return this.ttl === null ? 'listpack' : 'listpackex';
  }

  /** COPY: an independent hash with the same fields, order and encoding. */
  clone(): RedisHash {
    const h = new RedisHash();
    for (const e of this.dict.values()) h.dict.add({ key: e.key, seq: 0, value: e.value });
    h.peak = this.peak;
    h.longest = this.longest;
    if (this.ttl !== null) h.ttl = this.ttl.clone();
    return h;
  }
}
