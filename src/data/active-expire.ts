// The active expiry cycle (Redis's expire.c activeExpireCycle, slow cycle): keys nobody reads are
// still reclaimed once their deadline passes. The server runs it from its cron; the cycle's state
// (next database, whether the last call ran out of time) lives on the Keyspace between calls.
import type { Keyspace, SweepResult } from './keyspace.js';

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
export function activeExpireCycle(keyspace: Keyspace, nowMs: number, timeLimitMs: number): number {
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
