// The active expiry cycle (Redis's expire.c activeExpireCycle, slow cycle): keys nobody reads are
// still reclaimed once their deadline passes. The server runs it from its cron; the cycle's state
// (next database, whether the last call ran out of time) lives on the Keyspace between calls.
import type { Db, Keyspace, SweepResult } from './keyspace.js';
import type { RedisHash } from './hash.js';

/** Reused by every sweep; read right after each. */
const sweep: SweepResult = { sampled: 0, expired: 0, ttlSum: 0, ttlSamples: 0 };

/** Redis's ACTIVE_EXPIRE_CYCLE_* parameters (expire.c), scaled by active-expire-effort. */
const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE = 10;
const DBS_PER_CALL = 16;

/**
 * Redis's activeExpireCycle (slow cycle): per database (up to 16 per call, resuming where the last
 * call stopped), sweeps 20 keys with a deadline and expires those past it, and sweeps again while
 * more than 10% of a sweep was expired; stops once `timeLimitMs` is used (checked every 16 sweeps;
 * the next call then covers every database). Does nothing while expiry is paused. Returns the
 * number of keys expired; each raises 'expired' and tells watchers, as a lazy expiry does.
 */
export function activeExpireCycle(keyspace: Keyspace, nowMs: number, timeLimitMs: number, hz = 10): number {
  if (keyspace.expiryPaused) return 0;
  keyspace.clock = nowMs;
  const effort = keyspace.activeExpireEffort - 1;
  const perLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * effort;
  const acceptableStale = ACCEPTABLE_STALE - effort;
  const dbs = keyspace.dbs;
  const dbsPerCall = keyspace.timelimitExit ? dbs.length : Math.min(DBS_PER_CALL, dbs.length);
  const start = performance.now();
  keyspace.timelimitExit = false;
  let iteration = 0;
  let total = 0;
  for (let j = 0; j < dbsPerCall && !keyspace.timelimitExit; j++) {
    const db = dbs[keyspace.expireDb % dbs.length]!;
    keyspace.expireDb = (keyspace.expireDb + 1) % dbs.length;
    // Redis interleaves the field cycle with the key cycle, before the keys of each database.
    activeExpireHashFieldCycle(keyspace, nowMs, hz);
    for (;;) {
      iteration++;
      const num = Math.min(db.volatileCount, perLoop);
      if (num === 0) {
        db.avgTtl = 0;
        break;
      }
      db.sweepExpired(nowMs, num, sweep);
      const { sampled, expired, ttlSum, ttlSamples } = sweep;
      total += expired;
      if (ttlSamples) {
        const avg = Math.floor(ttlSum / ttlSamples);
        if (db.avgTtl === 0) db.avgTtl = avg;
        db.avgTtl = Math.floor(db.avgTtl / 50) * 49 + Math.floor(avg / 50);
      }
      if ((iteration & 0xf) === 0 && performance.now() - start > timeLimitMs) {
        keyspace.timelimitExit = true;
        break;
      }
      if (sampled > 0 && (expired * 100) / sampled <= acceptableStale) break;
    }
  }
  return total;
}

/** Redis's HFE_DB_BASE_ACTIVE_EXPIRE_FIELDS_PER_SEC and the EXPIRED_FIELDS_TH of expire.c. */
const FIELDS_PER_SEC = 10000;
const EXPIRED_FIELDS_TH = 1000000;

/**
 * Redis's activeExpireHashFieldCycle: one database per call (the next one once this one has no
 * due field left), at most 10000/hz fields, more (up to 32 times) while it keeps falling behind.
 */
function activeExpireHashFieldCycle(keyspace: Keyspace, nowMs: number, hz: number): void {
  const dbs = keyspace.dbs;
  const db = dbs[keyspace.hfeDb % dbs.length]!;
  if (db.hexpires.size === 0) {
    keyspace.hfeSequence = 0;
    keyspace.hfeDb = (keyspace.hfeDb + 1) % dbs.length;
    return;
  }
  let max = Math.floor(FIELDS_PER_SEC / hz);
  if (keyspace.hfeSequence > EXPIRED_FIELDS_TH) max *= Math.min(32, Math.floor(keyspace.hfeSequence / EXPIRED_FIELDS_TH));
  if (hashDbActiveExpire(db, nowMs, max) === max) {
    keyspace.hfeSequence += max;
  } else {
    keyspace.hfeSequence = 0;
    keyspace.hfeDb = (keyspace.hfeDb + 1) % dbs.length;
  }
}

/**
 * Redis's hashTypeDbActiveExpire: expires due fields of the hashes registered in `db`, earliest
 * hash first, up to `max` fields; returns how many. Stale registrations are dropped on the way.
 */
function hashDbActiveExpire(db: Db, nowMs: number, max: number): number {
  // Nothing due yet: no walk over the registered hashes (HEXPIRE and RENAME lower the mark).
  if (nowMs < db.hexpiresNext) return 0;
  const due: [string, RedisHash, number][] = [];
  let next = Infinity;
  for (const [key, h] of db.hexpires) {
    const ttls = h.ttls;
    if (db.rawValue(key) !== h || ttls === null || ttls.size === 0) {
      db.hexpires.delete(key);
      continue;
    }
    const min = ttls.minExpire();
    if (min <= nowMs) due.push([key, h, min]);
    else if (min < next) next = min;
  }
  due.sort((a, b) => a[2] - b[2]);
  let left = max;
  for (const [key, h] of due) {
    if (left > 0) left -= expireHashFields(db, key, h, nowMs, left);
    const min = h.size > 0 && h.ttls !== null ? h.ttls.minExpire() : Infinity;
    if (min < next) next = min;
  }
  db.hexpiresNext = next;
  return max - left;
}

/**
 * Redis's hashTypeExpire: deletes up to `max` fields of `h` (at `key`) whose deadline is at or
 * before `nowMs`, raises one 'hexpired', and deletes the key ('del') if no field is left.
 * Returns the number of fields expired. HRANDFIELD uses it too, with no limit.
 */
export function expireHashFields(db: Db, key: string, h: RedisHash, nowMs: number, max: number): number {
  const ttls = h.ttls;
  if (ttls === null) return 0;
  const fields = ttls.due(nowMs, max);
  if (fields.length === 0) return 0;
  db.willChange(key);
  const ks = db.keyspace;
  for (const f of fields) {
    h.delete(f);
    ks.expiredField?.(db.id, key, f);
  }
  db.expiredSubkeys += fields.length;
  ks.notifier?.('h', 'hexpired', key, db.id);
  if (h.size === 0) {
    db.delete(key, nowMs);
    ks.notifier?.('g', 'del', key, db.id);
  } else {
    db.touch(key);
  }
  return fields.length;
}
