// RespParser, split_inline_args and string_to_ll against Redis's request parsing
// (processInlineBuffer, processMultibulkBuffer, sdssplitargs, string2ll).
#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "batch_decoder.h"
#include "check.h"
#include "request_reader.h"
#include "resp_parser.h"

using namespace respd;

namespace {

// Resolves the parser's arguments to their bytes. `base` is the command start; `bigs` holds the
// caller's big arguments (len+2 bytes each).
std::vector<std::string> resolve(const RespParser& p, const char* base,
                                 const std::vector<std::string>* bigs = nullptr) {
  std::vector<std::string> out;
  for (const ArgRef& a : p.args()) {
    switch (a.src) {
      case ArgSource::kBuffer:
        out.emplace_back(base + a.off, a.len);
        break;
      case ArgSource::kScratch:
        out.push_back(p.scratch().substr(a.off, a.len));
        break;
      case ArgSource::kBig:
        if (bigs && a.off < bigs->size()) {
          out.push_back((*bigs)[a.off].substr(0, a.len));
        } else {
          out.push_back("<big " + std::to_string(a.off) + ">");
        }
        break;
    }
  }
  return out;
}

struct One {
  ParseStatus st;
  size_t consumed;
  std::vector<std::string> args;
  ProtoError err;
  uint8_t byte;
};

One parse_one(const std::string& s, ParseLimits lim = ParseLimits()) {
  RespParser p;
  ParseStatus st = p.parse(s.data(), s.size(), lim);
  return One{st, p.consumed(), resolve(p, s.data()), p.error(), p.error_byte()};
}

ParseLimits unauth() {
  ParseLimits l;
  l.unauthenticated = true;
  return l;
}

std::vector<std::string> split(const std::string& line, bool* ok) {
  std::string out;
  std::vector<ArgRef> args;
  *ok = split_inline_args(line.data(), line.size(), &out, &args);
  std::vector<std::string> v;
  for (const ArgRef& a : args) v.push_back(out.substr(a.off, a.len));
  return v;
}

using V = std::vector<std::string>;

// ---- a parser probe and the engine's request reader -----------------------------------------------
// Driver calls the parser the way the engine's RequestReader does and records every result with
// what only the parser knows (bytes consumed, empty lines, argument sources). reader_events then
// feeds the same bytes, cut the same way, through the RequestReader itself and decodes the batch
// records it writes: check_all_splits requires both to agree with the expected results.
struct Event {
  ParseStatus st;
  V args;
  std::vector<ArgSource> srcs;
  size_t consumed;
  ProtoError err;
  uint8_t byte;
  bool operator==(const Event& o) const {
    return st == o.st && args == o.args && consumed == o.consumed && err == o.err && byte == o.byte;
  }
};

std::string show_events(const std::vector<Event>& ev) {
  std::string s;
  for (const Event& e : ev) {
    s += "{st=" + std::to_string(static_cast<int>(e.st)) + " consumed=" + std::to_string(e.consumed) +
         " err=" + std::to_string(static_cast<int>(e.err)) + " args=" + check::show(e.args) + "} ";
  }
  return s;
}

class Driver {
 public:
  explicit Driver(ParseLimits lim = ParseLimits()) : lim_(lim) {}

  void deliver(const char* p, size_t n) {
    if (failed_) return;
    if (in_big_) {
      size_t k = std::min(n, big_target_ - big_.size());
      big_.append(p, k);
      p += k;
      n -= k;
      if (big_.size() < big_target_) return;
      in_big_ = false;
      bigs_.push_back(big_);
      big_.clear();
      parser_.big_arg_done(static_cast<uint32_t>(bigs_.size() - 1));
    }
    qbuf_.append(p, n);
    run();
  }

  const std::vector<Event>& events() const { return events_; }
  bool in_big() const { return in_big_; }
  size_t big_args_seen() const { return big_count_; }
  int calls() const { return calls_; }

 private:
  void run() {
    for (int guard = 0; guard < 1000000; guard++) {
      calls_++;
      ParseStatus st = parser_.parse(qbuf_.data(), qbuf_.size(), lim_);
      if (st == ParseStatus::kIncomplete) return;
      if (st == ParseStatus::kNeedBigArg) {
        size_t pre = parser_.consumed();
        big_target_ = static_cast<size_t>(parser_.big_len()) + 2;
        big_ = qbuf_.substr(pre);
        CHECK(big_.size() < big_target_);
        CHECK(parser_.big_len() >= kBigArg);
        qbuf_.resize(pre);
        in_big_ = true;
        big_count_++;
        return;
      }
      if (st == ParseStatus::kError) {
        events_.push_back(Event{st, V(), {}, 0, parser_.error(), parser_.error_byte()});
        failed_ = true;
        return;
      }
      Event e{st, resolve(parser_, qbuf_.data(), &bigs_), {}, parser_.consumed(), ProtoError::kNone, 0};
      for (const ArgRef& a : parser_.args()) e.srcs.push_back(a.src);
      events_.push_back(e);
      qbuf_.erase(0, parser_.consumed());
      parser_.reset();
      bigs_.clear();
      if (qbuf_.empty()) return;
    }
    FAIL("driver loop did not terminate");
  }

