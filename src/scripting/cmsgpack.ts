// lua-cmsgpack as Redis bundles it: cmsgpack.pack(...) encodes each argument (integral numbers as
// the smallest int type, others as float32 when exact else float64, strings as fixstr/str8/16/32,
// tables with keys 1..n as arrays, others as maps) and concatenates; cmsgpack.unpack(s) decodes
// every value, unpack_one/unpack_limit a given number from an offset.
import type { Runtime } from './lua/runtime.js';
import { LuaTable, type LuaValue } from './lua/values.js';

const f32 = new Float32Array(1);

export function installCmsgpack(R: Runtime): void {
  const encode = (v: LuaValue, out: number[], depth: number): void => {
    switch (typeof v) {
      case 'undefined':
        out.push(0xc0);
        return;
      case 'boolean':
        out.push(v ? 0xc3 : 0xc2);
        return;
      case 'number':
        encodeNumber(v, out);
        return;
      case 'string':
        encodeBytes(v, out);
        return;
      case 'function':
        out.push(0xc0);
        return;
      default:
        break;
    }
    const t = v as LuaTable;
    if (depth >= 16) {
      out.push(0xc0);
      return;
    }
    let count = 0;
    let max = 0;
    let array = true;
    for (const [k] of t.entries()) {
      count++;
      if (typeof k === 'number' && k > 0 && Number.isInteger(k)) max = Math.max(max, k);
      else array = false;
    }
    if (array && max === count) {
      header(count, 0x90, 0xdc, 0xdd, out);
      for (let i = 1; i <= count; i++) encode(t.get(i), out, depth + 1);
      return;
    }
    header(count, 0x80, 0xde, 0xdf, out);
    for (const [k, x] of t.entries()) {
      encode(k, out, depth + 1);
      encode(x, out, depth + 1);
    }
  };

  const decode = (s: string, pos: { at: number }): LuaValue => {
    const byte = (): number => {
      if (pos.at >= s.length) throw R.pos.error('Missing bytes in input.');
      return s.charCodeAt(pos.at++);
    };
    const uint = (n: number): number => {
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + byte();
      return v;
    };
    const int = (n: number): number => {
      const u = uint(n);
      const bits = n * 8;
      return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
    };
    const bytes = (n: number): string => {
      if (pos.at + n > s.length) throw R.pos.error('Missing bytes in input.');
      const r = s.slice(pos.at, pos.at + n);
      pos.at += n;
      return r;
    };
    const float = (n: 4 | 8): number => {
      const b = Buffer.from(bytes(n), 'latin1');
      return n === 4 ? b.readFloatBE(0) : b.readDoubleBE(0);
    };
    const array = (n: number): LuaTable => {
      const t = new LuaTable();
      for (let i = 1; i <= n; i++) t.set(i, decode(s, pos));
      return t;
    };
    const map = (n: number): LuaTable => {
      const t = new LuaTable();
      for (let i = 0; i < n; i++) {
        const k = decode(s, pos);
        const v = decode(s, pos);
        if (k !== undefined) t.set(k, v);
      }
      return t;
    };
    const c = byte();
    if (c <= 0x7f) return c;
    if (c >= 0xe0) return c - 256;
    if ((c & 0xe0) === 0xa0) return bytes(c & 0x1f);
    if ((c & 0xf0) === 0x90) return array(c & 0x0f);
    if ((c & 0xf0) === 0x80) return map(c & 0x0f);
    switch (c) {
      case 0xc0:
        return undefined;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xcc:
        return uint(1);
      case 0xcd:
        return uint(2);
      case 0xce:
        return uint(4);
      case 0xcf:
        return Number(BigInt.asUintN(64, BigInt(uint(4)) * 4294967296n + BigInt(uint(4))));
      case 0xd0:
        return int(1);
      case 0xd1:
        return int(2);
      case 0xd2:
        return int(4);
      case 0xd3:
        return Number(BigInt.asIntN(64, BigInt(uint(4)) * 4294967296n + BigInt(uint(4))));
      case 0xca:
        return float(4);
      case 0xcb:
        return float(8);
      case 0xd9:
      case 0xc4:
        return bytes(uint(1));
      case 0xda:
      case 0xc5:
        return bytes(uint(2));
      case 0xdb:
      case 0xc6:
        return bytes(uint(4));
      case 0xdc:
        return array(uint(2));
      case 0xdd:
        return array(uint(4));
      case 0xde:
        return map(uint(2));
      case 0xdf:
        return map(uint(4));
      default:
        throw R.pos.error('Bad data format in input.');
    }
  };

  const unpack = (s: LuaValue, limit: number, offset: number): LuaValue[] => {
    if (typeof s !== 'string') throw R.pos.error("bad argument #1 to 'unpack' (string expected)");
    const pos = { at: offset };
    const out: LuaValue[] = [];
    while (pos.at < s.length && (limit === 0 || out.length < limit)) out.push(decode(s, pos));
    return [pos.at >= s.length ? -1 : pos.at, ...out];
  };

  const lib = new LuaTable();
  lib.set('pack', (...args) => {
    if (args.length === 0) throw R.pos.error("bad argument #0 to 'pack' (MessagePack pack needs input.)");
    const out: number[] = [];
    for (const a of args) encode(a, out, 0);
    return [Buffer.from(out).toString('latin1')];
  });
  lib.set('unpack', (s) => unpack(s, 0, 0).slice(1));
  lib.set('unpack_one', (s, offset) => unpack(s, 1, typeof offset === 'number' ? offset : 0));
  lib.set('unpack_limit', (s, limit, offset) => unpack(s, typeof limit === 'number' ? limit : 0, typeof offset === 'number' ? offset : 0));
  lib.set('_NAME', 'cmsgpack');
  lib.set('_VERSION', 'lua-cmsgpack 0.4.0');
  R.G.set('cmsgpack', lib);
}

