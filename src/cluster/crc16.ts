// Redis Cluster's key hashing (crc16.c, cluster.c keyHashSlot): CRC16-CCITT in its XMODEM form
// (polynomial 0x1021, initial value 0, no reflection), the key's slot its low 14 bits, and a
// non-empty `{...}` hash tag hashing alone. Keys are binary strings, one char per byte.

/** Slots of a cluster (CLUSTER_SLOTS). */
export const CLUSTER_SLOTS = 16384;

/** The 256-entry table crc16.c lists, computed once from the polynomial (a test checks entries). */
export const CRC16_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    t[i] = c & 0xffff;
  }
  return t;
})();

/** crc16(buf, len) over chars [start, end) of a binary string. */
export function crc16(s: string, start = 0, end = s.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >>> 8) ^ s.charCodeAt(i)) & 0xff]!;
  return crc;
}

/** keyHashSlot: the slot of `key`, hashing only what lies between the first `{` and the `}` after it when that is not empty. */
export function keyHashSlot(key: string): number {
  const s = key.indexOf('{');
  if (s >= 0) {
    const e = key.indexOf('}', s + 1);
    if (e > s + 1) return crc16(key, s + 1, e) & 0x3fff;
  }
  return crc16(key) & 0x3fff;
}
