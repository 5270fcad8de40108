// What a key and its value would cost in Redis's allocator (object.c objectComputeSize, with
// jemalloc's size classes): MEMORY USAGE answers with it, and the dataset estimate behind
// used_memory and maxmemory is built from it. Aggregates are sampled as Redis samples them: the
// first `samples` elements (0: all) stand for the rest.
import { RedisHash } from './hash.js';
import type { Db, Keyspace, Value } from './keyspace.js';
import { RedisList } from './list.js';
import { RedisSet } from './set.js';
import { RedisStream } from './stream.js';
import type { RedisString } from './string.js';
import { RedisZset } from './zset.js';

const ROBJ = 16;
const DICT_ENTRY = 24;
const DICT = 56;

/** jemalloc's size class for an allocation of n bytes. */
function jeRound(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  // Four classes per doubling above 128 bytes.
  const p = 2 ** Math.floor(Math.log2(n - 1));
  const step = p / 4;
  return Math.ceil(n / step) * step;
}

/** sdsZmallocSize of a string of `len` bytes (sds5/8/16/32 header, terminator). */
function sdsAlloc(len: number): number {
  const hdr = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return jeRound(len + hdr + 1);
}

function isIntegerString(s: string): boolean {
  return s.length > 0 && s.length <= 20 && /^-?(0|[1-9]\d*)$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n;
}

/** A string object: int-encoded (the robj alone), embstr (one allocation) or raw. */
function stringObjectSize(v: RedisString): number {
  if (typeof v === 'string' && isIntegerString(v)) return ROBJ;
  if (v.length <= 44) return jeRound(ROBJ + 3 + v.length + 1);
  return ROBJ + sdsAlloc(v.length);
}

/** Listpack entry bytes for a string, near enough (encoding header, data, back-length). */
function lpEntry(len: number): number {
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + (enc <= 127 ? 1 : enc < 16383 ? 2 : 3);
}

/** Sum of f over the first `samples` elements (all when 0), scaled to `total` elements. */
function sampled<T>(items: Iterable<T>, total: number, samples: number, f: (x: T) => number): number {
  let sum = 0;
  let n = 0;
  for (const x of items) {
    sum += f(x);
    if (++n === samples) break;
  }
  return n === 0 ? 0 : (sum / n) * total;
}

function buckets(n: number): number {
  let b = 4;
  while (b < n) b *= 2;
  return b;
}

/** objectComputeSize: the value's bytes, by the encoding OBJECT ENCODING would report. */
function valueSize(v: Value, samples: number, listpackMax: number): number {
  if (v instanceof RedisList) {
    const n = v.length;
    // quicklist: a header, and nodes of listpacks of about 8 KiB (list-max-listpack-size -2).
    const lp = sampled(listItems(v), n, samples, (e) => lpEntry(e.length));
    const nodes = Math.max(1, Math.ceil(lp / 8192));
    return ROBJ + 40 + nodes * (32 + jeRound(Math.ceil(lp / nodes) + 7));
  }
  if (v instanceof RedisSet) {
    const n = v.size;
    if (n <= listpackMax) {
      return ROBJ + jeRound(7 + sampled(v.entries(), n, samples, (e) => lpEntry(e.key.length)));
    }
    return ROBJ + DICT + buckets(n) * 8 + sampled(v.entries(), n, samples, (e) => sdsAlloc(e.key.length) + DICT_ENTRY);
  }
  if (v instanceof RedisZset) {
    const n = v.size;
    if (n <= listpackMax) return ROBJ + jeRound(7 + sampled(zsetMembers(v), n, samples, (m) => lpEntry(m.length) + 4));
    return ROBJ + 48 + DICT + buckets(n) * 8 + sampled(zsetMembers(v), n, samples, (m) => sdsAlloc(m.length) + DICT_ENTRY + 48);
  }
  if (v instanceof RedisHash) {
    const n = v.size;
    if (n <= listpackMax) return ROBJ + jeRound(7 + sampled(v.entries(), n, samples, (e) => lpEntry(e.key.length) + lpEntry(e.value.length)));
    return ROBJ + DICT + buckets(n) * 8 + sampled(v.entries(), n, samples, (e) => sdsAlloc(e.key.length) + sdsAlloc(e.value.length) + DICT_ENTRY);
  }
  if (v instanceof RedisStream) return streamSize(v);
  return stringObjectSize(v);
}

