// C string and number primitives the config layer shares (util.c, sds.c, libc), byte-for-byte in
// behaviour: number parsing, redis.conf tokenizing and quoting, glob matching, strerror texts.
// Strings here are "byte strings" where Redis works on bytes (see load.ts).
import { LLONG_MAX, ULLONG_MAX } from './directives.js';

const U64 = 1n << 64n;
const U64_MAX = U64 - 1n;
const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);

/** The exact 64-bit value behind a bound of the table (see LLONG_MAX / ULLONG_MAX there). */
export function exactBound(n: number): bigint {
  if (n === ULLONG_MAX) return U64_MAX;
  if (n === LLONG_MAX) return I64_MAX;
  if (n === -LLONG_MAX) return I64_MIN;
  return BigInt(n);
}

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

const MEMORY_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n * 1000n, mb: 1024n * 1024n, g: 1000n ** 3n, gb: 1024n ** 3n,
};

/**
 * util.c memtoull: digits then an optional unit (1k = 1000, 1kb = 1024, case-insensitive). Matches
 * redis-server 7.0.15 at the edges: "" is 0, digits past 2^64-1 saturate, and the unit multiply wraps.
 */
export function memtoull(s: string): bigint | undefined {
  if (s.startsWith('-')) return undefined;
  let u = 0;
  while (u < s.length && s.charCodeAt(u) >= 48 && s.charCodeAt(u) <= 57) u++;
  const mul = MEMORY_UNITS[s.slice(u).toLowerCase()];
  if (mul === undefined || u >= 128) return undefined;
  let val = u === 0 ? 0n : BigInt(s.slice(0, u));
  if (val > U64_MAX) val = U64_MAX;
  return (val * mul) % U64;
}

/** util.c string2ll: strict decimal, no spaces, no '+', no leading zeros, within 64 bits. */
export function string2ll(s: string): bigint | undefined {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < I64_MIN || v > I64_MAX ? undefined : v;
}

/** strtoll(s, &end, base): the value (saturated) and whether parsing consumed the whole string. */
export function strtoll(s: string, base: 8 | 10): { value: bigint; whole: boolean; overflow: boolean } {
  let p = 0;
  while (isSpace(s[p])) p++;
  let neg = false;
  if (s[p] === '+' || s[p] === '-') neg = s[p++] === '-';
  const start = p;
  const digit = base === 8 ? /[0-7]/ : /[0-9]/;
  while (p < s.length && digit.test(s[p] as string)) p++;
  if (p === start) return { value: 0n, whole: s.length === 0, overflow: false }; // end = start of s
  let v = BigInt(base === 8 ? '0o' + s.slice(start, p) : s.slice(start, p));
  if (neg) v = -v;
  const overflow = v > I64_MAX || v < I64_MIN;
  if (v > I64_MAX) v = I64_MAX;
  if (v < I64_MIN) v = I64_MIN;
  return { value: v, whole: p === s.length, overflow };
}

/** util.c string2d (strtod, whole string, no leading space, no overflow or NaN). */
export function string2d(s: string): number | undefined {
  if (s === '' || isSpace(s[0])) return undefined;
  if (!/^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|inf|infinity)$/i.test(s)) return undefined;
  const v = /inf/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
  if (!/inf/i.test(s) && !Number.isFinite(v)) return undefined; // ERANGE overflow
  if (v === 0 && /[1-9]/.test(s.replace(/e.*$/i, ''))) return undefined; // ERANGE underflow
  return v;
}

/** printf("%f") then util.c trimDoubleString. */
export function formatDouble(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  let t = v.toFixed(6);
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t;
}

/** sds.c sdssplitlen(s, " "): what CONFIG SET does to a multi-argument value ("a  b" has an empty middle). */
export function splitOnSpaces(s: string): string[] {
  return s === '' ? [] : s.split(' ');
}

/**
 * sds.c sdssplitargs: the tokenizer of redis.conf lines (and of a single multi-argument flag value).
 * Returns undefined on unbalanced quotes or a closing quote not followed by a space.
 */