  ParseLimits lim_;
  RespParser parser_;
  std::string qbuf_;
  std::string big_;
  size_t big_target_ = 0;
  bool in_big_ = false;
  bool failed_ = false;
  size_t big_count_ = 0;
  int calls_ = 0;
  std::vector<std::string> bigs_;
  std::vector<Event> events_;
};

// Delivers `s` in pieces ending at `cuts` (increasing, then the rest).
std::vector<Event> drive(const std::string& s, const std::vector<size_t>& cuts,
                         ParseLimits lim = ParseLimits()) {
  Driver d(lim);
  size_t at = 0;
  for (size_t c : cuts) {
    if (c < at || c > s.size()) continue;
    d.deliver(s.data() + at, c - at);
    at = c;
  }
  d.deliver(s.data() + at, s.size() - at);
  return d.events();
}

// Every split point gives the same results as the whole stream at once, and so does feeding it
// one byte at a time. `step` > 1 thins out the split points inside long streams.
// The same stream through the engine's RequestReader (below).
void check_reader(const std::string& s, const std::vector<Event>& expect, size_t step, ParseLimits lim);

void check_all_splits(const std::string& s, const std::vector<Event>& expect, size_t step = 1,
                      ParseLimits lim = ParseLimits()) {
  std::vector<Event> whole = drive(s, {}, lim);
  if (!(whole == expect)) {
    FAIL("whole stream: got " + show_events(whole) + " want " + show_events(expect));
    return;
  }
  int bad = 0;
  for (size_t k = 0; k <= s.size(); k += (k < 64 || k + 64 > s.size()) ? 1 : step) {
    std::vector<Event> got = drive(s, {k}, lim);
    if (!(got == expect) && bad++ < 3) {
      FAIL("split at " + std::to_string(k) + " of " + check::quote(s) + ": got " + show_events(got));
    }
    // Two cuts: k and a later point.
    size_t k2 = k + (s.size() - k) / 2;
    got = drive(s, {k, k2}, lim);
    if (!(got == expect) && bad++ < 3) {
      FAIL("split at " + std::to_string(k) + "," + std::to_string(k2) + ": got " + show_events(got));
    }
  }
  Driver d(lim);
  for (size_t i = 0; i < s.size(); i++) d.deliver(s.data() + i, 1);
  if (!(d.events() == expect)) FAIL("byte by byte: got " + show_events(d.events()));
  check_reader(s, expect, step, lim);
}

// The RequestReader's view of `s` delivered in pieces ending at `cuts`: its batch records as
// events (commands and the protocol error; no empty lines, no byte counts).
std::vector<Event> reader_events(const std::string& s, const std::vector<size_t>& cuts, ParseLimits lim) {
  RequestReader reader;
  BatchBuffers out(1 << 16, 4096);
  auto deliver = [&](const char* p, size_t n) {
    while (n > 0 && !reader.stopped()) {
      RequestReader::Space sp = reader.space(out.arena);
      size_t k = std::min(n, sp.cap);
      std::memcpy(sp.dst, p, k);
      reader.commit(out.arena, sp, k);
      reader.process(out, 7, sp, k, lim);
      p += k;
      n -= k;
    }
  };
  size_t at = 0;
  for (size_t c : cuts) {
    if (c < at || c > s.size()) continue;
    deliver(s.data() + at, c - at);
    at = c;
  }
  deliver(s.data() + at, s.size() - at);
  std::vector<Rec> recs;
  decode_batch(reinterpret_cast<const uint32_t*>(out.records.data()), out.words(), out.arena.data(), out.arena.used(),
               out.bigs, &recs);
  std::vector<Event> ev;
  for (const Rec& r : recs) {
    if (r.slot != 7) FAIL("record for the wrong slot");
    if (r.type == kRecCommand) ev.push_back(Event{ParseStatus::kComplete, r.args, {}, 0, ProtoError::kNone, 0});
    if (r.type == kRecProtocolError)
      ev.push_back(Event{ParseStatus::kError, V(), {}, 0, static_cast<ProtoError>(r.words[0]), static_cast<uint8_t>(r.words[1])});
  }
  return ev;
}

// What the reader writes for the expected parser results: commands and errors, no byte counts.
std::vector<Event> as_records(const std::vector<Event>& expect) {
  std::vector<Event> out;
  for (Event e : expect) {
    if (e.st == ParseStatus::kEmpty) continue;
    e.consumed = 0;
    out.push_back(e);
  }
  return out;
}

void check_reader(const std::string& s, const std::vector<Event>& expect, size_t step, ParseLimits lim) {
  std::vector<Event> want = as_records(expect);
  int bad = 0;
  std::vector<Event> got = reader_events(s, {}, lim);
  if (!(got == want)) FAIL("reader, whole stream: got " + show_events(got) + " want " + show_events(want));
  for (size_t k = 0; k <= s.size(); k += (k < 64 || k + 64 > s.size()) ? 1 : step) {
    got = reader_events(s, {k, k + (s.size() - k) / 2}, lim);
    if (!(got == want) && bad++ < 3) FAIL("reader, split at " + std::to_string(k) + ": got " + show_events(got));
  }
  std::vector<size_t> bytes;
  for (size_t i = 1; i < s.size(); i++) bytes.push_back(i);
  got = reader_events(s, bytes, lim);
  if (!(got == want)) FAIL("reader, byte by byte: got " + show_events(got));
}

Event cmd(V args, size_t consumed) {
  return Event{ParseStatus::kComplete, std::move(args), {}, consumed, ProtoError::kNone, 0};
}
Event empty(size_t consumed) {
  return Event{ParseStatus::kEmpty, V(), {}, consumed, ProtoError::kNone, 0};
}

}  // namespace

// ---- string_to_ll --------------------------------------------------------------------------------

TEST(string_to_ll_accepts_strict_integers) {
  long long v = 12345;
  auto ok = [&](const char* s) { return string_to_ll(s, std::strlen(s), &v); };
  CHECK(ok("0"));
  CHECK_EQ(v, 0LL);
  CHECK(ok("1"));
  CHECK_EQ(v, 1LL);
  CHECK(ok("-1"));
  CHECK_EQ(v, -1LL);
  CHECK(ok("1234567890"));
  CHECK_EQ(v, 1234567890LL);
  CHECK(ok("9223372036854775807"));
  CHECK_EQ(v, LLONG_MAX);
  CHECK(ok("-9223372036854775808"));
  CHECK_EQ(v, LLONG_MIN);
  CHECK(ok("-9223372036854775807"));
  CHECK_EQ(v, -LLONG_MAX);
  // Only `len` bytes are read.
  CHECK(string_to_ll("123xyz", 3, &v));
  CHECK_EQ(v, 123LL);
}

