// BITFIELD and BITFIELD_RO (bitops.c bitfieldGeneric): GET, SET and INCRBY on signed and
// unsigned integers of any width up to 64 (63 unsigned) at bit offsets, with OVERFLOW WRAP, SAT
// and FAIL.
import { editableBytes } from '../data/string-edit.js';
import { fromBytes, strBytes } from '../data/string.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { lookupString } from './lookup.js';
import { bitOffsetArg, integerArg } from './args.js';

const F = CmdFlag;
const BITMAP = ['bitmap'];
const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const RO_ACCESS = [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }];
const FIELDS_COMPLEXITY = 'O(1) for each subcommand specified';

const enum FieldOp {
  Get,
  Set,
  Incrby,
}
const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

interface FieldSpec {
  op: FieldOp;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET's value or INCRBY's increment. */
  arg: bigint;
  overflow: Overflow;
}

const ERR_FIELD_TYPE = 'Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** i1..i64 or u1..u63 (as in C, the text ends at a NUL byte); null when invalid. */
function fieldType(s: string): { signed: boolean; bits: number } | null {
  const c = s.charCodeAt(0);
  if (c !== 105 && c !== 117) return null; // 'i', 'u'
  const signed = c === 105;
  const nul = s.indexOf('\0', 1);
  const bits = parseInteger(s.slice(1, nul < 0 ? s.length : nul));
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) return null;
  return { signed, bits: Number(bits) };
}

/** The `bits`-wide field at bit `offset` of `b`, unsigned; bytes past the end read as zero. */
function readField(b: Uint8Array, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const lead = offset % 8;
  const span = Math.ceil((lead + bits) / 8);
  const drop = span * 8 - lead - bits;
  if (span <= 6) {
    // Up to 48 bits: exact in a double.
    let acc = 0;
    for (let k = 0; k < span; k++) acc = acc * 256 + (first + k < b.length ? b[first + k] : 0);
    return BigInt(Math.floor(acc / 2 ** drop) % 2 ** bits);
  }
  let acc = 0n;
  for (let k = 0; k < span; k++) acc = (acc << 8n) | BigInt(first + k < b.length ? b[first + k] : 0);
  return (acc >> BigInt(drop)) & ((1n << BigInt(bits)) - 1n);
}

/** Writes the low `bits` bits of `value` at bit `offset` of `b` (which is long enough). */
function writeField(b: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const lead = offset % 8;
  const span = Math.ceil((lead + bits) / 8);
  const drop = BigInt(span * 8 - lead - bits);
  let acc = 0n;
  for (let k = 0; k < span; k++) acc = (acc << 8n) | BigInt(b[first + k]);
  const mask = ((1n << BigInt(bits)) - 1n) << drop;
  acc = (acc & ~mask) | ((BigInt.asUintN(bits, value) << drop) & mask);
  for (let k = span - 1; k >= 0; k--) {
    b[first + k] = Number(acc & 0xffn);
    acc >>= 8n;
  }
}

/** Parses BITFIELD's subcommands; null after an error reply. */
function parseFieldOps(call: CommandCall): FieldSpec[] | null {
  const { args, reply } = call;
  const ops: FieldSpec[] = [];
  let overflow = Overflow.Wrap;
  for (let j = 2; j < args.count; j++) {
    const remaining = args.count - j - 1;
    const sub = args.lower(j);
    let op: FieldOp;
    if (sub === 'get' && remaining >= 2) op = FieldOp.Get;
    else if (sub === 'set' && remaining >= 3) op = FieldOp.Set;
    else if (sub === 'incrby' && remaining >= 3) op = FieldOp.Incrby;
    else if (sub === 'overflow' && remaining >= 1) {
      const how = args.lower(++j);
      if (how === 'wrap') overflow = Overflow.Wrap;
      else if (how === 'sat') overflow = Overflow.Sat;
      else if (how === 'fail') overflow = Overflow.Fail;
      else {
        reply.error('Invalid OVERFLOW type specified');
        return null;
      }
      continue;
    } else {
      reply.error(ERR_SYNTAX);
      return null;
    }
    const type = fieldType(args.str(j + 1));
    if (type === null) {
      reply.error(ERR_FIELD_TYPE);
      return null;
    }
    const offset = bitOffsetArg(call, j + 2, type.bits);
    if (offset < 0) return null;
    let arg = 0n;
    if (op !== FieldOp.Get) {
      const v = integerArg(call, j + 3);
      if (v === null) return null;
      arg = BigInt(v);
    }
    ops.push({ op, signed: type.signed, bits: type.bits, offset, arg, overflow });
    j += op === FieldOp.Get ? 2 : 3;
  }
  return ops;
}