export function splitArgs(line: string): string[] | undefined {
  const out: string[] = [];
  let p = 0;
  const hex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);
  for (;;) {
    while (isSpace(line[p])) p++;
    if (p >= line.length) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    for (let done = false; !done; ) {
      const c = line[p];
      if (inq) {
        if (c === '\\' && line[p + 1] === 'x' && hex(line[p + 2]) && hex(line[p + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === '\\' && p + 1 < line.length) {
          p++;
          const e = line[p] as string;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (p + 1 < line.length && !isSpace(line[p + 1])) return undefined;
          done = true;
        } else if (c === undefined) {
          return undefined;
        } else {
          cur += c;
        }
      } else if (insq) {
        if (c === '\\' && line[p + 1] === "'") {
          p++;
          cur += "'";
        } else if (c === "'") {
          if (p + 1 < line.length && !isSpace(line[p + 1])) return undefined;
          done = true;
        } else if (c === undefined) {
          return undefined;
        } else {
          cur += c;
        }
      } else if (c === undefined || c === ' ' || c === '\n' || c === '\r' || c === '\t') {
        done = true;
      } else if (c === '"') {
        inq = true;
      } else if (c === "'") {
        insq = true;
      } else {
        cur += c;
      }
      if (p < line.length) p++;
    }
    out.push(cur);
  }
}

/** util.c stringmatchlen: glob with * ? [abc] [^a-z] and \ escapes. */
export function stringMatch(pattern: string, str: string, nocase: boolean): boolean {
  const low = (c: string | undefined) => (c !== undefined && nocase ? c.toLowerCase() : c);
  const skipLonger = { v: false };
  const match = (p: number, s: number): boolean => {
    const plen = pattern.length;
    const slen = str.length;
    while (p < plen && s < slen) {
      const c = pattern[p];
      if (c === '*') {
        while (p + 1 < plen && pattern[p + 1] === '*') p++;
        if (p + 1 === plen) return true;
        while (s < slen) {
          if (match(p + 1, s)) return true;
          if (skipLonger.v) return false;
          s++;
        }
        skipLonger.v = true;
        return false;
      } else if (c === '?') {
        s++;
      } else if (c === '[') {
        p++;
        const not = pattern[p] === '^';
        if (not) p++;
        let hit = false;
        for (;;) {
          if (pattern[p] === '\\' && plen - p >= 2) {
            p++;
            if (pattern[p] === str[s]) hit = true;
          } else if (pattern[p] === ']') {
            break;
          } else if (p >= plen) {
            p--;
            break;
          } else if (plen - p >= 3 && pattern[p + 1] === '-') {
            let start = pattern.charCodeAt(p);
            let end = pattern.charCodeAt(p + 2);
            let ch = str.charCodeAt(s);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = (low(String.fromCharCode(start)) as string).charCodeAt(0);
              end = (low(String.fromCharCode(end)) as string).charCodeAt(0);
              ch = (low(str[s]) as string).charCodeAt(0);
            }
            p += 2;
            if (ch >= start && ch <= end) hit = true;
          } else if (low(pattern[p]) === low(str[s])) {
            hit = true;
          }
          p++;
        }
        if (not) hit = !hit;
        if (!hit) return false;
        s++;
      } else {
        if (c === '\\' && plen - p >= 2) p++;
        if (low(pattern[p]) !== low(str[s])) return false;
        s++;
      }
      p++;
      if (s === slen) {
        while (pattern[p] === '*') p++;
        break;
      }
    }
    return p === plen && s === slen;
  };
  return match(0, 0);
}

/** sds.c sdscatrepr: `s` (a byte string) in double quotes, escaped so that splitArgs reads it back. */
export function repr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '\\x' + c.toString(16).padStart(2, '0');
  }
  return out + '"';
}

// glibc's strerror() texts for the errno codes file operations meet; Node reports errno by name.
const STRERROR: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EIO: 'Input/output error',
  EEXIST: 'File exists',
  EBUSY: 'Device or resource busy',
  EXDEV: 'Invalid cross-device link',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ETXTBSY: 'Text file busy',
  EFBIG: 'File too large',
  EINVAL: 'Invalid argument',
};

/** strerror() text for a Node errno code ("ENOENT"); an unknown code is returned as is. */
export function strerror(code: string | undefined): string {
  return (code !== undefined ? STRERROR[code] : undefined) ?? code ?? 'Unknown error';
}
