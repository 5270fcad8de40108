// Key eviction under maxmemory (evict.c performEvictions): before a command runs, while used
// memory is over the limit, keys go by maxmemory-policy: a random one, or the best of an eviction
// pool of 16 filled by sampling maxmemory-samples keys per database (idle time for LRU, 255 minus
// the counter for LFU, the nearest deadline for TTL). Each eviction deletes the key, raises the
// `evicted` event and counts in evicted_keys.
import type { Config } from '../config/config.js';
import type { Keyspace } from '../data/keyspace.js';

const POOL_SIZE = 16;

interface PoolEntry {
  idle: number;
  key: string;
  db: number;
}

export interface EvictionHost {
  readonly keyspace: Keyspace;
  readonly config: Config;
  /** used_memory now: what maxmemory is compared with. */
  usedMemory(nowMs: number, fresh?: boolean): number;
  /** The key was evicted: notifications (`evicted`). */
  evicted(db: number, key: string): void;
}

export class Evictor {
  evictedKeys = 0;
  private readonly pool: PoolEntry[] = [];
  /** Where random policies resume (Redis's static next_db). */
  private nextDb = 0;

  constructor(private readonly host: EvictionHost) {}

  /**
   * performEvictions: true when used memory is (now) within maxmemory, false when it could not
   * be brought there (noeviction, nothing evictable, or expiry and eviction paused).
   */
  perform(nowMs: number): boolean {
    const { config, keyspace } = this.host;
    const max = config.int('maxmemory');
    if (max <= 0) return true;
    if (this.host.usedMemory(nowMs) <= max) return true;
    const policy = config.str('maxmemory-policy');
    // CLIENT PAUSE stops evictions with expiry: the dataset stays as it is.
    if (policy === 'noeviction' || keyspace.expiryPaused) return false;
    const volatileOnly = policy.startsWith('volatile-');
    const samples = config.int('maxmemory-samples');
    // Each round evicts one key; a dataset can't need more rounds than it has keys.
    let budget = keyspace.dbs.reduce((n, db) => n + db.size, 0);
    while (budget-- > 0) {
      const victim = policy.endsWith('-random') ? this.randomVictim(volatileOnly, nowMs) : this.poolVictim(policy, volatileOnly, samples, nowMs);
      if (!victim) return this.host.usedMemory(nowMs, true) <= max;
      keyspace.dbs[victim.db]!.delete(victim.key, nowMs);
      this.evictedKeys++;
      this.host.evicted(victim.db, victim.key);
      if (this.host.usedMemory(nowMs) <= max) return true;
    }
    return this.host.usedMemory(nowMs, true) <= max;
  }

  private randomVictim(volatileOnly: boolean, nowMs: number): { db: number; key: string } | undefined {
    const dbs = this.host.keyspace.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const id = this.nextDb++ % dbs.length;
      const db = dbs[id]!;
      if (volatileOnly) {
        let found: string | undefined;
        db.sample(true, 1, (key) => (found = key));
        if (found !== undefined) return { db: id, key: found };
      } else {
        const key = db.randomKey(nowMs);
        if (key !== undefined) return { db: id, key };
      }
    }
    return undefined;
  }

  /** evictionPoolPopulate over every database, then the best candidate that still exists. */
  private poolVictim(policy: string, volatileOnly: boolean, samples: number, nowMs: number): { db: number; key: string } | undefined {
    const { keyspace } = this.host;
    const lfu = policy.endsWith('-lfu');
    const ttl = policy === 'volatile-ttl';
    const nowS = Math.floor(nowMs / 1000);
    let any = false;
    keyspace.dbs.forEach((db, id) => {
      if ((volatileOnly ? db.volatileCount : db.size) === 0) return;
      any = true;
      db.sample(volatileOnly, samples, (key, clock, deadline) => {
        const idle = ttl ? Number.MAX_SAFE_INTEGER - deadline : lfu ? 255 - keyspace.lfuCounter(clock, nowMs) : nowS - clock;
        this.insert({ idle, key, db: id });
      });
    });
    if (!any) return undefined;
    // Best last; entries whose key went away meanwhile are skipped.
    while (this.pool.length > 0) {
      const e = this.pool.pop()!;
      if (keyspace.dbs[e.db]!.rawValue(e.key) !== undefined) return e;
    }
    return undefined;
  }

  /** Keeps the pool sorted by idle ascending, at most POOL_SIZE entries, no duplicate keys. */
  private insert(e: PoolEntry): void {
    const pool = this.pool;
    for (const p of pool) if (p.key === e.key && p.db === e.db) return;
    if (pool.length === POOL_SIZE) {
      if (e.idle <= pool[0]!.idle) return;
      pool.shift();
    }
    let i = pool.length;
    while (i > 0 && pool[i - 1]!.idle > e.idle) i--;
    pool.splice(i, 0, e);
  }
}
