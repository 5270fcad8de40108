// Redis's glob matching (util.c stringmatchlen): * ? [...] [^...] ranges and \\ escapes.

/** Redis's stringmatchlen, enough for COMMAND LIST FILTERBY PATTERN and CONFIG GET. */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  const p = nocase ? pattern.toLowerCase() : pattern;
  const t = nocase ? s.toLowerCase() : s;
  const m = (pi: number, si: number): boolean => {
    while (pi < p.length) {
      const c = p[pi];
      if (c === '*') {
        while (p[pi + 1] === '*') pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= t.length; k++) if (m(pi + 1, k)) return true;
        return false;
      }
      if (si >= t.length) return false;
      if (c === '?') {
        pi++;
        si++;
        continue;
      }
      if (c === '[') {
        let j = pi + 1;
        const not = p[j] === '^';
        if (not) j++;
        let matched = false;
        while (j < p.length && p[j] !== ']') {
          if (p[j] === '\\' && j + 1 < p.length) {
            j++;
            if (p[j] === t[si]) matched = true;
          } else if (p[j + 1] === '-' && j + 2 < p.length && p[j + 2] !== ']') {
            let lo = p[j], hi = p[j + 2];
            if (lo > hi) [lo, hi] = [hi, lo];
            if (t[si] >= lo && t[si] <= hi) matched = true;
            j += 2;
          } else if (p[j] === t[si]) matched = true;
          j++;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        pi = j + 1;
        si++;
        continue;
      }
      if (c === '\\' && pi + 1 < p.length) pi++;
      if (p[pi] !== t[si]) return false;
      pi++;
      si++;
    }
    return si === t.length;
  };
  return m(0, 0);
}
