// The batch: what the engine hands the host each round. Records of uint32 words in a record
// area, argument bytes in an arena, big arguments as their own blocks. kRecordLayouts is the one
// definition of the record shapes: the IO-thread merge rebases offsets with it, the native test
// decoder walks batches with it, and the addon reports it so that test/layout.test.ts holds
// src/engine/layout.ts equal to it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "bytes.h"

namespace respd {

enum RecordType : uint32_t {
  kRecOpen = 1,           // [type, slot, connection type index, flags (OpenFlag bits)]
  kRecClose = 2,          // [type, slot, CloseReason, errno]
  kRecCommand = 3,        // [type, slot, argc, (offset, length) x argc]; length kBigArgLen marks
                          //   offset as an index into the batch's big arguments
  kRecProtocolError = 4,  // [type, slot, ProtoError, offending byte]
  kRecLog = 5,            // [type, level, arena offset, length]: a message for the log
  kRecQueryLimit = 6,     // [type, slot, query buffer bytes (low 32), (high 32)]: reading stopped
  kRecOutputLimit = 7,    // [type, slot, output bytes (low 32), (high 32)]: output dropped
  kRecConnected = 8,      // [type, slot, 0, 0]: an outgoing connection is established
  kRecRaw = 9,            // [type, slot, arena offset, length]: bytes read in raw mode
};

// A record's shape: `words` fixed words (type word included); when `count_word` is not 0,
// w[count_word] items of `item_words` words follow. Items are (offset, length) argument pairs.
// `arena_word`, when not 0, is a fixed word holding an arena offset.
struct RecordLayout {
  RecordType type;
  const char* name;
  uint32_t words;
  uint32_t count_word;
  uint32_t item_words;
  uint32_t arena_word;
};

inline constexpr RecordLayout kRecordLayouts[] = {
    {kRecOpen, "open", 4, 0, 0, 0},
    {kRecClose, "close", 4, 0, 0, 0},
    {kRecCommand, "command", 3, 2, 2, 0},
    {kRecProtocolError, "protocol-error", 4, 0, 0, 0},
    {kRecLog, "log", 4, 0, 0, 2},
    {kRecQueryLimit, "query-limit", 4, 0, 0, 0},
    {kRecOutputLimit, "output-limit", 4, 0, 0, 0},
    {kRecConnected, "connected", 4, 0, 0, 0},
    {kRecRaw, "raw", 4, 0, 0, 2},
};

// The layout of a record type, or nullptr for an unknown one.
const RecordLayout* record_layout(uint32_t type);
// Words of the record at `w` (0 for an unknown type).
size_t record_words(const uint32_t* w);
// Adds `arena_base` to every arena offset and `big_base` to every big-argument index of the
// `words` record words at `w` (records moved from an IO thread's lane into the batch).
void rebase_records(uint32_t* w, size_t words, uint32_t arena_base, uint32_t big_base);

enum OpenFlag : uint32_t { kOpenLocal = 1, kOpenUnix = 2 };
constexpr uint32_t kBigArgLen = 0xFFFFFFFFu;

enum CloseReason : uint32_t {
  kCloseEof = 1,         // "Client closed connection"
  kCloseReadError = 2,   // "Reading from client: %s"
  kCloseWriteError = 3,  // "Error writing to client: %s"
  kCloseAfterReply = 4,  // close-after-reply finished sending
  kCloseHandshake = 5,   // accept handshake failed (TLS)
};

enum LogLevel : uint32_t { kLogDebug = 0, kLogVerbose = 1, kLogNotice = 2, kLogWarning = 3 };

// Where records and argument bytes go: the batch itself, or an IO thread's lane that is merged
// into it after the round.
struct BatchBuffers {
  BatchBuffers(size_t arena_size, size_t records_size) : arena(arena_size), records(records_size) {}
  GrowBuf arena;
  GrowBuf records;
  std::vector<SharedBytes> bigs;
  void record(std::initializer_list<uint32_t> words) { records.append(words.begin(), words.size() * 4); }
  size_t words() const { return records.used() / 4; }
};

}  // namespace respd
