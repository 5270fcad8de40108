// An AOF base written as commands (rewriteAppendOnlyFileRio, aof-use-rdb-preamble no): a `#TS:`
// first with aof-timestamp-enabled, FUNCTION LOAD per library, then per non-empty database a
// SELECT and per key the commands that rebuild it: SET, RPUSH / SADD / ZADD / HMSET with at
// most 64 items each (AOF_REWRITE_ITEMS_PER_CMD), then PEXPIREAT for a deadline. Streams are
// written as RESTORE with their DUMP payload (Redis writes XADD/XSETID/XGROUP/XCLAIM runs).
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { RedisHash } from '../../data/hash.js';
import { RedisList } from '../../data/list.js';
import { RedisSet } from '../../data/set.js';
import { NIL, RedisZset } from '../../data/zset.js';
import type { Value } from '../../data/keyspace.js';
import { d2string } from '../../protocol/fpconv.js';
import { encodeCommand, type Arg } from '../../propagation/propagation.js';
import type { Persistence } from '../persistence.js';
import { withFooter } from '../rdb-encoding.js';
import { saveObject } from '../rdb-object.js';

const ITEMS_PER_CMD = 64;

/** Buffers commands and writes them in 1 MiB slices. */
class CommandFile {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}

  raw(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= 1 << 20) this.flush();
  }

  command(argv: readonly Arg[]): void {
    this.raw(encodeCommand(argv));
  }

  /** `items` in commands of at most 64 items after `head`. */
  batched(head: readonly Arg[], items: readonly Arg[], per: number): void {
    for (let i = 0; i < items.length; i += ITEMS_PER_CMD * per) this.command([...head, ...items.slice(i, i + ITEMS_PER_CMD * per)]);
  }

  flush(): void {
    const b = Buffer.concat(this.parts, this.size);
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off);
    this.parts = [];
    this.size = 0;
  }
}

function writeValue(f: CommandFile, p: Persistence, key: string, v: Value): void {
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
    const items: string[] = [];
    for (const e of v.entries()) items.push(e.key, e.value);
    f.batched(['HMSET', key], items, 2);
  } else {
    const { type, body } = saveObject(v, p.encode(v));
    const payload = withFooter(Buffer.concat([Uint8Array.of(type), body]));
    f.command(['RESTORE', key, '0', Buffer.from(payload)]);
  }
}

/** rewriteAppendOnlyFile as commands, into `path` through `temp`. Throws on I/O errors. */
export function writeCommandsBase(p: Persistence, path: string, temp: string, timestamps: boolean): void {
  const fd = openSync(temp, 'w', 0o644);
  try {
    const f = new CommandFile(fd);
    if (timestamps) f.raw(Buffer.from(`#TS:${Math.floor(Date.now() / 1000)}\r\n`, 'latin1'));
    for (const code of p.host.libraries()) f.command(['FUNCTION', 'LOAD', code]);
    for (const db of p.host.keyspace.dbs) {
      if (db.size === 0) continue;
      f.command(['SELECT', String(db.id)]);
      for (let s = 0; s < db.slotTop; s++) {
        const e = db.slotEntry(s);
        if (!e) continue;
        writeValue(f, p, e.key, e.value);
        if (e.expire !== -1) f.command(['PEXPIREAT', e.key, String(e.expire)]);
      }
    }
    f.flush();
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
