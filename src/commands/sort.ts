// SORT and SORT_RO (sort.c): the elements of a list, set or sorted set, sorted numerically or
// (ALPHA) by bytes, by themselves or by the values of other keys (BY pattern, where '*' stands for
// the element and "key->field" reads a hash field), ranged by LIMIT, answered as themselves or as
// other keys' values (GET pattern, GET # for the element), or stored as a list (STORE).
//
// The facts kept from Redis: BY with no '*' means "don't sort", and then a list or a sorted set
// is served in its own order (reversed for DESC) with LIMIT taken straight from it, while a set
// comes in its iteration order; a set that would go unsorted is sorted ALPHA after all when the
// result is stored or the caller is a script, so replicas and replays see the same order. Numeric
// sorting reads each weight with strtod (leading space, hex and "inf" allowed, an empty string is
// 0) and fails the whole command on anything else; equal scores fall back to the elements' bytes.
// ALPHA compares bytes: as C strings (strcoll in the C locale) when replying, whole byte strings
// when storing. A missing BY key weighs 0 (numeric) or sorts first (ALPHA). Sorted sets are
// converted to the skiplist encoding on the way, as Redis does.
import { KEY_READ } from '../acl/user.js';
import { ClientFlag } from '../clients/flags.js';
import { Lookup, type Db } from '../data/keyspace.js';
import { RedisHash } from '../data/hash.js';
import { hashGetValue } from './hashes.js';
import { RedisList } from '../data/list.js';
import { RedisSet } from '../data/set.js';
import { strText, type RedisString } from '../data/string.js';
import { NIL, RedisZset } from '../data/zset.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { sortStrtod } from '../util/numbers.js';
import { longArg } from './list-util.js';
import { touchFlags } from './lookup.js';
import { notifyKeyspaceEvent } from './notify.js';

const F = CmdFlag;

const ERR_SCORES = "One or more scores can't be converted into double";

/** One element to sort: itself, and what it is sorted by. */
interface SortItem {
  /** The element as stored (a Buffer stays one, so STORE keeps large values as Buffers). */
  obj: RedisString;
  /** The element's bytes as a binary string. */
  text: string;
  score: number;
  /** ALPHA with BY: the weight's bytes; null when the BY key (or field) is missing. */
  cmp: string | null;
}

/** The part of a binary string a C function sees: up to its first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Byte order, a shorter prefix first (compareStringObjects: memcmp, then length). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: byte order of the C strings. */
function collate(a: string, b: string): number {
  return compareBytes(cString(a), cString(b));
}

/**
 * lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by the
 * element and the string at that key read, or, when "->field" follows the '*', that field of
 * the hash at that key. Null for a pattern without '*', a missing key, field, or other type.
 */
function lookupByPattern(call: CommandCall, db: Db, pattern: string, subst: string): RedisString | null {
  const end = cString(pattern).length;
  if (end === 1 && pattern[0] === '#') return subst;
  const star = pattern.indexOf('*');
  if (star < 0 || star >= end) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < end;
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const v = db.lookup(key, call.now, touchFlags(call.client) | Lookup.Read);
  if (v === undefined) return null;
  if (hasField) {
    if (!(v instanceof RedisHash)) return null;
    // An expired field is deleted here as HGET would (sort.c passes HFE_LAZY_EXPIRE).
    const got = hashGetValue(call, db, key, v, pattern.slice(arrow + 2));
    return typeof got === 'string' ? got : null;
  }
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v;
  return null;
}

const item = (obj: RedisString): SortItem => ({ obj, text: strText(obj), score: 0, cmp: null });

interface Options {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  by: string | null;
  dontsort: boolean;
  gets: string[];
  store: string | null;
}

/** May the caller read any key? BY and GET patterns read keys its ACL rules cannot see coming. */
function fullKeyAccess(call: CommandCall, readonly: boolean): boolean {
  const cmd = call.server.commands.get(readonly ? 'sort_ro' : 'sort');
  return cmd === undefined || call.server.acl.unrestrictedKeyAccess(call.client.user, cmd, call.args, KEY_READ);
}

