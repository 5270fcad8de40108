// HyperLogLog as Redis 7.2 lays it out (hyperloglog.c): a plain string value holding a 16-byte
// header ("HYLL", encoding, 3 zero bytes, the cached cardinality little endian with bit 63 set
// when stale) and then either 16384 6-bit registers packed LSB first (dense, 12304 bytes in all)
// or the sparse run-length opcodes (ZERO 00xxxxxx, XZERO 01xxxxxx xxxxxxxx, VAL 1vvvvvxx). Every
// byte matches redis-server's, so GET, DUMP and replicas see the same value; PFADD updates the
// sparse opcodes with Redis's exact split and merge steps, promoting to dense where Redis does.

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.721347520444481703680; // 0.5/ln(2)

// ---- MurmurHash64A (64-bit arithmetic on 32-bit halves) -------------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
/** The result of the 64-bit helpers below, as two unsigned 32-bit halves. */
let rHi = 0;
let rLo = 0;

/** (aHi:aLo * M) mod 2^64 into rHi:rLo. */
function mulM(aHi: number, aLo: number): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const b0 = M_LO & 0xffff;
  const b1 = M_LO >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + Math.floor(p01 / 65536) + Math.floor(p10 / 65536) + Math.floor(mid / 65536);
  rLo = Math.imul(aLo, M_LO) >>> 0;
  rHi = (carry + Math.imul(aHi, M_LO) + Math.imul(aLo, M_HI)) >>> 0;
}

/** Redis's MurmurHash64A of `data` with a 32-bit seed, as an unsigned 64-bit BigInt. */
export function murmurHash64A(data: Uint8Array, seed: number): bigint {
  murmur(data, seed);
  return (BigInt(rHi) << 32n) | BigInt(rLo);
}

/** MurmurHash64A into rHi:rLo (no allocation: PFADD hashes every element). */
function murmur(data: Uint8Array, seed: number): void {
  const len = data.length;
  mulM(0, len >>> 0);
  let hHi = rHi;
  let hLo = (rLo ^ seed) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
    const kHi = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
    mulM(kHi, kLo);
    // k ^= k >> 47: only the high half shifted into the low one.
    mulM(rHi, (rLo ^ (rHi >>> 15)) >>> 0);
    hHi = (hHi ^ rHi) >>> 0;
    hLo = (hLo ^ rLo) >>> 0;
    mulM(hHi, hLo);
    hHi = rHi;
    hLo = rLo;
  }
  const t = blocks;
  // The tail bytes, highest first (Redis's fall-through switch).
  const rem = len & 7;
  if (rem >= 7) hHi ^= data[t + 6]! << 16;
  if (rem >= 6) hHi ^= data[t + 5]! << 8;
  if (rem >= 5) hHi ^= data[t + 4]!;
  if (rem >= 4) hLo ^= data[t + 3]! << 24;
  if (rem >= 3) hLo ^= data[t + 2]! << 16;
  if (rem >= 2) hLo ^= data[t + 1]! << 8;
  if (rem >= 1) {
    hLo ^= data[t]!;
    mulM(hHi >>> 0, hLo >>> 0);
    hHi = rHi;
    hLo = rLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mulM(hHi >>> 0, hLo);
  rLo = (rLo ^ (rHi >>> 15)) >>> 0;
}

/** hllPatLen: the register an element falls in and its run of zeroes + 1 (1..51). */
let patIndex = 0;
function patLen(ele: Uint8Array): number {
  murmur(ele, 0xadc83b19);
  const hi = rHi;
  const lo = rLo;
  patIndex = lo & HLL_P_MASK;
  const low = lo >>> HLL_P; // hash bits 14..31
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hi !== 0) return 32 - HLL_P + 32 - Math.clz32(hi & -hi);
  return HLL_Q + 1;
}

// ---- dense registers -----------------------------------------------------------------------------

export function denseGet(b: Uint8Array, off: number, reg: number): number {
  const byte = off + ((reg * HLL_BITS) >>> 3);
  const fb = (reg * HLL_BITS) & 7;
  return ((b[byte]! >>> fb) | (b[byte + 1]! << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSet(b: Uint8Array, off: number, reg: number, val: number): void {
  const byte = off + ((reg * HLL_BITS) >>> 3);
  const fb = (reg * HLL_BITS) & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte]! & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1]! & ~(HLL_REGISTER_MAX >>> fb8)) | (val >>> fb8);
}

