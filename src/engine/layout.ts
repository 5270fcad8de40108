// Batch record types, close reasons, protocol error codes and counter indexes: the numbers
// native/core/engine.h and resp_parser.h define, mirrored for TypeScript.

export const enum Rec {
  Open = 1,
  Close = 2,
  Command = 3,
  ProtocolError = 4,
  Log = 5,
  QueryLimit = 6,
  OutputLimit = 7,
}

export const OPEN_LOCAL = 1;
export const OPEN_UNIX = 2;
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
