// RESP request parsing. Mirrors Redis's networking.c byte for byte where clients can tell.
#include "resp_parser.h"

#include <climits>
#include <cstring>

namespace respd {

bool string_to_ll(const char* s, size_t len, long long* out) {
  if (len == 0) return false;
  if (len == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (len == 1) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  unsigned long long v = 0;
  for (; i < len; i++) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    if (v > (ULLONG_MAX / 10)) return false;
    v *= 10;
    unsigned long long d = static_cast<unsigned long long>(c - '0');
    if (v > ULLONG_MAX - d) return false;
    v += d;
  }
  if (neg) {
    if (v > static_cast<unsigned long long>(LLONG_MAX) + 1ULL) return false;
    *out = v == static_cast<unsigned long long>(LLONG_MAX) + 1ULL
               ? LLONG_MIN
               : -static_cast<long long>(v);
  } else {
    if (v > static_cast<unsigned long long>(LLONG_MAX)) return false;
    *out = static_cast<long long>(v);
  }
  return true;
}

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// strchr(p, '\r') over [p, p+n): stops at the first NUL, as Redis's search does.
const char* find_cr(const char* p, size_t n) {
  // Header lines ("*3", "$16") are a few bytes: a plain loop beats two library calls for them.
  size_t head = n < 32 ? n : 32;
  for (size_t i = 0; i < head; i++) {
    if (p[i] == '\r') return p + i;
    if (p[i] == '\0') return nullptr;
  }
  if (n == head) return nullptr;
  p += head;
  n -= head;
  const char* cr = static_cast<const char*>(std::memchr(p, '\r', n));
  size_t span = cr ? static_cast<size_t>(cr - p) : n;
  if (std::memchr(p, '\0', span)) return nullptr;
  return cr;
}

}  // namespace

bool split_inline_args(const char* line, size_t len, std::string* out, std::vector<ArgRef>* args) {
  const char* p = line;
  const char* end = line + len;
  // at(q) reads as a NUL-terminated string would: '\0' at the end.
  auto at = [end](const char* q) -> char { return q < end ? *q : '\0'; };
  for (;;) {
    while (p < end && is_space(*p)) p++;
    if (p >= end) return true;
    bool inq = false, insq = false, done = false;
    size_t start = out->size();
    while (!done) {
      char c = at(p);
      if (inq) {
        if (c == '\\' && at(p + 1) == 'x' && is_hex(at(p + 2)) && is_hex(at(p + 3))) {
          out->push_back(static_cast<char>(hex_val(at(p + 2)) * 16 + hex_val(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1)) {
          p++;
          char e = *p;
          switch (e) {
            case 'n': e = '\n'; break;
            case 'r': e = '\r'; break;
            case 't': e = '\t'; break;
            case 'b': e = '\b'; break;
            case 'a': e = '\a'; break;
            default: break;
          }
          out->push_back(e);
        } else if (c == '"') {
          // A closing quote must be followed by a space or nothing at all.
          if (at(p + 1) && !is_space(at(p + 1))) return false;
          done = true;
        } else if (!c) {
          return false;  // unterminated quotes
        } else {
          out->push_back(c);
        }
      } else if (insq) {
        if (c == '\\' && at(p + 1) == '\'') {
          p++;
          out->push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) && !is_space(at(p + 1))) return false;
          done = true;
        } else if (!c) {
          return false;
        } else {
          out->push_back(c);
        }
      } else {
        switch (c) {
          case ' ': case '\n': case '\r': case '\t': case '\0': done = true; break;
          case '"': inq = true; break;
          case '\'': insq = true; break;
          default: out->push_back(c); break;
        }
      }
      if (p < end) p++;
    }
    args->push_back(ArgRef{static_cast<uint32_t>(start), static_cast<uint32_t>(out->size() - start),
                           ArgSource::kScratch});
  }
}

void RespParser::reset() {
  reqtype_ = ReqType::kNone;
  have_count_ = false;
  multibulklen_ = 0;
  bulklen_ = -1;
  pos_ = 0;
  scan_ = 0;
  args_.clear();
  scratch_.clear();
  error_ = ProtoError::kNone;
  error_byte_ = 0;
}

ParseStatus RespParser::fail(ProtoError e, uint8_t byte) {
  error_ = e;
  error_byte_ = byte;
  return ParseStatus::kError;
}

ParseStatus RespParser::parse(const char* p, size_t n, const ParseLimits& lim) {
  if (error_ != ProtoError::kNone) return ParseStatus::kError;
  if (reqtype_ == ReqType::kNone) {
    if (n == 0) return ParseStatus::kIncomplete;
    reqtype_ = p[0] == '*' ? ReqType::kMultibulk : ReqType::kInline;
  }
  return reqtype_ == ReqType::kMultibulk ? parse_multibulk(p, n, lim) : parse_inline(p, n);
}

