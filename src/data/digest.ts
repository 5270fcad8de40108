// DEBUG DIGEST and DIGEST-VALUE: Redis's dataset signature (debug.c computeDatasetDigest,
// xorObjectDigest), byte for byte, so equal datasets give equal digests here and in redis-server.
// Unordered things (keys, set members, hash fields) are xored in; ordered ones (list elements)
// are mixed, digest = SHA1(digest xor SHA1(data)), so order counts.
import { fpconvDtoa } from '../protocol/fpconv.js';
import type { Db, Value } from './keyspace.js';
import { RedisHash } from './hash.js';
import { RedisList } from './list.js';
import { RedisSet } from './set.js';
import { nodeCrypto } from '../util/crypto.js';
import { RedisStream } from './stream.js';
import { ID_MAX, ID_ZERO } from './stream-id.js';
import { RedisZset } from './zset.js';

const OBJ_STRING = 0;
const OBJ_LIST = 1;
const OBJ_SET = 2;
const OBJ_ZSET = 3;
const OBJ_HASH = 4;
const OBJ_STREAM = 6;

type Data = string | Uint8Array;

function sha1(data: Data): Buffer {
  return nodeCrypto().createHash('sha1').update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data).digest();
}

/** digest ^= SHA1(data). */
function xorDigest(digest: Buffer, data: Data): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) digest[i] ^= h[i];
}

/** digest = SHA1(digest ^ SHA1(data)). */
function mixDigest(digest: Buffer, data: Data): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

/** deps/fpconv's fpconv_dtoa, special values included (what the digest hashes for a score). */
function dtoa(d: number): string {
  const neg = d < 0 || Object.is(d, -0) ? '-' : '';
  if (d !== d) return 'nan';
  if (d === 0) return neg + '0';
  if (!Number.isFinite(d)) return neg + 'inf';
  return fpconvDtoa(d);
}

function typeCode(v: Value): number {
  if (v instanceof RedisList) return OBJ_LIST;
  if (v instanceof RedisSet) return OBJ_SET;
  if (v instanceof RedisZset) return OBJ_ZSET;
  if (v instanceof RedisHash) return OBJ_HASH;
  if (v instanceof RedisStream) return OBJ_STREAM;
  return OBJ_STRING;
}

/** xorObjectDigest: mixes the value's type, contents and whether it has an expiry into `digest`. */
function xorObjectDigest(digest: Buffer, v: Value, hasExpire: boolean): void {
  const aux = Buffer.alloc(4);
  aux.writeUInt32BE(typeCode(v));
  mixDigest(digest, aux);
  if (v instanceof RedisList) {
    for (const e of v.toArray()) mixDigest(digest, e);
  } else if (v instanceof RedisSet) {
    for (const e of v.entries()) xorDigest(digest, e.key);
  } else if (v instanceof RedisZset) {
    const ele = Buffer.alloc(20);
    for (let id = v.first; id >= 0; id = v.next(id)) {
      ele.fill(0);
      mixDigest(ele, v.memberOf(id));
      mixDigest(ele, dtoa(v.scoreOf(id)));
      xorDigest(digest, ele);
    }
  } else if (v instanceof RedisHash) {
    const ele = Buffer.alloc(20);
    const ttls = v.ttls;
    for (const e of v.entries()) {
      ele.fill(0);
      mixDigest(ele, e.key);
      mixDigest(ele, e.value);
      // 7.4 marks a field with a deadline (whatever it is), expired or not.
      if (ttls !== null && ttls.get(e.key) !== undefined) xorDigest(ele, '!!hexpire!!');
      xorDigest(digest, ele);
    }
  } else if (v instanceof RedisStream) {
    v.range(ID_ZERO, ID_MAX, false, (e) => {
      mixDigest(digest, `${e.id.ms}.${e.id.seq}`);
      for (const s of e.fv) mixDigest(digest, s);
      return true;
    });
  } else {
    mixDigest(digest, v);
  }
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

/** computeDatasetDigest over every non-empty database; 20 zero bytes for an empty dataset. */
export function datasetDigest(dbs: readonly Db[]): Buffer {
  const final = Buffer.alloc(20);
  const digest = Buffer.alloc(20);
  const aux = Buffer.alloc(4);
  for (const db of dbs) {
    if (db.size === 0) continue;
    aux.writeUInt32BE(db.id);
    mixDigest(final, aux);
    db.forEachRaw((key, value) => {
      digest.fill(0);
      mixDigest(digest, key);
      xorObjectDigest(digest, value, db.rawDeadline(key) !== undefined);
      xorDigest(final, digest);
    });
  }
  return final;
}

/** DIGEST-VALUE of one key (expired or not, as Redis looks it up): zeros for a missing key. */
export function valueDigest(db: Db, key: string): Buffer {
  const digest = Buffer.alloc(20);
  const v = db.rawValue(key);
  if (v !== undefined) xorObjectDigest(digest, v, db.rawDeadline(key) !== undefined);
  return digest;
}
