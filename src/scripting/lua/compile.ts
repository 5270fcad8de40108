// Lua 5.1 compiled to JavaScript: luaparse reads the script (5.1 grammar, byte-string literals,
// line numbers), and each Lua function becomes a JavaScript function that V8 compiles. Locals are
// JavaScript `let`s renamed apart (Lua lets a local shadow one of the same name in one block),
// multiple results are arrays, and every statement records its line for error messages. For a
// debugging session (SCRIPT DEBUG) a separate compile adds the debugger's hooks: `D.line` before
// each new line and at each loop's back edge, with the frame's live locals, and `D.enter`/`D.leave`
// around every function (the cached, normal compile never has them).
import { createRequire } from 'node:module';
import type * as AST from 'luaparse';

// luaparse (CommonJS) is loaded on the first script, not when the server starts.
const require = createRequire(import.meta.url);
let parser: typeof import('luaparse') | undefined;
function parse(source: string, options: Partial<AST.Options>): AST.Chunk {
  parser ??= require('luaparse') as typeof import('luaparse');
  return parser.parse(source, options as AST.Options);
}

type Node = AST.Node;
type Expr = AST.Expression;

/** A syntax error in Lua's words: "user_script:1: '=' expected near 'x'". */
export class LuaSyntaxError extends Error {}

interface FunctionState {
  temps: number;
  vararg: boolean;
  lastLine: number;
  /** The first of this function's scopes: the debugger lists locals from there, not upvalues. */
  scopeBase: number;
}

const OPS: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '^': 'pow' };

export class Compiler {
  private scopes: Map<string, string>[] = [];
  /** Each scope's locals in declaration order, shadowed ones kept (what the debugger prints). */
  private declared: [string, string][][] = [];
  private fn: FunctionState = { temps: 0, vararg: true, lastLine: 0, scopeBase: 0 };
  private uid = 0;
  private source = '';

  /** `debug`: the compile of a debugging session, with the hooks of debug-hooks.ts's `D`. */
  constructor(private readonly chunk: string, private readonly debug = false) {}

  /** The JavaScript source of a function (R, G) => main chunk function. */
  compile(source: string): string {
    let ast: AST.Chunk;
    this.source = source;
    try {
      ast = parse(source, { luaVersion: '5.1', locations: true, ranges: true, comments: false, encodingMode: 'pseudo-latin1' });
    } catch (e) {
      throw new LuaSyntaxError(this.syntaxMessage(e as Error & { line?: number }));
    }
    const body = this.functionBody([], true, ast.body, undefined);
    return `"use strict";\nreturn function main(...va) {\n${body}\n};`;
  }

  private syntaxMessage(e: Error & { line?: number }): string {
    // luaparse: "[1:5] '=' expected near 'x'"; Lua: "user_script:1: '=' expected near 'x'".
    const m = /^\[(\d+):\d+\] (.*)$/.exec(e.message);
    if (!m) return `${this.chunk}:${e.line ?? 0}: ${e.message}`;
    let msg = m[2]!;
    msg = msg.replace(/^unexpected symbol '(.*)' near '(.*)'$/, "unexpected symbol near '$2'");
    msg = msg.replace(/^unexpected identifier '(.*)' near '(.*)'$/, "unexpected symbol near '$2'");
    msg = msg.replace(/^<expression> expected near (.*)$/, 'unexpected symbol near $1');
    msg = msg.replace(/^<name> expected near (.*)$/, "'<name>' expected near $1");
    msg = msg.replace(/^unfinished string near .*$/, "unfinished string near '<eof>'");
    msg = msg.replace(/^unexpected keyword '(.*)' near '<eof>'$/, "'<eof>' expected near '$1'");
    return `${this.chunk}:${m[1]}: ${msg}`;
  }

  // ---- scopes ------------------------------------------------------------------------------------

  private declare(name: string): string {
    const js = `L${++this.uid}_${name.replace(/\W/g, '_')}`;
    this.scopes[this.scopes.length - 1]!.set(name, js);
    this.declared[this.declared.length - 1]!.push([name, js]);
    return js;
  }

  /** Hidden locals (a loop's state) the debugger lists; code never names them. */
  private internal(pairs: [string, string][]): void {
    if (this.debug) this.declared[this.declared.length - 1]!.push(...pairs);
  }

  private pushScope(): void {
    this.scopes.push(new Map());
    this.declared.push([]);
  }

