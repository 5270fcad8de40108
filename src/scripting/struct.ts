// lua-struct as Redis bundles it: struct.pack(fmt, ...), struct.unpack(fmt, s [, pos]) and
// struct.size(fmt) on a little-endian 64-bit machine: b/B char, h/H short, l/L long (8), T size_t,
// i/I[n] ints of n bytes (4 by default, at most 32), f float, d double, c[n] fixed strings (c0: the
// previous value's length when unpacking), s zero-terminated strings, x padding; `<` `>` `=`
// endianness and `![n]` alignment.
import { toNumber } from './lua/ops.js';
import type { Runtime } from './lua/runtime.js';
import { LuaTable, numberToString, type LuaValue } from './lua/values.js';

const MAXINTSIZE = 32;
const MAXALIGN = 8;

interface Header {
  little: boolean;
  align: number;
}

export function installStruct(R: Runtime): void {
  const err = (msg: string) => R.pos.error(msg);
  const argError = (n: number, fname: string, msg: string) => err(`bad argument #${n} to '${fname}' (${msg})`);

  const getnum = (fmt: string, at: { i: number }, dflt: number): number => {
    if (!/[0-9]/.test(fmt[at.i] ?? '')) return dflt;
    let a = 0;
    while (/[0-9]/.test(fmt[at.i] ?? '')) {
      a = a * 10 + Number(fmt[at.i++]);
      if (a > 2147483647) throw err('integral size overflow');
    }
    return a;
  };
  const optsize = (opt: string, fmt: string, at: { i: number }): number => {
    switch (opt) {
      case 'B': case 'b': return 1;
      case 'H': case 'h': return 2;
      case 'L': case 'l': case 'T': case 'd': return 8;
      case 'f': return 4;
      case 'x': return 1;
      case 'c': return getnum(fmt, at, 1);
      case 'i': case 'I': {
        const sz = getnum(fmt, at, 4);
        if (sz > MAXINTSIZE) throw err(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
        return sz;
      }
      default: return 0;
    }
  };
  const toalign = (len: number, h: Header, opt: string, size: number): number => {
    if (size === 0 || opt === 'c') return 0;
    if (size > h.align) size = h.align;
    return (size - (len & (size - 1))) & (size - 1);
  };
  const control = (opt: string, fmt: string, at: { i: number }, h: Header, fname: string): void => {
    switch (opt) {
      case ' ': return;
      case '>': h.little = false; return;
      case '<': h.little = true; return;
      case '=': h.little = true; return;
      case '!': {
        const a = getnum(fmt, at, MAXALIGN);
        if (a <= 0 || (a & (a - 1)) !== 0) throw err(`alignment ${a} is not a power of 2`);
        h.align = a;
        return;
      }
      default: throw argError(1, fname, `invalid format option '${opt}'`);
    }
  };
  const checkNumber = (v: LuaValue, n: number): number => {
    const x = toNumber(v);
    if (x === undefined) throw argError(n, 'pack', `number expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v}`);
    return x;
  };
  const checkString = (v: LuaValue, n: number, fname: string): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return numberToString(v);
    throw argError(n, fname, `string expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v}`);
  };

  const pack = (fmt0: LuaValue, ...args: LuaValue[]): LuaValue[] => {
    const fmt = checkString(fmt0, 1, 'pack');
    const h: Header = { little: true, align: 1 };
    const at = { i: 0 };
    let arg = 0;
    let out = '';
    while (at.i < fmt.length) {
      const opt = fmt[at.i++]!;
      let size = optsize(opt, fmt, at);
      const pad = toalign(out.length, h, opt, size);
      out += '\0'.repeat(pad);
      switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
          const n = checkNumber(args[arg++], arg + 1);
          let v = BigInt.asUintN(64, BigInt(Math.trunc(n < 0 ? Math.max(n, -(2 ** 63)) : Math.min(n, 2 ** 64 - 1))));
          let bytes = '';
          for (let k = 0; k < size; k++) {
            bytes += String.fromCharCode(Number(v & 0xffn));
            v >>= 8n;
          }
          out += h.little ? bytes : [...bytes].reverse().join('');
          break;
        }
        case 'x':
          out += '\0';
          break;
        case 'f':
        case 'd': {
          const n = checkNumber(args[arg++], arg + 1);
          const b = Buffer.alloc(size);
          if (opt === 'f') (h.little ? b.writeFloatLE(n) : b.writeFloatBE(n));
          else (h.little ? b.writeDoubleLE(n) : b.writeDoubleBE(n));
          out += b.toString('latin1');
          break;
        }
        case 'c':
        case 's': {
          const s = checkString(args[arg++], arg + 1, 'pack');
          if (size === 0) size = s.length;
          if (s.length < size) throw argError(arg + 1, 'pack', 'string too short');
          out += s.slice(0, size);
          if (opt === 's') {
            out += '\0';
            size++;
          }
          break;
        }
        default:
          control(opt, fmt, at, h, 'pack');
      }
    }
    return [out];
  };

  const unpack = (fmt0: LuaValue, data0: LuaValue, pos0: LuaValue): LuaValue[] => {
    const fmt = checkString(fmt0, 1, 'unpack');
    const data = checkString(data0, 2, 'unpack');
    let pos = pos0 === undefined ? 1 : Math.trunc(toNumber(pos0) ?? NaN);
    if (!(pos > 0)) throw argError(3, 'unpack', 'offset must be 1 or greater');
    pos--;
    const h: Header = { little: true, align: 1 };
    const at = { i: 0 };
    const out: LuaValue[] = [];
    while (at.i < fmt.length) {
      const opt = fmt[at.i++]!;
      let size = optsize(opt, fmt, at);
      pos += toalign(pos, h, opt, size);
      if (!(size <= data.length && pos <= data.length - size)) throw argError(2, 'unpack', 'data string too short');
      switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
          let v = 0n;
          for (let k = 0; k < size; k++) {
            const byte = BigInt(data.charCodeAt(pos + (h.little ? size - 1 - k : k)));
            v = (v << 8n) | byte;
          }
          v = BigInt.asUintN(64, v);
          out.push(opt === opt.toLowerCase() ? Number(BigInt.asIntN(Math.min(64, size * 8), v)) : Number(v));
          break;
        }
        case 'x':
          break;
        case 'f':
        case 'd': {
          const b = Buffer.from(data.slice(pos, pos + size), 'latin1');
          out.push(opt === 'f' ? (h.little ? b.readFloatLE(0) : b.readFloatBE(0)) : h.little ? b.readDoubleLE(0) : b.readDoubleBE(0));
          break;
        }
        case 'c': {
          if (size === 0) {
            const prev = out.length > 0 ? toNumber(out[out.length - 1]) : undefined;
            if (prev === undefined) throw err("format 'c0' needs a previous size");
            size = prev;
            out.pop();
            if (!(size <= data.length && pos <= data.length - size)) throw argError(2, 'unpack', 'data string too short');
          }
          out.push(data.slice(pos, pos + size));
          break;
        }
        case 's': {
          const e = data.indexOf('\0', pos);
          if (e < 0) throw err('unfinished string in data');
          size = e - pos + 1;
          out.push(data.slice(pos, e));
          break;
        }
        default:
          control(opt, fmt, at, h, 'unpack');
      }
      pos += size;
    }
    out.push(pos + 1);
    return out;
  };

  const size = (fmt0: LuaValue): LuaValue[] => {
    const fmt = checkString(fmt0, 1, 'size');
    const h: Header = { little: true, align: 1 };
    const at = { i: 0 };
    let pos = 0;
    while (at.i < fmt.length) {
      const opt = fmt[at.i++]!;
      const sz = optsize(opt, fmt, at);
      pos += toalign(pos, h, opt, sz);
      if (opt === 's') throw argError(1, 'size', "option 's' has no fixed size");
      if (opt === 'c' && sz === 0) throw argError(1, 'size', "option 'c0' has no fixed size");
      if (!/[a-zA-Z0-9]/.test(opt)) control(opt, fmt, at, h, 'size');
      pos += sz;
    }
    return [pos];
  };

  const t = new LuaTable();
  t.set('pack', pack);
  t.set('unpack', unpack);
  t.set('size', size);
  R.G.set('struct', t);
}
