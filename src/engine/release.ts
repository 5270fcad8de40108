// Big arguments (32 KiB and more) reach JavaScript as ArrayBuffers over native blocks. One kept as
// a string value lives until a major GC finds it unreachable, and V8 starts major GCs by the
// amount of such memory outstanding: a stream of overwritten 100 KiB values costs a mark-compact
// every few hundred SETs. A value that the keyspace drops (overwritten, deleted) is detached at
// once instead, which frees its block. Only buffers made from big arguments are ever detached,
// and the keyspace never shares a string value between keys (COPY copies it).

const owned = new WeakSet<ArrayBuffer>();
let detach: ((ab: ArrayBuffer) => void) | undefined;

/** The engine's detach function (set when a server starts). */
export function setDetacher(fn: (ab: ArrayBuffer) => void): void {
  detach = fn;
}

/** @internal Args marks the buffers of big arguments as they are handed out. */
export function markOwned(ab: ArrayBuffer): void {
  owned.add(ab);
}

/**
 * Frees a dropped string value's block now if it is a big argument's buffer (and not also the
 * bytes of its replacement, as an edit in place stores).
 */
export function releaseValue(v: unknown, replacement?: unknown): void {
  if (v instanceof Uint8Array && detach !== undefined) {
    const ab = v.buffer as ArrayBuffer;
    if (replacement instanceof Uint8Array && replacement.buffer === ab) return;
    if (owned.delete(ab)) detach(ab);
  }
}

/**
 * Frees a big buffer that nothing references any more (a typed array replaced as it grew, given
 * as the buffer or a view of it) now instead of at a later major GC. Buffers under 64 KiB, and
 * any buffer with no server running, are left to the collector (a small view's buffer is not
 * even looked at: V8 keeps small typed arrays on its heap until `.buffer` is read).
 */
export function freeArrayBuffer(b: ArrayBuffer | ArrayBufferView): void {
  if (detach === undefined || b.byteLength < 65536) return;
  const ab = b instanceof ArrayBuffer ? b : b.buffer;
  if (ab instanceof ArrayBuffer) detach(ab);
}

type Column = Int32Array | Uint32Array | Float64Array;

/**
 * A copy of the column `a` with `length` elements (cut short or zero-filled), `a`'s block freed
 * at once: how the data structures grow and shrink their typed arrays.
 */
export function resized<A extends Column>(a: A, length: number): A {
  const b = new (a.constructor as new (n: number) => A)(length);
  b.set(a.length > length ? a.subarray(0, length) : a);
  freeArrayBuffer(a);
  return b;
}
