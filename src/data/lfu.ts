// Redis's LFU access counter (evict.c): an 8-bit logarithmic counter plus the minute (low 16 bits)
// of its last decrement, packed as minutes << 8 | counter in a key's access clock. New values start at 5;
// each access may increment it (less likely as it grows, per lfu-log-factor), and it decays by one
// per lfu-decay-time minutes without access.

const LFU_INIT_VAL = 5;

/** LFUGetTimeInMinutes: the low 16 bits of the unix time in minutes. */
function minutes(now: number): number {
  return Math.floor(now / 60000) & 0xffff;
}

/** The word a new value starts with. */
export function lfuInitial(now: number): number {
  return (minutes(now) << 8) | LFU_INIT_VAL;
}

/** LFUDecrAndReturn: the counter after decay for the periods since its last decrement. */
export function lfuDecayed(word: number, now: number, decayTime: number): number {
  const ldt = word >>> 8;
  const counter = word & 255;
  const m = minutes(now);
  const elapsed = m >= ldt ? m - ldt : 65535 - ldt + m;
  const periods = decayTime ? Math.floor(elapsed / decayTime) : 0;
  return periods ? (periods > counter ? 0 : counter - periods) : counter;
}

/** updateLFU: the word after an access (decay, then LFULogIncr). */
export function lfuAccessed(word: number, now: number, decayTime: number, logFactor: number): number {
  let counter = lfuDecayed(word, now, decayTime);
  if (counter < 255) {
    const base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
    if (Math.random() < 1 / (base * logFactor + 1)) counter++;
  }
  return (minutes(now) << 8) | counter;
}
