// Byte buffers whose memory may outlive their owner: the batch arena, the record area, the
// counters and big arguments are handed to JavaScript as external ArrayBuffers, which keep a
// reference to the block until the garbage collector drops them. Growing never moves bytes a
// JS view still sees: it allocates a new block and bumps the generation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace respd {

struct Bytes {
  char* data = nullptr;
  size_t size = 0;
  explicit Bytes(size_t n) : data(static_cast<char*>(std::malloc(n ? n : 1))), size(n) {}
  ~Bytes() { std::free(data); }
  Bytes(const Bytes&) = delete;
  Bytes& operator=(const Bytes&) = delete;
};
using SharedBytes = std::shared_ptr<Bytes>;

// An append-only area reset per batch. `used` bytes are valid.
class GrowBuf {
 public:
  explicit GrowBuf(size_t initial) : block_(std::make_shared<Bytes>(initial)) {}
  char* data() const { return block_->data; }
  size_t capacity() const { return block_->size; }
  size_t used() const { return used_; }
  void set_used(size_t n) { used_ = n; }
  void reset() { used_ = 0; }
  uint64_t generation() const { return generation_; }
  const SharedBytes& block() const { return block_; }
  // Makes room for `extra` more bytes; may move the data (pointers into it become invalid).
  void reserve(size_t extra) {
    if (used_ + extra <= block_->size) return;
    size_t cap = block_->size * 2;
    while (cap < used_ + extra) cap *= 2;
    auto next = std::make_shared<Bytes>(cap);
    std::memcpy(next->data, block_->data, used_);
    block_ = std::move(next);
    generation_++;
  }
  // Drops an oversized block between batches (nothing of it is in use).
  void shrink_to(size_t cap) {
    if (used_ != 0 || block_->size <= cap) return;
    block_ = std::make_shared<Bytes>(cap);
    generation_++;
  }
  char* append(const void* p, size_t n) {
    reserve(n);
    char* dst = block_->data + used_;
    std::memcpy(dst, p, n);
    used_ += n;
    return dst;
  }

 private:
  SharedBytes block_;
  size_t used_ = 0;
  uint64_t generation_ = 1;
};

}  // namespace respd
