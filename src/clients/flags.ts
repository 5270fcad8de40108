// The client-flag table: one row per state behind a CLIENT LIST flag letter, in the order Redis
// prints them (networking.c:catClientInfoString). Flags are bits on Client.flags.

export const enum ClientFlag {
  Slave = 1 << 0,
  Monitor = 1 << 1,
  Master = 1 << 2,
  PubSub = 1 << 3,
  Multi = 1 << 4,
  Blocked = 1 << 5,
  Tracking = 1 << 6,
  TrackingBrokenRedir = 1 << 7,
  TrackingBcast = 1 << 8,
  DirtyCas = 1 << 9,
  CloseAfterReply = 1 << 10,
  Unblocked = 1 << 11,
  CloseAsap = 1 << 12,
  UnixSocket = 1 << 13,
  Readonly = 1 << 14,
  NoEvict = 1 << 15,
  NoTouch = 1 << 16,
  ReplyOff = 1 << 17,
  ReplySkipNext = 1 << 18,
  ReplySkip = 1 << 19,
  ProtocolError = 1 << 20,
  /** Redis's CLIENT_DENY_BLOCKING (no letter): a script's client; blocking commands answer as if timed out. */
  DenyBlocking = 1 << 21,
  /** Redis's CLIENT_ASKING (no letter): the next command may use a slot being imported (cluster mode). */
  Asking = 1 << 22,
}

interface FlagLetter {
  readonly letter: string;
  readonly test: (flags: number) => boolean;
}

const has = (bit: number) => (flags: number) => (flags & bit) !== 0;

/** Letters in Redis's order; O replaces S for MONITOR clients. */
export const FLAG_LETTERS: readonly FlagLetter[] = [
  { letter: 'O', test: (f) => (f & ClientFlag.Slave) !== 0 && (f & ClientFlag.Monitor) !== 0 },
  { letter: 'S', test: (f) => (f & ClientFlag.Slave) !== 0 && (f & ClientFlag.Monitor) === 0 },
  { letter: 'M', test: has(ClientFlag.Master) },
  { letter: 'P', test: has(ClientFlag.PubSub) },
  { letter: 'x', test: has(ClientFlag.Multi) },
  { letter: 'b', test: has(ClientFlag.Blocked) },
  { letter: 't', test: has(ClientFlag.Tracking) },
  { letter: 'R', test: has(ClientFlag.TrackingBrokenRedir) },
  { letter: 'B', test: has(ClientFlag.TrackingBcast) },
  { letter: 'd', test: has(ClientFlag.DirtyCas) },
  { letter: 'c', test: has(ClientFlag.CloseAfterReply) },
  { letter: 'u', test: has(ClientFlag.Unblocked) },
  { letter: 'A', test: has(ClientFlag.CloseAsap) },
  { letter: 'U', test: has(ClientFlag.UnixSocket) },
  { letter: 'r', test: has(ClientFlag.Readonly) },
  { letter: 'e', test: has(ClientFlag.NoEvict) },
  { letter: 'T', test: has(ClientFlag.NoTouch) },
];

export function flagLetters(flags: number): string {
  let s = '';
  for (const f of FLAG_LETTERS) if (f.test(flags)) s += f.letter;
  return s || 'N';
}
