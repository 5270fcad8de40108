// A command's arguments as the batch delivers them: offsets into the shared arena, or big
// arguments handed over whole. One Args object is reused for every command of a batch, so
// nothing here allocates unless a caller asks for a string or a copy. Views are valid until
// the batch returns; whatever a command keeps it must copy (or take(), for big arguments).
import { SourceView } from '../util/short-copy.js';
import { BIG_ARG_LEN } from './layout.js';
import { markOwned } from './release.js';

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

/** The hash Args.lowerHash computes, for a lower-case name known in advance. */
export function nameHash(lower: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < lower.length; k++) h = Math.imul(h ^ lower.charCodeAt(k), 16777619);
  return h >>> 0;
}

/** Values up to this many bytes are kept as binary strings, larger ones as Buffers. */
export const SMALL_VALUE_MAX = 4096;

// Short arguments (keys above all) seen recently, by a hash of their bytes: a hit hands back the
// same string, which costs no copy out of the arena and arrives with its hash already computed
// for the keyspace Map. Strings are immutable, so sharing one is invisible to the caller.
const INTERN_MAX = 32;
const INTERN_MASK = 4095;
const interned: (string | undefined)[] = new Array<string | undefined>(INTERN_MASK + 1).fill(undefined);
/**
 * The interned strings' bytes, INTERN_MAX / 4 words per slot, whole words only (a tail of under 4
 * bytes is compared with the string): hashing and comparing a word at a time through a DataView
 * takes a 16-byte key from about 45 ns to 15 ns (V8 checks each typed-array element load).
 */
const INTERN_WORDS = INTERN_MAX / 4;
const internedWords = new Int32Array((INTERN_MASK + 1) * INTERN_WORDS);
/** Below this length a byte at a time is as fast (no word to read). */
const INTERN_WORD_MIN = 8;
/**
 * Interning pays while arguments repeat (one hot key, a few thousand) and costs a hash, a cache
 * miss on the slot's string and a store per miss while they don't (keys spread over 100k names).
 * So it is measured, for argument 1 (most commands' key) apart from the others (values, fields,
 * which may repeat when keys don't): every INTERN_WINDOW probes it stays on only if at least 1 in
 * 16 hit; while off, 1 call in INTERN_SAMPLE still probes (and stores), so that a hot set coming
 * back turns it on again.
 */
const INTERN_WINDOW = 4096;
const INTERN_SAMPLE = 64;
interface InternStats {
  on: boolean;
  probes: number;
  hits: number;
  skipped: number;
}
const internStats: readonly InternStats[] = [0, 1].map(() => ({ on: true, probes: 0, hits: 0, skipped: 0 }));

/**
 * Bytes off..off+l of `a` as a string, interned in `slot` (the caller stored its words, when
 * long enough to have them). latin1Slice directly: Buffer#toString's argument handling costs
 * more than the copy here.
 */
function internFresh(a: Buffer, off: number, l: number, slot: number): string {
  const fresh = (a as Latin1Buffer).latin1Slice(off, off + l);
  interned[slot] = fresh;
  return fresh;
}

/** Args.lowerHash of a binary string. */
function lowerHashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < s.length; k++) {
    let b = s.charCodeAt(k);
    if (b >= 65 && b <= 90) b |= 0x20;
    h = Math.imul(h ^ b, 16777619);
  }
  return h >>> 0;
}

