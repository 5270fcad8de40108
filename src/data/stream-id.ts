// Stream entry IDs (t_stream.c): two unsigned 64-bit numbers, milliseconds and a sequence,
// compared as one 128-bit number. Held as bigints so that every ID Redis accepts round-trips,
// 18446744073709551615-18446744073709551615 included.

export interface StreamID {
  readonly ms: bigint;
  readonly seq: bigint;
}

export const U64_MAX = (1n << 64n) - 1n;
export const ID_ZERO: StreamID = { ms: 0n, seq: 0n };
export const ID_MAX: StreamID = { ms: U64_MAX, seq: U64_MAX };

export function cmpId(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZeroId(id: StreamID): boolean {
  return id.ms === 0n && id.seq === 0n;
}

export function formatId(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

/** streamIncrID: the next ID, undefined past the last possible one. */
export function incrId(id: StreamID): StreamID | undefined {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return undefined;
    return { ms: id.ms + 1n, seq: 0n };
  }
  return { ms: id.ms, seq: id.seq + 1n };
}

/** streamDecrID: the previous ID, undefined before 0-0. */
export function decrId(id: StreamID): StreamID | undefined {
  if (id.seq === 0n) {
    if (id.ms === 0n) return undefined;
    return { ms: id.ms - 1n, seq: U64_MAX };
  }
  return { ms: id.ms, seq: id.seq - 1n };
}

/** string2ull: decimal digits only (an optional '+' is not accepted), at most 2^64-1. */
function parseU64(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 20) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const v = BigInt(s);
  return v > U64_MAX ? undefined : v;
}

export const ERR_INVALID_ID = 'Invalid stream ID specified as stream command argument';

/** What streamGenericParseIDOrReply makes of an argument; seqGiven is false for `ms-*`. */
export interface ParsedId {
  id: StreamID;
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: `-`, `+` (not when strict), `ms`, `ms-seq`, and `ms-*` when
 * `allowSeqStar`. A missing sequence takes `missingSeq`. Undefined when invalid.
 */
export function parseId(s: string, missingSeq: bigint, strict: boolean, allowSeqStar = false): ParsedId | undefined {
  if (s.length > 127) return undefined;
  if (s === '-') return strict ? undefined : { id: ID_ZERO, seqGiven: true };
  if (s === '+') return strict ? undefined : { id: ID_MAX, seqGiven: true };
  const dash = s.indexOf('-');
  const ms = parseU64(dash < 0 ? s : s.slice(0, dash));
  if (ms === undefined) return undefined;
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === undefined) return undefined;
  return { id: { ms, seq }, seqGiven: true };
}

/**
 * streamParseIntervalIDOrReply for range bounds: a `(` prefix makes the bound exclusive (and
 * strict). Returns the ID and whether it is exclusive.
 */
export function parseIntervalId(s: string, missingSeq: bigint): { id: StreamID; exclusive: boolean } | undefined {
  const exclusive = s.length > 1 && s.charCodeAt(0) === 40;
  const p = exclusive ? parseId(s.slice(1), missingSeq, true) : parseId(s, missingSeq, false);
  return p && { id: p.id, exclusive };
}