/** What a SET or INCRBY did to its field. */
const enum FieldWrite {
  Refused, // OVERFLOW FAIL: nothing written
  Same,
  Changed,
}

/** SET or INCRBY on one field of `b`: replies the old value (SET), the new one (INCRBY) or nil. */
function applyField(call: CommandCall, b: Uint8Array, f: FieldSpec): FieldWrite {
  const raw = readField(b, f.offset, f.bits);
  const old = f.signed ? BigInt.asIntN(f.bits, raw) : raw;
  const width = BigInt(f.bits);
  const max = f.signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  const min = f.signed ? -(1n << (width - 1n)) : 0n;
  // SET of a negative value to an unsigned field is, as in C, a huge unsigned one.
  const wanted = f.op === FieldOp.Incrby ? old + f.arg : f.signed ? f.arg : BigInt.asUintN(64, f.arg);
  let next = wanted;
  if (wanted > max || wanted < min) {
    if (f.overflow === Overflow.Fail) {
      call.reply.nullBulk();
      return FieldWrite.Refused;
    }
    if (f.overflow === Overflow.Sat) next = wanted > max ? max : min;
    else next = f.signed ? BigInt.asIntN(f.bits, wanted) : BigInt.asUintN(f.bits, wanted);
  }
  writeField(b, f.offset, f.bits, next);
  call.reply.integer(f.op === FieldOp.Incrby ? next : old);
  return next !== old ? FieldWrite.Changed : FieldWrite.Same;
}

function replyField(call: CommandCall, b: Uint8Array, f: FieldSpec): void {
  const raw = readField(b, f.offset, f.bits);
  call.reply.integer(f.signed ? BigInt.asIntN(f.bits, raw) : raw);
}

/** BITFIELD and BITFIELD_RO (`readonly`: GET only). Every operation is parsed before any runs. */
function bitfield(call: CommandCall, readonly: boolean): void {
  const { args, reply, client, server } = call;
  const ops = parseFieldOps(call);
  if (ops === null) return;
  let highest = -1;
  for (const f of ops) if (f.op !== FieldOp.Get) highest = Math.max(highest, f.offset + f.bits - 1);
  if (highest >= 0 && readonly) {
    reply.error('BITFIELD_RO only supports the GET subcommand');
    return;
  }
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = lookupString(call, db, key, highest < 0);
  if (old === null) return;
  if (highest < 0) {
    const bytes = old === undefined ? new Uint8Array(0) : strBytes(old);
    reply.array(ops.length);
    for (const f of ops) replyField(call, bytes, f);
    return;
  }
  // Writes work on the string grown to the farthest bit any of them reaches. As in Redis, every
  // write counts as a change when the string had to grow.
  const bytes = editableBytes(old, Math.floor(highest / 8) + 1);
  const grown = old === undefined || bytes.length !== old.length;
  let changes = 0;
  reply.array(ops.length);
  for (const f of ops) {
    if (f.op === FieldOp.Get) replyField(call, bytes, f);
    else {
      const w = applyField(call, bytes, f);
      if (w === FieldWrite.Changed || (w === FieldWrite.Same && grown)) changes++;
    }
  }
  if (changes === 0 && !grown) return;
  if (bytes === old) db.touch(key);
  else db.set(key, fromBytes(bytes), true);
  if (changes > 0) {
    notifyKeyspaceEvent(server, '$', 'setbit', key, client.db);
    server.dirty += changes;
  }
}

export const bitfieldCommands: CommandDef[] = [
  {
    name: 'bitfield', arity: -2, flags: F.Write | F.DenyOom, acl: ['write', ...BITMAP, 'slow'], group: 'bitmap', since: '3.2.0',
    summary: 'Performs arbitrary bitfield integer operations on strings.', complexity: FIELDS_COMPLEXITY, ...key1,
    keySpecs: [{
      notes: 'This command allows both access and modification of the key',
      flags: ['RW', 'access', 'update', 'variable_flags'], begin: 1, lastKey: 0, step: 1,
    }],
    handler: (c) => bitfield(c, false),
  },
  {
    name: 'bitfield_ro', arity: -2, flags: F.Readonly | F.Fast, acl: ['read', ...BITMAP, 'fast'], group: 'bitmap', since: '6.0.0',
    summary: 'Performs arbitrary read-only bitfield integer operations on strings.', complexity: FIELDS_COMPLEXITY, ...key1,
    keySpecs: RO_ACCESS, handler: (c) => bitfield(c, true),
  },
];
