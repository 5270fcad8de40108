// Lua 5.1 patterns (lstrlib.c's matcher): character classes %a %d %s %w %x %p %c %l %u %z and
// their complements, sets [...], the quantifiers * + - ?, anchors, captures (including position
// captures), back references %1-%9, %b balanced matches and the %f frontier.

const L_ESC = '%';
// Lua 5.1 sets no depth limit (the C stack is the limit); a JavaScript stack overflow ends a
// runaway match as "stack overflow" instead.
const MAXCCALLS = 1_000_000;
export const CAP_UNFINISHED = -1;
export const CAP_POSITION = -2;

export class PatternError extends Error {}

export interface MatchState {
  src: string;
  pat: string;
  level: number;
  capture: { init: number; len: number }[];
  depth: number;
}

function classEnd(ms: MatchState, p: number): number {
  const pat = ms.pat;
  if (pat[p++] === L_ESC) {
    if (p >= pat.length) throw new PatternError('malformed pattern (ends with ' + "'%'" + ')');
    return p + 1;
  }
  if (pat[p - 1] === '[') {
    if (pat[p] === '^') p++;
    do {
      if (p >= pat.length) throw new PatternError("malformed pattern (missing ']')");
      const c = pat[p++];
      if (c === L_ESC && p < pat.length) p++;
    } while (pat[p] !== ']');
    return p + 1;
  }
  return p;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}
