// A client's requests on their way in (networking.c readQueryFromClient and processInputBuffer):
// where the next read lands (the shared arena while the client is idle, its private query
// buffer while a request is incomplete, a big argument's own block), the parser driven over
// what arrived, and each complete command written to the batch as a record. The engine reads
// the socket; the parser's ctest and the fuzz target feed bytes the same way.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "batch.h"
#include "bytes.h"
#include "resp_parser.h"

namespace respd {

constexpr size_t kReadLen = 16 * 1024;  // PROTO_IOBUF_LEN

// A private query buffer: held only while a request is incomplete. Bytes [start, len) are
// unparsed; the current command starts at start.
struct QueryBuffer {
  std::unique_ptr<char[]> data;
  size_t cap = 0, len = 0, start = 0;

  bool held() const { return data != nullptr; }
  size_t unparsed() const { return len - start; }
  char* cmd() { return data.get() + start; }
  void reserve_tail(size_t extra);
  void append(const char* p, size_t n);
  void release();
};

class RequestReader {
 public:
  enum class Target : uint8_t { kArena, kPrivate, kBigArg };
  // Room for the next read: `cap` bytes at `dst`. For kArena, `arena_start` is the offset of dst.
  struct Space {
    char* dst;
    size_t cap;
    Target target;
    size_t arena_start;
  };

  // Where the next read goes (for the arena, kReadLen bytes are reserved in `arena`).
  Space space(GrowBuf& arena);
  // `n` bytes were read into `s`.
  void commit(GrowBuf& arena, const Space& s, size_t n);
  // Parses what `s` received (and what waited before it), writing a record per complete command,
  // or a protocol-error record after which input stops. Returns true if that error happened now.
  bool process(BatchBuffers& out, uint32_t slot, const Space& s, size_t n, const ParseLimits& lim);

  // Nothing more is parsed (a protocol error, a limit): reads stop for good.
  bool stopped() const { return stopped_; }
  void stop() { stopped_ = true; }
  // Bytes of the pending request (query buffer plus a big argument being read).
  uint64_t pending() const { return qb_.unparsed() + (big_ ? big_filled_ : 0); }
  // A request is incomplete: the next read goes to private memory.
  bool holds_partial() const { return qb_.held() || big_ != nullptr; }
  // CLIENT LIST's qbuf and qbuf-free, and the bytes the reader holds.
  size_t qbuf() const { return qb_.unparsed() + big_filled_; }
  size_t qbuf_free() const { return (qb_.cap - qb_.len) + ((big_ ? big_->size : 0) - big_filled_); }
  size_t memory() const;
  // A private query buffer is held (only those are resized).
  bool holds_buffer() const { return qb_.held(); }
  // A big argument is being read into a buffer of its own (space() points into it).
  bool reading_big_arg() const { return big_ != nullptr; }
  // The query buffer's peak since the last resize check.
  size_t peak() const { return peak_; }
  // clientsCronResizeQueryBuffer on this reader; returns the bytes released.
  size_t resize(bool idle);
  // The client is gone: everything is released.
  void release();

 private:
  bool handle(BatchBuffers& out, uint32_t slot, ParseStatus st, const char* base, size_t avail,
              bool in_arena, size_t arena_off);
  void process_arena(BatchBuffers& out, uint32_t slot, size_t start, size_t n, const ParseLimits& lim);
  void process_private(BatchBuffers& out, uint32_t slot, const ParseLimits& lim);
  void emit_command(BatchBuffers& out, uint32_t slot, const char* base, bool in_arena, size_t arena_off);

  QueryBuffer qb_;
  RespParser parser_;
  SharedBytes big_;                // big argument being read, len+2 bytes
  size_t big_filled_ = 0;
  std::vector<SharedBytes> bigs_;  // finished big arguments of the command being parsed
  size_t peak_ = 0;
  bool stopped_ = false;
};

}  // namespace respd
