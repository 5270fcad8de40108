// LZF (liblzf 3.6, as Redis builds it: HLOG 16, VERY_FAST): what RDB strings and DUMP payloads
// are compressed with. lzfCompress returns undefined when the result would not fit in `maxOut`
// bytes (Redis then stores the string as it is); lzfDecompress undefined on corrupt input.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * The hash table of positions, shared by every call: an entry counts only when stamped with the
 * current call's generation, so each call starts from an empty table (as a fresh one would) without
 * allocating and zeroing 256 KiB, which cost more than compressing a short string itself.
 * Entries are positions + 1, as liblzf's table of pointers.
 */
const htab = new Int32Array(HSIZE);
const htabGen = new Uint32Array(HSIZE);
let gen = 0;

const idx = (h: number): number => (((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) >>> 0) & (HSIZE - 1);

export function lzfCompress(input: Uint8Array, maxOut: number): Uint8Array | undefined {
  const inLen = input.length;
  if (inLen === 0 || maxOut <= 0) return undefined;
  const out = new Uint8Array(maxOut);
  if (++gen === 0x100000000) {
    htabGen.fill(0);
    gen = 1;
  }
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start run
  let hval = (input[0]! << 8) | input[1]!;
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]!) >>> 0;
    const slot = idx(hval);
    const ref = htabGen[slot] === gen ? htab[slot]! - 1 : -1;
    htab[slot] = ip + 1;
    htabGen[slot] = gen;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inLen - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= maxOut && op - (lit ? 0 : 1) + 3 + 1 >= maxOut) return undefined;
      out[op - lit - 1] = lit - 1; // stop run
      if (!lit) op--; // undo run if length is zero
      do len++;
      while (len < maxlen && input[ref + len] === input[ip + len]);
      len -= 2; // len is now #octets - 1
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      ip -= 2;
      hval = (input[ip]! << 8) | input[ip + 1]!;
      hval = ((hval << 8) | input[ip + 2]!) >>> 0;
      let h = idx(hval);
      htab[h] = ip + 1;
      htabGen[h] = gen;
      ip++;
      hval = ((hval << 8) | input[ip + 2]!) >>> 0;
      h = idx(hval);
      htab[h] = ip + 1;
      htabGen[h] = gen;
      ip++;
    } else {
      if (op >= maxOut) return undefined;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > maxOut) return undefined;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (!lit) op--;
  return out.subarray(0, op);
}

export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array | undefined {
  const out = new Uint8Array(outLen);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++]!;
    if (ctrl < 1 << 5) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > input.length) return undefined;
      for (let k = 0; k < ctrl; k++) out[op++] = input[ip++]!;
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= input.length) return undefined;
      if (len === 7) {
        len += input[ip++]!;
        if (ip >= input.length) return undefined;
      }
      ref -= input[ip++]!;
      if (op + len + 2 > outLen || ref < 0) return undefined;
      len += 2;
      for (let k = 0; k < len; k++) out[op++] = out[ref++]!;
    }
  }
  return op === outLen ? out : undefined;
}
