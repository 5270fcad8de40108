// Lua 5.1 values as the compiled scripts see them: nil is undefined, booleans and numbers (doubles)
// are JavaScript's, strings are byte strings (one char per byte, latin1), tables are LuaTable and
// functions are JavaScript functions that take their arguments as parameters and return an array
// of results. Errors are LuaError carrying the Lua value raised.

export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction;
export type LuaFunction = (...args: LuaValue[]) => LuaValue[];

/** What error() raised, or a runtime error's message with its position already added. */
export class LuaError extends Error {
  constructor(readonly value: LuaValue, readonly traceback?: string) {
    super(typeof value === 'string' ? value : 'lua error');
  }
}

/**
 * A Lua table: an array part for the keys 1..n (no trailing nil) and a Map for the rest, so that
 * `#t` is the array part's length, a border as Lua defines it.
 */
export class LuaTable {
  readonly hash = new Map<LuaValue, LuaValue>();
  arr: LuaValue[] = [];
  metatable: LuaTable | undefined;
  /** Redis locks the globals and library tables (lua_enablereadonlytable). */
  readonly = false;

  get(k: LuaValue): LuaValue {
    if (typeof k === 'number') {
      const a = this.arr;
      if (k >= 1 && k <= a.length && (k | 0) === k) return a[k - 1];
    }
    return this.hash.get(k);
  }

  getStr(k: string): LuaValue {
    return this.hash.get(k);
  }

  set(k: LuaValue, v: LuaValue): void {
    if (typeof k === 'number') {
      const a = this.arr;
      if ((k | 0) === k || Number.isInteger(k)) {
        if (k >= 1 && k <= a.length) {
          a[k - 1] = v;
          if (v === undefined && k === a.length) {
            while (a.length > 0 && a[a.length - 1] === undefined) a.pop();
          }
          return;
        }
        if (k === a.length + 1) {
          if (v === undefined) {
            this.hash.delete(k);
            return;
          }
          a.push(v);
          this.hash.delete(k);
          // Keys that now continue the array move into it.
          if (this.hash.size > 0) {
            let next = a.length + 1;
            let w = this.hash.get(next);
            while (w !== undefined) {
              a.push(w);
              this.hash.delete(next);
              next++;
              w = this.hash.get(next);
            }
          }
          return;
        }
      } else if (Number.isNaN(k)) {
        throw new LuaError('table index is NaN');
      }
    } else if (k === undefined) {
      throw new LuaError('table index is nil');
    }
    if (v === undefined) this.hash.delete(k);
    else this.hash.set(k, v);
  }

  length(): number {
    return this.arr.length;
  }

  /** next(t, k): the key after k (array part first, then the hash in insertion order). */
  next(k: LuaValue): [LuaValue, LuaValue] | undefined {
    const a = this.arr;
    let i = 0;
    if (k !== undefined) {
      if (typeof k === 'number' && k >= 1 && k <= a.length && Number.isInteger(k)) {
        i = k;
      } else {
        let found = false;
        for (const [key, value] of this.hash) {
          if (found && value !== undefined) return [key, value];
          if (key === k) found = true;
        }
        if (!found) throw new LuaError("invalid key to 'next'");
        return undefined;
      }
    }
    for (; i < a.length; i++) if (a[i] !== undefined) return [i + 1, a[i]];
    for (const [key, value] of this.hash) if (value !== undefined) return [key, value];
    return undefined;
  }

  /** Entries in next() order, for pairs(): assignments to existing keys meanwhile are allowed. */
  *entries(): IterableIterator<[LuaValue, LuaValue]> {
    const a = this.arr;
    for (let i = 0; i < a.length; i++) if (a[i] !== undefined) yield [i + 1, a[i]];
    for (const e of this.hash) if (e[1] !== undefined) yield e;
  }

  static from(values: readonly LuaValue[]): LuaTable {
    const t = new LuaTable();
    t.arr = values.slice();
    while (t.arr.length > 0 && t.arr[t.arr.length - 1] === undefined) t.arr.pop();
    return t;
  }
}

export function type(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
    default:
      return 'table';
  }
}

/** printf("%.14g") as Lua 5.1 prints numbers (LUA_NUMBER_FMT). */
export function numberToString(n: number): string {
  if ((n | 0) === n && !Object.is(n, -0)) return String(n);
  if (Number.isNaN(n)) return n > 0 ? 'nan' : '-nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  return formatG(n, 14);
}

