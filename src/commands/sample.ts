// Random distinct members (SRANDMEMBER, HRANDFIELD with a positive count), as Redis picks them.

/**
 * `count` distinct entries out of `size` (count < size): picked at random while they are few
 * compared with the whole (Redis's CASE 4), else the whole less random ones (CASE 3).
 */
export function distinctSample<E>(size: number, count: number, pick: () => E, all: Iterable<E>): Iterable<E> {
  if (count * 3 > size) {
    const kept = [...all];
    for (let n = kept.length; n > count; n--) {
      const i = Math.floor(Math.random() * n);
      kept[i] = kept[n - 1];
    }
    kept.length = count;
    return kept;
  }
  const chosen = new Set<E>();
  while (chosen.size < count) chosen.add(pick());
  return chosen;
}
