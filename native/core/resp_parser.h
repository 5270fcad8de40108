// Incremental RESP request parser (multibulk and inline), after Redis's processMultibulkBuffer
// and processInlineBuffer, with the same limits, leniencies and errors. It knows bytes, not
// sockets: the caller hands it one command's bytes from the command start and calls again with
// more bytes appended (same start) after kIncomplete; progress is kept, nothing is re-scanned.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace respd {

constexpr size_t kInlineMaxSize = 64 * 1024;   // PROTO_INLINE_MAX_SIZE
constexpr int64_t kBigArg = 32 * 1024;         // PROTO_MBULK_BIG_ARG
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16384;

// Codes shared with TypeScript (binding.d.ts), which owns the reply text and the log line.
enum class ProtoError : uint8_t {
  kNone = 0,
  kTooBigInline = 1,       // "too big inline request"
  kUnbalancedQuotes = 2,   // "unbalanced quotes in request"
  kTooBigMbulkCount = 3,   // "too big mbulk count string"
  kInvalidMbulkLength = 4, // "invalid multibulk length"
  kUnauthMbulkLength = 5,  // "unauthenticated multibulk length"
  kTooBigBulkCount = 6,    // "too big bulk count string"
  kExpectedDollar = 7,     // "expected '$', got '%c'"
  kInvalidBulkLength = 8,  // "invalid bulk length"
  kUnauthBulkLength = 9,   // "unauthenticated bulk length"
};

struct ParseLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool unauthenticated = false;                // pre-auth limits apply
};

enum class ArgSource : uint8_t { kBuffer, kScratch, kBig };

// One argument: bytes [off, off+len) of the command buffer (from the command start), of the
// parser's scratch string (inline arguments, unescaped), or big buffer number `off`.
struct ArgRef {
  uint32_t off;
  uint32_t len;
  ArgSource src;
};

enum class ParseStatus {
  kComplete,    // args() holds the command; consumed() bytes belong to it
  kEmpty,       // an empty command (empty line, *0, *-1): consumed() bytes, nothing to run
  kIncomplete,  // call again with more bytes
  kNeedBigArg,  // a bulk of big_len() >= 32 KiB is not all here: the caller moves the payload
                // bytes after consumed() into a buffer of its own, fills it, then big_arg_done()
  kError,       // error() / error_byte(); stop parsing this client
};

class RespParser {
 public:
  ParseStatus parse(const char* p, size_t n, const ParseLimits& lim);
  void big_arg_done(uint32_t big_index);
  void reset();

  size_t consumed() const { return pos_; }
  const std::vector<ArgRef>& args() const { return args_; }
  const std::string& scratch() const { return scratch_; }
  ProtoError error() const { return error_; }
  uint8_t error_byte() const { return error_byte_; }
  int64_t big_len() const { return bulklen_; }
  // Started a command and not finished it.
  bool in_progress() const { return reqtype_ != ReqType::kNone; }
  int64_t pending_bulk_len() const { return bulklen_; }

 private:
  ParseStatus parse_inline(const char* p, size_t n);
  ParseStatus parse_multibulk(const char* p, size_t n, const ParseLimits& lim);
  ParseStatus fail(ProtoError e, uint8_t byte = 0);

  // Redis's c->reqtype: decided by the first byte of a request.
  enum class ReqType : uint8_t { kNone, kInline, kMultibulk };
  ReqType reqtype_ = ReqType::kNone;
  bool have_count_ = false;
  int64_t multibulklen_ = 0;
  int64_t bulklen_ = -1;
  size_t pos_ = 0;    // parsed up to here, from the command start
  size_t scan_ = 0;   // inline: searched for '\n' up to here
  std::vector<ArgRef> args_;
  std::string scratch_;
  ProtoError error_ = ProtoError::kNone;
  uint8_t error_byte_ = 0;
};

// Redis's strict string2ll: no '+', no leading zeros, no spaces, no "-0".
bool string_to_ll(const char* s, size_t len, long long* out);

// Redis's sdssplitargs over one inline line (which holds no NUL). Appends unescaped argument
// bytes to `out` and their positions to `args`. Returns false on unbalanced quotes.
bool split_inline_args(const char* line, size_t len, std::string* out, std::vector<ArgRef>* args);

}  // namespace respd
