// The Lua 5.1 libraries a Redis script sees: the base functions, string, table, math and
// os.clock, with Lua's argument errors ("bad argument #1 to 'insert' (table expected, got nil)").
// Redis's own additions (redis, cjson, cmsgpack, bit, struct) are installed on top by scripting/.
import { stringLibrary } from './lstring.js';
import { toNumber, truthy } from './ops.js';
import type { Runtime } from './runtime.js';
import { LuaError, LuaTable, rawToString, stringToNumber, type, type LuaFunction, type LuaValue } from './values.js';

function typeName(v: LuaValue): string {
  return v === undefined ? 'no value' : type(v);
}

export function installStdlib(R: Runtime): void {
  const G = R.G;
  const argError = (n: number, fname: string, msg: string): Error => R.pos.error(`bad argument #${n} to '${fname}' (${msg})`);
  const checkTable = (v: LuaValue, n: number, fname: string): LuaTable => {
    if (v instanceof LuaTable) return v;
    throw argError(n, fname, `table expected, got ${typeName(v)}`);
  };
  const checkInt = (v: LuaValue, n: number, fname: string, dflt?: number): number => {
    if (v === undefined && dflt !== undefined) return dflt;
    const x = toNumber(v);
    if (x === undefined) throw argError(n, fname, `number expected, got ${typeName(v)}`);
    return x >= 0 ? Math.floor(x) : Math.ceil(x);
  };
  const checkNum = (v: LuaValue, n: number, fname: string): number => {
    const x = toNumber(v);
    if (x === undefined) throw argError(n, fname, `number expected, got ${typeName(v)}`);
    return x;
  };
  const set = (t: LuaTable, lib: Record<string, LuaFunction>) => {
    for (const [k, f] of Object.entries(lib)) t.set(k, f);
  };

  const pcallResult = (e: unknown): LuaValue[] => {
    if (e instanceof LuaError) return [false, e.value];
    if (e instanceof RangeError) return [false, 'stack overflow'];
    throw e;
  };

  const errorFn: LuaFunction = (msg, level) => {
    const l = level === undefined ? 1 : checkInt(level, 2, 'error');
    if (typeof msg === 'string' && l > 0) throw R.pos.error(msg);
    throw new LuaError(msg);
  };
  set(G, {
    assert: (...a) => {
      if (!truthy(a[0])) {
        if (a.length < 1) throw argError(1, 'assert', 'value expected');
        throw R.pos.error(a[1] === undefined ? 'assertion failed!' : typeof a[1] === 'string' ? a[1] : rawToString(a[1]));
      }
      return a;
    },
    error: errorFn,
    // Redis's pcall (luaRedisPcall): an error table carrying `err` comes back as that string.
    pcall: (f, ...args) => {
      if (f === undefined && args.length === 0) throw argError(1, 'pcall', 'value expected');
      const line = R.pos.line;
      // A library function called by pcall itself has no Lua caller: its errors name no position,
      // and its argument errors no function ('?').
      const native = typeof f === 'function' && f.name !== 'lua';
      try {
        if (f === errorFn) throw new LuaError(args[0]);
        return [true, ...R.call(f, args)];
      } catch (e) {
        const prefix = `${R.pos.chunk}:${R.pos.line}: `;
        R.pos.line = line;
        const r = pcallResult(e);
        if (native && typeof r[1] === 'string' && r[1].startsWith(`${prefix}bad argument #`)) {
          r[1] = r[1].slice(prefix.length).replace(/^bad argument #(\d+) to '[^']*'/, "bad argument #$1 to '?'");
        }
        const v = r[1];
        if (v instanceof LuaTable && typeof v.getStr('err') === 'string') r[1] = v.getStr('err');
        return r;
      }
    },
    xpcall: (f, handler) => {
      const line = R.pos.line;
      try {
        return [true, ...R.call(f, [])];
      } catch (e) {
        R.pos.line = line;
        const [, v] = pcallResult(e);
        return [false, ...R.call(handler, [v])];
      }
    },
    select: (n, ...args) => {
      if (n === '#') return [args.length];
      let i = checkInt(n, 1, 'select');
      if (i < 0) i = args.length + i;
      else if (i > args.length) i = args.length;
      else i -= 1;
      if (i < 0) throw argError(1, 'select', 'index out of range');
      return args.slice(i);
    },
    type: (...a) => {
      if (a.length === 0) throw argError(1, 'type', 'value expected');
      return [type(a[0])];
    },
    tostring: (...a) => {
      if (a.length === 0) throw argError(1, 'tostring', 'value expected');
      return [R.tostring(a[0])];
    },
    tonumber: (v, base) => {
      if (base === undefined) {
        if (typeof v === 'number') return [v];
        if (typeof v === 'string') return [stringToNumber(v)];
        return [undefined];
      }
      const b = checkInt(base, 2, 'tonumber');
      if (b < 2 || b > 36) throw argError(2, 'tonumber', 'base out of range');
      const s = (typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '').trim().toLowerCase();
      const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
      const m = /^-?([0-9a-z]+)$/.exec(s);
      if (!m || [...m[1]!].some((c) => !digits.includes(c))) return [undefined];
      const n = parseInt(m[1]!, b);
      return [s.startsWith('-') ? -n : n];
    },
    pairs: (t) => {
      const tab = checkTable(t, 1, 'pairs');
      const it = tab.entries();
      return [() => {
        const n = it.next();
        return n.done ? [undefined] : n.value;
      }, tab, undefined];
    },
    ipairs: (t) => {
      const tab = checkTable(t, 1, 'ipairs');
      return [(_s: LuaValue, i: LuaValue) => {
        const k = (i as number) + 1;
        const v = tab.get(k);
        return v === undefined ? [undefined] : [k, v];
      }, tab, 0];
    },
    next: (t, k) => checkTable(t, 1, 'next').next(k) ?? [undefined],
    unpack: (t, i, j) => {
      const tab = checkTable(t, 1, 'unpack');
      const from = checkInt(i, 2, 'unpack', 1);
      const to = j === undefined ? tab.length() : checkInt(j, 3, 'unpack');
      if (to - from >= 8000) throw R.pos.error('too many results to unpack');
      const out: LuaValue[] = [];
      for (let k = from; k <= to; k++) out.push(tab.get(k));
      return out;
    },
    rawget: (t, k) => [checkTable(t, 1, 'rawget').get(k)],
    rawset: (t, k, v) => {
      const tab = checkTable(t, 1, 'rawset');
      R.rawSet(tab, k, v);
      return [tab];
    },
    rawequal: (a, b) => [a === b],
    setmetatable: (t, mt) => {
      const tab = checkTable(t, 1, 'setmetatable');
      if (mt !== undefined && !(mt instanceof LuaTable)) throw argError(2, 'setmetatable', 'nil or table expected');
      if (tab.metatable?.getStr('__metatable') !== undefined) throw R.pos.error('cannot change a protected metatable');
      if (tab.readonly) throw R.pos.error('Attempt to modify a readonly table');
      tab.metatable = mt;
      return [tab];
    },
    getmetatable: (v) => {
      const mt = v instanceof LuaTable ? v.metatable : typeof v === 'string' ? R.stringMeta : undefined;
      if (!mt) return [undefined];
      const protectedMt = mt.getStr('__metatable');
      return [protectedMt !== undefined ? protectedMt : mt];
    },
    loadstring: (s, name) => {
      if (typeof s !== 'string') throw argError(1, 'loadstring', `string expected, got ${typeName(s)}`);
      void name;
      try {
        return [R.load(s)];
      } catch (e) {
        return [undefined, (e as Error).message];
      }
    },
    collectgarbage: () => [0],
    gcinfo: () => [0],
  });
  G.set('_G', G);
  G.set('_VERSION', 'Lua 5.1');

  const strings = stringLibrary(R, argError);
  G.set('string', strings);
  const meta = new LuaTable();
  meta.set('__index', strings);
  R.stringMeta = meta;

  const table = new LuaTable();
  set(table, {
    insert: (...a) => {
      const t = checkTable(a[0], 1, 'insert');
      const e = t.length() + 1;
      if (a.length === 2) {
        t.set(e, a[1]);
      } else if (a.length === 3) {
        const pos = checkInt(a[1], 2, 'insert');
        for (let i = e; i > pos; i--) t.set(i, t.get(i - 1));
        t.set(pos, a[2]);
      } else {
        throw R.pos.error("wrong number of arguments to 'insert'");
      }
      return [];
    },
    remove: (t0, p) => {
      const t = checkTable(t0, 1, 'remove');
      const e = t.length();
      const pos = checkInt(p, 2, 'remove', e);
      if (e === 0) return [undefined];
      const v = t.get(pos);
      for (let i = pos; i < e; i++) t.set(i, t.get(i + 1));
      t.set(e, undefined);
      return [v];
    },
    concat: (t0, sep0, i0, j0) => {
      const t = checkTable(t0, 1, 'concat');
      const sep = sep0 === undefined ? '' : typeof sep0 === 'number' ? rawToString(sep0) : (sep0 as string);
      const i = checkInt(i0, 3, 'concat', 1);
      const j = j0 === undefined ? t.length() : checkInt(j0, 4, 'concat');
      const parts: string[] = [];
      for (let k = i; k <= j; k++) {
        const v = t.get(k);
        if (typeof v === 'string') parts.push(v);
        else if (typeof v === 'number') parts.push(rawToString(v));
        else throw R.pos.error(`invalid value (${type(v)}) at index ${k} in table for 'concat'`);
      }
      return [parts.join(sep)];
    },
    sort: (t0, cmp) => {
      const t = checkTable(t0, 1, 'sort');
      const n = t.length();
      const items: LuaValue[] = [];
      for (let k = 1; k <= n; k++) items.push(t.get(k));
      const less = cmp === undefined ? (a: LuaValue, b: LuaValue) => R.lt(a, b) : (a: LuaValue, b: LuaValue) => truthy(R.call(cmp, [a, b])[0]);
      items.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
      items.forEach((v, k) => t.set(k + 1, v));
      return [];
    },
    getn: (t) => [checkTable(t, 1, 'getn').length()],
    maxn: (t0) => {
      const t = checkTable(t0, 1, 'maxn');
      let m = t.length();
      for (const k of t.hash.keys()) if (typeof k === 'number' && k > m) m = k;
      return [m];
    },
  });
  G.set('table', table);

  const math = new LuaTable();
  const m1 = (fname: string, f: (x: number) => number): LuaFunction => (x) => [f(checkNum(x, 1, fname))];
  set(math, {
    abs: m1('abs', Math.abs), ceil: m1('ceil', Math.ceil), floor: m1('floor', Math.floor), sqrt: m1('sqrt', Math.sqrt),
    sin: m1('sin', Math.sin), cos: m1('cos', Math.cos), tan: m1('tan', Math.tan), asin: m1('asin', Math.asin),
    acos: m1('acos', Math.acos), atan: m1('atan', Math.atan), exp: m1('exp', Math.exp), log10: m1('log10', Math.log10),
    sinh: m1('sinh', Math.sinh), cosh: m1('cosh', Math.cosh), tanh: m1('tanh', Math.tanh),
    deg: m1('deg', (x) => (x * 180) / Math.PI), rad: m1('rad', (x) => (x * Math.PI) / 180),
    log: m1('log', Math.log),
    atan2: (y, x) => [Math.atan2(checkNum(y, 1, 'atan2'), checkNum(x, 2, 'atan2'))],
    pow: (x, y) => [Math.pow(checkNum(x, 1, 'pow'), checkNum(y, 2, 'pow'))],
    fmod: (x, y) => [checkNum(x, 1, 'fmod') % checkNum(y, 2, 'fmod')],
    modf: (x) => {
      const v = checkNum(x, 1, 'modf');
      const i = v >= 0 ? Math.floor(v) : Math.ceil(v);
      return [i, v - i];
    },
    frexp: (x) => {
      let v = checkNum(x, 1, 'frexp');
      if (v === 0 || !Number.isFinite(v)) return [v, 0];
      let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(v))) + 1);
      v = v * Math.pow(2, -e);
      while (Math.abs(v) < 0.5) { v *= 2; e--; }
      while (Math.abs(v) >= 1) { v /= 2; e++; }
      return [v, e];
    },
    ldexp: (m, e) => [checkNum(m, 1, 'ldexp') * Math.pow(2, checkInt(e, 2, 'ldexp'))],
    min: (...a) => {
      let r = checkNum(a[0], 1, 'min');
      for (let i = 1; i < a.length; i++) r = Math.min(r, checkNum(a[i], i + 1, 'min'));
      return [r];
    },
    max: (...a) => {
      let r = checkNum(a[0], 1, 'max');
      for (let i = 1; i < a.length; i++) r = Math.max(r, checkNum(a[i], i + 1, 'max'));
      return [r];
    },
  });
  math.set('pi', Math.PI);
  math.set('huge', Infinity);
  G.set('math', math);

  // Redis keeps only os.clock (7.2.x exposes it for benchmarking scripts).
  const os = new LuaTable();
  set(os, { clock: () => [process.cpuUsage().user / 1e6] });
  G.set('os', os);
}