TEST(string_to_ll_rejects_what_redis_rejects) {
  long long v = 77;
  const char* bad[] = {"",     "-",   "+1",  "01",  "00",  "-0",  "-01", " 1",
                       "1 ",   "1x",  "x1",  "1.0", "0x1", "--1", "+0",  "1e3",
                       "9223372036854775808", "-9223372036854775809", "18446744073709551615",
                       "18446744073709551616", "99999999999999999999999"};
  for (const char* s : bad) {
    if (string_to_ll(s, std::strlen(s), &v)) FAIL(std::string("accepted ") + check::quote(s));
  }
  CHECK_EQ(v, 77LL);  // untouched on failure
  CHECK(!string_to_ll("1\0" "2", 3, &v));
  CHECK(!string_to_ll("0", 0, &v));
}

// ---- split_inline_args (sdssplitargs) ---------------------------------------------------------

TEST(split_plain_tokens_and_whitespace) {
  bool ok = false;
  CHECK_EQ(split("SET key value", &ok), (V{"SET", "key", "value"}));
  CHECK(ok);
  CHECK_EQ(split("   a   b\t\tc  ", &ok), (V{"a", "b", "c"}));
  CHECK(ok);
  CHECK_EQ(split("", &ok), V{});
  CHECK(ok);
  CHECK_EQ(split(" \t\r\n\v\f ", &ok), V{});
  CHECK(ok);
  // Unquoted tokens end only at space, \n, \r, \t: PING\rPING is two arguments.
  CHECK_EQ(split("PING\rPING", &ok), (V{"PING", "PING"}));
  CHECK_EQ(split("a\nb", &ok), (V{"a", "b"}));
  // \v and \f are skipped as leading blanks (isspace) but do not end a token.
  CHECK_EQ(split("\v\fa\vb\fc", &ok), (V{"a\vb\fc"}));
  CHECK(ok);
  // Bytes >= 0x80 are ordinary.
  CHECK_EQ(split("\xc3\xa9t\xe9 \xff", &ok), (V{"\xc3\xa9t\xe9", "\xff"}));
  CHECK(ok);
}

TEST(split_double_quotes_and_escapes) {
  bool ok = false;
  CHECK_EQ(split("\"\\x41\"", &ok), V{"A"});
  CHECK(ok);
  CHECK_EQ(split("\"\\x4a\\x4B\\xff\\x00z\"", &ok), (V{std::string("JK\xff\0z", 5)}));
  CHECK(ok);
  // \x without two hex digits is the generic escape: "x" then the rest as is.
  CHECK_EQ(split("\"\\xZZ\"", &ok), V{"xZZ"});
  CHECK(ok);
  CHECK_EQ(split("\"\\x4\"", &ok), V{"x4"});
  CHECK(ok);
  CHECK_EQ(split("\"\\n\\r\\t\\b\\a\"", &ok), V{"\n\r\t\b\a"});
  CHECK(ok);
  CHECK_EQ(split("\"\\c\\\\\\\"\"", &ok), V{"c\\\""});
  CHECK(ok);
  CHECK_EQ(split("\"a b\" c", &ok), (V{"a b", "c"}));
  CHECK(ok);
  CHECK_EQ(split("\"\"", &ok), V{""});
  CHECK(ok);
  CHECK_EQ(split("\"\" ''", &ok), (V{"", ""}));
  CHECK(ok);
  CHECK_EQ(split("\"a\"\tb", &ok), (V{"a", "b"}));
  CHECK(ok);
  // Whitespace other than space after a closing quote is fine (isspace).
  CHECK_EQ(split("\"a\"\vb", &ok), (V{"a", "b"}));
  CHECK(ok);
  // A quote inside an unquoted token opens quoting.
  CHECK_EQ(split("a\"b c\"", &ok), V{"ab c"});
  CHECK(ok);
  CHECK_EQ(split("a'b c' d", &ok), (V{"ab c", "d"}));
  CHECK(ok);
}

TEST(split_single_quotes) {
  bool ok = false;
  CHECK_EQ(split("'\\''", &ok), V{"'"});
  CHECK(ok);
  // Only \' is an escape inside single quotes.
  CHECK_EQ(split("'a\\nb\\x41\\\"'", &ok), V{"a\\nb\\x41\\\""});
  CHECK(ok);
  CHECK_EQ(split("'a \"b\" c'", &ok), V{"a \"b\" c"});
  CHECK(ok);
  CHECK_EQ(split("'it\\'s' x", &ok), (V{"it's", "x"}));
  CHECK(ok);
}

TEST(split_unbalanced_quotes) {
  bool ok = true;
  const char* bad[] = {"\"foo\"bar", "'foo'bar", "\"foo", "'foo", "x \"foo", "\"foo\\\"",
                       "'foo\\'",    "\"a\\",    "\"",    "'",    "a\"b",    "\"a\"\"b\""};
  for (const char* s : bad) {
    split(s, &ok);
    if (ok) FAIL(std::string("accepted ") + check::quote(s));
  }
}

TEST(split_appends_to_existing_output) {
  std::string out = "prefix";
  std::vector<ArgRef> args;
  args.push_back(ArgRef{0, 6, ArgSource::kScratch});
  const char line[] = "ab \"c d\"";
  CHECK(split_inline_args(line, sizeof(line) - 1, &out, &args));
  REQUIRE_EQ(args.size(), 3u);
  CHECK_EQ(out, "prefixabc d");
  CHECK_EQ(args[1].off, 6u);
  CHECK_EQ(args[1].len, 2u);
  CHECK_EQ(args[2].off, 8u);
  CHECK_EQ(args[2].len, 3u);
  CHECK(args[2].src == ArgSource::kScratch);
}

// ---- inline requests ------------------------------------------------------------------------------