// ---- the value being worked on --------------------------------------------------------------------

/**
 * An HLL value copied out of the keyspace to be changed: `len` bytes of `b` are the value (sparse
 * values keep spare room for an opcode split). `value()` gives the bytes to store back.
 */
export class Hll {
  private constructor(public b: Buffer, public len: number) {}

  /** An empty HLL: sparse, all registers in XZERO opcodes (createHLLObject). */
  static create(): Hll {
    const len = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS + SPARSE_XZERO_MAX_LEN - 1) / SPARSE_XZERO_MAX_LEN) * 2;
    const h = new Hll(Buffer.alloc(len + 8), len);
    h.b.write('HYLL', 0, 'latin1');
    h.b[4] = HLL_SPARSE;
    let p = HLL_HDR_SIZE;
    for (let left = HLL_REGISTERS; left > 0; p += 2) {
      const run = Math.min(left, SPARSE_XZERO_MAX_LEN);
      h.b[p] = ((run - 1) >>> 8) | 0x40;
      h.b[p + 1] = (run - 1) & 0xff;
      left -= run;
    }
    return h;
  }

  /** A working copy of a stored value already checked with isHll(). */
  static from(v: string | Uint8Array): Hll {
    const len = v.length;
    const b = Buffer.alloc(len + (len === HLL_DENSE_SIZE ? 0 : 8));
    if (typeof v === 'string') b.write(v, 0, 'latin1');
    else b.set(v);
    return new Hll(b, len);
  }

  get encoding(): number {
    return this.b[4]!;
  }

  /** The bytes to store, exactly `len` long (the working buffer itself when it fits exactly). */
  bytes(): Buffer {
    return this.b.length === this.len ? this.b : Buffer.from(this.b.subarray(0, this.len));
  }

  /** A dense HLL's registers, one byte each (PFDEBUG GETREG). */
  registers(): Uint8Array {
    const out = new Uint8Array(HLL_REGISTERS);
    for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(this.b, HLL_HDR_SIZE, i);
    return out;
  }

  cacheValid(): boolean {
    return (this.b[15]! & 0x80) === 0;
  }

  invalidateCache(): void {
    this.b[15]! |= 0x80;
  }

  cachedCard(): number {
    return this.b.readUInt32LE(8) + this.b.readUInt32LE(12) * 0x100000000;
  }

  setCachedCard(card: number): void {
    this.b.writeUInt32LE(card % 0x100000000, 8);
    this.b.writeUInt32LE(Math.floor(card / 0x100000000), 12);
  }

  /** hllAdd: 1 when a register grew, 0 when not, -1 for a corrupt sparse value. */
  add(ele: Uint8Array, sparseMaxBytes: number): number {
    const count = patLen(ele);
    return this.setRegister(patIndex, count, sparseMaxBytes);
  }

  /** Raises register `index` to `count` if lower, in either encoding. */
  setRegister(index: number, count: number, sparseMaxBytes: number): number {
    if (this.encoding === HLL_DENSE) {
      if (denseGet(this.b, HLL_HDR_SIZE, index) >= count) return 0;
      denseSet(this.b, HLL_HDR_SIZE, index, count);
      return 1;
    }
    return this.sparseSet(index, count, sparseMaxBytes);
  }

  /** hllSparseToDense: false when the opcodes do not cover exactly the 16384 registers. */
  toDense(): boolean {
    if (this.encoding === HLL_DENSE) return true;
    const d = Buffer.alloc(HLL_DENSE_SIZE);
    this.b.copy(d, 0, 0, HLL_HDR_SIZE);
    d[4] = HLL_DENSE;
    const b = this.b;
    let idx = 0;
    for (let p = HLL_HDR_SIZE; p < this.len; ) {
      const op = b[p]!;
      if ((op & 0xc0) === 0) {
        idx += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        idx += (((op & 0x3f) << 8) | b[p + 1]!) + 1;
        p += 2;
      } else {
        let run = (op & 3) + 1;
        const val = ((op >>> 2) & 0x1f) + 1;
        if (run + idx > HLL_REGISTERS) break;
        while (run--) denseSet(d, HLL_HDR_SIZE, idx++, val);
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.b = d;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  /** hllSparseSet: Redis's opcode surgery, step for step, so the bytes come out the same. */
  private sparseSet(index: number, count: number, sparseMaxBytes: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    if (this.b.length < this.len + 3) {
      const grown = Buffer.alloc(this.len + Math.min(this.len + 3, 300) + 3);
      this.b.copy(grown, 0, 0, this.len);
      this.b = grown;
    }
    const b = this.b;
    let end = this.len;
    // Step 1: the opcode covering `index`.
    let p = HLL_HDR_SIZE;
    let prev = -1;
    let first = 0;
    let span = 0;
    while (p < end) {
      const op = b[p]!;
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | b[p + 1]!) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = b[p]!;
    const isZero = (op & 0xc0) === 0;
    const isXzero = (op & 0xc0) === 0x40;
    const isVal = (op & 0x80) !== 0;
    const next = isXzero ? p + 2 : p + 1;
    const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? (((op & 0x3f) << 8) | b[p + 1]!) + 1 : (op & 3) + 1;
    const valOp = (v: number, l: number) => (((v - 1) << 2) | (l - 1) | 0x80);

    // Step 2: the cases that change one byte in place, else the split sequence.
    let inPlace = false;
    if (isVal) {
      if (((op >>> 2) & 0x1f) + 1 >= count) return 0;
      if (runlen === 1) inPlace = true;
    }
    if (isZero && runlen === 1) inPlace = true;
    if (inPlace) b[p] = valOp(count, 1);
    else {
      const seq: number[] = [];
      const last = first + span - 1;
      const zeros = (len: number) => {
        if (len > SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >>> 8) | 0x40, (len - 1) & 0xff);
        else seq.push(len - 1);
      };
      if (isZero || isXzero) {
        if (index !== first) zeros(index - first);
        seq.push(valOp(count, 1));
        if (index !== last) zeros(last - index);
      } else {
        const cur = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      // Step 3: the sequence replaces the opcode; past hll-sparse-max-bytes the HLL goes dense.
      const delta = seq.length - (isXzero ? 2 : 1);
      if (delta > 0 && this.len + delta > sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next < end) b.copyWithin(next + delta, next, end);
      for (let i = 0; i < seq.length; i++) b[p + i] = seq[i]!;
      this.len += delta;
      end += delta;
    }

    // Step 4: merge adjacent VAL opcodes of the same value, up to 5 opcodes from prev.
    p = prev >= 0 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (p < end && scan--) {
      const o = b[p]!;
      if ((o & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && b[p + 1]! & 0x80) {
        const v1 = ((o >>> 2) & 0x1f) + 1;
        const o2 = b[p + 1]!;
        if (v1 === ((o2 >>> 2) & 0x1f) + 1) {
          const l = (o & 3) + 1 + (o2 & 3) + 1;
          if (l <= SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valOp(v1, l);
            b.copyWithin(p, p + 1, end);
            this.len--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    denseSet(this.b, HLL_HDR_SIZE, index, count);
    return 1;
  }

  /** hllMerge: raises `max` to this HLL's registers; false for a corrupt sparse value. */
  mergeInto(max: Uint8Array): boolean {
    const b = this.b;
    if (this.encoding === HLL_DENSE) {
      for (let i = 0; i < HLL_REGISTERS; i++) {
        const v = denseGet(b, HLL_HDR_SIZE, i);
        if (v > max[i]!) max[i] = v;
      }
      return true;
    }
    let i = 0;
    for (let p = HLL_HDR_SIZE; p < this.len; ) {
      const op = b[p]!;
      if ((op & 0xc0) === 0) {
        i += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        i += (((op & 0x3f) << 8) | b[p + 1]!) + 1;
        p += 2;
      } else {
        let run = (op & 3) + 1;
        const val = ((op >>> 2) & 0x1f) + 1;
        if (run + i > HLL_REGISTERS) break;
        for (; run > 0; run--, i++) if (val > max[i]!) max[i] = val;
        p++;
      }
    }
    return i === HLL_REGISTERS;
  }

  /** hllCount over this value: -1 when a sparse value does not cover 16384 registers. */
  count(): number {
    const histo = new Array<number>(64).fill(0);
    const b = this.b;
    if (this.encoding === HLL_DENSE) {
      for (let i = 0; i < HLL_REGISTERS; i++) histo[denseGet(b, HLL_HDR_SIZE, i)]!++;
    } else {
      let idx = 0;
      for (let p = HLL_HDR_SIZE; p < this.len; ) {
        const op = b[p]!;
        let run: number;
        let val = 0;
        if ((op & 0xc0) === 0) run = (op & 0x3f) + 1;
        else if ((op & 0xc0) === 0x40) {
          run = (((op & 0x3f) << 8) | b[p + 1]!) + 1;
          p++;
        } else {
          run = (op & 3) + 1;
          val = ((op >>> 2) & 0x1f) + 1;
        }
        idx += run;
        histo[val]! += run;
        p++;
      }
      if (idx !== HLL_REGISTERS) return -1;
    }
    return estimate(histo);
  }

  /** PFDEBUG DECODE's text of the sparse opcodes. */
  decode(): string {
    const parts: string[] = [];
    const b = this.b;
    for (let p = HLL_HDR_SIZE; p < this.len; ) {
      const op = b[p]!;
      if ((op & 0xc0) === 0) {
        parts.push(`z:${(op & 0x3f) + 1}`);
        p++;
      } else if ((op & 0xc0) === 0x40) {
        parts.push(`Z:${(((op & 0x3f) << 8) | b[p + 1]!) + 1}`);
        p += 2;
      } else {
        parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
        p++;
      }
    }
    return parts.join(' ');
  }
}

/** isHLLObjectOrReply's checks on a string value: magic, encoding, and a dense value's length. */
export function isHll(v: string | Uint8Array): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  const at = typeof v === 'string' ? (i: number) => v.charCodeAt(i) : (i: number) => v[i]!;
  if (at(0) !== 0x48 || at(1) !== 0x59 || at(2) !== 0x4c || at(3) !== 0x4c) return false;
  const enc = at(4);
  if (enc > HLL_MAX_ENCODING) return false;
  return enc !== HLL_DENSE || v.length === HLL_DENSE_SIZE;
}

/** hllCount over one byte per register (PFCOUNT of several keys, Redis's HLL_RAW). */
export function countRaw(registers: Uint8Array): number {
  const histo = new Array<number>(64).fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[registers[i]!]!++;
  return estimate(histo);
}

// ---- the estimator (Ertl, "New cardinality estimation algorithms for HyperLogLog sketches") -------

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The cardinality from the histogram of register values, in Redis's order of operations. */
function estimate(histo: readonly number[]): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

// ---- PFSELFTEST ------------------------------------------------------------------------------------

/** pfselftestCommand's two checks: register access, then dense/sparse agreement and error bounds. */
export function selfTest(sparseMaxBytes: number): string | undefined {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  const bytes = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = (Math.random() * 64) | 0;
      bytes[i] = r;
      denseSet(dense, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense, HLL_HDR_SIZE, i);
      if (val !== bytes[i]) return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${val}`;
    }
  }
  dense.fill(0, HLL_HDR_SIZE);
  dense.write('HYLL', 0, 'latin1');
  const d = Hll.from(dense);
  const s = Hll.create();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = (Math.random() * 0x100000000) >>> 0;
  const seedHi = (Math.random() * 0x80000000) >>> 0;
  const ele = Buffer.alloc(8);
  let checkpoint = 1;
  for (let j = 1; j <= 10000000; j++) {
    ele.writeUInt32LE((j ^ seedLo) >>> 0, 0);
    ele.writeUInt32LE(seedHi, 4);
    const count = patLen(ele);
    d.setRegister(patIndex, count, sparseMaxBytes);
    s.setRegister(patIndex, count, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && s.encoding !== HLL_SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = d.count();
    if (card !== s.count()) return 'TESTFAILED dense/sparse disagree';
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return undefined;
}