ParseStatus RespParser::parse_inline(const char* p, size_t n) {
  const char* nl = nullptr;
  if (scan_ < n) {
    const char* from = p + scan_;
    size_t span = n - scan_;
    nl = static_cast<const char*>(std::memchr(from, '\n', span));
    size_t upto = nl ? static_cast<size_t>(nl - from) : span;
    const char* nul = static_cast<const char*>(std::memchr(from, '\0', upto));
    if (nul) {
      // strchr stops at NUL: the line never completes (Redis hangs the same way).
      nl = nullptr;
      scan_ = static_cast<size_t>(nul - p);
    } else if (!nl) {
      scan_ = n;
    }
  }
  if (!nl) {
    if (n > kInlineMaxSize) return fail(ProtoError::kTooBigInline);
    return ParseStatus::kIncomplete;
  }
  size_t linelen = static_cast<size_t>(nl - p);
  size_t querylen = linelen;
  if (querylen > 0 && p[querylen - 1] == '\r') querylen--;
  args_.clear();
  scratch_.clear();
  if (!split_inline_args(p, querylen, &scratch_, &args_)) return fail(ProtoError::kUnbalancedQuotes);
  pos_ = linelen + 1;
  return args_.empty() ? ParseStatus::kEmpty : ParseStatus::kComplete;
}

ParseStatus RespParser::parse_multibulk(const char* p, size_t n, const ParseLimits& lim) {
  if (!have_count_) {
    const char* cr = find_cr(p + pos_, n - pos_);
    if (!cr) {
      if (n - pos_ > kInlineMaxSize) return fail(ProtoError::kTooBigMbulkCount);
      return ParseStatus::kIncomplete;
    }
    // The byte after '\r' must be here, though Redis never checks that it is '\n'.
    if (static_cast<long long>(cr - (p + pos_)) > static_cast<long long>(n - pos_) - 2)
      return ParseStatus::kIncomplete;
    long long ll;
    const char* num = p + pos_ + 1;
    bool ok = string_to_ll(num, static_cast<size_t>(cr - num), &ll);
    if (!ok || ll > INT_MAX) return fail(ProtoError::kInvalidMbulkLength);
    if (ll > kUnauthMaxMultibulk && lim.unauthenticated) return fail(ProtoError::kUnauthMbulkLength);
    pos_ = static_cast<size_t>(cr - p) + 2;
    if (ll <= 0) return ParseStatus::kEmpty;
    multibulklen_ = ll;
    have_count_ = true;
    args_.clear();
    args_.reserve(static_cast<size_t>(ll < 1024 ? ll : 1024));
  }
  while (multibulklen_ > 0) {
    if (bulklen_ == -1) {
      const char* cr = find_cr(p + pos_, n - pos_);
      if (!cr) {
        if (n - pos_ > kInlineMaxSize) return fail(ProtoError::kTooBigBulkCount);
        return ParseStatus::kIncomplete;
      }
      if (static_cast<long long>(cr - (p + pos_)) > static_cast<long long>(n - pos_) - 2)
        return ParseStatus::kIncomplete;
      if (p[pos_] != '$') return fail(ProtoError::kExpectedDollar, static_cast<uint8_t>(p[pos_]));
      long long ll;
      const char* num = p + pos_ + 1;
      bool ok = string_to_ll(num, static_cast<size_t>(cr - num), &ll);
      if (!ok || ll < 0 || ll > lim.max_bulk_len) return fail(ProtoError::kInvalidBulkLength);
      if (ll > kUnauthMaxBulk && lim.unauthenticated) return fail(ProtoError::kUnauthBulkLength);
      pos_ = static_cast<size_t>(cr - p) + 2;
      bulklen_ = ll;
      if (ll >= kBigArg && n - pos_ < static_cast<size_t>(ll) + 2) return ParseStatus::kNeedBigArg;
    }
    if (n - pos_ < static_cast<size_t>(bulklen_) + 2) return ParseStatus::kIncomplete;
    // The two bytes after the payload are skipped unchecked, as in Redis.
    args_.push_back(ArgRef{static_cast<uint32_t>(pos_), static_cast<uint32_t>(bulklen_), ArgSource::kBuffer});
    pos_ += static_cast<size_t>(bulklen_) + 2;
    bulklen_ = -1;
    multibulklen_--;
  }
  return ParseStatus::kComplete;
}

void RespParser::big_arg_done(uint32_t big_index) {
  args_.push_back(ArgRef{big_index, static_cast<uint32_t>(bulklen_), ArgSource::kBig});
  bulklen_ = -1;
  multibulklen_--;
}

}  // namespace respd
