// Byte-level edits of string values (APPEND, SETRANGE, SETBIT, BITFIELD, ...). Results up to
// SMALL_VALUE_MAX bytes go back to being binary strings; bigger ones are Buffers that, once grown,
// keep spare room after their end as sds does (double below 1 MiB, +1 MiB above), so growing a big
// value again and again costs amortised O(bytes added), not a full copy each time.
// Ownership: a stored Buffer belongs to its key alone, so edits may change it in place (the caller
// signals the key with db.touch). Spare room is only used by the view ending where the used part
// of its ArrayBuffer ends, so growing never writes into bytes another view can see.
import { SMALL_VALUE_MAX } from '../engine/args.js';
import type { RedisString } from './string.js';

const MIB = 1024 * 1024;

/** For ArrayBuffers allocated here with spare room: the end of the part in use. */
const usedEnd = new WeakMap<ArrayBufferLike, number>();

/** A zero-filled Buffer of `len` bytes with room to grow, as sdsMakeRoomFor's greedy growth. */
function roomy(len: number): Buffer {
  const capacity = len < MIB ? len * 2 : len + MIB;
  const ab = new ArrayBuffer(capacity);
  usedEnd.set(ab, len);
  return Buffer.from(ab, 0, len);
}

/** `b` lengthened to `len` (> b.length) in its spare room, or null when it has none to use. */
function extendInPlace(b: Buffer, len: number): Buffer | null {
  const end = b.byteOffset + b.length;
  if (usedEnd.get(b.buffer) !== end || b.byteOffset + len > b.buffer.byteLength) return null;
  usedEnd.set(b.buffer, b.byteOffset + len);
  return Buffer.from(b.buffer, b.byteOffset, len);
}

/**
 * The bytes of `v` (undefined: none), zero-padded to at least `len`, ready to edit in place: a big
 * Buffer value long enough is returned itself, anything else is a new Buffer (a grown big value
 * gets spare room). Store the result back with fromBytes().
 */
export function editableBytes(v: RedisString | undefined, len: number): Buffer {
  if (v === undefined) return Buffer.alloc(len);
  const have = v.length;
  const want = Math.max(have, len);
  if (typeof v !== 'string') {
    if (have >= len && have > SMALL_VALUE_MAX) return v;
    const grown = extendInPlace(v, want);
    if (grown !== null) return grown;
  }
  const out = want > SMALL_VALUE_MAX && have > 0 ? roomy(want) : Buffer.alloc(want);
  if (typeof v === 'string') out.latin1Write(v, 0, have);
  else v.copy(out, 0, 0, have);
  return out;
}

/** `v` followed by the bytes of `tail` (copied): APPEND. */
export function appendBytes(v: RedisString, tail: Uint8Array): RedisString {
  const have = v.length;
  const total = have + tail.length;
  if (total <= SMALL_VALUE_MAX) {
    const head = typeof v === 'string' ? v : v.toString('latin1');
    return head + Buffer.from(tail.buffer, tail.byteOffset, tail.length).toString('latin1');
  }
  const out = editableBytes(v, total);
  out.set(tail, have);
  return out;
}
