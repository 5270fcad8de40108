// Redis's listpack (listpack.c), byte for byte: a 6-byte header (total bytes, element count), the
// elements, and a 0xFF terminator. Each element is an encoding byte (7-bit uint, 6/12/32-bit
// string length, 13/16/24/32/64-bit int), its data, and a back-length so it can be walked from
// the right. A string that is a canonical int64 is stored as that integer (lpStringToInt64).
// Streams keep their nodes in listpacks so that node boundaries, trimming with `~` and sizes
// match Redis's, and so that RDB and DUMP can carry the bytes as they are.

/** An element as read back: a string (one char per byte) or an integer. */
export type LpInt = number | bigint;

const HDR = 6;
const EOF = 0xff;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, off: number): number;
}

/** lpStringToInt64: the integer a string spells canonically (no sign but '-', no leading zero), or undefined. */
export function lpStringToInt(s: string): LpInt | undefined {
  const n = s.length;
  if (n === 0 || n >= 21) return undefined;
  if (n === 1 && s === '0') return 0;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return undefined;
  const c0 = s.charCodeAt(i);
  if (c0 < 49 || c0 > 57) return undefined;
  for (let k = i + 1; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return undefined;
  }
  if (n <= 15) return Number(s);
  const b = BigInt(s);
  if (b < I64_MIN || b > I64_MAX) return undefined;
  return Number.isSafeInteger(Number(b)) ? Number(b) : b;
}

