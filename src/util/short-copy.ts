// Short copies between byte buffers (a command of the replication stream into the backlog, the
// batch's stream, a reply), 4 bytes at a time through DataViews. V8 checks each typed-array
// element store: a 45-byte command copied byte by byte took 60-80 ns, subarray() + set() about
// 65 ns whatever the length (the view is an allocation), this about 20-35 ns. Past
// SHORT_COPY_MAX bytes set() is faster.
export const SHORT_COPY_MAX = 96;

/** A DataView over all of `b`'s bytes. */
export function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** The DataView of the last source seen, made again only when the source changes (one entry). */
export class SourceView {
  private src: Uint8Array | undefined;
  private view: DataView | undefined;

  of(src: Uint8Array): DataView {
    if (src !== this.src) {
      this.src = src;
      this.view = viewOf(src);
    }
    return this.view!;
  }
}

/**
 * Copies bytes start..end of `src` to `at` in `dst` (both in range), whose DataView is `dstView`:
 * through DataViews up to SHORT_COPY_MAX bytes (`srcViews` keeps the source's), set() past it.
 */
export function copyRange(dst: Uint8Array, dstView: DataView, at: number, srcViews: SourceView, src: Uint8Array, start: number, end: number): void {
  const n = end - start;
  if (n <= SHORT_COPY_MAX) copyShort(dstView, at, srcViews.of(src), start, n);
  else dst.set(src.subarray(start, end), at);
}

/** Copies bytes start..start+n of `src` to `at` in `dst` (n <= SHORT_COPY_MAX, both in range). */
export function copyShort(dst: DataView, at: number, src: DataView, start: number, n: number): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) dst.setUint32(at + k, src.getUint32(start + k, true), true);
  for (; k < n; k++) dst.setUint8(at + k, src.getUint8(start + k));
}
