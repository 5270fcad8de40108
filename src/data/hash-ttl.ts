// The field deadlines of a hash (Redis 7.4's hash field expiration, t_hash.c). A RedisHash gets
// one of these the first time HEXPIRE (or a sibling) touches it and keeps it, as Redis keeps a
// listpack converted to listpackex; hashes without field TTLs never allocate one.
//
// Besides the deadlines it keeps where Redis's listpackex would hold each field, since that
// order is what HGETALL, HSCAN and HRANDFIELD answer in: fields with a deadline first, earliest
// first (a field given a deadline goes before those with the same one: listpackExAddInternal
// inserts before the first tuple whose TTL is >= its own), then the fields without one in the
// order they were appended (a new field, or one whose deadline an HSET or HPERSIST dropped,
// goes last). A stamp per field, renewed whenever Redis would move the field, encodes both.

/** What `order` sorts: the hash's entries (HashEntry; kept structural to avoid a cycle). */
interface Keyed {
  readonly key: string;
}

export class FieldTtls {
  /** field -> deadline, ms. */
  private readonly at = new Map<string, number>();
  /** field -> when Redis last placed it in the listpackex (every field of the hash). */
  private readonly place = new Map<string, number>();
  private stamp = 0;
  /** Earliest deadline (Infinity: none), undefined when it must be computed again. */
  private min: number | undefined = Infinity;

  constructor(fields: Iterable<Keyed>) {
    for (const e of fields) this.place.set(e.key, ++this.stamp);
  }

  /** Number of fields with a deadline. */
  get size(): number {
    return this.at.size;
  }

  /** The deadline of `field` in ms, undefined when it has none. */
  get(field: string): number | undefined {
    return this.at.get(field);
  }

  /** Redis's check for reads: a field is gone once its deadline is before the command's time. */
  expired(field: string, now: number): boolean {
    const t = this.at.get(field);
    return t !== undefined && t < now;
  }

  /** Gives `field` (present) the deadline `when`, moving it as listpackExUpdateExpiry does. */
  set(field: string, when: number): void {
    const old = this.at.get(field);
    this.at.set(field, when);
    this.place.set(field, ++this.stamp);
    if (old !== undefined && old === this.min) this.min = undefined;
    else if (this.min !== undefined && when < this.min) this.min = when;
  }

  /** Drops the deadline of `field`; false when it had none. The field moves to the end. */
  persist(field: string): boolean {
    const old = this.at.get(field);
    if (old === undefined) return false;
    this.at.delete(field);
    this.place.set(field, ++this.stamp);
    if (old === this.min) this.min = undefined;
    return true;
  }

  /** A new field (no deadline), appended. */
  added(field: string): void {
    this.place.set(field, ++this.stamp);
  }

  deleted(field: string): void {
    this.place.delete(field);
    const old = this.at.get(field);
    if (old === undefined) return;
    this.at.delete(field);
    if (old === this.min) this.min = undefined;
  }

  /** Earliest deadline, Infinity when no field has one (Redis's hashTypeGetMinExpire). */
  minExpire(): number {
    if (this.min === undefined) {
      let m = Infinity;
      for (const t of this.at.values()) if (t < m) m = t;
      this.min = m;
    }
    return this.min;
  }

  /** Fields whose deadline is before `now`: what HGETALL leaves out of its length. */
  expiredCount(now: number): number {
    if (this.minExpire() >= now) return 0;
    let n = 0;
    for (const t of this.at.values()) if (t < now) n++;
    return n;
  }

  /** Up to `max` fields whose deadline is at or before `now`, earliest first (listpackExExpire, ebExpire). */
  due(now: number, max: number): string[] {
    if (this.minExpire() > now) return [];
    const out: [string, number][] = [];
    for (const [f, t] of this.at) if (t <= now) out.push([f, t]);
    out.sort((a, b) => a[1] - b[1] || this.place.get(b[0])! - this.place.get(a[0])!);
    if (out.length > max) out.length = max;
    return out.map((p) => p[0]);
  }

  /** `entries` in listpackex order (see the top of the file). */
  order<E extends Keyed>(entries: Iterable<E>): E[] {
    const timed: E[] = [];
    const rest: E[] = [];
    for (const e of entries) (this.at.has(e.key) ? timed : rest).push(e);
    const at = this.at;
    const place = this.place;
    timed.sort((a, b) => at.get(a.key)! - at.get(b.key)! || place.get(b.key)! - place.get(a.key)!);
    rest.sort((a, b) => place.get(a.key)! - place.get(b.key)!);
    for (const e of rest) timed.push(e);
    return timed;
  }

  clone(): FieldTtls {
    const c = new FieldTtls([]);
    for (const [f, t] of this.at) c.at.set(f, t);
    for (const [f, p] of this.place) c.place.set(f, p);
    c.stamp = this.stamp;
    c.min = this.min;
    return c;
  }
}
