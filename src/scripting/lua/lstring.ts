// Lua 5.1's string library (lstrlib.c) over byte strings: len, sub, upper, lower, rep, reverse,
// byte, char, format, find, match, gmatch, gsub. Also the string metatable, so that
// ("x"):upper() works.
import type { Runtime } from './runtime.js';
import { doMatch, getCapture, newState, PatternError, SPECIALS, type MatchState } from './patterns.js';
import { formatG, LuaTable, numberToString, toExponentialC, toFixedC, type LuaFunction, type LuaValue } from './values.js';
import { toNumber } from './ops.js';

type Lib = Record<string, LuaFunction>;

export function stringLibrary(R: Runtime, argError: (n: number, fname: string, msg: string) => Error): LuaTable {
  const str = (v: LuaValue, n: number, fname: string): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return numberToString(v);
    throw argError(n, fname, `string expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v}`);
  };
  const int = (v: LuaValue, n: number, fname: string, dflt?: number): number => {
    if (v === undefined && dflt !== undefined) return dflt;
    const x = toNumber(v);
    if (x === undefined) throw argError(n, fname, `number expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v}`);
    return x >= 0 ? Math.floor(x) : Math.ceil(x);
  };
  const rel = (pos: number, len: number): number => (pos < 0 ? len + pos + 1 : pos);
  const patternError = (e: unknown): Error => (e instanceof PatternError ? R.pos.error(e.message) : (e as Error));

  const find = (fname: string, isFind: boolean): LuaFunction => (s0, p0, init0, plain) => {
    const s = str(s0, 1, fname);
    const p = str(p0, 2, fname);
    let init = rel(int(init0, 3, fname, 1), s.length) - 1;
    if (init < 0) init = 0;
    else if (init > s.length) init = s.length;
    if (isFind && (plain !== undefined && plain !== false || !SPECIALS.test(p))) {
      const at = s.indexOf(p, init);
      return at < 0 ? [undefined] : [at + 1, at + p.length];
    }
    try {
      const anchor = p[0] === '^';
      const pat = anchor ? p.slice(1) : p;
      let s1 = init;
      do {
        const ms = newState(s, pat);
        const e = doMatch(ms, s1, 0);
        if (e !== -1) {
          if (isFind) return [s1 + 1, e, ...captures(ms, -1, -1, false)];
          return captures(ms, s1, e, true);
        }
        s1++;
      } while (s1 <= s.length && !anchor);
      return [undefined];
    } catch (e) {
      throw patternError(e);
    }
  };

  const captures = (ms: MatchState, s: number, e: number, wholeIfNone: boolean): LuaValue[] => {
    const n = ms.level === 0 && wholeIfNone ? 1 : ms.level;
    const out: LuaValue[] = [];
    for (let i = 0; i < n; i++) out.push(getCapture(ms, i, s, e));
    return out;
  };

  const lib: Lib = {
    len: (s) => [str(s, 1, 'len').length],
    sub: (s0, i0, j0) => {
      const s = str(s0, 1, 'sub');
      let i = rel(int(i0, 2, 'sub', 1), s.length);
      let j = rel(int(j0, 3, 'sub', -1), s.length);
      if (i < 1) i = 1;
      if (j > s.length) j = s.length;
      return [i <= j ? s.slice(i - 1, j) : ''];
    },
    upper: (s) => [str(s, 1, 'upper').replace(/[a-z]/g, (c) => c.toUpperCase())],
    lower: (s) => [str(s, 1, 'lower').replace(/[A-Z]/g, (c) => c.toLowerCase())],
    rep: (s0, n0) => {
      const s = str(s0, 1, 'rep');
      const n = int(n0, 2, 'rep');
      if (n <= 0) return [''];
      if (s.length * n > 512 * 1024 * 1024) throw R.pos.error('not enough memory');
      return [s.repeat(n)];
    },
    reverse: (s) => [str(s, 1, 'reverse').split('').reverse().join('')],
    byte: (s0, i0, j0) => {
      const s = str(s0, 1, 'byte');
      let i = rel(int(i0, 2, 'byte', 1), s.length);
      let j = rel(j0 === undefined ? i : int(j0, 3, 'byte'), s.length);
      if (i < 1) i = 1;
      if (j > s.length) j = s.length;
      const out: LuaValue[] = [];
      for (let k = i; k <= j; k++) out.push(s.charCodeAt(k - 1));
      return out;
    },
    char: (...codes) => {
      let out = '';
      codes.forEach((c, i) => {
        const n = int(c, i + 1, 'char');
        if (n < 0 || n > 255) throw argError(i + 1, 'char', 'invalid value');
        out += String.fromCharCode(n);
      });
      return [out];
    },
    format: (f0, ...args) => [format(str(f0, 1, 'format'), args, R, argError)],
    find: find('find', true),
    match: find('match', false),
    gmatch: (s0, p0) => {
      const s = str(s0, 1, 'gmatch');
      const p = str(p0, 2, 'gmatch');
      let src = 0;
      return [
        () => {
          try {
            for (; src <= s.length; src++) {
              const ms = newState(s, p);
              const e = doMatch(ms, src, 0);
              if (e !== -1) {
                const start = src;
                src = e === src ? e + 1 : e;
                return captures(ms, start, e, true);
              }
            }
            return [undefined];
          } catch (e) {
            throw patternError(e);
          }
        },
      ];
    },
    gsub: (s0, p0, repl, max0) => {
      const s = str(s0, 1, 'gsub');
      let p = str(p0, 2, 'gsub');
      const maxN = max0 === undefined ? s.length + 1 : int(max0, 4, 'gsub');
      const rt = typeof repl;
      if (!(rt === 'number' || rt === 'string' || rt === 'function' || repl instanceof LuaTable)) {
        throw argError(3, 'gsub', 'string/function/table expected');
      }
      const anchor = p[0] === '^';
      if (anchor) p = p.slice(1);
      let out = '';
      let src = 0;
      let n = 0;
      try {
        while (n < maxN) {
          const ms = newState(s, p);
          const e = doMatch(ms, src, 0);
          if (e !== -1) {
            n++;
            const whole = s.slice(src, e);
            let value: LuaValue;
            if (typeof repl === 'string' || typeof repl === 'number') {
              const r = typeof repl === 'number' ? numberToString(repl) : repl;
              let buf = '';
              for (let i = 0; i < r.length; i++) {
                const c = r[i];
                if (c !== '%') buf += c;
                else {
                  i++;
                  const d = r[i] ?? '';
                  if (d >= '0' && d <= '9') {
                    const v = d === '0' ? whole : getCapture(ms, d.charCodeAt(0) - 49, src, e);
                    buf += typeof v === 'number' ? numberToString(v) : v;
                  } else buf += d;
                }
              }
              value = buf;
            } else {
              const cap = getCapture(ms, 0, src, e);
              value = repl instanceof LuaTable ? R.index(repl, cap) : R.call(repl, captures(ms, src, e, true))[0];
            }
            if (value === undefined || value === false) out += whole;
            else if (typeof value === 'string' || typeof value === 'number') out += typeof value === 'number' ? numberToString(value) : value;
            else throw R.pos.error(`invalid replacement value (a ${value === true ? 'boolean' : 'table'})`);
          }
          if (e !== -1 && e > src) src = e;
          else if (src < s.length) out += s[src++];
          else break;
          if (anchor) break;
        }
      } catch (e) {
        throw patternError(e);
      }
      return [out + s.slice(src), n];
    },
  };
  const t = new LuaTable();
  for (const [k, f] of Object.entries(lib)) t.set(k, f);
  return t;
}

