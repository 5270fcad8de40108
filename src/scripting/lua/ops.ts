// The operations compiled scripts call when the fast path (both operands numbers, a plain table
// field) does not apply: coercions, metamethods and Lua 5.1's error messages, which name the
// variable involved ("attempt to index local 't' (a nil value)") and carry the script position.
import { LuaError, LuaTable, numberToString, rawToString, stringToNumber, type, type LuaFunction, type LuaValue } from './values.js';

/** Where errors are raised from: the chunk name and the line of the statement running. */
export class Position {
  line = 0;
  /** Writable: the debugger's eval runs as chunk ldb_eval. */
  constructor(public chunk: string) {}

  /**
   * An error of the running Lua code, or of a library function it called (luaL_error names the
   * caller's position too): the message starts with "chunk:line:".
   */
  error(msg: string): LuaError {
    return new LuaError(`${this.chunk}:${this.line}: ${msg}`);
  }
}

const ARITH_EVENTS: Record<string, string> = { '+': '__add', '-': '__sub', '*': '__mul', '/': '__div', '%': '__mod', '^': '__pow' };

function metamethod(v: LuaValue, event: string, strings: LuaTable | undefined): LuaValue {
  if (v instanceof LuaTable) return v.metatable?.getStr(event);
  if (typeof v === 'string' && strings) return strings.getStr(event);
  return undefined;
}

function describe(desc: string | undefined, v: LuaValue): string {
  return desc ? `${desc} (a ${type(v)} value)` : `a ${type(v)} value`;
}

export function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return stringToNumber(v);
  return undefined;
}

export function arithOp(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a - Math.floor(a / b) * b;
    default:
      return Math.pow(a, b);
  }
}

export class Ops {
  /** The string metatable (__index = string), set by the library. */
  stringMeta: LuaTable | undefined;

  constructor(readonly pos: Position) {}

