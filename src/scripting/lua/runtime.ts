// What compiled Lua calls (the `R` of compile.ts): arithmetic with its fast path, globals with
// Redis's protection (reading a global that does not exist is an error, the globals table is
// read-only), table constructors. One Runtime per Lua state; the library lives in its globals.
import { Compiler } from './compile.js';
import { arithOp, Ops, Position } from './ops.js';
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from './values.js';

/** What a debug compile calls (SCRIPT DEBUG's line hook and call frames). */
export interface DebugHooks {
  /** Before a new line, and at a loop's back edge: the line, and the frame's live locals in order. */
  line(line: number, locals: () => [string, LuaValue][]): void;
  /** A Lua function starts (its declared name; null for the main chunk and anonymous ones). */
  enter(name: string | null): void;
  /** It returns or raises. */
  leave(): void;
}

export class Runtime extends Ops {
  /** The globals (Functions swap in a proxy table whose __index says which API is visible). */
  G = new LuaTable();

  constructor(chunk = 'user_script') {
    super(new Position(chunk));
  }

  /** Loop iterations and calls since the last check (tick). */
  private ticks = 0;
  /** Called every 1000 ticks while set: the busy-script check. */
  onTick: (() => void) | undefined;
  /** Set by SCRIPT KILL: raised at the next tick, and at every one after (pcall cannot keep it). */
  killed: LuaError | undefined;

  /** Every loop iteration and function call: where a running script can be stopped or served around. */
  tick(): void {
    if (this.killed) throw this.killed;
    if (++this.ticks >= 1000) {
      this.ticks = 0;
      this.onTick?.();
    }
  }

  /**
   * Compiles a chunk into a function of the runtime (scripts see `...` as their arguments). With
   * `debug`, a compile for a debugging session that calls those hooks (never cached).
   */
  load(source: string, debug?: DebugHooks): LuaFunction {
    const js = new Compiler(this.pos.chunk, debug !== undefined).compile(source);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('R', 'P', 'LuaTable', 'D', js) as (r: Runtime, p: Position, t: typeof LuaTable, d: DebugHooks | undefined) => LuaFunction;
    return make(this, this.pos, LuaTable, debug);
  }

  add(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    return typeof a === 'number' && typeof b === 'number' ? a + b : this.arith('+', a, b, da, db);
  }
  sub(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    return typeof a === 'number' && typeof b === 'number' ? a - b : this.arith('-', a, b, da, db);
  }
  mul(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    return typeof a === 'number' && typeof b === 'number' ? a * b : this.arith('*', a, b, da, db);
  }
  div(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    return typeof a === 'number' && typeof b === 'number' ? a / b : this.arith('/', a, b, da, db);
  }
  mod(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    return typeof a === 'number' && typeof b === 'number' ? arithOp('%', a, b) : this.arith('%', a, b, da, db);
  }
  pow(a: LuaValue, b: LuaValue, da?: string, db?: string): LuaValue {
    return typeof a === 'number' && typeof b === 'number' ? Math.pow(a, b) : this.arith('^', a, b, da, db);
  }

  override eq(a: LuaValue, b: LuaValue): boolean {
    return a === b || (typeof a === 'object' && typeof b === 'object' && super.eq(a, b));
  }

  getGlobal(name: string): LuaValue {
    const v = this.G.getStr(name);
    if (v !== undefined) return v;
    return this.index(this.G, name);
  }

  setGlobal(name: string, v: LuaValue): void {
    this.setIndex(this.G, name, v);
  }

  list(values: LuaValue[]): LuaTable {
    return LuaTable.from(values);
  }

  table(values: LuaValue[], keyed: [LuaValue, LuaValue][]): LuaTable {
    // Positional values win over explicit integer keys, as Lua's SETLIST stores them last.
    const t = LuaTable.from(values);
    const n = values.length;
    for (const [k, v] of keyed) {
      if (typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= n) continue;
      if (k === undefined) throw this.pos.error('table index is nil');
      if (v !== undefined) this.rawSet(t, k, v);
    }
    return t;
  }
}
