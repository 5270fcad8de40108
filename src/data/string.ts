// The string value: a binary string (one char per byte) when small, a Buffer when large.
// Small values are far cheaper to keep as V8 one-byte strings than as Buffer objects; large
// ones stay Buffers (big arguments arrive as Buffers without a copy). Args.value() picks.

export type RedisString = string | Buffer;

export function isRedisString(v: unknown): v is RedisString {
  return typeof v === 'string' || v instanceof Uint8Array;
}

/** The value's bytes (a copy for strings). */
export function strBytes(v: RedisString): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
}

/** The value as a binary string (a copy for Buffers). */
export function strText(v: RedisString): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

/** Stores bytes the way Args.value() would: small ones as binary strings. */
export function fromBytes(b: Buffer): RedisString {
  return b.length <= 4096 ? b.toString('latin1') : b;
}
