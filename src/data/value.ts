// What a key holds: the value types, their TYPE names, COPY's duplicate and OBJECT ENCODING of the
// aggregates that model it.
import type { Config } from '../config/config.js';
import { RedisHash } from './hash.js';
import { RedisList } from './list.js';
import { RedisSet } from './set.js';
import { RedisStream } from './stream.js';
import { isRedisString, type RedisString } from './string.js';
import { RedisZset } from './zset.js';

/** A stored value: a string, a list, a hash, a set, a sorted set or a stream. Other types join this union. */
export type Value = RedisString | RedisList | RedisHash | RedisSet | RedisZset | RedisStream;

/** The name TYPE prints for a value ('none' for a missing key). */
export function typeName(v: Value | undefined): string {
  if (v === undefined) return 'none';
  if (v instanceof RedisList) return 'list';
  if (v instanceof RedisHash) return 'hash';
  if (v instanceof RedisSet) return 'set';
  if (v instanceof RedisZset) return 'zset';
  if (v instanceof RedisStream) return 'stream';
  return 'string';
}

/** True for string values: what GET, INCR and the other string commands accept. */
export function isString(v: Value): v is RedisString {
  return isRedisString(v);
}

/** What aggregate value classes offer COPY and OBJECT ENCODING (RedisHash, RedisSet, ...). */
interface Cloneable {
  clone(): Value;
}
interface Encoded {
  encoding(config: Config): string;
}

/** COPY's duplicate of a value: strings by value (Buffers copied), aggregates via clone(). */
export function cloneValue(v: Value): Value | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  const c = v as unknown as Partial<Cloneable>;
  return typeof c.clone === 'function' ? c.clone() : undefined;
}

/** OBJECT ENCODING of an aggregate that models its encoding, undefined if it does not. */
export function modelledEncoding(v: Value, config: Config): string | undefined {
  const e = v as unknown as Partial<Encoded>;
  return typeof e.encoding === 'function' ? e.encoding(config) : undefined;
}

