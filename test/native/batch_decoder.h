// Decodes a batch into records the tests can look at, walking it by batch.h's layout table (the
// same table the IO-thread merge and TypeScript use). Used by the engine and parser tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "batch.h"
#include "check.h"

namespace respd {

struct Rec {
  uint32_t type = 0;
  uint32_t slot = 0;                 // kRecLog: the level
  std::vector<uint32_t> words;       // the record's words after [type, slot]
  std::vector<std::string> args;     // kRecCommand: argument bytes (big ones without CRLF)
  std::vector<bool> big;             // kRecCommand: argument came as a big argument
  std::vector<std::string> big_raw;  // the big argument buffers as handed over (len+2 bytes)
  std::string log;                   // kRecLog message
};

// Appends the records of `n` words at `w` to `out`; argument bytes come from the arena and bigs.
inline void decode_batch(const uint32_t* w, size_t n, const char* arena, size_t arena_used,
                         const std::vector<SharedBytes>& bigs, std::vector<Rec>* out) {
  size_t i = 0;
  while (i < n) {
    const RecordLayout* layout = record_layout(w[i]);
    if (!layout) {
      FAIL("unknown record type " + std::to_string(w[i]));
      return;
    }
    if (layout->count_word && i + layout->count_word >= n) {
      FAIL("truncated record");
      return;
    }
    size_t len = record_words(w + i);
    if (i + len > n) {
      FAIL("record runs past the end of the batch");
      return;
    }
    Rec r;
    r.type = w[i];
    r.slot = w[i + 1];
    r.words.assign(w + i + 2, w + i + len);
    if (r.type == kRecCommand) {
      uint32_t argc = w[i + 2];
      for (uint32_t a = 0; a < argc; a++) {
        uint32_t off = w[i + 3 + 2 * a], alen = w[i + 4 + 2 * a];
        if (alen == kBigArgLen) {
          if (off >= bigs.size() || !bigs[off] || bigs[off]->size < 2) {
            FAIL("bad big argument index " + std::to_string(off));
            r.args.emplace_back();
            r.big.push_back(true);
            continue;
          }
          std::string raw(bigs[off]->data, bigs[off]->size);
          r.args.push_back(raw.substr(0, raw.size() - 2));
          r.big.push_back(true);
          r.big_raw.push_back(raw);
        } else {
          if (static_cast<size_t>(off) + alen > arena_used) {
            FAIL("argument outside the arena");
            r.args.emplace_back();
          } else {
            r.args.emplace_back(arena + off, alen);
          }
          r.big.push_back(false);
        }
      }
    } else if (layout->arena_word) {
      uint32_t off = w[i + layout->arena_word], llen = w[i + layout->arena_word + 1];
      if (static_cast<size_t>(off) + llen <= arena_used) r.log.assign(arena + off, llen);
    }
    out->push_back(std::move(r));
    i += len;
  }
}

}  // namespace respd
