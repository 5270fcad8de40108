// lua-cjson as Redis bundles it: cjson.encode (numbers as %.14g, "/" escaped, tables with keys
// 1..n as arrays, an empty table as {}, excessively sparse arrays refused) and cjson.decode
// (JSON null as cjson.null).
import type { Runtime } from './lua/runtime.js';
import { LuaTable, numberToString, type LuaValue } from './lua/values.js';

/** cjson.null: a light userdata in Redis; here a frozen marker table. */
export const CJSON_NULL = new LuaTable();
CJSON_NULL.readonly = true;

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function encodeString(s: string): string {
  return '"' + s.replace(/["\\/\b\f\n\r\t\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) + '"';
}

export function installCjson(R: Runtime): void {
  const encode = (v: LuaValue, depth: number): string => {
    if (depth > 1000) throw R.pos.error('Cannot serialise, excessive nesting (1001)');
    switch (typeof v) {
      case 'undefined':
        return 'null';
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v)) throw R.pos.error(`Cannot serialise number: must not be NaN or Inf`);
        return numberToString(v);
      case 'string':
        return encodeString(v);
      case 'function':
        throw R.pos.error('Cannot serialise function: type not supported');
      default:
        break;
    }
    const t = v as LuaTable;
    if (t === CJSON_NULL) return 'null';
    // An array when every key is a positive integer and it is not excessively sparse.
    let max = 0;
    let items = 0;
    let isArray = true;
    for (const [k] of t.entries()) {
      if (typeof k === 'number' && Number.isInteger(k) && k >= 1) {
        if (k > max) max = k;
        items++;
      } else {
        isArray = false;
        break;
      }
    }
    if (isArray && items > 0) {
      if (max > items * 2 && max > 10) throw R.pos.error('Cannot serialise table: excessively sparse array');
      const out: string[] = [];
      for (let i = 1; i <= max; i++) out.push(encode(t.get(i), depth + 1));
      return `[${out.join(',')}]`;
    }
    const out: string[] = [];
    for (const [k, x] of t.entries()) {
      let key: string;
      if (typeof k === 'string') key = k;
      else if (typeof k === 'number') key = numberToString(k);
      else throw R.pos.error('Cannot serialise table: table key must be a number or string');
      out.push(`${encodeString(key)}:${encode(x, depth + 1)}`);
    }
    return `{${out.join(',')}}`;
  };

  const decode = (s: string): LuaValue => {
    let parsed: unknown;
    try {
      // JSON text is UTF-8; Lua strings are bytes: decode the bytes, re-encode strings as bytes.
      parsed = JSON.parse(Buffer.from(s, 'latin1').toString('utf8'));
    } catch (e) {
      throw R.pos.error(`Expected value but found invalid token at character 1`);
    }
    const conv = (x: unknown): LuaValue => {
      if (x === null) return CJSON_NULL;
      if (typeof x === 'string') return Buffer.from(x, 'utf8').toString('latin1');
      if (typeof x === 'number' || typeof x === 'boolean') return x;
      if (Array.isArray(x)) return LuaTable.from(x.map(conv));
      const t = new LuaTable();
      for (const [k, val] of Object.entries(x as Record<string, unknown>)) t.set(Buffer.from(k, 'utf8').toString('latin1'), conv(val));
      return t;
    };
    return conv(parsed);
  };

  const cjson = new LuaTable();
  cjson.set('encode', (...a) => {
    if (a.length !== 1) throw R.pos.error('bad argument #1 to \'encode\' (expected 1 argument)');
    return [encode(a[0], 0)];
  });
  cjson.set('decode', (...a) => {
    if (a.length !== 1 || typeof a[0] !== 'string') throw R.pos.error("bad argument #1 to 'decode' (string expected)");
    return [decode(a[0])];
  });
  cjson.set('null', CJSON_NULL);
  R.G.set('cjson', cjson);
}