function header(n: number, fix: number, h16: number, h32: number, out: number[]): void {
  if (n < 16) out.push(fix | n);
  else if (n <= 0xffff) out.push(h16, n >> 8, n & 0xff);
  else out.push(h32, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function encodeBytes(s: string, out: number[]): void {
  const n = s.length;
  if (n < 32) out.push(0xa0 | n);
  else if (n <= 0xff) out.push(0xd9, n);
  else if (n <= 0xffff) out.push(0xda, n >> 8, n & 0xff);
  else out.push(0xdb, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
  for (let i = 0; i < n; i++) out.push(s.charCodeAt(i) & 0xff);
}

function encodeNumber(n: number, out: number[]): void {
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 63) {
    const b = BigInt(n);
    const push = (big: bigint, bytes: number) => {
      for (let i = bytes - 1; i >= 0; i--) out.push(Number((big >> BigInt(i * 8)) & 0xffn));
    };
    if (n >= 0) {
      if (n <= 127) out.push(n);
      else if (n <= 0xff) out.push(0xcc, n);
      else if (n <= 0xffff) out.push(0xcd, n >> 8, n & 0xff);
      else if (n <= 0xffffffff) (out.push(0xce), push(b, 4));
      else (out.push(0xcf), push(b, 8));
    } else if (n >= -32) out.push(n & 0xff);
    else if (n >= -128) out.push(0xd0, n & 0xff);
    else if (n >= -32768) out.push(0xd1, (n >> 8) & 0xff, n & 0xff);
    else if (n >= -2147483648) (out.push(0xd2), push(BigInt.asUintN(32, b), 4));
    else (out.push(0xd3), push(BigInt.asUintN(64, b), 8));
    return;
  }
  f32[0] = n;
  const buf = Buffer.alloc(9);
  if (f32[0] === n || (Number.isNaN(n) && Number.isNaN(f32[0]))) {
    buf[0] = 0xca;
    buf.writeFloatBE(n, 1);
    for (let i = 0; i < 5; i++) out.push(buf[i]!);
  } else {
    buf[0] = 0xcb;
    buf.writeDoubleBE(n, 1);
    for (let i = 0; i < 9; i++) out.push(buf[i]!);
  }
}
