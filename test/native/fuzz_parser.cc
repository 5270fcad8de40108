// Fuzz target for request parsing: the input is a RESP (or inline) byte stream, fed through the
// engine's RequestReader once whole and once cut into pieces the input itself chooses. Both must
// give the same batch records, every record must be well formed (arguments inside the arena or
// naming a big argument of the right size) and nothing may crash. Built by `npm run fuzz` with
// libFuzzer (clang) or with fuzz_driver.cc (g++), under ASan and UBSan either way.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "batch.h"
#include "request_reader.h"

using namespace respd;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_parser: %s\n", what);
  std::abort();
}

// Records as comparable text: type, then the arguments or the error words.
std::vector<std::string> feed(const uint8_t* data, size_t size, const std::vector<size_t>& cuts, const ParseLimits& lim) {
  RequestReader reader;
  BatchBuffers out(4096, 256);
  auto deliver = [&](const uint8_t* p, size_t n) {
    while (n > 0 && !reader.stopped()) {
      RequestReader::Space sp = reader.space(out.arena);
      if (sp.cap == 0) fail("no room to read into");
      size_t k = n < sp.cap ? n : sp.cap;
      std::memcpy(sp.dst, p, k);
      reader.commit(out.arena, sp, k);
      reader.process(out, 1, sp, k, lim);
      p += k;
      n -= k;
    }
  };
  size_t at = 0;
  for (size_t c : cuts) {
    if (c <= at || c > size) continue;
    deliver(data + at, c - at);
    at = c;
  }
  deliver(data + at, size - at);
  if (reader.qbuf() > size) fail("query buffer holds more than was received");

  std::vector<std::string> recs;
  const uint32_t* w = reinterpret_cast<const uint32_t*>(out.records.data());
  size_t words = out.words();
  for (size_t i = 0; i < words;) {
    size_t len = record_words(w + i);
    if (len == 0 || i + len > words) fail("malformed record");
    std::string r = std::to_string(w[i]) + ":";
    if (w[i + 1] != 1) fail("record for another slot");
    if (w[i] == kRecCommand) {
      uint32_t argc = w[i + 2];
      if (argc == 0) fail("command without arguments");
      for (uint32_t a = 0; a < argc; a++) {
        uint32_t off = w[i + 3 + 2 * a], alen = w[i + 4 + 2 * a];
        if (alen == kBigArgLen) {
          if (off >= out.bigs.size() || !out.bigs[off] || out.bigs[off]->size < 2) fail("bad big argument");
          // The two bytes after the payload are skipped unchecked, as processMultibulkBuffer does.
          const Bytes& b = *out.bigs[off];
          r.append(b.data, b.size - 2);
        } else {
          if (static_cast<size_t>(off) + alen > out.arena.used()) fail("argument outside the arena");
          r.append(out.arena.data() + off, alen);
        }
        r += '\x1f';
      }
    } else if (w[i] == kRecProtocolError) {
      r += std::to_string(w[i + 2]) + "," + std::to_string(w[i + 3]);
    } else {
      fail("unexpected record type");
    }
    recs.push_back(std::move(r));
    i += len;
  }
  return recs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // The first byte picks the limits and seeds the cuts; the rest is the stream.
  uint8_t ctl = data[0];
  uint32_t seed = data[1] | (ctl << 8);
  data += 2;
  size -= 2;
  ParseLimits lim;
  lim.unauthenticated = (ctl & 1) != 0;
  if (ctl & 2) lim.max_bulk_len = 64 * 1024;  // big arguments (>= 32 KiB) still possible
  std::vector<size_t> cuts;
  for (size_t at = 0; at < size;) {
    seed = seed * 1103515245u + 12345u;
    size_t step = 1 + ((seed >> 16) % ((ctl & 4) ? 3 : 97));
    at += step;
    cuts.push_back(at);
  }
  std::vector<std::string> whole = feed(data, size, {}, lim);
  std::vector<std::string> pieces = feed(data, size, cuts, lim);
  // The "too big" errors depend on how the bytes arrive, in Redis as here: a line without its
  // '\r' or '\n' is refused once more than 64 KiB of it are buffered, so a long line read in one
  // piece may pass where the same line read a byte at a time is refused.
  for (const auto* v : {&whole, &pieces}) {
    for (const std::string& r : *v) {
      for (ProtoError e : {ProtoError::kTooBigInline, ProtoError::kTooBigMbulkCount, ProtoError::kTooBigBulkCount}) {
        std::string code = std::to_string(kRecProtocolError) + ":" + std::to_string(static_cast<int>(e)) + ",";
        if (r.compare(0, code.size(), code) == 0) return 0;
      }
    }
  }
  if (whole != pieces) fail("whole and cut streams parse differently");
  return 0;
}
