// Scenario helpers shared by scripts/record-scenario.mjs and test/helpers.ts (replayScenario):
// redis-cli style line splitting, RESP request encoding, and finding where a reply ends.

/** Splits a line like redis-cli (quotes, \xHH escapes) into argument byte strings (latin1). */
export function splitCommandLine(line) {
  const out = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) break;
    let cur = '';
    if (line[i] === '"' || line[i] === "'") {
      const q = line[i++];
      while (i < line.length && line[i] !== q) {
        if (q === '"' && line[i] === '\\' && i + 1 < line.length) {
          const n = line[i + 1];
          if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          cur += { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' }[n] ?? n;
          i += 2;
          continue;
        }
        cur += line[i++];
      }
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i])) cur += line[i++];
    }
    out.push(Buffer.from(cur, 'utf8').toString('latin1'));
  }
  return out;
}

export function encode(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

/**
 * Where the RESP2/RESP3 value starting at `pos` of `s` (latin1) ends, or -1 when it has not fully
 * arrived; throws when `s` holds no RESP value there. An attribute (`|`) is not a value by
 * itself: it ends with the value that follows it.
 */
export function valueEnd(s, pos) {
  const eol = s.indexOf('\r\n', pos);
  if (eol < 0) return -1;
  const t = s[pos];
  const head = s.slice(pos + 1, eol);
  if ('+-:_,#('.includes(t)) return eol + 2;
  if (t === '$' || t === '=' || t === '!') {
    const n = Number(head);
    if (n < 0) return eol + 2;
    return s.length >= eol + 2 + n + 2 ? eol + 2 + n + 2 : -1;
  }
  if ('*%~>|'.includes(t)) {
    let n = Number(head);
    if (n < 0) return eol + 2;
    if (t === '%' || t === '|') n *= 2;
    let p = eol + 2;
    for (let k = 0; k < n; k++) {
      p = valueEnd(s, p);
      if (p < 0) return -1;
    }
    return t === '|' ? valueEnd(s, p) : p;
  }
  throw new Error(`not a RESP value at ${pos}: ${JSON.stringify(s.slice(pos, pos + 20))}`);
}

/** Bytes of the first complete RESP value in `buf`, or 0 if it is not all there. */
export function replyLength(buf) {
  const n = buf.length ? valueEnd(buf.toString('latin1'), 0) : -1;
  return n < 0 ? 0 : n;
}

/**
 * The RESP reply `s` (latin1) with volatile values masked: every string and integer is passed to
 * `mask` and written back with its length recomputed, so replies from servers whose node ids or
 * ports differ compare byte for byte.
 */
export function maskReply(s, mask) {
  let out = '';
  const walk = (pos) => {
    const eol = s.indexOf('\r\n', pos);
    const t = s[pos];
    const head = s.slice(pos + 1, eol);
    if ('+-:_,#('.includes(t)) {
      out += t + mask(head) + '\r\n';
      return eol + 2;
    }
    if (t === '$' || t === '=' || t === '!') {
      const n = Number(head);
      if (n < 0) {
        out += s.slice(pos, eol + 2);
        return eol + 2;
      }
      const body = mask(s.slice(eol + 2, eol + 2 + n));
      out += `${t}${body.length}\r\n${body}\r\n`;
      return eol + 2 + n + 2;
    }
    let n = Number(head);
    out += s.slice(pos, eol + 2);
    if (n < 0) return eol + 2;
    if (t === '%' || t === '|') n *= 2;
    let p = eol + 2;
    for (let k = 0; k < n; k++) p = walk(p);
    return p;
  };
  walk(0);
  return out;
}

/** A masker for cluster replies: the node id, shard id and ports replaced by names. */
export function clusterMasker({ id, shardId, port, cport }) {
  const pairs = [[id, '<node-id>'], [shardId, '<shard-id>'], [String(cport), '<cport>'], [String(port), '<port>']].filter(([v]) => v);
  return (text) => {
    for (const [v, name] of pairs) text = text.replace(new RegExp(`\\b${v}\\b`, 'g'), name);
    return text;
  };
}
