// math.random and math.randomseed as Redis replaces them (redis_math_random over rand.c's
// redisLrand48): drand48's generator x = (0x5DEECE66D * x + 0xB) mod 2^48 from 0x1234ABCD330E,
// one state for the process as in Redis, so scripts draw the same sequence redis-server does.
import { toNumber } from './lua/ops.js';
import type { Runtime } from './lua/runtime.js';
import { LuaTable, type LuaValue } from './lua/values.js';

const A = 0x5deece66dn;
const C = 0xbn;
const MASK48 = (1n << 48n) - 1n;
const LRAND48_MAX = 2147483647;
let state = 0x1234abcd330en;

function lrand48(): number {
  state = (A * state + C) & MASK48;
  return Number(state >> 17n);
}

function srand48(seed: number): void {
  const s = seed >>> 0;
  state = (BigInt((s >>> 16) & 0xffff) << 32n) | (BigInt(s & 0xffff) << 16n) | 0x330en;
}

export function installRandom(R: Runtime): void {
  const math = R.G.getStr('math') as LuaTable;
  const int = (v: LuaValue, n: number, fname: string): number => {
    const x = toNumber(v);
    if (x === undefined) throw R.pos.error(`bad argument #${n} to '${fname}' (number expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v})`);
    return x | 0;
  };
  math.set('random', (...a) => {
    const r = (lrand48() % LRAND48_MAX) / LRAND48_MAX;
    if (a.length === 0) return [r];
    if (a.length === 1) {
      const u = int(a[0], 1, 'random');
      if (!(1 <= u)) throw R.pos.error("bad argument #1 to 'random' (interval is empty)");
      return [Math.floor(r * u) + 1];
    }
    if (a.length === 2) {
      const l = int(a[0], 1, 'random');
      const u = int(a[1], 2, 'random');
      if (!(l <= u)) throw R.pos.error("bad argument #2 to 'random' (interval is empty)");
      return [Math.floor(r * (u - l + 1)) + l];
    }
    throw R.pos.error('wrong number of arguments');
  });
  math.set('randomseed', (seed) => {
    srand48(int(seed, 1, 'randomseed'));
    return [];
  });
}
