// Argument parsing shared by command families, with Redis's error texts: integers in the ranges
// Redis checks (getIntFromObjectOrReply, getRangeLongFromObjectOrReply), SCAN cursors, client
// names, sizes against proto-max-bulk-len. Each returns null after replying the error.
import { ERR_INVALID_CURSOR, ERR_NOT_INTEGER } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import type { CommandCall } from '../table/table.js';
import type { ServerContext } from './context.js';

const MIB = 1024 * 1024;
const ERR_BIT_OFFSET = 'bit offset is not an integer or out of range';
const ULONG_MAX = 18446744073709551615n;

/**
 * Redis's getIntFromObjectOrReply: a 64-bit integer within the C int range, else the error
 * (`msg` replaces both texts when given). Null after an error reply.
 */
export function intArg(call: CommandCall, i: number, msg?: string): number | null {
  const v = parseInteger(call.args.str(i));
  if (v === null) {
    call.reply.error(msg ?? ERR_NOT_INTEGER);
    return null;
  }
  if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) {
    call.reply.error(msg ?? 'value is out of range, value must between -2147483648 and 2147483647');
    return null;
  }
  return v;
}

/**
 * A count argument within ±LONG_MAX (getRangeLongFromObjectOrReply): a number, or a bigint beyond
 * 2^53; null after the error reply.
 */
export function signedCountArg(call: CommandCall, i: number): number | bigint | null {
  const v = parseInteger(call.args.str(i));
  if (v === null) {
    call.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  if (v === -9223372036854775808n) {
    call.reply.error('value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    return null;
  }
  return v;
}

/** A count as a number: beyond 2^53 nothing changes, as no collection comes near that size. */
export function clampCount(v: number | bigint): number {
  if (typeof v === 'number') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/**
 * Redis's parseScanCursorOrReply (strtoul): optional sign, decimal digits, nothing else; "" is 0;
 * "-n" wraps around as in C. Null when invalid. Cursors beyond 2^53 lose precision, which only
 * moves them further past every seq this server hands out.
 */
export function parseCursor(s: string): number | null {
  if (s.length === 0) return 0;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 43 || c0 === 45) i = 1; // + -
  if (i === s.length) return null;
  for (let k = i; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return null;
  }
  if (s.length - i <= 15) {
    const v = Number(s.slice(i));
    return c0 === 45 && v !== 0 ? Number(ULONG_MAX + 1n - BigInt(v)) : v;
  }
  let v = BigInt(s.slice(i));
  if (v > ULONG_MAX) return null;
  if (c0 === 45 && v !== 0n) v = ULONG_MAX + 1n - v;
  return Number(v);
}

/** The SCAN cursor at argument `i` (parseCursor); null after the error reply. */
export function cursorArg(call: CommandCall, i: number): number | null {
  const cursor = parseCursor(call.args.str(i));
  if (cursor === null) call.reply.error(ERR_INVALID_CURSOR);
  return cursor;
}

/** Redis's validateClientAttr: only '!'..'~'. */
export function validClientName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * True when `bytes` passes proto-max-bulk-len, the largest string Redis builds. The directive
 * cannot go below 1 MiB, so smaller sizes skip reading it.
 */
export function withinProtoMaxBulkLen(server: ServerContext, bytes: number): boolean {
  return bytes <= MIB || bytes <= server.config.int('proto-max-bulk-len');
}

/**
 * Redis's getBitOffsetFromArgument: the bit offset in argument i, or -1 after an error reply.
 * With `bits` > 0 (BITFIELD) "#n" means n fields of that width (wrapping as 64-bit C does). The
 * byte it falls in must lie within proto-max-bulk-len.
 */
export function bitOffsetArg(call: CommandCall, i: number, bits = 0): number {
  const s = call.args.str(i);
  const hash = bits > 0 && s.charCodeAt(0) === 35; // '#'
  let v = parseInteger(hash ? s.slice(1) : s);
  if (v !== null && hash) v = BigInt.asIntN(64, BigInt(v) * BigInt(bits));
  if (v === null || v < 0 || !withinProtoMaxBulkLen(call.server, Math.floor(Number(v) / 8) + 1)) {
    call.reply.error(ERR_BIT_OFFSET);
    return -1;
  }
  return Number(v);
}

/** The 64-bit integer in argument i, or null after an error reply. */
export function integerArg(call: CommandCall, i: number): number | bigint | null {
  const v = parseInteger(call.args.str(i));
  if (v === null) call.reply.error(ERR_NOT_INTEGER);
  return v;
}
