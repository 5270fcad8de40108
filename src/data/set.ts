// The set value: members are binary strings (one char per byte) in an OrderedDict (dict.ts),
// insertion-ordered with seq-number scan cursors. Redis's encodings are modelled, not copied:
// the high-water marks below say whether Redis would hold the set as an intset, a listpack or a
// hashtable, and members() replays the order each encoding iterates in (intsets are sorted).
import type { Config } from '../config/config.js';
import { OrderedDict, type DictEntry } from './dict.js';

export type SetEncoding = 'intset' | 'listpack' | 'hashtable';

/** How a new set starts out, as Redis creates it. */
export const enum SetStart {
  /** createIntsetObject / setTypeCreate: an intset until a non-integer arrives. */
  Intset,
  /** createSetListpackObject: never an intset, iterates in insertion order. */
  Listpack,
}

/** True for what Redis's string2ll accepts: canonical 64-bit integers ("-0", "+1", "01" are not). */
export function isIntegerMember(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1; // "0" only
  if (first < 49 || first > 57) return false;
  for (let k = i + 1; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  if (n - i < 19) return true;
  const v = BigInt(s);
  return v >= -9223372036854775808n && v <= 9223372036854775807n;
}

/** Numeric order of two canonical integer strings (what an intset iterates in). */
function compareIntegerMembers(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let c = a.length - b.length;
  if (c === 0) c = a < b ? -1 : a > b ? 1 : 0;
  return na ? -c : c;
}

/**
 * A set. Redis keeps an all-integer set as an intset while it has at most set-max-intset-entries
 * members, converts it to a listpack when a non-integer arrives (if within set-max-listpack-entries
 * and -value) and to a hashtable past those limits; it never converts back. The high-water marks
 * below decide it for the limits in force; `intsEnd` remembers where the integer phase ended,
 * because the listpack converted from an intset starts with its members sorted.
 */
export class RedisSet {
  private readonly dict = new OrderedDict<DictEntry>();
  /** No non-integer member was ever added (and the set did not start as a listpack). */
  private allIntegers: boolean;
  /** Most members held (or announced by SADD's argument count) while all were integers. */
  private intPeak = 0;
  /** Most members held (or announced) since the integer phase ended. */
  private peak = 0;
  /** Longest member since the integer phase ended, counting the integers it ended with. */
  private longest = 0;
  /** Entries with a seq below this were added while every member was an integer. */
  private intsEnd: number;

  constructor(start: SetStart = SetStart.Intset) {
    this.allIntegers = start === SetStart.Intset;
    this.intsEnd = start === SetStart.Intset ? Infinity : 0;
  }

  get size(): number {
    return this.dict.size;
  }

  has(member: string): boolean {
    return this.dict.has(member);
  }

  /** Adds `member`; true when it was not there. */
  add(member: string): boolean {
    const d = this.dict;
    if (d.has(member)) return false;
    if (this.allIntegers && !isIntegerMember(member)) this.endIntegerPhase();
    d.add({ key: member, seq: 0 });
    if (this.allIntegers) {
      if (d.size > this.intPeak) this.intPeak = d.size;
    } else {
      if (d.size > this.peak) this.peak = d.size;
      if (member.length > this.longest) this.longest = member.length;
    }
    return true;
  }

  /** The intset becomes a listpack (or a hashtable): its limits apply from here on. */
  private endIntegerPhase(): void {
    this.allIntegers = false;
    this.peak = this.dict.size;
    let lastSeq = 0;
    for (const e of this.dict.values()) {
      if (e.key.length > this.longest) this.longest = e.key.length;
      lastSeq = e.seq;
    }
    this.intsEnd = lastSeq + 1;
  }

  delete(member: string): boolean {
    return this.dict.delete(member) !== undefined;
  }

  /** SADD's setTypeMaybeConvert: more arguments than an encoding holds converts up front. */
  sizeHint(n: number): void {
    if (this.allIntegers) {
      if (n > this.intPeak) this.intPeak = n;
    } else if (n > this.peak) this.peak = n;
  }

  /**
   * Redis's maybeConvertToIntset, for a freshly built SINTERSTORE result: a set whose members are
   * all integers becomes an intset after all.
   */
  reconsiderIntset(): void {
    if (this.allIntegers) return;
    for (const e of this.dict.values()) if (!isIntegerMember(e.key)) return;
    this.allIntegers = true;
    this.intsEnd = Infinity;
    this.intPeak = this.dict.size;
  }

  /** A uniformly chosen member; the set must not be empty. */
  random(): string {
    return (this.dict.random() as DictEntry).key;
  }

  /** Removes and returns a uniformly chosen member; the set must not be empty. */
  pop(): string {
    const m = this.random();
    this.dict.delete(m);
    return m;
  }

  /** Members in insertion order (a hashtable's order: it has none worth copying). */
  entries(): IterableIterator<DictEntry> {
    return this.dict.values();
  }

  /** One SSCAN step over the hashtable: see OrderedDict.scan. */
  scan(cursor: number, count: number, out: DictEntry[]): number {
    return this.dict.scan(cursor, count, out);
  }

  /**
   * The members in the order Redis iterates them: an intset sorted by value; a listpack that
   * was converted from an intset with its integer-phase members sorted first; otherwise in
   * insertion order.
   */
  members(config: Config): string[] {
    const out: string[] = [];
    const sorting = this.encoding(config) !== 'hashtable';
    let sortedPrefix = 0;
    for (const e of this.dict.values()) {
      if (sorting && e.seq < this.intsEnd) sortedPrefix++;
      out.push(e.key);
    }
    if (sortedPrefix > 1) {
      const head = out.slice(0, sortedPrefix).sort(compareIntegerMembers);
      for (let i = 0; i < sortedPrefix; i++) out[i] = head[i];
    }
    return out;
  }

  /** OBJECT ENCODING under `config`'s limits, as Redis would have converted it on the way. */
  encoding(config: Config): SetEncoding {
    // Redis caps intsets at 2^30 entries whatever the configuration says.
    if (this.intPeak > Math.min(config.int('set-max-intset-entries'), 2 ** 30)) return 'hashtable';
    if (this.allIntegers) return 'intset';
    if (this.peak <= config.int('set-max-listpack-entries') && this.longest <= config.int('set-max-listpack-value')) {
      return 'listpack';
    }
    return 'hashtable';
  }

  /** COPY: an independent set with the same members, order and encoding. */
  clone(): RedisSet {
    const s = new RedisSet();
    let intPhase = 0;
    for (const e of this.dict.values()) {
      if (e.seq < this.intsEnd) intPhase++;
      s.dict.add({ key: e.key, seq: 0 });
    }
    s.allIntegers = this.allIntegers;
    s.intPeak = this.intPeak;
    s.peak = this.peak;
    s.longest = this.longest;
    // The copy numbers its entries 1, 2, ...: the integer phase is its first `intPhase` ones.
    s.intsEnd = this.intsEnd === Infinity ? Infinity : intPhase + 1;
    return s;
  }
}
