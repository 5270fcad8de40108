// The batch and the counters as native lays them out: record types and their shapes, close
// reasons, protocol error codes, counter indexes. native/core/batch.h, engine.h and resp_parser.h
// define them; test/layout.test.ts holds this file equal to what the addon reports.

export const enum Rec {
  Open = 1,
  Close = 2,
  Command = 3,
  ProtocolError = 4,
  Log = 5,
  QueryLimit = 6,
  OutputLimit = 7,
  Connected = 8,
  Raw = 9,
}

/**
 * The shape of each record type: `words` fixed words (the type word included), then, when
 * `countWord` is not 0, r[countWord] items of `itemWords` words each. Command items are the
 * arguments' (offset, length) pairs: an arena offset, or with length BIG_ARG_LEN an index into the
 * batch's big arguments. `arenaWord`, when not 0, is a fixed word holding an arena offset.
 */
export interface RecordLayout {
  type: Rec;
  name: string;
  words: number;
  countWord: number;
  itemWords: number;
  arenaWord: number;
}

export const RECORDS: readonly RecordLayout[] = [
  // [type, slot, connection type index, OpenFlag bits]
  { type: Rec.Open, name: 'open', words: 4, countWord: 0, itemWords: 0, arenaWord: 0 },
  // [type, slot, CloseReason, errno]
  { type: Rec.Close, name: 'close', words: 4, countWord: 0, itemWords: 0, arenaWord: 0 },
  // [type, slot, argc, (offset, length) x argc]
  { type: Rec.Command, name: 'command', words: 3, countWord: 2, itemWords: 2, arenaWord: 0 },
  // [type, slot, ProtoError, offending byte]
  { type: Rec.ProtocolError, name: 'protocol-error', words: 4, countWord: 0, itemWords: 0, arenaWord: 0 },
  // [type, log level, arena offset, length]
  { type: Rec.Log, name: 'log', words: 4, countWord: 0, itemWords: 0, arenaWord: 2 },
  // [type, slot, query buffer bytes low 32, high 32]: reading stopped
  { type: Rec.QueryLimit, name: 'query-limit', words: 4, countWord: 0, itemWords: 0, arenaWord: 0 },
  // [type, slot, output bytes low 32, high 32]: output dropped
  { type: Rec.OutputLimit, name: 'output-limit', words: 4, countWord: 0, itemWords: 0, arenaWord: 0 },
  // [type, slot, 0, 0]: an outgoing connection (engine.connect) is established
  { type: Rec.Connected, name: 'connected', words: 4, countWord: 0, itemWords: 0, arenaWord: 0 },
  // [type, slot, arena offset, length]: bytes read in raw mode (engine.setRaw)
  { type: Rec.Raw, name: 'raw', words: 4, countWord: 0, itemWords: 0, arenaWord: 2 },
];

const FIXED = new Uint8Array(16);
const COUNT_WORD = new Uint8Array(16);
const ITEM_WORDS = new Uint8Array(16);
for (const l of RECORDS) {
  FIXED[l.type] = l.words;
  COUNT_WORD[l.type] = l.countWord;
  ITEM_WORDS[l.type] = l.itemWords;
}

/** Words of the record at r[i] (0 for an unknown type: the caller stops). */
export function recordWords(r: Uint32Array, i: number): number {
  const t = r[i] & 15;
  const cw = COUNT_WORD[t];
  return FIXED[t] + (cw === 0 ? 0 : ITEM_WORDS[t] * r[i + cw]);
}

/** Rec.Open's flags word. */
export const enum OpenFlag {
  Local = 1,
  Unix = 2,
}
export const BIG_ARG_LEN = 0xffffffff;

export const enum CloseReason {
  Eof = 1,
  ReadError = 2,
  WriteError = 3,
  AfterReply = 4,
  Handshake = 5,
}

export const enum ProtoError {
  TooBigInline = 1,
  UnbalancedQuotes = 2,
  TooBigMbulkCount = 3,
  InvalidMbulkLength = 4,
  UnauthMbulkLength = 5,
  TooBigBulkCount = 6,
  ExpectedDollar = 7,
  InvalidBulkLength = 8,
  UnauthBulkLength = 9,
}

/** Per-slot counters: kSlotFields doubles per slot after STAT_FIELDS global ones. */
export const STAT_FIELDS = 16;
export const SLOT_FIELDS = 16;
export const enum Field {
  Fd = 0,
  Qbuf,
  QbufFree,
  Obl,
  Oll,
  Omem,
  Rbs,
  Rbp,
  NetIn,
  NetOut,
  LastInteraction,
  Events,
  Memory,
}
export const enum Stat {
  NetInput = 0,
  NetOutput,
  Reads,
  Writes,
  Rejected,
  Accepted,
  Clients,
  NowMs,
  IoActive,
  IoReads,
  IoWrites,
}