/** The SQL-like options from argument 2 on; null once an error was replied. */
function parseOptions(call: CommandCall, readonly: boolean): Options | null {
  const { args, reply } = call;
  const o: Options = {
    desc: false, alpha: false, limitStart: 0, limitCount: -1, by: null, dontsort: false, gets: [], store: null,
  };
  let fullAccess: boolean | undefined;
  for (let j = 2; j < args.count; j++) {
    const left = args.count - j - 1;
    if (args.is(j, 'asc')) o.desc = false;
    else if (args.is(j, 'desc')) o.desc = true;
    else if (args.is(j, 'alpha')) o.alpha = true;
    else if (args.is(j, 'limit') && left >= 2) {
      const start = longArg(args, j + 1);
      const count = start === null ? null : longArg(args, j + 2);
      if (start === null || count === null) {
        reply.error(ERR_NOT_INTEGER);
        return null;
      }
      o.limitStart = start;
      o.limitCount = count;
      j += 2;
    } else if (!readonly && args.is(j, 'store') && left >= 1) {
      o.store = args.str(++j);
    } else if (args.is(j, 'by') && left >= 1) {
      o.by = args.str(++j);
      // A constant BY (no '*' before any NUL, as strchr sees it) means: don't sort.
      o.dontsort = !cString(o.by).includes('*');
      if (!o.dontsort && !(fullAccess ??= fullKeyAccess(call, readonly))) {
        reply.error('BY option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
    } else if (args.is(j, 'get') && left >= 1) {
      if (!(fullAccess ??= fullKeyAccess(call, readonly))) {
        reply.error('GET option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
      o.gets.push(args.str(++j));
    } else {
      reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return o;
}

type Sortable = RedisList | RedisSet | RedisZset;

/** The elements to sort, loaded as sort.c does; [start, end] is the output range within them. */
function load(call: CommandCall, v: Sortable | undefined, o: Options): { items: SortItem[]; start: number; end: number } {
  const len = v === undefined ? 0 : v instanceof RedisList ? v.length : v.size;
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const count = Math.min(Math.max(o.limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;
  const items: SortItem[] = [];
  if (v === undefined) return { items, start, end };
  if (v instanceof RedisList) {
    if (!o.dontsort) {
      for (let i = 0; i < len; i++) items.push(item(v.at(i)));
      return { items, start, end };
    }
    // In the list's own order (from the tail for DESC), only the range asked for.
    if (end < start) return { items, start, end };
    for (let k = start; k <= end; k++) items.push(item(v.at(o.desc ? len - 1 - k : k)));
    return { items, start: 0, end: end - start };
  }
  if (v instanceof RedisSet) {
    for (const m of v.members(call.server.config)) items.push(item(m));
    return { items, start, end };
  }
  v.forceSkiplist();
  if (!o.dontsort) {
    for (let id = v.first; id !== NIL; id = v.next(id)) items.push(item(v.memberOf(id)));
    return { items, start, end };
  }
  // In score order (reversed for DESC), only the range asked for.
  const n = end - start + 1;
  let id = o.desc ? v.at(len - 1 - start) : v.at(start);
  for (let k = 0; k < n && id !== NIL; k++) {
    items.push(item(v.memberOf(id)));
    id = o.desc ? v.prev(id) : v.next(id);
  }
  return { items, start: 0, end: end - start };
}

/** Reads each element's weight; false when one is not a number (numeric sort only). */
function weigh(call: CommandCall, db: Db, items: SortItem[], o: Options): boolean {
  let ok = true;
  for (const it of items) {
    let by: string;
    if (o.by !== null) {
      const v = lookupByPattern(call, db, o.by, it.text);
      if (v === null) continue;
      by = strText(v);
    } else by = it.text;
    if (o.alpha) {
      if (o.by !== null) it.cmp = by;
    } else {
      const score = sortStrtod(by);
      if (score === null) ok = false;
      else it.score = score;
    }
  }
  return ok;
}

function comparator(o: Options): (a: SortItem, b: SortItem) => number {
  const sign = o.desc ? -1 : 1;
  const store = o.store !== null;
  if (!o.alpha) {
    return (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.text, b.text));
  }
  const cmp = store ? compareBytes : collate;
  if (o.by !== null) {
    return (a, b) => {
      if (a.cmp === null || b.cmp === null) return sign * (a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1);
      return sign * cmp(a.cmp, b.cmp);
    };
  }
  return (a, b) => sign * cmp(a.text, b.text);
}

/** A value as a list keeps it: an owned copy of a Buffer. */
const owned = (v: RedisString): RedisString => (typeof v === 'string' ? v : Buffer.from(v));

function sortGeneric(call: CommandCall, readonly: boolean): void {
  const { args, reply, client, server } = call;
  const o = parseOptions(call, readonly);
  if (o === null) return;
  const db = server.keyspace.dbs[client.db];
  const found = db.lookup(args.str(1), call.now, touchFlags(client) | Lookup.Read);
  if (found !== undefined && !(found instanceof RedisList || found instanceof RedisSet || found instanceof RedisZset)) {
    reply.error(ERR_WRONGTYPE);
    return;
  }
  // An unsorted set has no order replicas or script replays could agree on: sort it after all.
  if (o.dontsort && found instanceof RedisSet && (o.store !== null || client.flags & ClientFlag.DenyBlocking)) {
    o.dontsort = false;
    o.alpha = true;
    o.by = null;
  }
  const { items, start, end } = load(call, found, o);
  let ok = true;
  if (!o.dontsort) {
    ok = weigh(call, db, items, o);
    items.sort(comparator(o));
  }
  const rows = end - start + 1;
  const outputLen = o.gets.length > 0 ? o.gets.length * rows : rows;
  if (!ok) {
    reply.error(ERR_SCORES);
    return;
  }
  if (o.store === null) {
    reply.array(outputLen);
    for (let j = start; j <= end; j++) {
      const it = items[j]!;
      if (o.gets.length === 0) reply.bulkValue(it.obj);
      for (const g of o.gets) {
        const v = lookupByPattern(call, db, g, it.text);
        if (v === null) reply.nullBulk();
        else reply.bulkValue(v);
      }
    }
    return;
  }
  const list = new RedisList();
  for (let j = start; j <= end; j++) {
    const it = items[j]!;
    if (o.gets.length === 0) list.pushTail(owned(it.obj));
    for (const g of o.gets) list.pushTail(owned(lookupByPattern(call, db, g, it.text) ?? ''));
  }
  const dst = o.store;
  if (outputLen > 0) {
    db.set(dst, list);
    server.blocked.signalKeyAsReady(client.db, dst);
    notifyKeyspaceEvent(server, 'l', 'sortstore', dst, client.db);
    server.dirty += outputLen;
  } else if (db.delete(dst, call.now)) {
    notifyKeyspaceEvent(server, 'g', 'del', dst, client.db);
    server.dirty++;
  }
  reply.integer(outputLen);
}

// ---- keys and rows ----------------------------------------------------------------------------

/**
 * db.c sortGetKeys (what COMMAND GETKEYS and ACL checks use, the key specs being "unknown"): the
 * sorted key, and the last STORE's destination; LIMIT, GET and BY skip their arguments.
 */
export function sortKeys(argc: number, lower: (i: number) => string): { pos: number; flags: readonly string[] }[] {
  const keys: { pos: number; flags: readonly string[] }[] = [{ pos: 1, flags: ['RO', 'access'] }];
  let store = 0;
  for (let i = 2; i < argc; i++) {
    const a = lower(i);
    if (a === 'limit') i += 2;
    else if (a === 'get' || a === 'by') i += 1;
    else if (a === 'store' && i + 1 < argc) store = i + 1;
  }
  if (store > 0) keys.push({ pos: store, flags: ['OW', 'update'] });
  return keys;
}

const SORTED = { flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 };
const BY_GET = {
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
  flags: ['RO', 'access'], begin: 0, lastKey: 0, step: 0, unknown: true,
};
const STORE = {
  notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
  flags: ['OW', 'update'], begin: 0, lastKey: 0, step: 0, unknown: true,
};
const COMPLEXITY =
  'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';

export const sortCommands: CommandDef[] = [
  {
    name: 'sort', arity: -2, flags: F.Write | F.DenyOom | F.MovableKeys,
    acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'], group: 'generic', since: '1.0.0',
    summary: 'Sorts the elements in a list, a set, or a sorted set, optionally storing the result.',
    complexity: COMPLEXITY, firstKey: 1, lastKey: 1, step: 1, keySpecs: [SORTED, BY_GET, STORE],
    getKeys: sortKeys, handler: (c) => sortGeneric(c, false),
  },
  {
    name: 'sort_ro', arity: -2, flags: F.Readonly | F.MovableKeys,
    acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'], group: 'generic', since: '7.0.0',
    summary: 'Returns the sorted elements of a list, a set, or a sorted set.',
    complexity: COMPLEXITY, firstKey: 1, lastKey: 1, step: 1, keySpecs: [SORTED, BY_GET],
    getKeys: () => [{ pos: 1, flags: ['RO', 'access'] }], handler: (c) => sortGeneric(c, true),
  },
];
