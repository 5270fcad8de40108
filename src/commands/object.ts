// OBJECT ENCODING, FREQ, IDLETIME, REFCOUNT, HELP (object.c): what Redis would say about a value's
// representation and access history. Encodings are computed from the value as Redis's rules
// would have chosen them (strings, lists here; aggregates that model theirs answer for themselves).
import type { Config } from '../config/config.js';
import { modelledEncoding, Lookup, type Value } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import type { RedisString } from '../data/string.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { parseInteger } from '../util/numbers.js';
import { replyHelp } from './help.js';

const F = CmdFlag;

/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_MAX = 44;
/** OBJ_SHARED_INTEGERS: 0..9999 are shared objects (refcount INT_MAX) when sharing is allowed. */
const SHARED_INTEGERS = 10000;
const OBJ_SHARED_REFCOUNT = 2147483647;

/** tryObjectEncoding's choice: int for what string2l takes (at most 20 chars), embstr up to 44 bytes. */
export function stringEncoding(v: RedisString): 'int' | 'embstr' | 'raw' {
  if (typeof v !== 'string') return 'raw';
  if (v.length <= 20 && parseInteger(v) !== null) return 'int';
  return v.length <= EMBSTR_MAX ? 'embstr' : 'raw';
}

/** quicklist.c optimization_level: the listpack byte limits for list-max-listpack-size -1..-5. */
export const LISTPACK_SIZE_LIMITS = [4096, 8192, 16384, 32768, 65536];
/** SIZE_SAFETY_LIMIT: the byte cap when the limit is an entry count. */
export const SIZE_SAFETY_LIMIT = 8192;

/** The bytes one element takes in a listpack: its encoding plus its back-length. */
export function listpackEntrySize(s: RedisString): number {
  let enc: number;
  const n = typeof s === 'string' ? parseInteger(s) : null;
  if (n !== null) {
    const v = Number(n);
    if (v >= 0 && v <= 127) enc = 1;
    else if (v >= -4096 && v <= 4095) enc = 2;
    else if (v >= -32768 && v <= 32767) enc = 3;
    else if (v >= -8388608 && v <= 8388607) enc = 4;
    else if (v >= -2147483648 && v <= 2147483647) enc = 5;
    else enc = 9;
  } else {
    const len = s.length;
    enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  }
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

/**
 * listpack while the list fits one listpack node under list-max-listpack-size (a positive value
 * counts entries, with an 8 KiB cap; a negative one picks a byte limit), else quicklist. Redis
 * converts with some hysteresis (a quicklist shrinks back only at half the limit); this answers
 * from the current contents.
 */
function listEncoding(list: RedisList, fill: number): 'listpack' | 'quicklist' {
  let sizeLimit = SIZE_SAFETY_LIMIT;
  let countLimit = Infinity;
  if (fill >= 0) countLimit = fill === 0 ? 1 : fill;
  else sizeLimit = LISTPACK_SIZE_LIMITS[Math.min(-fill - 1, LISTPACK_SIZE_LIMITS.length - 1)]!;
  if (list.length > countLimit) return 'quicklist';
  let bytes = 7; // header and terminator
  for (let i = 0; i < list.length; i++) {
    bytes += listpackEntrySize(list.at(i));
    if (bytes > sizeLimit) return 'quicklist';
  }
  return 'listpack';
}

export function objectEncoding(v: Value, config: Config): string {
  if (typeof v === 'string' || v instanceof Uint8Array) return stringEncoding(v);
  if (v instanceof RedisList) return listEncoding(v, config.int('list-max-listpack-size'));
  return modelledEncoding(v, config) ?? 'unknown';
}

/** objectCommandLookupOrReply: the value without touching it, or a null reply. */
function lookupOrNull(call: CommandCall): Value | undefined {
  const db = call.server.keyspace.dbs[call.client.db]!;
  const v = db.lookup(call.args.str(2), call.now, Lookup.NoTouch | Lookup.Read | Lookup.NoNotify);
  if (v === undefined) call.reply.nullBulk();
  return v;
}

/** The access clock of the key OBJECT names, or a null reply when it is missing. */
function clockOrNull(call: CommandCall): number | undefined {
  if (lookupOrNull(call) === undefined) return undefined;
  return call.server.keyspace.dbs[call.client.db]!.accessClock(call.args.str(2));
}

function encoding(call: CommandCall): void {
  const v = lookupOrNull(call);
  if (v !== undefined) call.reply.bulkStr(objectEncoding(v, call.server.config));
}

function refcount(call: CommandCall): void {
  const v = lookupOrNull(call);
  if (v === undefined) return;
  const shared = call.server.keyspace.sharedIntegers && typeof v === 'string' && stringEncoding(v) === 'int' &&
    Number(v) >= 0 && Number(v) < SHARED_INTEGERS;
  call.reply.integer(shared ? OBJ_SHARED_REFCOUNT : 1);
}

/** The policy in force now decides, as in Redis (the keyspace follows it for what it records). */
function lfuPolicy(call: CommandCall): boolean {
  return call.server.config.str('maxmemory-policy').endsWith('-lfu');
}

function idletime(call: CommandCall): void {
  const clock = clockOrNull(call);
  if (clock === undefined) return;
  if (lfuPolicy(call)) {
    call.reply.error('An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  // The LRU clock counts seconds.
  call.reply.integer(Math.max(0, Math.floor(call.now / 1000) - clock));
}

function freq(call: CommandCall): void {
  const clock = clockOrNull(call);
  if (clock === undefined) return;
  if (!lfuPolicy(call)) {
    call.reply.error('An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  call.reply.integer(call.server.keyspace.lfuCounter(clock, call.now));
}

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Print this help.',
];

const keySpec2 = { firstKey: 2, lastKey: 2, step: 1, keySpecs: [{ flags: ['RO'], begin: 2, lastKey: 0, step: 1 }] };
const READ = ['keyspace', 'read', 'slow'];
const TIPS = ['nondeterministic_output'];

export const objectCommands: CommandDef[] = [
  {
    name: 'object', arity: -2, flags: 0, acl: ['slow'], group: 'generic', since: '2.2.3',
    summary: 'A container for object introspection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'encoding', arity: 3, flags: F.Readonly, acl: READ, group: 'generic', since: '2.2.3',
        summary: 'Returns the internal encoding of a Redis object.', complexity: 'O(1)', ...keySpec2, tips: TIPS,
        handler: encoding,
      },
      {
        name: 'freq', arity: 3, flags: F.Readonly, acl: READ, group: 'generic', since: '4.0.0',
        summary: 'Returns the logarithmic access frequency counter of a Redis object.', complexity: 'O(1)', ...keySpec2,
        tips: TIPS, handler: freq,
      },
      {
        name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['keyspace', 'slow'], group: 'generic', since: '6.2.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c) => replyHelp(c, HELP),
      },
      {
        name: 'idletime', arity: 3, flags: F.Readonly, acl: READ, group: 'generic', since: '2.2.3',
        summary: 'Returns the time since the last access to a Redis object.', complexity: 'O(1)', ...keySpec2,
        tips: TIPS, handler: idletime,
      },
      {
        name: 'refcount', arity: 3, flags: F.Readonly, acl: READ, group: 'generic', since: '2.2.3',
        summary: 'Returns the reference count of a value of a key.', complexity: 'O(1)', ...keySpec2, tips: TIPS,
        handler: refcount,
      },
    ],
  },
];