/** string.format: %d %i %u %c %x %X %o %e %E %f %g %G %q %s %%, with flags, width, precision. */
function format(fmt: string, args: LuaValue[], R: Runtime, argError: (n: number, fname: string, msg: string) => Error): string {
  let out = '';
  let arg = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    if (fmt[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const m = /^([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z])?/.exec(fmt.slice(i + 1))!;
    const [spec, flags, width, prec, conv] = m;
    if (flags!.length > 5 || width!.length > 2 || (prec ?? '').length > 2) throw R.pos.error("invalid format (repeated flags or width/precision too long)");
    i += spec.length;
    const n = ++arg;
    const v = args[n - 1];
    const num = (): number => {
      const x = toNumber(v);
      if (x === undefined) throw argError(n + 1, 'format', `number expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v}`);
      return x;
    };
    let body: string;
    let numeric = true;
    switch (conv) {
      case 'd':
      case 'i': {
        const x = Math.trunc(num());
        body = Math.abs(x).toString();
        if (prec !== undefined) body = body.padStart(Number(prec), '0');
        body = sign(x < 0, flags!) + body;
        break;
      }
      case 'u':
        body = (num() >>> 0).toString();
        break;
      case 'c':
        body = String.fromCharCode(num() & 255);
        numeric = false;
        break;
      case 'x':
      case 'X':
      case 'o': {
        let x = Math.trunc(num());
        if (x < 0) x = Number(BigInt.asUintN(64, BigInt(x)));
        body = x.toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') body = body.toUpperCase();
        if (prec !== undefined) body = body.padStart(Number(prec), '0');
        if (flags!.includes('#') && x !== 0) body = (conv === 'o' ? '0' : conv === 'x' ? '0x' : '0X') + body;
        break;
      }
      case 'e':
      case 'E': {
        const x = num();
        const [mant, en] = Number.isFinite(x) ? toExponentialC(Math.abs(x), prec === undefined ? 6 : Number(prec || 0)) : ['', 0];
        body = sign(x < 0 || Object.is(x, -0), flags!) + mant + 'e' + (en < 0 ? '-' : '+') + String(Math.abs(en)).padStart(2, '0');
        if (!Number.isFinite(x)) body = sign(x < 0, flags!) + (Number.isNaN(x) ? 'nan' : 'inf');
        if (conv === 'E') body = body.toUpperCase();
        break;
      }
      case 'f': {
        const x = num();
        body = Number.isFinite(x) ? sign(x < 0 || Object.is(x, -0), flags!) + toFixedC(Math.abs(x), prec === undefined ? 6 : Number(prec || 0)) : sign(x < 0, flags!) + (Number.isNaN(x) ? 'nan' : 'inf');
        break;
      }
      case 'g':
      case 'G': {
        const x = num();
        body = sign(x < 0 || Object.is(x, -0), flags!) + formatG(Math.abs(x), prec === undefined ? 6 : Number(prec || 0), conv === 'G');
        break;
      }
      case 'q': {
        const s = typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : undefined;
        if (s === undefined) throw argError(n + 1, 'format', `string expected, got ${v === undefined ? 'no value' : typeof v === 'object' ? 'table' : typeof v}`);
        body = '"' + s.replace(/[\\"\n\r\0]/g, (ch) => (ch === '\n' ? '\\\n' : ch === '\r' ? '\\r' : ch === '\0' ? '\\000' : '\\' + ch)) + '"';
        numeric = false;
        break;
      }
      case 's': {
        let s = typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : undefined;
        if (s === undefined) {
          if (v === undefined && n > args.length) throw argError(n + 1, 'format', 'string expected, got no value');
          s = R.tostring(v);
        }
        if (prec !== undefined) s = s.slice(0, Number(prec));
        body = s;
        numeric = false;
        break;
      }
      default:
        throw R.pos.error(`invalid option '%${conv ?? ''}' to 'format'`);
    }
    const w = Number(width || 0);
    if (body.length < w) {
      if (flags!.includes('-')) body = body.padEnd(w, ' ');
      else if (flags!.includes('0') && numeric) {
        const signPart = /^[-+ ]/.test(body) ? body[0]! : '';
        body = signPart + body.slice(signPart.length).padStart(w - signPart.length, '0');
      } else body = body.padStart(w, ' ');
    }
    out += body;
  }
  return out;
}

function sign(negative: boolean, flags: string): string {
  if (negative) return '-';
  if (flags.includes('+')) return '+';
  if (flags.includes(' ')) return ' ';
  return '';
}
