// An AOF base written as commands (rewriteAppendOnlyFileRio, aof-use-rdb-preamble no): a `#TS:`
// first with aof-timestamp-enabled, FUNCTION LOAD per library, then per non-empty database a
// SELECT and per key the commands that rebuild it: SET, RPUSH / SADD / ZADD / HMSET with at
// most 64 items each (AOF_REWRITE_ITEMS_PER_CMD), a stream as XADD per entry, XSETID, and per
// group XGROUP CREATE with its consumers' pending entries as XCLAIM ... FORCE (or XGROUP
// CREATECONSUMER), then PEXPIREAT for a deadline.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { RedisHash } from '../../data/hash.js';
import { RedisList } from '../../data/list.js';
import { RedisSet } from '../../data/set.js';
import { NIL, RedisZset } from '../../data/zset.js';
import type { Value } from '../../data/keyspace.js';
import { d2string } from '../../protocol/fpconv.js';
import { encodeCommand, type Arg } from '../../propagation/propagation.js';
import { RedisStream } from '../../data/stream.js';
import { formatId, ID_MAX, ID_ZERO } from '../../data/stream-id.js';
import type { BackgroundWriter } from '../bgsave.js';
import type { Persistence } from '../persistence.js';
import type { RdbKey } from '../rdb.js';
import { Snapshot } from '../snapshot.js';

const ITEMS_PER_CMD = 64;

/**
 * Commands into a file descriptor, buffered and written in 1 MiB slices; the snapshot (or a walk
 * of the whole dataset at once) drives it through the same calls as an RDB writer.
 */
export class CommandWriter implements BackgroundWriter {
  private parts: Buffer[] = [];
  private size = 0;
  bytes = 0;
  constructor(
    private readonly fd: number,
    private readonly timestamps: boolean,
  ) {}

  raw(b: Uint8Array): void {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.size += b.byteLength;
    if (this.size >= 1 << 20) this.flush();
  }

  command(argv: readonly Arg[]): void {
    this.raw(encodeCommand(argv));
  }

  /** `items` in commands of at most 64 items after `head`. */
  batched(head: readonly Arg[], items: readonly Arg[], per: number): void {
    for (let i = 0; i < items.length; i += ITEMS_PER_CMD * per) this.command([...head, ...items.slice(i, i + ITEMS_PER_CMD * per)]);
  }

  /** A `#TS:` first with aof-timestamp-enabled, then FUNCTION LOAD per library (rewriteFunctions). */
  header(_aux: readonly [string, string | number][], libraries: readonly string[]): void {
    if (this.timestamps) this.raw(Buffer.from(`#TS:${Math.floor(Date.now() / 1000)}\r\n`, 'latin1'));
    for (const code of libraries) this.command(['FUNCTION', 'LOAD', code]);
  }

  selectDb(id: number): void {
    this.command(['SELECT', String(id)]);
  }

  key(k: RdbKey): void {
    writeValue(this, k.key, k.value);
    if (k.expire !== -1) this.command(['PEXPIREAT', k.key, String(k.expire)]);
  }

  /** The commands of one key as bytes (kept by the snapshot until its database's turn). */
  encodeKey(k: RdbKey): Uint8Array {
    const saved = { parts: this.parts, size: this.size };
    this.parts = [];
    this.size = 0;
    this.key(k);
    const out = Buffer.concat(this.parts, this.size);
    this.parts = saved.parts;
    this.size = saved.size;
    return out;
  }

  write(b: Uint8Array): void {
    this.raw(b);
  }

  finish(): void {
    this.flush();
  }

  private flush(): void {
    if (this.size === 0) return;
    const b = Buffer.concat(this.parts, this.size);
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off);
    this.bytes += b.length;
    this.parts = [];
    this.size = 0;
  }
}

/** rewriteStreamObject. */
function writeStream(f: CommandWriter, key: string, s: RedisStream): void {
  if (s.length) {
    s.range(ID_ZERO, ID_MAX, false, (e) => {
      f.command(['XADD', key, formatId(e.id), ...e.fv]);
      return true;
    });
  } else {
    // An empty stream still exists: an entry added and trimmed away at once.
    f.command(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  f.command(['XSETID', key, formatId(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', formatId(s.maxDeletedId)]);
  if (!s.groups) return;
  // The radix trees iterate names in byte order.
  const byName = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, g] of byName(s.groups)) {
    f.command(['XGROUP', 'CREATE', key, name, formatId(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
    for (const [cname, c] of byName(g.consumers)) {
      if (c.pel.size === 0) {
        f.command(['XGROUP', 'CREATECONSUMER', key, name, cname]);
        continue;
      }
      for (let i = 0; i < c.pel.size; i++) {
        const nack = c.pel.vals[i]!;
        f.command(['XCLAIM', key, name, cname, '0', formatId(c.pel.ids[i]!), 'TIME', String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'JUSTID', 'FORCE']);
      }
    }
  }
}

function writeValue(f: CommandWriter, key: string, v: Value): void {
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    f.command(['SET', key, v]);
  } else if (v instanceof RedisList) {
    f.batched(['RPUSH', key], v.toArray(), 1);
  } else if (v instanceof RedisSet) {
    f.batched(['SADD', key], Array.from(v.entries(), (e) => e.key), 1);
  } else if (v instanceof RedisZset) {
    const items: string[] = [];
    for (let id = v.first; id !== NIL; id = v.next(id)) items.push(d2string(v.scoreOf(id)), v.memberOf(id));
    f.batched(['ZADD', key], items, 2);
  } else if (v instanceof RedisHash) {
    const ttls = v.ttls;
    if (ttls && Number.isFinite(ttls.minExpire())) {
      // Redis 7.4: with field deadlines, one HMSET per field, then its HPEXPIREAT.
      for (const e of v.entries()) {
        f.command(['HMSET', key, e.key, e.value]);
        const when = ttls.get(e.key);
        if (when !== undefined) f.command(['HPEXPIREAT', key, String(when), 'FIELDS', '1', e.key]);
      }
      return;
    }
    const items: string[] = [];
    for (const e of v.entries()) items.push(e.key, e.value);
    f.batched(['HMSET', key], items, 2);
  } else if (v instanceof RedisStream) {
    writeStream(f, key, v);
  }
}

/** rewriteAppendOnlyFile as commands, at once, into `path` through `temp`. Throws on I/O errors. */
export function writeCommandsBase(p: Persistence, path: string, temp: string, timestamps: boolean): void {
  const fd = openSync(temp, 'w', 0o644);
  try {
    const f = new CommandWriter(fd, timestamps);
    f.header([], p.host.libraries());
    new Snapshot(p.host.keyspace, f, p.encode(10), p.keyOf(Date.now())).step(Infinity, Infinity);
    f.finish();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // closed already
    }
    try {
      unlinkSync(temp);
    } catch {
      // never written
    }
    throw e;
  }
}
