// A client's pending output, as Redis keeps it: a static reply buffer (16 KiB by default, resized
// by policy from TypeScript) used while no blocks are queued, then a list of blocks of at least
// 16 KiB. Owned by the client's slot on the thread that runs its I/O.
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

namespace respd {

class OutputChain {
 public:
  static constexpr size_t kDefaultStaticSize = 16 * 1024;  // PROTO_REPLY_CHUNK_BYTES
  static constexpr size_t kMinBlockSize = 16 * 1024;
  // Per-block bookkeeping Redis adds to omem (listNode + clientReplyBlock header).
  static constexpr size_t kBlockOverhead = 24 + 16;

  explicit OutputChain(size_t static_size = kDefaultStaticSize) : static_size_(static_size) {}

  void append(const char* p, size_t n);
  // Gathers up to `max` iovecs, stopping once at least `max_bytes` are gathered.
  int fill_iov(struct iovec* iov, int max, size_t max_bytes) const;
  // Marks `n` bytes as written, freeing emptied blocks.
  void consume(size_t n);
  // Unsent bytes of the front block when nothing of the static buffer is left to send (0
  // otherwise): what take_front_block() would hand over.
  size_t front_block_unsent() const {
    return bufpos_ > sentpos_ || blocks_.empty() ? 0 : blocks_.front().used - blocks_.front().sent;
  }
  // Takes the front block out of the chain, its unsent bytes being data[begin, end), for a
  // transport that sends from it without a copy. Only when front_block_unsent() > 0.
  void take_front_block(std::unique_ptr<char[]>* data, size_t* begin, size_t* end);
  // Drops everything pending (output limits).
  void clear();
  // Changes the static buffer's size (rbs); only while it holds nothing.
  bool resize_static(size_t size);

  size_t pending() const { return pending_; }
  bool empty() const { return pending_ == 0; }
  size_t static_size() const { return static_size_; }   // rbs
  size_t static_used() const { return bufpos_; }        // obl
  size_t static_peak() const { return peak_; }          // rbp
  void reset_peak() { peak_ = bufpos_; }
  size_t block_count() const { return blocks_.size(); } // oll
  // omem: allocated block bytes plus per-block overhead; the static buffer is not counted.
  size_t block_memory() const { return block_bytes_ + blocks_.size() * kBlockOverhead; }
  // Bytes held in total, the static buffer included (tot-mem). Redis allocates it with the client,
  // so it counts from the start, even though it is only allocated here on first use.
  size_t memory() const { return static_size_ + block_memory(); }

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
    size_t used;
    size_t sent;
  };
  std::unique_ptr<char[]> static_buf_;  // allocated on first use
  size_t static_size_;
  size_t bufpos_ = 0;   // bytes in the static buffer
  size_t sentpos_ = 0;  // of which already written
  size_t peak_ = 0;
  std::deque<Block> blocks_;
  size_t block_bytes_ = 0;
  size_t pending_ = 0;
};

}  // namespace respd