TEST(inline_basic) {
  One r = parse_one("PING\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 6u);
  CHECK_EQ(r.args, V{"PING"});
  r = parse_one("PING\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 5u);
  CHECK_EQ(r.args, V{"PING"});
  r = parse_one("  SET  k   \"v w\"  \r\nGET k\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 20u);
  CHECK_EQ(r.args, (V{"SET", "k", "v w"}));
  // One \r is stripped; another one ends the token.
  r = parse_one("PING\r\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 7u);
  CHECK_EQ(r.args, V{"PING"});
  r = parse_one("PING\rPING\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.args, (V{"PING", "PING"}));
  r = parse_one("a\"b c\"\r\n");
  CHECK_EQ(r.args, V{"ab c"});
  r = parse_one("ECHO \"\\x41\\n\" '\\''\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.args, (V{"ECHO", "A\n", "'"}));
  // Any first byte other than '*' is inline, even RESP type bytes.
  r = parse_one("$4\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.args, V{"$4"});
  r = parse_one("PING");
  CHECK(r.st == ParseStatus::kIncomplete);
  CHECK_EQ(r.consumed, 0u);
  r = parse_one("PING\r");
  CHECK(r.st == ParseStatus::kIncomplete);
}

TEST(inline_empty_lines) {
  One r = parse_one("\r\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 2u);
  r = parse_one("\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 1u);
  r = parse_one("   \t \r\nPING\r\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 7u);
  CHECK(r.args.empty());
}

TEST(inline_nul_never_completes) {
  std::string s("PING\0\r\n", 7);
  RespParser p;
  CHECK(p.parse(s.data(), s.size(), ParseLimits()) == ParseStatus::kIncomplete);
  s += "PING\r\n";
  CHECK(p.parse(s.data(), s.size(), ParseLimits()) == ParseStatus::kIncomplete);
  CHECK(p.in_progress());
  s.append(10000, 'x');
  s += "\r\n";
  CHECK(p.parse(s.data(), s.size(), ParseLimits()) == ParseStatus::kIncomplete);
  // It grows until the inline limit.
  s.append(kInlineMaxSize + 1 - s.size(), 'y');
  CHECK_EQ(s.size(), kInlineMaxSize + 1);
  CHECK(p.parse(s.data(), s.size(), ParseLimits()) == ParseStatus::kError);
  CHECK(p.error() == ProtoError::kTooBigInline);
  // A NUL at the very start, fresh parser.
  One r = parse_one(std::string("\0PING\r\n", 7));
  CHECK(r.st == ParseStatus::kIncomplete);
  // A NUL after the newline does not matter.
  r = parse_one(std::string("PING\r\n\0", 7));
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 6u);
}

TEST(inline_too_big) {
  std::string s(kInlineMaxSize, 'a');
  One r = parse_one(s);
  CHECK(r.st == ParseStatus::kIncomplete);
  s += 'a';
  r = parse_one(s);
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kTooBigInline);
  // Incrementally: the same parser reaches the limit.
  RespParser p;
  std::string t;
  ParseStatus st = ParseStatus::kIncomplete;
  for (int i = 0; i < 100 && st == ParseStatus::kIncomplete; i++) {
    t.append(1000, 'b');
    st = p.parse(t.data(), t.size(), ParseLimits());
  }
  CHECK(st == ParseStatus::kError);
  CHECK(p.error() == ProtoError::kTooBigInline);
  CHECK(t.size() > kInlineMaxSize);
  CHECK(t.size() <= kInlineMaxSize + 1000);
  // A long line that has its newline is fine (the limit is for searching).
  std::string big = "ECHO " + std::string(100000, 'z') + "\r\n";
  r = parse_one(big);
  CHECK(r.st == ParseStatus::kComplete);
  REQUIRE_EQ(r.args.size(), 2u);
  CHECK_EQ(r.args[1].size(), 100000u);
}

TEST(inline_unbalanced_quotes) {
  const char* bad[] = {"SET \"a\"b\r\n", "SET 'a'b\r\n", "SET \"abc\r\n", "SET 'abc\r\n",
                       "\"\r\n",         "ECHO \"x\\\"\r\n"};
  for (const char* s : bad) {
    One r = parse_one(s);
    if (r.st != ParseStatus::kError || r.err != ProtoError::kUnbalancedQuotes)
      FAIL(std::string("no unbalanced quotes error for ") + check::quote(s));
  }
  // The stripped \r is not part of the line: "a"\r\n is balanced; "a"\r\r\n is not.
  One r = parse_one("ECHO \"a\"\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.args, (V{"ECHO", "a"}));
  r = parse_one("ECHO \"a\"\r\r\n");
  CHECK(r.st == ParseStatus::kComplete);  // \r is whitespace after the quote
  r = parse_one("ECHO \"a\"x\r\n");
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kUnbalancedQuotes);
}

// ---- multibulk ----------------------------------------------------------------------------------

TEST(multibulk_basic) {
  One r = parse_one("*1\r\n$4\r\nPING\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 14u);
  CHECK_EQ(r.args, V{"PING"});
  std::string s = "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\na\r\nb";
  s += std::string("\0\r\n", 3);
  r = parse_one(s);
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, s.size());
  CHECK_EQ(r.args, (V{"SET", "", std::string("a\r\nb\0", 5)}));
  // Argument references are offsets from the command start, into the buffer.
  RespParser p;
  const char* q = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n";
  CHECK(p.parse(q, std::strlen(q), ParseLimits()) == ParseStatus::kComplete);
  REQUIRE_EQ(p.args().size(), 2u);
  CHECK(p.args()[0].src == ArgSource::kBuffer);
  CHECK_EQ(p.args()[0].off, 8u);
  CHECK_EQ(p.args()[0].len, 4u);
  CHECK_EQ(p.args()[1].off, 18u);
  CHECK_EQ(p.args()[1].len, 2u);
  CHECK(p.in_progress());
  p.reset();
  CHECK(!p.in_progress());
  CHECK(p.args().empty());
  CHECK_EQ(p.consumed(), 0u);
}

TEST(multibulk_lenient_bytes) {
  // The two bytes after a bulk payload are not checked.
  One r = parse_one("*1\r\n$4\r\nPINGxx");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.consumed, 14u);
  CHECK_EQ(r.args, V{"PING"});
  // ...but they must be there.
  r = parse_one("*1\r\n$4\r\nPINGx");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\n$4\r\nPING");
  CHECK(r.st == ParseStatus::kIncomplete);
  // The byte after \r in a header is not checked.
  r = parse_one(std::string("*2\rA$4\rBPING\r\n$1\r\0x..", 21));
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.args, (V{"PING", "x"}));
  CHECK_EQ(r.consumed, 21u);
  // ...but a byte must follow the \r.
  r = parse_one("*1\r");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\n$4\r");
  CHECK(r.st == ParseStatus::kIncomplete);
}

TEST(multibulk_empty_commands) {
  One r = parse_one("*0\r\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 4u);
  r = parse_one("*-1\r\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 5u);
  r = parse_one("*-100\r\n*1\r\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 7u);
  r = parse_one("*0\r\n*1\r\n$4\r\nPING\r\n");
  CHECK(r.st == ParseStatus::kEmpty);
  CHECK_EQ(r.consumed, 4u);
  CHECK(r.args.empty());
  // Empty commands are allowed before auth too.
  r = parse_one("*-1\r\n", unauth());
  CHECK(r.st == ParseStatus::kEmpty);
  r = parse_one("*0");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*0\r");
  CHECK(r.st == ParseStatus::kIncomplete);
}

TEST(error_too_big_mbulk_count) {
  std::string s = "*" + std::string(kInlineMaxSize - 1, '1');
  CHECK_EQ(s.size(), kInlineMaxSize);
  CHECK(parse_one(s).st == ParseStatus::kIncomplete);
  s += '1';
  One r = parse_one(s);
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kTooBigMbulkCount);
  // A NUL hides the \r from strchr.
  std::string t = std::string("*1\0\r\n", 5) + std::string(kInlineMaxSize, 'x');
  r = parse_one(t);
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kTooBigMbulkCount);
  r = parse_one(std::string("*1\0\r\n", 5));
  CHECK(r.st == ParseStatus::kIncomplete);
}

// Header lines are scanned by a short loop for their first 32 bytes, then by memchr: the CR and
// a NUL that hides it are found the same either side of that boundary.
TEST(long_header_lines_cross_the_short_scan) {
  for (size_t digits = 28; digits <= 40; digits++) {
    std::string head = "*" + std::string(digits, '1');
    One r = parse_one(head + "\r\n");
    if (r.st != ParseStatus::kError || r.err != ProtoError::kInvalidMbulkLength)
      FAIL("no invalid multibulk length for " + std::to_string(digits) + " digits");
    r = parse_one(head + std::string("\0\r\n", 3));
    if (r.st != ParseStatus::kIncomplete) FAIL("NUL before CR not incomplete at " + std::to_string(digits) + " digits");
    r = parse_one("*1\r\n$" + std::string(digits, '1') + "\r\n");
    if (r.st != ParseStatus::kError || r.err != ProtoError::kInvalidBulkLength)
      FAIL("no invalid bulk length for " + std::to_string(digits) + " digits");
  }
  One r = parse_one("*1\r\n$3\r\nabc\r\n");
  CHECK(r.st == ParseStatus::kComplete);
}

TEST(error_invalid_mbulk_length) {
  const char* bad[] = {"*+1\r\n", "*01\r\n",  "*-0\r\n",  "* 1\r\n",         "*1 \r\n",
                       "*\r\n",   "*x\r\n",   "*1x\r\n",  "*2147483648\r\n", "*9223372036854775808\r\n",
                       "*-\r\n",  "*00\r\n",  "*1\t\r\n", "*-01\r\n"};
  for (const char* s : bad) {
    One r = parse_one(s);
    if (r.st != ParseStatus::kError || r.err != ProtoError::kInvalidMbulkLength)
      FAIL(std::string("no invalid multibulk length error for ") + check::quote(s));
  }
  // INT_MAX itself is accepted (and waits for the arguments).
  One r = parse_one("*2147483647\r\n");
  CHECK(r.st == ParseStatus::kIncomplete);
  // Invalid wins over unauthenticated.
  r = parse_one("*2147483648\r\n", unauth());
  CHECK(r.err == ProtoError::kInvalidMbulkLength);
}

TEST(error_unauthenticated_mbulk_length) {
  One r = parse_one("*11\r\n", unauth());
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kUnauthMbulkLength);
  r = parse_one("*10\r\n", unauth());
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*11\r\n");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*2147483647\r\n", unauth());
  CHECK(r.err == ProtoError::kUnauthMbulkLength);
}

TEST(error_too_big_bulk_count) {
  std::string head = "*1\r\n";
  std::string s = head + "$" + std::string(kInlineMaxSize - 1, '1');
  CHECK(parse_one(s).st == ParseStatus::kIncomplete);
  s += '1';
  One r = parse_one(s);
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kTooBigBulkCount);
  // A non-'$' line longer than 64 KiB gets this error, not "expected '$'".
  r = parse_one(head + std::string(kInlineMaxSize + 1, 'x'));
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kTooBigBulkCount);
  // The limit counts from the current bulk header, after earlier arguments.
  std::string t = "*2\r\n$1\r\na\r\n" + std::string(kInlineMaxSize, 'x');
  CHECK(parse_one(t).st == ParseStatus::kIncomplete);
  t += 'x';
  r = parse_one(t);
  CHECK(r.err == ProtoError::kTooBigBulkCount);
}

TEST(error_expected_dollar) {
  One r = parse_one("*1\r\nPING\r\n");
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kExpectedDollar);
  CHECK_EQ(r.byte, static_cast<uint8_t>('P'));
  r = parse_one("*2\r\n$1\r\na\r\n:1\r\n");
  CHECK(r.err == ProtoError::kExpectedDollar);
  CHECK_EQ(r.byte, static_cast<uint8_t>(':'));
  r = parse_one("*1\r\n\xff\r\n");
  CHECK(r.err == ProtoError::kExpectedDollar);
  CHECK_EQ(r.byte, 0xffu);
  // An empty header line: the offending byte is the \r itself.
  r = parse_one("*1\r\n\r\n");
  CHECK(r.err == ProtoError::kExpectedDollar);
  CHECK_EQ(r.byte, static_cast<uint8_t>('\r'));
  // Not decided until the header line has its \r and one more byte.
  r = parse_one("*1\r\nX");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\nXYZ\r");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\nXYZ\r?");
  CHECK(r.err == ProtoError::kExpectedDollar);
  CHECK_EQ(r.byte, static_cast<uint8_t>('X'));
  // A bulk payload's trailing bytes are never taken as the next header.
  r = parse_one("*2\r\n$1\r\na$$$1\r\nb\r\n");
  CHECK(r.st == ParseStatus::kComplete);
  CHECK_EQ(r.args, (V{"a", "b"}));
}

TEST(error_invalid_bulk_length) {
  const char* bad[] = {"$-1\r\n", "$-5\r\n", "$+1\r\n", "$01\r\n", "$ 1\r\n", "$1 \r\n",
                       "$1x\r\n", "$\r\n",   "$-0\r\n", "$-\r\n",  "$9223372036854775808\r\n",
                       "$536870913\r\n"};
  for (const char* h : bad) {
    One r = parse_one(std::string("*1\r\n") + h);
    if (r.st != ParseStatus::kError || r.err != ProtoError::kInvalidBulkLength)
      FAIL(std::string("no invalid bulk length error for ") + check::quote(h));
  }
  // proto-max-bulk-len itself is allowed (and, being big, handed to the caller).
  One r = parse_one("*1\r\n$536870912\r\n");
  CHECK(r.st == ParseStatus::kNeedBigArg);
  ParseLimits lim;
  lim.max_bulk_len = 10;
  r = parse_one("*1\r\n$11\r\n", lim);
  CHECK(r.err == ProtoError::kInvalidBulkLength);
  r = parse_one("*1\r\n$10\r\n", lim);
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\n$10\r\n0123456789\r\n", lim);
  CHECK(r.st == ParseStatus::kComplete);
  // Invalid wins over unauthenticated.
  r = parse_one("*1\r\n$-1\r\n", unauth());
  CHECK(r.err == ProtoError::kInvalidBulkLength);
}

TEST(error_unauthenticated_bulk_length) {
  One r = parse_one("*1\r\n$16385\r\n", unauth());
  CHECK(r.st == ParseStatus::kError);
  CHECK(r.err == ProtoError::kUnauthBulkLength);
  r = parse_one("*1\r\n$40000\r\n", unauth());
  CHECK(r.err == ProtoError::kUnauthBulkLength);
  r = parse_one("*1\r\n$16384\r\n", unauth());
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\n$16385\r\n");
  CHECK(r.st == ParseStatus::kIncomplete);
  r = parse_one("*1\r\n$16384\r\n" + std::string(16384, 'v') + "\r\n", unauth());
  CHECK(r.st == ParseStatus::kComplete);
}

TEST(errors_are_sticky_until_reset) {
  RespParser p;
  const char* bad = "*1\r\n!x\r\n";
  CHECK(p.parse(bad, std::strlen(bad), ParseLimits()) == ParseStatus::kError);
  CHECK(p.error() == ProtoError::kExpectedDollar);
  CHECK_EQ(p.error_byte(), static_cast<uint8_t>('!'));
  const char* good = "PING\r\n";
  CHECK(p.parse(good, std::strlen(good), ParseLimits()) == ParseStatus::kError);
  p.reset();
  CHECK(p.error() == ProtoError::kNone);
  CHECK_EQ(p.error_byte(), 0u);
  CHECK(p.parse(good, std::strlen(good), ParseLimits()) == ParseStatus::kComplete);
}

TEST(no_bytes_is_incomplete) {
  RespParser p;
  CHECK(p.parse("", 0, ParseLimits()) == ParseStatus::kIncomplete);
  CHECK(!p.in_progress());
  CHECK_EQ(p.consumed(), 0u);
}

// ---- pipelines ------------------------------------------------------------------------------------

TEST(pipeline_parse_consume_reset_continue) {
  struct Want {
    ParseStatus st;
    std::string bytes;
    V args;
  };
  std::vector<Want> want = {
      {ParseStatus::kComplete, "*1\r\n$4\r\nPING\r\n", {"PING"}},
      {ParseStatus::kComplete, "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", {"ECHO", "hi"}},
      {ParseStatus::kComplete, "PING\r\n", {"PING"}},
      {ParseStatus::kEmpty, "*0\r\n", {}},
      {ParseStatus::kEmpty, "\r\n", {}},
      {ParseStatus::kComplete, "SET a 'b c'\n", {"SET", "a", "b c"}},
      {ParseStatus::kEmpty, "*-1\r\n", {}},
      {ParseStatus::kComplete, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", {"SET", "k", ""}},
  };
  std::string s;
  for (const Want& w : want) s += w.bytes;
  RespParser p;
  size_t off = 0;
  for (size_t i = 0; i < want.size(); i++) {
    ParseStatus st = p.parse(s.data() + off, s.size() - off, ParseLimits());
    CHECK(st == want[i].st);
    CHECK_EQ(p.consumed(), want[i].bytes.size());
    if (st == ParseStatus::kComplete) CHECK_EQ(resolve(p, s.data() + off), want[i].args);
    off += p.consumed();
    p.reset();
  }
  CHECK_EQ(off, s.size());
  CHECK(p.parse(s.data() + off, s.size() - off, ParseLimits()) == ParseStatus::kIncomplete);
}

TEST(pipeline_stops_at_error) {
  std::string s = "*1\r\n$4\r\nPING\r\n*1\r\n%3\r\nxyz\r\n*1\r\n$4\r\nPING\r\n";
  std::vector<Event> ev = drive(s, {});
  REQUIRE_EQ(ev.size(), 2u);
  CHECK(ev[0].st == ParseStatus::kComplete);
  CHECK(ev[1].st == ParseStatus::kError);
  CHECK(ev[1].err == ProtoError::kExpectedDollar);
  CHECK_EQ(ev[1].byte, static_cast<uint8_t>('%'));
}

// ---- splitting at every byte --------------------------------------------------------------------

TEST(split_single_multibulk_at_every_byte) {
  std::string s = std::string("*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$8\r\nva\r\nl") + std::string("\0ue", 3) +
      "\r\n$0\r\n\r\n";
  V want = {"SET", "key", std::string("va\r\nl\0ue", 8), ""};
  // The literal contract: feed k bytes, then all of them, same parser, no reset.
  for (size_t k = 0; k < s.size(); k++) {
    RespParser p;
    ParseStatus st = p.parse(s.data(), k, ParseLimits());
    if (st != ParseStatus::kIncomplete) {
      FAIL("prefix of " + std::to_string(k) + " bytes gave status " + std::to_string(static_cast<int>(st)));
      continue;
    }
    st = p.parse(s.data(), s.size(), ParseLimits());
    if (st != ParseStatus::kComplete || p.consumed() != s.size() || resolve(p, s.data()) != want)
      FAIL("split at " + std::to_string(k) + " gave " + check::show(resolve(p, s.data())));
  }
  // And every way of growing the prefix: all prefixes in order on one parser.
  RespParser p;
  for (size_t k = 0; k < s.size(); k++) {
    if (p.parse(s.data(), k, ParseLimits()) != ParseStatus::kIncomplete) FAIL("early result at " + std::to_string(k));
  }
  CHECK(p.parse(s.data(), s.size(), ParseLimits()) == ParseStatus::kComplete);
  CHECK_EQ(resolve(p, s.data()), want);
  check_all_splits(s, {cmd(want, s.size())});
}

TEST(split_single_inline_at_every_byte) {
  std::string s = "  SET \"k \\x41\\n\" 'it\\'s' a\"b c\" PING\rPING\r\n";
  V want = {"SET", "k A\n", "it's", "ab c", "PING", "PING"};
  for (size_t k = 0; k < s.size(); k++) {
    RespParser p;
    if (p.parse(s.data(), k, ParseLimits()) != ParseStatus::kIncomplete) {
      FAIL("prefix of " + std::to_string(k) + " bytes did not give kIncomplete");
      continue;
    }
    ParseStatus st = p.parse(s.data(), s.size(), ParseLimits());
    if (st != ParseStatus::kComplete || p.consumed() != s.size() || resolve(p, s.data()) != want)
      FAIL("split at " + std::to_string(k) + " gave " + check::show(resolve(p, s.data())));
  }
  check_all_splits(s, {cmd(want, s.size())});
}

TEST(split_lenient_multibulk_at_every_byte) {
  std::string s = "*2\rA$4\rBPINGzz$1\r\nxQQ";
  check_all_splits(s, {cmd({"PING", "x"}, s.size())});
}

TEST(split_pipeline_at_every_byte) {
  std::vector<std::pair<std::string, V>> parts = {
      {"*1\r\n$4\r\nPING\r\n", {"PING"}},
      {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n", {"SET", "k", "v\r\n"}},
      {"\r\n", {}},
      {"ECHO \"a b\" c\r\n", {"ECHO", "a b", "c"}},
      {"*0\r\n", {}},
      {"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", {"ECHO", ""}},
      {"*-1\r\n", {}},
      {"PING\n", {"PING"}},
      {"*1\r\n$4\r\nPINGxx", {"PING"}},
  };
  std::string s;
  std::vector<Event> want;
  for (const auto& part : parts) {
    s += part.first;
    want.push_back(part.second.empty() ? empty(part.first.size()) : cmd(part.second, part.first.size()));
  }
  check_all_splits(s, want);
}

TEST(split_pipeline_with_error_at_every_byte) {
  std::string s = "*1\r\n$4\r\nPING\r\nGET \"k\r\n*1\r\n$4\r\nPING\r\n";
  std::vector<Event> want = {
      cmd({"PING"}, 14),
      Event{ParseStatus::kError, V(), {}, 0, ProtoError::kUnbalancedQuotes, 0},
  };
  check_all_splits(s, want);
}

// ---- big arguments --------------------------------------------------------------------------------

TEST(big_arg_needs_caller_buffer) {
  std::string payload(40000, 'p');
  for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<char>('a' + i % 26);
  std::string head = "*3\r\n$3\r\nSET\r\n$40000\r\n";
  std::string tail = "$1\r\nx\r\n";
  std::string full = head + payload + "\r\n" + tail;

  // Header with part of the payload.
  RespParser p;
  ParseStatus st = p.parse(full.data(), head.size() + 100, ParseLimits());
  REQUIRE(st == ParseStatus::kNeedBigArg);
  CHECK_EQ(p.big_len(), 40000);
  CHECK_EQ(p.pending_bulk_len(), 40000);
  CHECK_EQ(p.consumed(), head.size());
  CHECK(p.in_progress());
  // The caller took the payload; its buffer now holds the header bytes only.
  p.big_arg_done(0);
  std::string buf = head;
  CHECK(p.parse(buf.data(), buf.size(), ParseLimits()) == ParseStatus::kIncomplete);
  buf += tail.substr(0, 3);
  CHECK(p.parse(buf.data(), buf.size(), ParseLimits()) == ParseStatus::kIncomplete);
  buf += tail.substr(3);
  st = p.parse(buf.data(), buf.size(), ParseLimits());
  REQUIRE(st == ParseStatus::kComplete);
  CHECK_EQ(p.consumed(), head.size() + tail.size());
  REQUIRE_EQ(p.args().size(), 3u);
  CHECK(p.args()[0].src == ArgSource::kBuffer);
  CHECK(p.args()[1].src == ArgSource::kBig);
  CHECK_EQ(p.args()[1].off, 0u);
  CHECK_EQ(p.args()[1].len, 40000u);
  CHECK(p.args()[2].src == ArgSource::kBuffer);
  CHECK_EQ(p.args()[2].off, head.size() + 4);
  std::vector<std::string> bigs = {payload + "\r\n"};
  CHECK_EQ(resolve(p, buf.data(), &bigs), (V{"SET", payload, "x"}));
}

TEST(big_arg_header_only_and_last_arg) {
  std::string head = "*2\r\n$3\r\nSET\r\n$32768\r\n";
  RespParser p;
  REQUIRE(p.parse(head.data(), head.size(), ParseLimits()) == ParseStatus::kNeedBigArg);
  CHECK_EQ(p.big_len(), kBigArg);
  CHECK_EQ(p.consumed(), head.size());
  p.big_arg_done(7);
  REQUIRE(p.parse(head.data(), head.size(), ParseLimits()) == ParseStatus::kComplete);
  CHECK_EQ(p.consumed(), head.size());
  REQUIRE_EQ(p.args().size(), 2u);
  CHECK(p.args()[1].src == ArgSource::kBig);
  CHECK_EQ(p.args()[1].off, 7u);
  CHECK_EQ(p.args()[1].len, 32768u);
  // Just under the threshold: an ordinary bulk that waits in the buffer.
  One r = parse_one("*1\r\n$32767\r\n");
  CHECK(r.st == ParseStatus::kIncomplete);
  // Payload present but for the last byte: still big.
  std::string s = "*1\r\n$32768\r\n" + std::string(32768, 'q') + "\r";
  r = parse_one(s);
  CHECK(r.st == ParseStatus::kNeedBigArg);
}

TEST(big_arg_present_in_full_is_parsed_normally) {
  std::string payload(50000, 'z');
  payload[0] = 'A';
  payload[49999] = 'Z';
  std::string s = "*2\r\n$4\r\nECHO\r\n$50000\r\n" + payload + "\r\n*1\r\n$4\r\nPING\r\n";
  RespParser p;
  REQUIRE(p.parse(s.data(), s.size(), ParseLimits()) == ParseStatus::kComplete);
  CHECK_EQ(p.consumed(), s.size() - 14);
  REQUIRE_EQ(p.args().size(), 2u);
  CHECK(p.args()[1].src == ArgSource::kBuffer);
  CHECK(resolve(p, s.data())[1] == payload);
  // Exactly the command, no more.
  p.reset();
  REQUIRE(p.parse(s.data(), s.size() - 14, ParseLimits()) == ParseStatus::kComplete);
  CHECK(p.args()[1].src == ArgSource::kBuffer);
}

TEST(big_args_two_in_one_command) {
  std::string a(33000, 'a'), b(70000, 'b');
  std::string s = "*3\r\n$4\r\nMSET\r\n$33000\r\n" + a + "\r\n$70000\r\n" + b + "\r\n";
  Driver d;
  // Header and a bit of the first payload, then the rest in 4 KiB pieces.
  size_t first = 40;
  d.deliver(s.data(), first);
  CHECK(d.in_big());
  for (size_t at = first; at < s.size(); at += 4096) d.deliver(s.data() + at, std::min<size_t>(4096, s.size() - at));
  REQUIRE_EQ(d.events().size(), 1u);
  const Event& e = d.events()[0];
  CHECK(e.st == ParseStatus::kComplete);
  CHECK_EQ(d.big_args_seen(), 2u);
  REQUIRE_EQ(e.args.size(), 3u);
  CHECK_EQ(e.args[0], "MSET");
  CHECK(e.args[1] == a);
  CHECK(e.args[2] == b);
  REQUIRE_EQ(e.srcs.size(), 3u);
  CHECK(e.srcs[1] == ArgSource::kBig);
  CHECK(e.srcs[2] == ArgSource::kBig);
}

TEST(split_big_arg_pipeline) {
  std::string big(33000, 'x');
  for (size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i * 7 % 256);
  std::string s = "*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$33000\r\n" + big + "\r\n$1\r\nv\r\nPING\r\n";
  std::vector<Event> want = {
      cmd({"PING"}, 14),
      cmd({"SET", big, "v"}, s.size() - 14 - 6),
      cmd({"PING"}, 6),
  };
  // Whole at once the big argument is in the buffer; split, it goes through a big buffer and
  // `consumed` shrinks to the header bytes. Compare arguments only for split runs.
  std::vector<Event> whole = drive(s, {});
  REQUIRE_EQ(whole.size(), 3u);
  CHECK(whole == want);
  int bad = 0;
  for (size_t k = 0; k <= s.size(); k += (k < 80 || k + 80 > s.size()) ? 1 : 331) {
    std::vector<Event> got = drive(s, {k});
    bool same = got.size() == want.size();
    for (size_t i = 0; same && i < got.size(); i++) same = got[i].st == want[i].st && got[i].args == want[i].args;
    if (!same && bad++ < 3) FAIL("split at " + std::to_string(k) + " gave " + show_events(got));
  }
  Driver d;
  for (size_t i = 0; i < s.size(); i++) d.deliver(s.data() + i, 1);
  REQUIRE_EQ(d.events().size(), 3u);
  CHECK(d.events()[1].args == want[1].args);
  CHECK(d.events()[1].srcs[1] == ArgSource::kBig);
  // Only the header bytes stayed in the buffer, then "$1\r\nv\r\n".
  CHECK_EQ(d.events()[1].consumed, std::strlen("*3\r\n$3\r\nSET\r\n$33000\r\n") + 7);
  CHECK(d.events()[2].args == want[2].args);
}

int main() { return RUN_ALL(); }
