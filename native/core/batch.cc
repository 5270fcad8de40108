#include "batch.h"

namespace respd {

const RecordLayout* record_layout(uint32_t type) {
  for (const RecordLayout& l : kRecordLayouts) {
    if (l.type == type) return &l;
  }
  return nullptr;
}

size_t record_words(const uint32_t* w) {
  const RecordLayout* l = record_layout(w[0]);
  if (!l) return 0;
  return l->words + (l->count_word ? static_cast<size_t>(l->item_words) * w[l->count_word] : 0);
}

void rebase_records(uint32_t* w, size_t words, uint32_t arena_base, uint32_t big_base) {
  for (size_t i = 0; i < words;) {
    const RecordLayout* l = record_layout(w[i]);
    if (!l) return;  // cannot happen: lanes hold only records the engine wrote
    if (l->arena_word) w[i + l->arena_word] += arena_base;
    if (l->count_word) {
      uint32_t n = w[i + l->count_word];
      uint32_t* item = w + i + l->words;
      for (uint32_t k = 0; k < n; k++, item += l->item_words) item[0] += item[1] == kBigArgLen ? big_base : arena_base;
    }
    i += record_words(w + i);
  }
}

}  // namespace respd