  arith(op: string, a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== undefined && y !== undefined) return arithOp(op, x, y);
    const event = ARITH_EVENTS[op]!;
    const h = metamethod(a, event, undefined) ?? metamethod(b, event, undefined);
    if (typeof h === 'function') return h(a, b)[0];
    const bad = x === undefined ? a : b;
    throw this.pos.error(`attempt to perform arithmetic on ${describe(x === undefined ? da : db, bad)}`);
  }

  unm(a: LuaValue, da?: string): LuaValue {
    const x = toNumber(a);
    if (x !== undefined) return -x;
    const h = metamethod(a, '__unm', undefined);
    if (typeof h === 'function') return h(a, a)[0];
    throw this.pos.error(`attempt to perform arithmetic on ${describe(da, a)}`);
  }

  concat(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    const okA = typeof a === 'string' || typeof a === 'number';
    const okB = typeof b === 'string' || typeof b === 'number';
    if (okA && okB) return (typeof a === 'number' ? numberToString(a) : a) + (typeof b === 'number' ? numberToString(b) : b);
    const h = metamethod(a, '__concat', undefined) ?? metamethod(b, '__concat', undefined);
    if (typeof h === 'function') return h(a, b)[0];
    throw this.pos.error(`attempt to concatenate ${okA ? describe(db, b) : describe(da, a)}`);
  }

  len(a: LuaValue, da?: string): number {
    if (typeof a === 'string') return a.length;
    if (a instanceof LuaTable) return a.length();
    throw this.pos.error(`attempt to get length of ${describe(da, a)}`);
  }

  lt(a: LuaValue, b: LuaValue): boolean {
    if (typeof a === 'number' && typeof b === 'number') return a < b;
    if (typeof a === 'string' && typeof b === 'string') return a < b;
    return this.compareMeta('__lt', a, b);
  }

  le(a: LuaValue, b: LuaValue): boolean {
    if (typeof a === 'number' && typeof b === 'number') return a <= b;
    if (typeof a === 'string' && typeof b === 'string') return a <= b;
    return this.compareMeta('__le', a, b);
  }

  private compareMeta(event: string, a: LuaValue, b: LuaValue): boolean {
    if (type(a) === type(b)) {
      const h = metamethod(a, event, undefined);
      if (typeof h === 'function' && h === metamethod(b, event, undefined)) return truthy(h(a, b)[0]);
    }
    const ta = type(a);
    const tb = type(b);
    throw this.pos.error(ta === tb ? `attempt to compare two ${ta} values` : `attempt to compare ${ta} with ${tb}`);
  }

  eq(a: LuaValue, b: LuaValue): boolean {
    if (a === b) return true;
    if (a instanceof LuaTable && b instanceof LuaTable) {
      const h = metamethod(a, '__eq', undefined);
      if (typeof h === 'function' && h === metamethod(b, '__eq', undefined)) return truthy(h(a, b)[0]);
    }
    return false;
  }

  index(o: LuaValue, k: LuaValue, desc?: string): LuaValue {
    for (let loop = 0; loop < 100; loop++) {
      let h: LuaValue;
      if (o instanceof LuaTable) {
        const v = o.get(k);
        if (v !== undefined) return v;
        h = o.metatable?.getStr('__index');
        if (h === undefined) return undefined;
      } else if (typeof o === 'string' && this.stringMeta) {
        h = this.stringMeta.getStr('__index');
      } else {
        throw this.pos.error(`attempt to index ${describe(desc, o)}`);
      }
      if (typeof h === 'function') return h(o, k)[0];
      o = h;
      desc = undefined;
    }
    throw this.pos.error("loop in gettable");
  }

  setIndex(o: LuaValue, k: LuaValue, v: LuaValue, desc?: string): void {
    for (let loop = 0; loop < 100; loop++) {
      if (o instanceof LuaTable) {
        if (o.readonly) throw this.pos.error('Attempt to modify a readonly table');
        const mt = o.metatable;
        if (mt === undefined || o.get(k) !== undefined) {
          this.rawSet(o, k, v);
          return;
        }
        const h = mt.getStr('__newindex');
        if (h === undefined) {
          this.rawSet(o, k, v);
          return;
        }
        if (typeof h === 'function') {
          h(o, k, v);
          return;
        }
        o = h;
        continue;
      }
      throw this.pos.error(`attempt to index ${describe(desc, o)}`);
    }
    throw this.pos.error('loop in settable');
  }

  rawSet(t: LuaTable, k: LuaValue, v: LuaValue): void {
    if (k === undefined) throw this.pos.error('table index is nil');
    if (typeof k === 'number' && Number.isNaN(k)) throw this.pos.error('table index is NaN');
    t.set(k, v);
  }

  call(f: LuaValue, args: LuaValue[], desc?: string): LuaValue[] {
    if (typeof f === 'function') return f(...args);
    const h = metamethod(f, '__call', undefined);
    if (typeof h === 'function') return h(f, ...args);
    throw this.pos.error(`attempt to call ${describe(desc, f)}`);
  }

  /** obj:name(args): the method looked up on obj, called with obj first. */
  method(o: LuaValue, name: string, args: LuaValue[]): LuaValue[] {
    const f = this.index(o, name, undefined);
    if (typeof f === 'function') return f(o, ...args);
    return this.call(f, [o, ...args], `method '${name}'`);
  }

  tostring(v: LuaValue): string {
    const h = metamethod(v, '__tostring', undefined);
    if (typeof h === 'function') {
      const r = h(v)[0];
      if (typeof r !== 'string') throw this.pos.error("'__tostring' must return a string");
      return r;
    }
    return rawToString(v);
  }

  /** A numeric for loop's bound or step, with Lua's message when it is not a number. */
  forNumber(v: LuaValue, what: string): number {
    const n = toNumber(v);
    if (n === undefined) throw this.pos.error(`'for' ${what} must be a number`);
    return n;
  }
}

export function truthy(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

export type { LuaFunction };
