// Integer-encoded strings (Redis's OBJ_ENCODING_INT): a counter INCR and its siblings wrote is kept
// in the keyspace as a number, so the next INCR neither parses nor formats text. Only the keyspace
// (keyspace.ts) ever holds such a number: every value it hands out is the text, as Redis's
// getDecodedObject gives it, so all other readers see the same string values as before.

/** Redis's OBJ_SHARED_INTEGERS: the texts of 0..9999 are made once and shared. */
const SHARED_INTEGERS = 10000;
const sharedTexts: string[] = Array.from({ length: SHARED_INTEGERS }, (_, i) => String(i));

/** What a database slot holds: a value, or a safe integer standing for its decimal text. */
export type StoredValue<V> = V | number;

/** The decimal text of the integer `n` (a shared string for 0..9999). */
export function intText(n: number): string {
  return n >= 0 && n < SHARED_INTEGERS ? sharedTexts[n]! : String(n);
}

/** A safe integer that a string INCR wrote may be stored as a number (its text is String(n)). */
export function storableInt(n: number | bigint): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && !Object.is(n, -0);
}