/** The exact decimal digits of a finite x >= 0 and where the point goes (digits.length - frac). */
function exactDigits(x: number): { digits: string; frac: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (e >= 0) return { digits: (mant << BigInt(e)).toString(), frac: 0 };
  return { digits: (mant * 5n ** BigInt(-e)).toString(), frac: -e };
}

/** Rounds the exact digits to `keep` digits, half to even as printf does; carries may lengthen it. */
function roundDigits(digits: string, keep: number): string {
  if (keep >= digits.length) return digits.padEnd(keep, '0');
  if (keep < 0) return '';
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  const odd = keep > 0 && (head.charCodeAt(keep - 1) - 48) % 2 === 1;
  if (first > 5 || (first === 5 && (tail || odd))) return (BigInt(head || '0') + 1n).toString().padStart(keep, '0');
  return head;
}

/** printf("%.<p>f") exactly, for finite x. */
export function toFixedC(x: number, p: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const { digits, frac } = exactDigits(Math.abs(x));
  const intLen = digits.length - frac;
  let r = roundDigits(digits, intLen + p);
  // r holds the integer part and p fraction digits (leading zeros may be missing).
  r = r.padStart(p + 1, '0');
  const out = p > 0 ? `${r.slice(0, r.length - p)}.${r.slice(r.length - p)}` : r;
  return (neg ? '-' : '') + out;
}

/** printf("%.<p>e") exactly, for finite x: [mantissa digits with point, exponent]. */
export function toExponentialC(x: number, p: number): [string, number] {
  if (x === 0) return [p > 0 ? `0.${'0'.repeat(p)}` : '0', 0];
  const { digits, frac } = exactDigits(Math.abs(x));
  const lead = digits.search(/[1-9]/);
  const sig = digits.slice(lead);
  let exp = digits.length - frac - lead - 1;
  let r = roundDigits(sig, p + 1);
  if (r.length > p + 1) {
    r = r.slice(0, p + 1);
    exp++;
  }
  return [p > 0 ? `${r[0]}.${r.slice(1)}` : r, exp];
}

/** C's %.<precision>g without the '#' flag. */
export function formatG(n: number, precision: number, upper = false): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? (upper ? 'NAN' : 'nan') : n > 0 ? (upper ? 'INF' : 'inf') : upper ? '-INF' : '-inf';
  const p = precision === 0 ? 1 : precision;
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [m, exp] = toExponentialC(Math.abs(n), p - 1);
  let s: string;
  if (exp < -4 || exp >= p) {
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    s = `${n < 0 ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else {
    s = toFixedC(n, Math.max(0, p - 1 - exp));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return upper ? s.toUpperCase() : s;
}

const SPACE = /^[ \t\n\v\f\r]*$/;

/** luaO_str2d: what tonumber and arithmetic accept (decimal, exponent, 0x hex, spaces around). */
export function stringToNumber(s: string): number | undefined {
  const t = s.replace(/^[ \t\n\v\f\r]+/, '').replace(/[ \t\n\v\f\r]+$/, '');
  if (t === '') return undefined;
  const hex = /^([-+]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([-+]?\d+))?$/.exec(t);
  if (hex && (hex[2] || hex[3])) {
    // strtod reads hexadecimal floats too: 0x10, 0x1p4, 0x.8
    let v = parseInt(hex[2] || '0', 16);
    const frac = hex[3] ?? '';
    for (let i = 0; i < frac.length; i++) v += parseInt(frac[i]!, 16) / 16 ** (i + 1);
    if (hex[4]) v *= 2 ** Number(hex[4]);
    return hex[1] === '-' ? -v : v;
  }
  if (/^[-+]?((\d+\.?\d*)|(\.\d+))([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (/^[-+]?(inf|infinity)$/i.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?nan$/i.test(t)) return NaN;
  if (!SPACE.test(s)) return undefined;
  return undefined;
}

/** tostring() without metamethods. */
export function rawToString(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberToString(v);
    case 'string':
      return v;
    case 'function':
      return `function: ${addressOf(v)}`;
    default:
      return `table: ${addressOf(v)}`;
  }
}

const addresses = new WeakMap<object, string>();
let nextAddress = 0x55d0c0de0000;
function addressOf(o: object): string {
  let a = addresses.get(o);
  if (!a) {
    a = '0x' + (nextAddress += 0x40).toString(16);
    addresses.set(o, a);
  }
  return a;
}