/** Bytes an integer's encoding takes (lpEncodeIntegerGetType). */
function intEncLen(v: LpInt): number {
  if (typeof v === 'bigint') {
    if (v >= -2147483648n && v <= 2147483647n) return intEncLen(Number(v));
    return 9;
  }
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function strEncLen(len: number): number {
  return len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
}

/** Bytes of the back-length of an element whose encoding takes `l` bytes (lpEncodeBacklen). */
function backlenLen(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes an integer element takes in a listpack, back-length included. */
export function lpIntSize(v: LpInt): number {
  const l = intEncLen(v);
  return l + backlenLen(l);
}

/** Bytes a string element takes (stored as an integer when it spells one). */
export function lpStringSize(s: string): number {
  const i = lpStringToInt(s);
  const l = i !== undefined ? intEncLen(i) : strEncLen(s.length);
  return l + backlenLen(l);
}

export class Listpack {
  private buf: Buffer;
  /** Total bytes, header and terminator included (lpBytes). */
  size = HDR + 1;
  /** Number of elements. */
  length = 0;

  constructor(capacity = 64, bytes?: Uint8Array) {
    if (bytes) {
      this.buf = Buffer.from(bytes);
      this.size = bytes.length;
      this.length = this.buf.readUInt16LE(4);
      if (this.length === 65535) {
        let n = 0;
        for (let p = this.first(); p >= 0; p = this.next(p)) n++;
        this.length = n;
      }
      return;
    }
    this.buf = Buffer.allocUnsafe(Math.max(capacity, HDR + 1));
    this.buf[HDR] = EOF;
  }

  /** The listpack's bytes as Redis stores them (header written now). */
  bytes(): Buffer {
    this.buf.writeUInt32LE(this.size, 0);
    this.buf.writeUInt16LE(this.length < 65535 ? this.length : 65535, 4);
    return this.buf.subarray(0, this.size);
  }

  /** Bytes allocated (capacity), for MEMORY USAGE. */
  get allocated(): number {
    return this.buf.length;
  }

  /** lpShrinkToFit. */
  shrink(): void {
    if (this.buf.length > this.size) this.buf = Buffer.from(this.buf.subarray(0, this.size));
  }

  clone(): Listpack {
    return new Listpack(0, this.bytes());
  }

  private reserve(extra: number): void {
    const need = this.size + extra;
    if (need <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.size);
    this.buf = grown;
  }

  // ---- writing --------------------------------------------------------------------------------

  appendInt(v: LpInt): void {
    const l = intEncLen(v);
    this.reserve(l + 5);
    const p = this.size - 1;
    this.writeInt(p, v, l);
    this.finishAppend(p, l);
  }

  /** Appends a string (one char per byte), as an integer when it spells one (lpAppend). */
  appendString(s: string): void {
    const i = lpStringToInt(s);
    if (i !== undefined) {
      this.appendInt(i);
      return;
    }
    const len = s.length;
    const l = strEncLen(len);
    this.reserve(l + 5);
    const b = this.buf;
    const p = this.size - 1;
    let d: number;
    if (len < 64) {
      b[p] = 0x80 | len;
      d = p + 1;
    } else if (len < 4096) {
      b[p] = 0xe0 | (len >> 8);
      b[p + 1] = len & 0xff;
      d = p + 2;
    } else {
      b[p] = 0xf0;
      b.writeUInt32LE(len, p + 1);
      d = p + 5;
    }
    (b as Latin1Buffer).latin1Write(s, d);
    this.finishAppend(p, l);
  }

  private finishAppend(p: number, l: number): void {
    const bl = this.writeBacklen(p + l, l);
    this.size = p + l + bl + 1;
    this.buf[this.size - 1] = EOF;
    this.length++;
  }

  private writeInt(p: number, v: LpInt, l: number): void {
    const b = this.buf;
    if (l === 9) {
      b[p] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p + 1);
      return;
    }
    const n = Number(v);
    if (l === 1) b[p] = n;
    else if (l === 2) {
      const u = n < 0 ? (1 << 13) + n : n;
      b[p] = 0xc0 | (u >> 8);
      b[p + 1] = u & 0xff;
    } else if (l === 3) {
      b[p] = 0xf1;
      b.writeInt16LE(n, p + 1);
    } else if (l === 4) {
      b[p] = 0xf2;
      b.writeIntLE(n, p + 1, 3);
    } else {
      b[p] = 0xf3;
      b.writeInt32LE(n, p + 1);
    }
  }

  private writeBacklen(p: number, l: number): number {
    const b = this.buf;
    const n = backlenLen(l);
    for (let k = 0; k < n; k++) {
      const shift = 7 * (n - 1 - k);
      const group = Math.floor(l / 2 ** shift) & 127;
      b[p + k] = k === 0 ? group : group | 128;
    }
    return n;
  }

  /** Replaces the integer element at `p` (lpReplaceInteger); later offsets move by the returned delta. */
  replaceInt(p: number, v: LpInt): number {
    const oldLen = this.elementLen(p);
    const l = intEncLen(v);
    const newLen = l + backlenLen(l);
    const delta = newLen - oldLen;
    if (delta !== 0) {
      this.reserve(Math.max(0, delta));
      this.buf.copyWithin(p + newLen, p + oldLen, this.size);
      this.size += delta;
    }
    this.writeInt(p, v, l);
    this.writeBacklen(p + l, l);
    return delta;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Offset of the first element, -1 when empty. */
  first(): number {
    return this.buf[HDR] === EOF ? -1 : HDR;
  }

  /** Offset of the element after `p`, -1 at the end. */
  next(p: number): number {
    const q = p + this.elementLen(p);
    return this.buf[q] === EOF ? -1 : q;
  }

  /** Bytes of the element at `p`: encoding, data and back-length. */
  elementLen(p: number): number {
    const b = this.buf;
    const e = b[p]!;
    let l: number;
    if (e < 0x80) l = 1;
    else if (e < 0xc0) l = 1 + (e & 0x3f);
    else if (e < 0xe0) l = 2;
    else if (e < 0xf0) l = 2 + (((e & 0x0f) << 8) | b[p + 1]!);
    else if (e === 0xf0) l = 5 + b.readUInt32LE(p + 1);
    else if (e === 0xf1) l = 3;
    else if (e === 0xf2) l = 4;
    else if (e === 0xf3) l = 5;
    else l = 9;
    return l + backlenLen(l);
  }

  isInt(p: number): boolean {
    const e = this.buf[p]!;
    return e < 0x80 || (e >= 0xc0 && e < 0xe0) || (e >= 0xf1 && e <= 0xf4);
  }

  /** The integer at `p`; a string element is read as the integer it spells (0 if none). */
  getInt(p: number): LpInt {
    const b = this.buf;
    const e = b[p]!;
    if (e < 0x80) return e;
    if (e >= 0xc0 && e < 0xe0) {
      const u = ((e & 0x1f) << 8) | b[p + 1]!;
      return u >= 4096 ? u - 8192 : u;
    }
    if (e === 0xf1) return b.readInt16LE(p + 1);
    if (e === 0xf2) return b.readIntLE(p + 1, 3);
    if (e === 0xf3) return b.readInt32LE(p + 1);
    if (e === 0xf4) {
      const v = b.readBigInt64LE(p + 1);
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
    return lpStringToInt(this.getString(p)) ?? 0;
  }

  /** The element at `p` as a string (integers in decimal). */
  getString(p: number): string {
    const b = this.buf;
    const e = b[p]!;
    if (e >= 0x80 && e < 0xc0) return (b as Latin1Buffer).latin1Slice(p + 1, p + 1 + (e & 0x3f));
    if (e >= 0xe0 && e < 0xf0) {
      const len = ((e & 0x0f) << 8) | b[p + 1]!;
      return (b as Latin1Buffer).latin1Slice(p + 2, p + 2 + len);
    }
    if (e === 0xf0) {
      const len = b.readUInt32LE(p + 1);
      return (b as Latin1Buffer).latin1Slice(p + 5, p + 5 + len);
    }
    return String(this.getInt(p));
  }
}
