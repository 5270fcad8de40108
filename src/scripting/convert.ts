// Replies between Redis and Lua as script_lua.c converts them. A command's RESP reply becomes a
// Lua value (redisProtocolToLuaType): integers are numbers, bulks strings, a null bulk or array
// false (nil in RESP3), status {ok=...}, error {err=...}, arrays tables; with redis.setresp(3) also
// maps {map=...}, sets {set=...}, doubles {double=...}, big numbers {big_number=...}, verbatim
// strings and booleans. A script's return value becomes the caller's reply (luaReplyToRedisReply).
import type { Resp, ReplyWriter } from '../protocol/reply.js';
import { LuaTable, type LuaValue } from './lua/values.js';

/** Error tables already counted in errorstats (set by the script engine). */
export const COUNTED_ERRORS = new WeakSet<LuaTable>();

/** Parses the RESP value at `pos` of `s` (latin1); returns the value and the offset after it. */
export function respToLua(s: string, pos: number, resp: Resp): [LuaValue, number] {
  const type = s[pos];
  const eol = s.indexOf('\r\n', pos);
  const line = s.slice(pos + 1, eol);
  let next = eol + 2;
  switch (type) {
    case ':':
      return [Number(line), next];
    case '$': {
      const n = Number(line);
      if (n < 0) return [resp === 2 ? false : undefined, next];
      return [s.slice(next, next + n), next + n + 2];
    }
    case '+':
      return [fieldTable('ok', line), next];
    case '-':
      return [fieldTable('err', line), next];
    case '*':
    case '~': {
      const n = Number(line);
      if (n < 0) return [resp === 2 ? false : undefined, next];
      const t = new LuaTable();
      for (let i = 1; i <= n; i++) {
        // A RESP3 null is nil: the table gets a hole there (RESP2's null bulk is false).
        const [v, after] = respToLua(s, next, resp);
        if (v !== undefined) t.set(i, v);
        next = after;
      }
      return [type === '~' ? fieldTable('set', setOf(t)) : t, next];
    }
    case '%': {
      const n = Number(line);
      const m = new LuaTable();
      for (let i = 0; i < n; i++) {
        const [k, a] = respToLua(s, next, resp);
        const [v, b] = respToLua(s, a, resp);
        if (k !== undefined && v !== undefined) m.set(k, v);
        next = b;
      }
      return [fieldTable('map', m), next];
    }
    case '_':
      return [undefined, next];
    case '#':
      return [line === 't', next];
    case ',': {
      const d = line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line);
      return [fieldTable('double', d), next];
    }
    case '(':
      return [fieldTable('big_number', line), next];
    case '=': {
      const n = Number(line);
      const body = s.slice(next, next + n);
      const v = new LuaTable();
      v.set('format', body.slice(0, 3));
      v.set('string', body.slice(4));
      return [fieldTable('verbatim_string', v), next + n + 2];
    }
    case '|': {
      // Attributes are skipped: the value after them is the reply.
      const n = Number(line);
      for (let i = 0; i < 2 * n; i++) next = respToLua(s, next, resp)[1];
      return respToLua(s, next, resp);
    }
    default:
      throw new Error(`respd: unexpected reply byte ${JSON.stringify(type)} from a script command`);
  }
}

function fieldTable(k: string, v: LuaValue): LuaTable {
  const t = new LuaTable();
  t.set(k, v);
  return t;
}

function setOf(items: LuaTable): LuaTable {
  const t = new LuaTable();
  for (const [, v] of items.entries()) t.set(v, true);
  return t;
}

/**
 * Writes a script's Lua result as the reply (luaReplyToRedisReply). `scriptResp` is the protocol
 * redis.setresp chose (booleans differ), the writer encodes for the caller's protocol.
 */
export function luaToReply(w: ReplyWriter, v: LuaValue, scriptResp: Resp, depth = 0): void {
  if (depth > 1000) {
    w.error('reached lua stack limit');
    return;
  }
  switch (typeof v) {
    case 'string':
      w.bulkStr(v);
      return;
    case 'boolean':
      if (scriptResp === 2) {
        if (v) w.integer(1);
        else w.nullBulk();
      } else w.bool(v);
      return;
    case 'number':
      // (long long) of a double: truncated; out of range (and NaN) gives INT64_MIN on x86-64.
      if (Number.isSafeInteger(Math.trunc(v))) w.integer(Math.trunc(v));
      else w.integer(v > -(2 ** 63) && v < 2 ** 63 ? BigInt(Math.trunc(v)) : -9223372036854775808n);
      return;
    case 'undefined':
    case 'function':
      w.nullBulk();
      return;
    default:
      break;
  }
  const t = v as LuaTable;
  const err = t.getStr('err');
  if (typeof err === 'string') {
    w.error('-' + err.replace(/[\r\n]/g, ' '), !COUNTED_ERRORS.has(t));
    return;
  }
  const ok = t.getStr('ok');
  if (typeof ok === 'string') {
    w.status(ok.replace(/[\r\n]/g, ' '));
    return;
  }
  const dbl = t.getStr('double');
  if (typeof dbl === 'number') {
    w.double(dbl);
    return;
  }
  const big = t.getStr('big_number');
  if (typeof big === 'string') {
    w.bigNumber(big.replace(/[\r\n]/g, ' '));
    return;
  }
  const verbatim = t.getStr('verbatim_string');
  if (verbatim instanceof LuaTable) {
    const fmt = verbatim.getStr('format');
    const str = verbatim.getStr('string');
    if (typeof fmt === 'string' && typeof str === 'string') {
      w.verbatim(str, fmt);
      return;
    }
  }
  const map = t.getStr('map');
  if (map instanceof LuaTable) {
    const entries = [...map.entries()];
    w.map(entries.length);
    for (const [k, x] of entries) {
      luaToReply(w, k, scriptResp, depth + 1);
      luaToReply(w, x, scriptResp, depth + 1);
    }
    return;
  }
  const set = t.getStr('set');
  if (set instanceof LuaTable) {
    const keys = [...set.entries()].map(([k]) => k);
    w.set(keys.length);
    for (const k of keys) luaToReply(w, k, scriptResp, depth + 1);
    return;
  }
  // An array: elements 1..n up to the first nil.
  let n = 0;
  while (t.get(n + 1) !== undefined) n++;
  w.array(n);
  for (let i = 1; i <= n; i++) luaToReply(w, t.get(i), scriptResp, depth + 1);
}
