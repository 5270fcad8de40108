// How the Lua debugger shows things (eval.c): a Lua value as ldbCatStackValue writes it, a Redis
// reply in the human form of ldbRedisProtocolToHuman, the debugger's requests as
// ldbReplParseCommand reads them, and its log lines as ldbSendLogs sends them.
import { repr } from '../../util/sds.js';
import { formatG, LuaTable, type LuaValue } from '../lua/values.js';

/** LDB_MAX_VALUES_DEPTH: LUA_MINSTACK / 2. */
const MAX_DEPTH = 10;

/** Stand-ins for the addresses Redis prints for functions ("function@0x..."), stable per object. */
const addresses = new WeakMap<object, string>();
let nextAddress = 0x5581a2c0;
function address(o: object): string {
  let a = addresses.get(o);
  if (a === undefined) {
    nextAddress += 0x40;
    a = `0x${nextAddress.toString(16)}`;
    addresses.set(o, a);
  }
  return a;
}

/** ldbCatStackValueRec: strings quoted, numbers with %g, tables as {a; b} or {[k]=v; ...}. */
export function luaValueRepr(v: LuaValue, level = 0): string {
  if (level === MAX_DEPTH) return '<max recursion level reached! Nested table?>';
  level++;
  switch (typeof v) {
    case 'string':
      return repr(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatG(v, 6);
    case 'undefined':
      return 'nil';
    case 'function':
      return `"function@${address(v)}"`;
    default:
      break;
  }
  if (!(v instanceof LuaTable)) return '"<unknown-lua-type>"';
  // Both forms are built while walking, as Redis does; the array one if the keys were 1, 2, ...
  let expected = 1;
  let isArray = true;
  const asArray: string[] = [];
  const asMap: string[] = [];
  for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) {
    const [k, val] = e;
    if (isArray && (typeof k !== 'number' || k !== expected)) isArray = false;
    const shown = luaValueRepr(val, level);
    asArray.push(shown);
    asMap.push(`[${luaValueRepr(k, level)}]=${shown}`);
    expected++;
  }
  return `{${(isArray ? asArray : asMap).join('; ')}}`;
}

/**
 * ldbRedisProtocolToHuman: a RESP reply (latin1) as the debugger logs it. Returns the text and
 * the offset after the reply.
 */
export function replyToHuman(p: string, at = 0): [string, number] {
  const eol = p.indexOf('\r', at + 1);
  const line = p.slice(at + 1, eol < 0 ? p.length : eol);
  const next = eol < 0 ? p.length : eol + 2;
  const many = (open: string, close: string, pairs: boolean): [string, number] => {
    const n = Number(line);
    if (n === -1 && open === '[') return ['NULL', next];
    let out = open;
    let q = next;
    for (let j = 0; j < n; j++) {
      let s: string;
      [s, q] = replyToHuman(p, q);
      out += s;
      if (pairs) {
        [s, q] = replyToHuman(p, q);
        out += ` => ${s}`;
      }
      if (j !== n - 1) out += ',';
    }
    return [out + close, q];
  };
  switch (p[at]) {
    case ':':
      return [line, next];
    case '$': {
      const n = Number(line);
      if (n === -1) return ['NULL', next];
      return [repr(p.slice(next, next + n)), next + n + 2];
    }
    case '+':
    case '-':
      return [repr(p.slice(at, eol < 0 ? p.length : eol)), next];
    case '*':
      return many('[', ']', false);
    case '~':
      return many('~(', ')', false);
    case '%':
      return many('{', '}', true);
    case '_':
      return ['(null)', next];
    case '#':
      return [p[at + 1] === 't' ? '#true' : '#false', next];
    case ',':
      return [`(double) ${line}`, next];
    default:
      // Types Redis's debugger does not know (big numbers, verbatim strings) add nothing.
      return ['', next];
  }
}

/** C's atoi: leading spaces, a sign, digits; 0 when there are none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return n > 2147483647 || n < -2147483648 ? -1 : n;
}

export const PROTOCOL_ERROR = 'protocol error';

/**
 * ldbReplParseCommand: one request from the debugger's buffer (latin1). The arguments; undefined
 * to read more; or PROTOCOL_ERROR. Forgiving as Redis's: bytes before the '*' are skipped, and
 * arguments must be 1 to 1024 bytes long.
 */
export function parseDebuggerRequest(buf: string): string[] | undefined | typeof PROTOCOL_ERROR {
  if (buf.length === 0) return undefined;
  let p = buf.indexOf('*');
  if (p < 0) return PROTOCOL_ERROR;
  let eol = buf.indexOf('\r\n', p);
  if (eol < 0) return undefined;
  const argc = atoi(buf.slice(p + 1, eol));
  if (argc <= 0 || argc > 1024) return PROTOCOL_ERROR;
  p = eol + 2;
  const argv: string[] = [];
  while (argv.length < argc) {
    if (p >= buf.length) return undefined;
    if (buf[p] !== '$') return PROTOCOL_ERROR;
    eol = buf.indexOf('\r\n', p);
    if (eol < 0) return undefined;
    const len = atoi(buf.slice(p + 1, eol));
    if (len <= 0 || len > 1024) return PROTOCOL_ERROR;
    p = eol + 2;
    if (p + len + 2 > buf.length) return undefined;
    argv.push(buf.slice(p, p + len));
    p += len;
    if (buf[p] !== '\r' || buf[p + 1] !== '\n') return PROTOCOL_ERROR;
    p += 2;
  }
  return argv;
}

/** ldbSendLogs: the lines as a multi-bulk of status replies, CR and LF in them made spaces. */
export function encodeLogs(lines: readonly string[]): Buffer {
  let out = `*${lines.length}\r\n`;
  for (const l of lines) out += `+${l.replace(/[\r\n]/g, ' ')}\r\n`;
  return Buffer.from(out, 'latin1');
}
