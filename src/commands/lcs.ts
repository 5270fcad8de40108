// LCS (t_string.c lcsCommand): the longest common subsequence of two strings, its length, or
// the matching ranges (IDX, MINMATCHLEN, WITHMATCHLEN).
import { strBytes } from '../data/string.js';
import { isString, Lookup } from '../data/keyspace.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { touchFlags } from './lookup.js';
import { withinProtoMaxBulkLen } from './args.js';
import { clampCount } from './args.js';

const F = CmdFlag;
const STR = ['string'];







/** One IDX match: inclusive ranges in the first and the second string. */
type LcsRange = [aStart: number, aEnd: number, bStart: number, bEnd: number];

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: Redis's dynamic programming, verbatim. */
function lcs(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const db = server.keyspace.dbs[client.db];
  const flags = touchFlags(client) | Lookup.Read;
  const oa = db.lookup(args.str(1), now, flags);
  const ob = db.lookup(args.str(2), now, flags);
  if ((oa !== undefined && !isString(oa)) || (ob !== undefined && !isString(ob))) {
    reply.error('The specified keys must contain string values');
    return;
  }
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < args.count; j++) {
    const opt = args.lower(j);
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && j + 1 < args.count) {
      const n = parseInteger(args.str(++j));
      if (n === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      minMatchLen = Math.max(0, clampCount(n));
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (getIdx && getLen) {
    reply.error('If you want both the length and indexes, please just use IDX.');
    return;
  }
  const a = oa === undefined ? Buffer.alloc(0) : strBytes(oa);
  const b = ob === undefined ? Buffer.alloc(0) : strBytes(ob);
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (!withinProtoMaxBulkLen(server, cells * 4)) {
    reply.error('Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    reply.error('Insufficient memory, failed allocating transient memory for LCS');
    return;
  }
  // table[j + (blen+1)*i] is the LCS length of a[0..i-1] and b[0..j-1].
  const row = blen + 1;
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= blen; j++) {
      const at = i * row + j;
      if (ai === b[j - 1]) table[at] = table[at - row - 1] + 1;
      else {
        const up = table[at - row];
        const left = table[at - 1];
        table[at] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * row + blen];
  if (getLen) {
    reply.integer(total);
    return;
  }
  // Walk back from the end, collecting the common bytes and the matching ranges.
  const result = Buffer.allocUnsafe(total);
  const ranges: LcsRange[] = [];
  let idx = total;
  let i = alen;
  let j = blen;
  let aStart = alen; // alen: no range open
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * row + j] > table[i * row + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      if (minMatchLen === 0 || aEnd - aStart + 1 >= minMatchLen) ranges.push([aStart, aEnd, bStart, bEnd]);
      aStart = alen;
    }
  }
  if (!getIdx) {
    reply.bulk(result);
    return;
  }
  reply.map(2);
  reply.bulkStr('matches');
  reply.array(ranges.length);
  for (const [as, ae, bs, be] of ranges) {
    reply.array(withMatchLen ? 3 : 2);
    reply.array(2);
    reply.integer(as);
    reply.integer(ae);
    reply.array(2);
    reply.integer(bs);
    reply.integer(be);
    if (withMatchLen) reply.integer(ae - as + 1);
  }
  reply.bulkStr('len');
  reply.integer(total);
}

export const lcsCommands: CommandDef[] = [
  {
    name: 'lcs', arity: -3, flags: F.Readonly, acl: ['read', ...STR, 'slow'], group: 'string', since: '7.0.0',
    summary: 'Finds the longest common substring.', complexity: 'O(N*M) where N and M are the lengths of s1 and s2, respectively',
    firstKey: 1, lastKey: 2, step: 1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 1, step: 1 }], handler: lcs,
  },
];
