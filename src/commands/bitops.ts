// Bitmap commands (bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO.
// Bit 0 is the most significant bit of the first byte. Reads past the end of a string see zero
// bits; writes grow it, zero-padded, up to proto-max-bulk-len bytes. A key of another type gets
// WRONGTYPE. Changes are signalled (db.set, or db.touch after an in-place edit), counted in
// server.dirty and raise Redis's keyspace events.
import { editableBytes } from '../data/string-edit.js';
import { fromBytes, strBytes, type RedisString } from '../data/string.js';
import { isString, Lookup } from '../data/keyspace.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { lookupString, touchFlags } from './lookup.js';
import { bitOffsetArg, integerArg } from './args.js';
import { clampCount } from './args.js';

const F = CmdFlag;
const BITMAP = ['bitmap'];
const ERR_BIT_VALUE = 'bit is not an integer or out of range';

/** Bits set in each byte value. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});

// ---- helpers ------------------------------------------------------------------------------------


function byteAt(v: RedisString, i: number): number {
  return typeof v === 'string' ? v.charCodeAt(i) : v[i];
}

/** Bits set in bytes [from, to) of `b`: whole 32-bit words where it pays, bytes at the edges. */
function popcount(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  if (to - from >= 64) {
    for (; (b.byteOffset + i) % 4 !== 0; i++) n += POPCOUNT[b[i]];
    const words = new Uint32Array(b.buffer, b.byteOffset + i, Math.floor((to - i) / 4));
    for (let k = 0; k < words.length; k++) {
      let w = words[k];
      w = w - ((w >>> 1) & 0x55555555);
      w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
      n += Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    i += words.length * 4;
  }
  for (; i < to; i++) n += POPCOUNT[b[i]];
  return n;
}

/** Index (0 = most significant) of the first bit equal to `bit` in byte `x`, or -1. */
function firstBitInByte(x: number, bit: number): number {
  for (let k = 0; k < 8; k++) if (((x >> (7 - k)) & 1) === bit) return k;
  return -1;
}

/**
 * Redis's redisBitpos over `count` bytes from `start`: the first bit equal to `bit`, counted from
 * there; none found is -1 for a 1 and count*8 (the bit just past the end) for a 0.
 */
function bitposBytes(b: Uint8Array, start: number, count: number, bit: number): number {
  const skip = bit ? 0 : 0xff;
  for (let i = start, end = start + count; i < end; i++) {
    if (b[i] !== skip) return (i - start) * 8 + firstBitInByte(b[i], bit);
  }
  return bit ? -1 : count * 8;
}

/** BYTE or BIT in argument i: true for BIT, null after a syntax error reply. */
function unitArg(call: CommandCall, i: number): boolean | null {
  if (call.args.is(i, 'bit')) return true;
  if (call.args.is(i, 'byte')) return false;
  call.reply.error(ERR_SYNTAX);
  return null;
}


// ---- SETBIT, GETBIT -----------------------------------------------------------------------------

function setbit(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const offset = bitOffsetArg(call, 2);
  if (offset < 0) return;
  const on = parseInteger(args.str(3));
  if (on !== 0 && on !== 1) {
    reply.error(ERR_BIT_VALUE);
    return;
  }
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = lookupString(call, db, key, false);
  if (old === null) return;
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const grows = old === undefined || byte >= old.length;
  const was = grows ? 0 : byteAt(old, byte) & mask;
  // As Redis: an unchanged bit in a string that did not grow is no change at all.
  if (grows || (was !== 0) !== (on === 1)) {
    const bytes = editableBytes(old, byte + 1);
    bytes[byte] = on ? bytes[byte] | mask : bytes[byte] & ~mask;
    if (bytes === old) db.touch(key);
    else db.set(key, fromBytes(bytes), true);
    notifyKeyspaceEvent(server, '$', 'setbit', key, client.db);
    server.dirty++;
  }
  reply.integer(was ? 1 : 0);
}

function getbit(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const offset = bitOffsetArg(call, 2);
  if (offset < 0) return;
  const v = lookupString(call, server.keyspace.dbs[client.db], args.str(1), true);
  if (v === null) return;
  const byte = Math.floor(offset / 8);
  const set = v !== undefined && byte < v.length && (byteAt(v, byte) & (1 << (7 - (offset % 8)))) !== 0;
  reply.integer(set ? 1 : 0);
}

// ---- BITCOUNT, BITPOS ---------------------------------------------------------------------------

/**
 * A start..end range (inclusive, negative from the end, clamped) over `len` bytes, in bytes or
 * bits; bit ranges become byte ranges plus masks of the bits outside them in the edge bytes.
 */
interface BitRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

function resolveRange(len: number, s: number | bigint, e: number | bigint, isBit: boolean): BitRange {
  const total = isBit ? len * 8 : len;
  let start = clampCount(s);
  let end = clampCount(e);
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

/** BITCOUNT key [start end [BYTE|BIT]]: the arguments are checked before the key (Redis 7.2). */
function bitcount(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let s: number | bigint = 0;
  let e: number | bigint = -1;
  let isBit = false;
  if (args.count === 4 || args.count === 5) {
    const start = integerArg(call, 2);
    if (start === null) return;
    const end = integerArg(call, 3);
    if (end === null) return;
    if (args.count === 5) {
      const unit = unitArg(call, 4);
      if (unit === null) return;
      isBit = unit;
    }
    s = start;
    e = end;
  } else if (args.count !== 2) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const v = lookupString(call, server.keyspace.dbs[client.db], args.str(1), true);
  if (v === null) return;
  if (v === undefined || (s < 0 && e < 0 && s > e)) {
    reply.integer(0);
    return;
  }
  const b = strBytes(v);
  const { start, end, firstMask, lastMask } = resolveRange(b.length, s, e, isBit);
  if (start > end) {
    reply.integer(0);
    return;
  }
  let n = popcount(b, start, end + 1);
  if (firstMask) n -= POPCOUNT[b[start] & firstMask];
  if (lastMask) n -= POPCOUNT[b[end] & lastMask];
  reply.integer(n);
}

/** BITPOS key bit [start [end [BYTE|BIT]]]: Redis's search, edge bytes and all. */
function bitpos(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const bitArg = integerArg(call, 2);
  if (bitArg === null) return;
  if (bitArg !== 0 && bitArg !== 1) {
    reply.error('The bit argument must be 1 or 0.');
    return;
  }
  const bit = bitArg;
  let s: number | bigint = 0;
  let e: number | bigint = -1;
  let isBit = false;
  let endGiven = false;
  const ranged = args.count >= 4 && args.count <= 6;
  if (ranged) {
    const start = integerArg(call, 3);
    if (start === null) return;
    s = start;
    if (args.count === 6) {
      const unit = unitArg(call, 5);
      if (unit === null) return;
      isBit = unit;
    }
    if (args.count >= 5) {
      const end = integerArg(call, 4);
      if (end === null) return;
      e = end;
      endGiven = true;
    }
  } else if (args.count !== 3) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const v = lookupString(call, server.keyspace.dbs[client.db], args.str(1), true);
  if (v === null) return;
  // A missing key is an endless run of zero bits.
  if (v === undefined) {
    reply.integer(bit ? -1 : 0);
    return;
  }
  const b = strBytes(v);
  let { start, end, firstMask, lastMask } = ranged
    ? resolveRange(b.length, s, e, isBit)
    : { start: 0, end: b.length - 1, firstMask: 0, lastMask: 0 };
  if (start > end) {
    reply.integer(-1);
    return;
  }
  let bytes = end - start + 1;
  let pos = -1;
  search: {
    if (firstMask) {
      let t = bit ? b[start] & ~firstMask & 0xff : b[start] | firstMask;
      if (lastMask && bytes === 1) t = bit ? t & ~lastMask & 0xff : t | lastMask;
      pos = bitposBytes(Uint8Array.of(t), 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break search;
      start++;
      bytes--;
    }
    // The last byte is searched on its own when some of its bits lie outside the range.
    const whole = bytes - (lastMask ? 1 : 0);
    if (whole > 0) {
      pos = bitposBytes(b, start, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break search;
      start += whole;
      bytes -= whole;
    }
    const t = bit ? b[end] & ~lastMask & 0xff : b[end] | lastMask;
    pos = bitposBytes(Uint8Array.of(t), 0, 1, bit);
  }
  // Looking for a 0 within an explicit range: the bit past its end does not count.
  if (endGiven && bit === 0 && pos === bytes * 8) {
    reply.integer(-1);
    return;
  }
  reply.integer(pos === -1 ? -1 : pos + start * 8);
}

// ---- BITOP --------------------------------------------------------------------------------------

const enum BitOp {
  And,
  Or,
  Xor,
  Not,
}
const BIT_OPS: Record<string, BitOp> = { and: BitOp.And, or: BitOp.Or, xor: BitOp.Xor, not: BitOp.Not };

/** BITOP op destkey key...: missing keys are empty strings; an empty result deletes destkey. */
function bitop(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const op = BIT_OPS[args.lower(1)];
  if (op === undefined) {
    reply.error(ERR_SYNTAX);
    return;
  }
  if (op === BitOp.Not && args.count !== 4) {
    reply.error('BITOP NOT must be called with a single source key.');
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const srcs: Uint8Array[] = [];
  const flags = touchFlags(client) | Lookup.Read;
  let maxlen = 0;
  for (let i = 3; i < args.count; i++) {
    const v = db.lookup(args.str(i), now, flags);
    if (v !== undefined && !isString(v)) {
      reply.error(ERR_WRONGTYPE);
      return;
    }
    const b = v === undefined ? new Uint8Array(0) : strBytes(v);
    srcs.push(b);
    maxlen = Math.max(maxlen, b.length);
  }
  const dest = args.str(2);
  if (maxlen === 0) {
    if (db.delete(dest, now)) {
      notifyKeyspaceEvent(server, 'g', 'del', dest, client.db);
      server.dirty++;
    }
    reply.integer(0);
    return;
  }
  // Bytes past a source's end count as zero.
  const res = Buffer.alloc(maxlen);
  res.set(srcs[0]);
  if (op === BitOp.Not) for (let j = 0; j < maxlen; j++) res[j] = ~res[j];
  for (let k = 1; k < srcs.length; k++) {
    const src = srcs[k];
    const n = src.length;
    if (op === BitOp.And) {
      for (let j = 0; j < n; j++) res[j] &= src[j];
      res.fill(0, n);
    } else if (op === BitOp.Or) for (let j = 0; j < n; j++) res[j] |= src[j];
    else for (let j = 0; j < n; j++) res[j] ^= src[j];
  }
  db.set(dest, fromBytes(res));
  notifyKeyspaceEvent(server, '$', 'set', dest, client.db);
  server.dirty++;
  reply.integer(maxlen);
}

// ---- the rows -----------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const RO_ACCESS = [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }];

export const bitopsCommands: CommandDef[] = [
  {
    name: 'setbit', arity: 4, flags: F.Write | F.DenyOom, acl: ['write', ...BITMAP, 'slow'], group: 'bitmap', since: '2.2.0',
    summary: 'Sets or clears the bit at offset of the string value. Creates the key if it doesn\'t exist.', complexity: 'O(1)',
    ...key1, keySpecs: [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }], handler: setbit,
  },
  {
    name: 'getbit', arity: 3, flags: F.Readonly | F.Fast, acl: ['read', ...BITMAP, 'fast'], group: 'bitmap', since: '2.2.0',
    summary: 'Returns a bit value by offset.', complexity: 'O(1)', ...key1, keySpecs: RO_ACCESS, handler: getbit,
  },
  {
    name: 'bitcount', arity: -2, flags: F.Readonly, acl: ['read', ...BITMAP, 'slow'], group: 'bitmap', since: '2.6.0',
    summary: 'Counts the number of set bits (population counting) in a string.', complexity: 'O(N)', ...key1,
    keySpecs: RO_ACCESS, handler: bitcount,
  },
  {
    name: 'bitpos', arity: -3, flags: F.Readonly, acl: ['read', ...BITMAP, 'slow'], group: 'bitmap', since: '2.8.7',
    summary: 'Finds the first set (1) or clear (0) bit in a string.', complexity: 'O(N)', ...key1,
    keySpecs: RO_ACCESS, handler: bitpos,
  },
  {
    name: 'bitop', arity: -4, flags: F.Write | F.DenyOom, acl: ['write', ...BITMAP, 'slow'], group: 'bitmap', since: '2.6.0',
    summary: 'Performs bitwise operations on multiple strings, and stores the result.', complexity: 'O(N)',
    firstKey: 2, lastKey: -1, step: 1,
    keySpecs: [
      { flags: ['OW', 'update'], begin: 2, lastKey: 0, step: 1 },
      { flags: ['RO', 'access'], begin: 3, lastKey: -1, step: 1 },
    ],
    handler: bitop,
  },
];
