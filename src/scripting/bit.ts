// LuaBitOp (the `bit` library Redis bundles): 32-bit operations on numbers, results as signed
// 32-bit integers, bit.tohex as 8 hex digits.
import { toNumber } from './lua/ops.js';
import type { Runtime } from './lua/runtime.js';
import { LuaTable, type LuaFunction, type LuaValue } from './lua/values.js';

export function installBit(R: Runtime): void {
  const n = (v: LuaValue, i: number, fname: string): number => {
    const x = toNumber(v);
    if (x === undefined) throw R.pos.error(`bad argument #${i} to '${fname}' (number expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v})`);
    // LuaBitOp normalizes through a double to int32 (modulo 2^32).
    return Number(BigInt.asIntN(32, BigInt(Math.trunc(x) % 4294967296)));
  };
  const fold = (fname: string, op: (a: number, b: number) => number): LuaFunction => (...a) => {
    let r = n(a[0], 1, fname);
    for (let i = 1; i < a.length; i++) r = op(r, n(a[i], i + 1, fname));
    return [r | 0];
  };
  const lib: Record<string, LuaFunction> = {
    tobit: (x) => [n(x, 1, 'tobit')],
    bnot: (x) => [~n(x, 1, 'bnot')],
    band: fold('band', (a, b) => a & b),
    bor: fold('bor', (a, b) => a | b),
    bxor: fold('bxor', (a, b) => a ^ b),
    lshift: (x, s) => [n(x, 1, 'lshift') << (n(s, 2, 'lshift') & 31)],
    rshift: (x, s) => [(n(x, 1, 'rshift') >>> (n(s, 2, 'rshift') & 31)) | 0],
    arshift: (x, s) => [n(x, 1, 'arshift') >> (n(s, 2, 'arshift') & 31)],
    rol: (x, s) => {
      const v = n(x, 1, 'rol');
      const k = n(s, 2, 'rol') & 31;
      return [((v << k) | (v >>> (32 - k))) | 0];
    },
    ror: (x, s) => {
      const v = n(x, 1, 'ror');
      const k = n(s, 2, 'ror') & 31;
      return [((v >>> k) | (v << (32 - k))) | 0];
    },
    bswap: (x) => {
      const v = n(x, 1, 'bswap');
      return [(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) | 0];
    },
    tohex: (x, d) => {
      let v = n(x, 1, 'tohex');
      let digits = d === undefined ? 8 : n(d, 2, 'tohex');
      let upper = false;
      if (digits < 0) {
        upper = true;
        digits = -digits;
      }
      if (digits > 8) digits = 8;
      v = v >>> 0;
      let s = v.toString(16).padStart(8, '0').slice(8 - digits);
      if (upper) s = s.toUpperCase();
      return [s];
    },
  };
  const t = new LuaTable();
  for (const [k, f] of Object.entries(lib)) t.set(k, f);
  R.G.set('bit', t);
}