  private popScope(): void {
    this.scopes.pop();
    this.declared.pop();
  }

  private lookup(name: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const js = this.scopes[i]!.get(name);
      if (js) return js;
    }
    return undefined;
  }

  private temp(): string {
    return `$${this.fn.temps++}`;
  }

  // ---- functions and blocks --------------------------------------------------------------------

  private functionBody(params: readonly (AST.Identifier | AST.VarargLiteral)[], vararg: boolean, body: AST.Statement[], name?: string): string {
    const saved = this.fn;
    this.fn = { temps: 0, vararg, lastLine: 0, scopeBase: this.scopes.length };
    this.pushScope();
    const lines: string[] = [];
    params.forEach((p, i) => {
      if (p.type === 'Identifier') lines.push(`let ${this.declare(p.name)} = va[${i}];`);
    });
    const named = params.filter((p) => p.type === 'Identifier').length;
    if (vararg && named > 0) lines.push(`va = va.slice(${named});`);
    const stmts = this.block(body, false);
    this.popScope();
    const temps = this.fn.temps > 0 ? `let ${Array.from({ length: this.fn.temps }, (_, i) => `$${i}`).join(', ')};\n` : '';
    this.fn = saved;
    if (this.debug) return `${temps}D.enter(${JSON.stringify(name ?? null)}); try {\n${lines.join('\n')}\n${stmts}\nreturn [];\n} finally { D.leave(); }`;
    return `${temps}${lines.join('\n')}\n${stmts}\nreturn [];`;
  }

  private block(stmts: AST.Statement[], scoped = true): string {
    if (scoped) this.pushScope();
    const out = stmts.map((s) => this.statement(s)).join('\n');
    if (scoped) this.popScope();
    return out;
  }

  private line(n: Node): string {
    // Lua gives a function statement the line of its `end` (where the closure is made); the
    // debugger stops there, so a debug compile does too.
    const l = (this.debug && n.type === 'FunctionDeclaration' ? n.loc?.end.line : n.loc?.start.line) ?? 0;
    if (l === this.fn.lastLine) return '';
    this.fn.lastLine = l;
    return this.debug ? `P.line = ${l}; ${this.hook(l)} ` : `P.line = ${l}; `;
  }

  /** The debugger's line hook: the line, and the frame's live locals as [name, value] pairs. */
  private hook(l: number): string {
    const pairs: string[] = [];
    for (let i = this.fn.scopeBase; i < this.declared.length; i++) {
      for (const [name, js] of this.declared[i]!) pairs.push(`[${JSON.stringify(name)}, ${js}]`);
    }
    return `D.line(${l}, () => [${pairs.join(', ')}]);`;
  }

  /** A loop jumping back to its head: Lua's line hook fires there again (debug compile only). */
  private backEdge(n: Node): string {
    return this.debug ? `\n${this.hook(n.loc?.start.line ?? 0)}` : '';
  }

  private statement(s: AST.Statement): string {
    const at = this.line(s);
    switch (s.type) {
      case 'LocalStatement': {
        const values = this.exprList(s.init, s.variables.length);
        const names = s.variables.map((v) => v.name);
        // The initializers see the outer names: declare after evaluating them.
        const tmp = this.temp();
        const decls = names.map((n, i) => `let ${this.declare(n)} = ${tmp}[${i}];`).join(' ');
        return `${at}${tmp} = ${values}; ${decls}`;
      }
      case 'AssignmentStatement': {
        if (s.variables.length === 1 && s.init.length === 1) {
          return `${at}${this.assign(s.variables[0]!, this.expr(s.init[0]!))};`;
        }
        const tmp = this.temp();
        const targets = s.variables.map((v, i) => this.assign(v, `${tmp}[${i}]`)).join('; ');
        return `${at}${tmp} = ${this.exprList(s.init, s.variables.length)}; ${targets};`;
      }
      case 'CallStatement':
        return `${at}${this.callExpr(s.expression as AST.CallExpression)};`;
      case 'FunctionDeclaration': {
        const id = s.identifier;
        if (s.isLocal && id && id.type === 'Identifier') {
          const js = this.declare(id.name);
          return `${at}let ${js}; ${js} = ${this.functionExpr(s)};`;
        }
        if (!id) return `${at}${this.functionExpr(s)};`;
        if (id.type === 'MemberExpression' && id.indexer === ':') {
          return `${at}${this.assign(id, this.functionExpr(s, true))};`;
        }
        return `${at}${this.assign(id, this.functionExpr(s))};`;
      }
      case 'ReturnStatement':
        return `${at}return ${this.exprList(s.arguments, -1)};`;
      case 'IfStatement': {
        let out = at;
        s.clauses.forEach((c, i) => {
          if (c.type === 'ElseClause') out += ` else {\n${this.block(c.body)}\n}`;
          else out += `${i > 0 ? ' else ' : ''}if (${this.cond(c.condition)}) {\n${this.block(c.body)}\n}`;
        });
        return out;
      }
      case 'WhileStatement':
        return `${at}while (${this.cond(s.condition)}) {\nR.tick();\n${this.block(s.body)}${this.backEdge(s)}\n}`;
      case 'RepeatStatement': {
        this.pushScope();
        const body = this.block(s.body, false);
        const cond = this.cond(s.condition);
        this.popScope();
        return `${at}do {\nR.tick();\n${body}\nif (${cond}) break;\n} while (true);`;
      }
      case 'DoStatement':
        return `${at}{\n${this.block(s.body)}\n}`;
      case 'BreakStatement':
        return `${at}break;`;
      case 'ForNumericStatement': {
        const v = this.temp();
        const lim = this.temp();
        const step = this.temp();
        const init = `${v} = R.forNumber(${this.expr(s.start)}, 'initial value'); ${lim} = R.forNumber(${this.expr(s.end)}, 'limit'); ${step} = ${s.step ? `R.forNumber(${this.expr(s.step)}, 'step')` : '1'};`;
        // Lua's hidden loop locals, listed by the debugger as Lua names them.
        this.pushScope();
        this.internal([['(for index)', v], ['(for limit)', lim], ['(for step)', step]]);
        this.pushScope();
        const name = this.declare(s.variable.name);
        const body = this.block(s.body, false);
        this.popScope();
        const back = this.backEdge(s);
        this.popScope();
        return `${at}${init}\nfor (; ${step} > 0 ? ${v} <= ${lim} : ${v} >= ${lim}; ${v} += ${step}) {\nR.tick();\nlet ${name} = ${v};\n${body}${back}\n}`;
      }
      case 'ForGenericStatement': {
        const f = this.temp();
        const st = this.temp();
        const ctl = this.temp();
        const r = this.temp();
        const init = `[${f}, ${st}, ${ctl}] = ${this.exprList(s.iterators, 3)};`;
        this.pushScope();
        this.internal([['(for generator)', f], ['(for state)', st], ['(for control)', ctl]]);
        this.pushScope();
        const names = s.variables.map((v) => this.declare(v.name));
        const body = this.block(s.body, false);
        this.popScope();
        const back = this.backEdge(s);
        this.popScope();
        const decls = names.map((n, i) => `let ${n} = ${r}[${i}];`).join(' ');
        return `${at}${init}\nfor (;;) {\n${r} = R.call(${f}, [${st}, ${ctl}]); if (${r}[0] === undefined) break; ${ctl} = ${r}[0]; ${decls}\nR.tick();\n${body}${back}\n}`;
      }
      default:
        throw new LuaSyntaxError(`${this.chunk}:${s.loc?.start.line ?? 0}: unsupported statement ${s.type}`);
    }
  }

  private assign(target: Expr, value: string): string {
    if (target.type === 'Identifier') {
      const js = this.lookup(target.name);
      if (js) return `${js} = ${value}`;
      return `R.setGlobal(${JSON.stringify(target.name)}, ${value})`;
    }
    if (target.type === 'MemberExpression') {
      return `R.setIndex(${this.expr(target.base)}, ${JSON.stringify(target.identifier.name)}, ${value}, ${this.describe(target.base)})`;
    }
    if (target.type === 'IndexExpression') {
      return `R.setIndex(${this.expr(target.base)}, ${this.expr(target.index)}, ${value}, ${this.describe(target.base)})`;
    }
    throw new LuaSyntaxError(`${this.chunk}:${target.loc?.start.line ?? 0}: cannot assign to ${target.type}`);
  }

  private functionExpr(f: AST.FunctionDeclaration, method = false): string {
    const params = [...f.parameters];
    const vararg = params.some((p) => p.type === 'VarargLiteral');
    const all: (AST.Identifier | AST.VarargLiteral)[] = method ? [{ type: 'Identifier', name: 'self' } as AST.Identifier, ...params] : params;
    const id = f.identifier;
    const name = id?.type === 'Identifier' ? id.name : id?.type === 'MemberExpression' ? id.identifier.name : undefined;
    // Named `lua`: library functions (JavaScript) are told apart by their name (see pcall).
    return `(function lua(...va) {\nR.tick();\n${this.functionBody(all, vararg, f.body, name)}\n})`;
  }

  // ---- expressions -----------------------------------------------------------------------------

  /** Lua 5.1's name for a value in error messages: local 'x', global 'x', field 'x'. */
  private describe(e: Expr): string {
    if (e.type === 'Identifier') return JSON.stringify(`${this.lookup(e.name) ? 'local' : 'global'} '${e.name}'`);
    if (e.type === 'MemberExpression') return JSON.stringify(`field '${e.identifier.name}'`);
    if (e.type === 'IndexExpression' && e.index.type === 'StringLiteral') return JSON.stringify(`field '${e.index.value ?? ''}'`);
    return 'undefined';
  }

  private cond(e: Expr): string {
    if (e.type === 'BinaryExpression' && ['==', '~=', '<', '>', '<=', '>='].includes(e.operator)) return this.expr(e);
    if (e.type === 'UnaryExpression' && e.argument.type === 'BinaryExpression' && e.operator === 'not') return this.expr(e);
    const t = this.temp();
    return `((${t} = ${this.expr(e)}) !== undefined && ${t} !== false)`;
  }

  /**
   * A list of expressions as a JavaScript array, the last one expanded when it yields several
   * values. `callParen` is the offset of the '(' opening a call's argument list, which is not a
   * parenthesized expression.
   */
  private exprList(list: readonly Expr[], want: number, callParen = -1): string {
    if (list.length === 0) return '[]';
    const last = list[list.length - 1]!;
    const expand = this.multi(last, callParen);
    const parts = list.map((e, i) => (i === list.length - 1 && expand ? `...${this.expr(e, true)}` : this.expr(e)));
    if (parts.length === 1 && expand) return this.expr(last, true);
    void want;
    return `[${parts.join(', ')}]`;
  }

  /** A call or `...` not in parentheses: it yields all its values ((f()) yields one). */
  private multi(e: Expr, callParen = -1): boolean {
    const kind = e.type === 'CallExpression' || e.type === 'StringCallExpression' || e.type === 'TableCallExpression' || e.type === 'VarargLiteral';
    return kind && !this.parenthesized(e, callParen);
  }

  /** luaparse drops parentheses: look at the source before the expression. */
  private parenthesized(e: Node, callParen: number): boolean {
    const start = (e as { range?: [number, number] }).range?.[0];
    if (start === undefined) return false;
    let i = start - 1;
    while (i >= 0 && /\s/.test(this.source[i]!)) i--;
    return i >= 0 && this.source[i] === '(' && i !== callParen;
  }

  /** The offset of the '(' after a call's base, or -1. */
  private callParenOf(e: AST.CallExpression): number {
    const end = (e.base as { range?: [number, number] }).range?.[1];
    if (end === undefined) return -1;
    let i = end;
    while (i < this.source.length && /\s/.test(this.source[i]!)) i++;
    return this.source[i] === '(' ? i : -1;
  }

  /** An expression's single value, or with `all` the array of its values (calls and `...`). */
  private expr(e: Expr, all = false): string {
    switch (e.type) {
      case 'NilLiteral':
        return 'undefined';
      case 'BooleanLiteral':
        return e.value ? 'true' : 'false';
      case 'NumericLiteral':
        return Number.isFinite(e.value) ? (e.value < 0 ? `(${e.value})` : String(e.value)) : 'Infinity';
      case 'StringLiteral':
        return JSON.stringify(e.value ?? '');
      case 'VarargLiteral':
        if (!this.fn.vararg) throw new LuaSyntaxError(`${this.chunk}:${e.loc?.start.line ?? 0}: cannot use '...' outside a vararg function near '...'`);
        return all ? 'va' : 'va[0]';
      case 'Identifier': {
        const js = this.lookup(e.name);
        if (js) return js;
        return `R.getGlobal(${JSON.stringify(e.name)})`;
      }
      case 'FunctionDeclaration':
        return this.functionExpr(e);
      case 'MemberExpression':
        return `R.index(${this.expr(e.base)}, ${JSON.stringify(e.identifier.name)}, ${this.describe(e.base)})`;
      case 'IndexExpression':
        return `R.index(${this.expr(e.base)}, ${this.expr(e.index)}, ${this.describe(e.base)})`;
      case 'CallExpression':
      case 'StringCallExpression':
      case 'TableCallExpression': {
        const c = this.callExpr(e);
        return all ? c : `${c}[0]`;
      }
      case 'TableConstructorExpression':
        return this.table(e);
      case 'UnaryExpression': {
        const a = this.expr(e.argument);
        if (e.operator === 'not') {
          const t = this.temp();
          return `((${t} = ${a}) === undefined || ${t} === false)`;
        }
        if (e.operator === '-') return `R.unm(${a}, ${this.describe(e.argument)})`;
        return `R.len(${a}, ${this.describe(e.argument)})`;
      }
      case 'LogicalExpression': {
        const t = this.temp();
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        return e.operator === 'and'
          ? `((${t} = ${l}) === undefined || ${t} === false ? ${t} : ${r})`
          : `((${t} = ${l}) === undefined || ${t} === false ? ${r} : ${t})`;
      }
      case 'BinaryExpression': {
        const l = this.expr(e.left);
        const r = this.expr(e.right);
        const op = e.operator;
        if (OPS[op]) return `R.${OPS[op]}(${l}, ${r}, ${this.describe(e.left)}, ${this.describe(e.right)})`;
        switch (op) {
          case '..':
            return `R.concat(${l}, ${r}, ${this.describe(e.left)}, ${this.describe(e.right)})`;
          case '==':
            return `R.eq(${l}, ${r})`;
          case '~=':
            return `!R.eq(${l}, ${r})`;
          case '<':
            return `R.lt(${l}, ${r})`;
          case '>':
            return `R.lt(${r}, ${l})`;
          case '<=':
            return `R.le(${l}, ${r})`;
          case '>=':
            return `R.le(${r}, ${l})`;
          default:
            throw new LuaSyntaxError(`${this.chunk}:${e.loc?.start.line ?? 0}: unexpected operator ${op}`);
        }
      }
      default: {
        const n = e as Node;
        throw new LuaSyntaxError(`${this.chunk}:${n.loc?.start.line ?? 0}: unsupported expression ${n.type}`);
      }
    }
  }

  private callExpr(e: AST.CallExpression | AST.StringCallExpression | AST.TableCallExpression): string {
    let args: string;
    if (e.type === 'CallExpression') args = this.exprList(e.arguments, -1, this.callParenOf(e));
    else if (e.type === 'StringCallExpression') args = `[${this.expr(e.argument)}]`;
    else args = `[${this.expr(e.arguments)}]`;
    const base = e.base;
    if (base.type === 'MemberExpression' && base.indexer === ':') {
      return `R.method(${this.expr(base.base)}, ${JSON.stringify(base.identifier.name)}, ${args})`;
    }
    // A plain function called with a fixed number of arguments is called directly: no argument
    // array, no spread (redis.call in a loop is the case that counts).
    if (e.type === 'CallExpression' && (e.arguments.length === 0 || !this.multi(e.arguments[e.arguments.length - 1]!, this.callParenOf(e)))) {
      // The function first, then its arguments (Lua's order), each once into a temporary.
      const f = this.temp();
      const temps = e.arguments.map(() => this.temp());
      const evals = [`${f} = ${this.expr(base)}`, ...e.arguments.map((a, i) => `${temps[i]} = ${this.expr(a)}`)].join(', ');
      const direct = temps.join(', ');
      return `(${evals}, typeof ${f} === 'function' ? ${f}(${direct}) : R.call(${f}, [${direct}], ${this.describe(base)}))`;
    }
    return `R.call(${this.expr(base)}, ${args}, ${this.describe(base)})`;
  }

  private table(e: AST.TableConstructorExpression): string {
    const positional: string[] = [];
    const keyed: string[] = [];
    e.fields.forEach((f, i) => {
      if (f.type === 'TableValue') {
        if (i === e.fields.length - 1 && this.multi(f.value as Expr)) positional.push(`...${this.expr(f.value, true)}`);
        else positional.push(this.expr(f.value));
      } else if (f.type === 'TableKeyString') {
        keyed.push(`[${JSON.stringify(f.key.name)}, ${this.expr(f.value)}]`);
      } else {
        keyed.push(`[${this.expr(f.key)}, ${this.expr(f.value)}]`);
      }
    });
    if (keyed.length === 0) return `R.list([${positional.join(', ')}])`;
    return `R.table([${positional.join(', ')}], [${keyed.join(', ')}])`;
  }
}