function matchesLowerString(s: string, lower: Uint8Array): boolean {
  if (s.length !== lower.length) return false;
  for (let k = 0; k < s.length; k++) {
    let b = s.charCodeAt(k);
    if (b >= 65 && b <= 90) b |= 0x20;
    if (b !== lower[k]) return false;
  }
  return true;
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

/** A buffer of its own holding `b`'s bytes; a short one copied by hand (Buffer#copy's checks cost more). */
function copyOf(b: Uint8Array): Buffer {
  const n = b.length;
  const out = Buffer.allocUnsafe(n);
  if (n > 64) out.set(b);
  else for (let k = 0; k < n; k++) out[k] = b[k]!;
  return out;
}

/** Writes `<mark><n>\r\n` at `o`; returns the offset after it. */
function putHeader(out: Buffer, o: number, mark: number, n: number): number {
  out[o++] = mark;
  const d = digits(n);
  for (let k = d - 1; k >= 0; k--) {
    out[o + k] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  o += d;
  out[o++] = 13;
  out[o++] = 10;
  return o;
}

export class Args {
  /** Number of arguments, the command name included. */
  count = 0;
  private rec: Uint32Array = new Uint32Array(0);
  private base = 0;
  private arena: Buffer = Buffer.alloc(0);
  private bigs: ArrayBuffer[] | undefined;
  /** Set by setStrings: the arguments as binary strings, read as they are (no arena). */
  private strs: readonly string[] | undefined;
  /** A DataView over the arena, made again only when the arena changes. */
  private readonly arenaViews = new SourceView();

  /** @internal Points this object at one command record. */
  bind(rec: Uint32Array, base: number, count: number, arena: Buffer, bigs: ArrayBuffer[] | undefined): void {
    this.rec = rec;
    this.base = base;
    this.count = count;
    this.arena = arena;
    this.bigs = bigs;
    this.strs = undefined;
  }

  /** Points at a standalone argument vector (commands replayed later, tests). */
  static of(values: readonly (Buffer | string)[]): Args {
    const bufs = values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'latin1') : v));
    const total = bufs.reduce((n, b) => n + b.length, 0);
    const arena = Buffer.allocUnsafe(total);
    const rec = new Uint32Array(bufs.length * 2);
    let off = 0;
    bufs.forEach((b, i) => {
      b.copy(arena, off);
      rec[i * 2] = off;
      rec[i * 2 + 1] = b.length;
      off += b.length;
    });
    const a = new Args();
    a.bind(rec, 0, bufs.length, arena, undefined);
    return a;
  }

  /**
   * Points this object at `values`, binary strings (one char per byte) kept as they are: a
   * script's redis.call hands its arguments over without encoding them into bytes and decoding
   * them again. `values` must not change until the command is done.
   */
  setStrings(values: readonly string[]): void {
    this.strs = values;
    this.count = values.length;
  }

  /**
   * The command as RESP (`*N`, then `$len` and each argument) in a buffer of its own, sized first
   * and written straight from the arguments: what the propagation stream keeps of a write.
   */
  encode(): Buffer {
    // A request that lies whole in the arena is copied in one go, not argument by argument.
    if (this.wireSpan()) return copyOf(this.arena.subarray(this.spanStart, this.spanEnd));
    const n = this.count;
    let size = 3 + digits(n);
    for (let i = 0; i < n; i++) {
      const l = this.len(i);
      size += 5 + digits(l) + l;
    }
    const out = Buffer.allocUnsafe(size);
    let o = putHeader(out, 0, 42, n);
    for (let i = 0; i < n; i++) {
      o = putHeader(out, o, 36, this.len(i));
      o += this.copyTo(i, out, o);
      out[o++] = 13;
      out[o++] = 10;
    }
    return out;
  }

  /** Where wireSpan() found the request in the arena (source()): bytes spanStart..spanEnd. */
  spanStart = 0;
  spanEnd = 0;

  /** The arena the arguments lie in (bytes of wireSpan()). */
  source(): Buffer {
    return this.arena;
  }

  /**
   * Whether the request lies whole in the arena in the form encode() writes (a multibulk request
   * without a big argument): then spanStart..spanEnd of source() are its bytes, valid until the
   * batch returns. The propagation stream takes them from there without a buffer of their own.
   */
  wireSpan(): boolean {
    if (this.strs !== undefined || this.count === 0) return false;
    const rec = this.rec;
    const arena = this.arena;
    const first = rec[this.base]!;
    const firstLen = rec[this.base + 1]!;
    if (firstLen === BIG_ARG_LEN) return false;
    const start = first - (1 + digits(this.count) + 2 + 1 + digits(firstLen) + 2);
    if (start < 0 || arena[start] !== 42 /* * */) return false;
    let at = start + 1 + digits(this.count) + 2;
    for (let i = 0; i < this.count; i++) {
      const off = rec[this.base + 2 * i]!;
      const len = rec[this.base + 2 * i + 1]!;
      if (len === BIG_ARG_LEN || arena[at] !== 36 /* $ */ || off !== at + 1 + digits(len) + 2) return false;
      at = off + len;
      if (arena[at] !== 13 || arena[at + 1] !== 10) return false;
      at += 2;
    }
    this.spanStart = start;
    this.spanEnd = at;
    return true;
  }

  /** A detached copy that outlives the batch (blocked or queued commands). */
  detach(): Args {
    const vals: Buffer[] = [];
    for (let i = 0; i < this.count; i++) vals.push(Buffer.from(this.buf(i)));
    return Args.of(vals);
  }

  len(i: number): number {
    if (this.strs !== undefined) return this.strs[i]!.length;
    const l = this.rec[this.base + 2 * i + 1];
    if (l !== BIG_ARG_LEN) return l;
    return this.bigs![this.rec[this.base + 2 * i]].byteLength - 2;
  }

  /** Copies argument i's bytes into `out` at `at`; returns how many (the propagation stream's encoder). */
  copyTo(i: number, out: Buffer, at: number): number {
    if (this.strs !== undefined) return out.latin1Write(this.strs[i]!, at, this.strs[i]!.length);
    const off = this.rec[this.base + 2 * i];
    const l = this.rec[this.base + 2 * i + 1];
    if (l === BIG_ARG_LEN) {
      // Copied, not handed out: no view, no mark.
      const ab = this.bigs![off]!;
      out.set(new Uint8Array(ab, 0, ab.byteLength - 2), at);
      return ab.byteLength - 2;
    }
    return this.arena.copy(out, at, off, off + l);
  }

  /** A view of argument i (no copy). */
  buf(i: number): Buffer {
    if (this.strs !== undefined) return Buffer.from(this.strs[i]!, 'latin1');
    const off = this.rec[this.base + 2 * i];
    const l = this.rec[this.base + 2 * i + 1];
    if (l !== BIG_ARG_LEN) return this.arena.subarray(off, off + l);
    const ab = this.bigs![off];
    markOwned(ab);
    return Buffer.from(ab, 0, ab.byteLength - 2);
  }

  /** Argument i as a binary string (one char per byte): keys, names, numbers. */
  str(i: number): string {
    if (this.strs !== undefined) return this.strs[i]!;
    const off = this.rec[this.base + 2 * i];
    const l = this.rec[this.base + 2 * i + 1];
    if (l === BIG_ARG_LEN) return this.buf(i).toString('latin1');
    const a = this.arena;
    if (l > INTERN_MAX) return (a as Latin1Buffer).latin1Slice(off, off + l);
    const end = off + l;
    const intern = internStats[i === 1 ? 0 : 1]!;
    if (!intern.on) {
      if (++intern.skipped < INTERN_SAMPLE) return (a as Latin1Buffer).latin1Slice(off, end);
      intern.skipped = 0;
    }
    if (++intern.probes === INTERN_WINDOW) {
      intern.on = intern.hits * 16 >= INTERN_WINDOW;
      intern.probes = intern.hits = 0;
    }
    return l < INTERN_WORD_MIN ? this.internBytes(a, off, l, intern) : this.internWords(a, off, l, intern);
  }

  /** The interned string of bytes off..off+l of `a`, hashed and compared a byte at a time (short arguments). */
  private internBytes(a: Buffer, off: number, l: number, intern: InternStats): string {
    const end = off + l;
    let h = 0x811c9dc5 ^ l;
    for (let k = off; k < end; k++) h = Math.imul(h ^ a[k]!, 16777619);
    const slot = (h ^ (h >>> 15)) & INTERN_MASK;
    const s = interned[slot];
    if (s !== undefined && s.length === l) {
      let k = 0;
      while (k < l && s.charCodeAt(k) === a[off + k]) k++;
      if (k === l) {
        intern.hits++;
        return s;
      }
    }
    return internFresh(a, off, l, slot);
  }

  /** As internBytes, a word at a time (the interned bytes kept in internedWords). */
  private internWords(a: Buffer, off: number, l: number, intern: InternStats): string {
    const v = this.arenaViews.of(this.arena);
    const end = off + l;
    const whole = off + (l & ~3);
    let h = 0x811c9dc5 ^ l;
    let k = off;
    for (; k < whole; k += 4) h = Math.imul(h ^ v.getInt32(k, true), 16777619);
    for (; k < end; k++) h = Math.imul(h ^ a[k]!, 16777619);
    const slot = (h ^ (h >>> 15)) & INTERN_MASK;
    const s = interned[slot];
    if (s !== undefined && s.length === l) {
      let w = slot * INTERN_WORDS;
      k = off;
      while (k < whole && internedWords[w] === v.getInt32(k, true)) {
        k += 4;
        w++;
      }
      if (k === whole) {
        while (k < end && s.charCodeAt(k - off) === a[k]) k++;
        if (k === end) {
          intern.hits++;
          return s;
        }
      }
    }
    let w = slot * INTERN_WORDS;
    for (k = off; k < whole; k += 4) internedWords[w++] = v.getInt32(k, true);
    return internFresh(a, off, l, slot);
  }


  /** FNV-1a over argument i's bytes with ASCII letters lower-cased: command lookup, no string. */
  lowerHash(i: number): number {
    if (this.strs !== undefined) return lowerHashOf(this.strs[i]!);
    const off = this.rec[this.base + 2 * i];
    const l = this.rec[this.base + 2 * i + 1];
    if (l === BIG_ARG_LEN) return 0;
    const a = this.arena;
    let h = 0x811c9dc5;
    for (let k = off, end = off + l; k < end; k++) {
      let b = a[k];
      if (b >= 65 && b <= 90) b |= 0x20;
      h = Math.imul(h ^ b, 16777619);
    }
    return h >>> 0;
  }

  /** True when argument i equals `lower` (lower-case ASCII bytes), ignoring ASCII case. */
  matchesLower(i: number, lower: Uint8Array): boolean {
    if (this.strs !== undefined) return matchesLowerString(this.strs[i]!, lower);
    const off = this.rec[this.base + 2 * i];
    const l = this.rec[this.base + 2 * i + 1];
    if (l !== lower.length) return false;
    const a = this.arena;
    for (let k = 0; k < l; k++) {
      let b = a[off + k];
      if (b >= 65 && b <= 90) b |= 0x20;
      if (b !== lower[k]) return false;
    }
    return true;
  }

  /** Argument i lower-cased (ASCII), for keywords. */
  lower(i: number): string {
    return this.str(i).toLowerCase();
  }

  /** Case-insensitive compare with an ASCII keyword given in lower case. */
  is(i: number, lowerKeyword: string): boolean {
    if (this.len(i) !== lowerKeyword.length) return false;
    return this.lower(i) === lowerKeyword;
  }

  /**
   * Argument i as a value to store: a binary string when small (cheaper to keep than a Buffer),
   * else an owned Buffer (big arguments handed over without a copy). See data/keyspace.ts.
   */
  value(i: number): string | Buffer {
    if (this.strs !== undefined) {
      const v = this.strs[i]!;
      return v.length <= SMALL_VALUE_MAX ? v : Buffer.from(v, 'latin1');
    }
    const l = this.rec[this.base + 2 * i + 1];
    return l !== BIG_ARG_LEN && l <= SMALL_VALUE_MAX ? this.str(i) : this.take(i);
  }

  /** A copy of argument i that the caller owns. Big arguments are handed over without a copy. */
  take(i: number): Buffer {
    if (this.strs !== undefined) return Buffer.from(this.strs[i]!, 'latin1');
    const l = this.rec[this.base + 2 * i + 1];
    if (l === BIG_ARG_LEN) return this.buf(i);
    return Buffer.from(this.buf(i));
  }
}
