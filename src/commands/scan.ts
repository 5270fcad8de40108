// What HSCAN, SSCAN and ZSCAN share with SCAN: the COUNT and MATCH options and the reply for a
// missing key.
import type { ReplyWriter } from '../protocol/reply.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import type { CommandCall } from '../table/table.js';

export interface ScanOptions {
  count: number;
  /** null when MATCH is absent or "*". */
  pattern: string | null;
}

/** COUNT and MATCH from argument `first` on (scanGenericCommand); null after the error reply. */
export function scanOptions(call: CommandCall, first: number): ScanOptions | null {
  const { args, reply } = call;
  const opts: ScanOptions = { count: 10, pattern: null };
  for (let i = first; i < args.count; i += 2) {
    const more = i + 1 < args.count;
    if (more && args.is(i, 'count')) {
      const c = parseInteger(args.str(i + 1));
      if (c === null) {
        reply.error(ERR_NOT_INTEGER);
        return null;
      }
      if (c < 1) {
        reply.error(ERR_SYNTAX);
        return null;
      }
      opts.count = typeof c === 'bigint' ? Number.MAX_SAFE_INTEGER : c;
    } else if (more && args.is(i, 'match')) {
      const p = args.str(i + 1);
      opts.pattern = p === '*' ? null : p;
    } else {
      reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return opts;
}

/** The empty scan reply for a missing key: cursor 0, no elements. */
export function replyEmptyScan(reply: ReplyWriter): void {
  reply.array(2);
  reply.bulkStr('0');
  reply.array(0);
}