function isPunct(c: number): boolean {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

function singleClass(c: number, cl: string): boolean {
  let res: boolean;
  switch (cl.toLowerCase()) {
    case 'a':
      res = isAlpha(c);
      break;
    case 'c':
      res = c < 32 || c === 127;
      break;
    case 'd':
      res = isDigit(c);
      break;
    case 'l':
      res = c >= 97 && c <= 122;
      break;
    case 'p':
      res = isPunct(c);
      break;
    case 's':
      res = isSpace(c);
      break;
    case 'u':
      res = c >= 65 && c <= 90;
      break;
    case 'w':
      res = isAlpha(c) || isDigit(c);
      break;
    case 'x':
      res = isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
      break;
    case 'z':
      res = c === 0;
      break;
    default:
      return cl.charCodeAt(0) === c;
  }
  return cl >= 'A' && cl <= 'Z' ? !res : res;
}

function matchClass(ms: MatchState, c: number, p: number, ep: number): boolean {
  const pat = ms.pat;
  let sig = true;
  p++;
  if (pat[p] === '^') {
    sig = false;
    p++;
  }
  while (p < ep - 1) {
    if (pat[p] === L_ESC) {
      p++;
      if (singleClass(c, pat[p]!)) return sig;
      p++;
    } else if (pat[p + 1] === '-' && p + 2 < ep - 1) {
      if (pat.charCodeAt(p) <= c && c <= pat.charCodeAt(p + 2)) return sig;
      p += 3;
    } else {
      if (pat.charCodeAt(p) === c) return sig;
      p++;
    }
  }
  return !sig;
}

function singleMatch(ms: MatchState, s: number, p: number, ep: number): boolean {
  if (s >= ms.src.length) return false;
  const c = ms.src.charCodeAt(s);
  switch (ms.pat[p]) {
    case '.':
      return true;
    case L_ESC:
      return singleClass(c, ms.pat[p + 1]!);
    case '[':
      return matchClass(ms, c, p, ep);
    default:
      return ms.pat.charCodeAt(p) === c;
  }
}

function matchBalance(ms: MatchState, s: number, p: number): number {
  if (p + 1 >= ms.pat.length) throw new PatternError('unbalanced pattern');
  if (ms.src[s] !== ms.pat[p]) return -1;
  const b = ms.pat[p];
  const e = ms.pat[p + 1];
  let cont = 1;
  while (++s < ms.src.length) {
    if (ms.src[s] === e) {
      if (--cont === 0) return s + 1;
    } else if (ms.src[s] === b) cont++;
  }
  return -1;
}

function maxExpand(ms: MatchState, s: number, p: number, ep: number): number {
  let i = 0;
  while (singleMatch(ms, s + i, p, ep)) i++;
  while (i >= 0) {
    const res = doMatch(ms, s + i, ep + 1);
    if (res !== -1) return res;
    i--;
  }
  return -1;
}

function minExpand(ms: MatchState, s: number, p: number, ep: number): number {
  for (;;) {
    const res = doMatch(ms, s, ep + 1);
    if (res !== -1) return res;
    if (singleMatch(ms, s, p, ep)) s++;
    else return -1;
  }
}

function startCapture(ms: MatchState, s: number, p: number, what: number): number {
  ms.capture[ms.level] = { init: s, len: what };
  ms.level++;
  const res = doMatch(ms, s, p);
  if (res === -1) ms.level--;
  return res;
}

function endCapture(ms: MatchState, s: number, p: number): number {
  const l = captureToClose(ms);
  ms.capture[l]!.len = s - ms.capture[l]!.init;
  const res = doMatch(ms, s, p);
  if (res === -1) ms.capture[l]!.len = CAP_UNFINISHED;
  return res;
}

function captureToClose(ms: MatchState): number {
  let level = ms.level;
  for (level--; level >= 0; level--) if (ms.capture[level]!.len === CAP_UNFINISHED) return level;
  throw new PatternError('invalid pattern capture');
}

function checkCapture(ms: MatchState, l: string): number {
  const n = l.charCodeAt(0) - 49;
  if (n < 0 || n >= ms.level || ms.capture[n]!.len === CAP_UNFINISHED) throw new PatternError('invalid capture index');
  return n;
}

function matchCapture(ms: MatchState, s: number, l: string): number {
  const n = checkCapture(ms, l);
  const cap = ms.capture[n]!;
  const text = ms.src.substr(cap.init, cap.len);
  if (ms.src.length - s >= cap.len && ms.src.substr(s, cap.len) === text) return s + cap.len;
  return -1;
}

/** do_match: the end of the match of pat[p..] at src[s..], or -1. */
export function doMatch(ms: MatchState, s: number, p: number): number {
  if (++ms.depth > MAXCCALLS) throw new PatternError('pattern too complex');
  try {
    const pat = ms.pat;
    for (;;) {
      if (p >= pat.length) return s;
      switch (pat[p]) {
        case '(':
          if (pat[p + 1] === ')') return startCapture(ms, s, p + 2, CAP_POSITION);
          return startCapture(ms, s, p + 1, CAP_UNFINISHED);
        case ')':
          return endCapture(ms, s, p + 1);
        case L_ESC: {
          const n = pat[p + 1];
          if (n === 'b') {
            s = matchBalance(ms, s, p + 2);
            if (s !== -1) {
              p += 4;
              continue;
            }
            return -1;
          }
          if (n === 'f') {
            p += 2;
            if (pat[p] !== '[') throw new PatternError("missing '[' after '%f' in pattern");
            const ep = classEnd(ms, p);
            const prev = s === 0 ? 0 : ms.src.charCodeAt(s - 1);
            const cur = s < ms.src.length ? ms.src.charCodeAt(s) : 0;
            if (!matchClass(ms, prev, p, ep) && matchClass(ms, cur, p, ep)) {
              p = ep;
              continue;
            }
            return -1;
          }
          if (n !== undefined && isDigit(n.charCodeAt(0))) {
            s = matchCapture(ms, s, n);
            if (s === -1) return -1;
            p += 2;
            continue;
          }
          break;
        }
        case '$':
          if (p + 1 === pat.length) return s === ms.src.length ? s : -1;
          break;
        default:
          break;
      }
      const ep = classEnd(ms, p);
      const m = s < ms.src.length && singleMatch(ms, s, p, ep);
      switch (pat[ep]) {
        case '?': {
          if (m) {
            const res = doMatch(ms, s + 1, ep + 1);
            if (res !== -1) return res;
          }
          p = ep + 1;
          continue;
        }
        case '*':
          return maxExpand(ms, s, p, ep);
        case '+':
          return m ? maxExpand(ms, s + 1, p, ep) : -1;
        case '-':
          return minExpand(ms, s, p, ep);
        default:
          if (!m) return -1;
          s++;
          p = ep;
          continue;
      }
    }
  } finally {
    ms.depth--;
  }
}

export function newState(src: string, pat: string): MatchState {
  return { src, pat, level: 0, capture: [], depth: 0 };
}

/** Capture i of a match from s to e: a string, a position (number), or the whole match. */
export function getCapture(ms: MatchState, i: number, s: number, e: number): string | number {
  if (i >= ms.level) {
    if (i === 0) return ms.src.slice(s, e);
    throw new PatternError('invalid capture index');
  }
  const cap = ms.capture[i]!;
  if (cap.len === CAP_UNFINISHED) throw new PatternError('unfinished capture');
  if (cap.len === CAP_POSITION) return cap.init + 1;
  return ms.src.substr(cap.init, cap.len);
}

export const SPECIALS = /[\^$*+?.()[\]%-]/;
