// Redis's glob matching (util.c stringmatchlen): KEYS and SCAN MATCH, PUBSUB and PSUBSCRIBE,
// COMMAND LIST FILTERBY PATTERN, CONFIG GET, ACL key and channel patterns.

/** util.c stringmatchlen: glob with * ? [abc] [^a-z] and \ escapes. */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
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