/**
 * A stream: the object and stream structs, the radix tree (an ID and a node's worth per
 * listpack), the listpacks as allocated, and per group its struct, PEL and consumers.
 */
function streamSize(s: RedisStream): number {
  const RAX_NODE = 4 + 8 * 30;
  let n = ROBJ + 120 + 24 + s.nodes.length * (16 + RAX_NODE) + s.nodeBytes();
  for (const g of s.groups?.values() ?? []) {
    n += 56 + 24 + g.pel.size * (16 + RAX_NODE + 24);
    for (const c of g.consumers.values()) n += 48 + c.name.length + 24 + c.pel.size * (16 + RAX_NODE);
  }
  return n;
}

function* listItems(l: RedisList): Generator<RedisString> {
  for (let i = 0; i < l.length; i++) yield l.at(i);
}

function* zsetMembers(z: RedisZset): Generator<string> {
  for (let id = z.first; id >= 0; id = z.next(id)) yield z.memberOf(id);
}

/** MEMORY USAGE: the value, the key's sds and its dict entry. */
export function keyUsage(key: string, v: Value, samples: number, listpackMax = 128): number {
  return Math.round(valueSize(v, samples, listpackMax)) + sdsAlloc(key.length) + DICT_ENTRY;
}

/**
 * The dataset estimate behind used_memory: each database's key count times the average usage of
 * a sample of its keys (all of them in small databases), plus the expires table's entries. Kept
 * per database and refreshed on demand, at most every `refreshMs`, so reading it is O(databases).
 */
export class DatasetEstimate {
  private readonly avg: number[];
  /** Each database's key count when its average was taken. */
  private readonly sizeAt: number[];
  private refreshedAt = -Infinity;

  constructor(private readonly keyspace: Keyspace, private readonly refreshMs = 100) {
    this.avg = keyspace.dbs.map(() => 0);
    this.sizeAt = keyspace.dbs.map(() => 0);
  }

  /** Bytes of every key now; `force` re-samples at once (after evictions, FLUSHALL...). */
  bytes(nowMs: number, force = false): number {
    if (force || nowMs - this.refreshedAt >= this.refreshMs) this.refresh(nowMs);
    let total = 0;
    const dbs = this.keyspace.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[i]!;
      const n = db.size;
      if (n === 0) continue;
      // A database that grew or shrank by an eighth since its sample (or was empty) is sampled
      // again now, so a burst of writes is counted as it happens.
      const then = this.sizeAt[i]!;
      if (Math.abs(n - then) * 8 > then) this.refreshDb(i);
      total += n * this.avg[i]! + db.volatileCount * DICT_ENTRY;
    }
    return Math.round(total);
  }

  private refresh(nowMs: number): void {
    this.refreshedAt = nowMs;
    for (let i = 0; i < this.keyspace.dbs.length; i++) this.refreshDb(i);
  }

  private refreshDb(i: number): void {
    const db = this.keyspace.dbs[i]!;
    this.avg[i] = averageUsage(db);
    this.sizeAt[i] = db.size;
  }
}

const SAMPLE_KEYS = 32;

function averageUsage(db: Db): number {
  const n = db.size;
  if (n === 0) return 0;
  let sum = 0;
  let count = 0;
  if (n <= SAMPLE_KEYS) {
    db.forEachRaw((key, v) => {
      sum += keyUsage(key, v, 5);
      count++;
    });
  } else {
    db.sample(false, SAMPLE_KEYS, (key) => {
      const v = db.rawValue(key);
      if (v === undefined) return;
      sum += keyUsage(key, v, 5);
      count++;
    });
  }
  return count === 0 ? 0 : sum / count;
}
