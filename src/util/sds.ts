// sds.c's string forms: sdscatrepr (MONITOR lines, logs, CONFIG REWRITE) and sdssplitargs, which
// reads them back (redis.conf lines), byte for byte. Strings are byte strings (latin1).

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

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

/** sds.c sdssplitlen(s, " "): what CONFIG SET does to a multi-argument value ("a  b" has an empty middle). */
export function splitOnSpaces(s: string): string[] {
  return s === '' ? [] : s.split(' ');
}
