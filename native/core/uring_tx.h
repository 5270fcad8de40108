// What an io_uring socket has to send, in order: bytes copied in (writev) and reply blocks handed
// over whole (OutputChain::take_front_block), which the kernel then sends from where they are,
// without the copy. The front segments are the kernel's while a send is out (in_flight_): bytes
// copied in later go to a segment behind them, so nothing the kernel reads moves.
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

namespace respd {
namespace uring {

// An emptied buffer that grew for a big request or reply gives its memory back (idle clients
// then hold next to nothing), as the query buffer and reply blocks do.
inline void release_if_large(std::vector<char>& v) {
  if (v.capacity() > 64 * 1024) std::vector<char>().swap(v);
}

class TxQueue {
 public:
  // Segments one send may cover (IORING_OP_SENDMSG's iovecs).
  static constexpr int kMaxIov = 16;

  size_t pending() const { return bytes_ - head_; }
  bool empty() const { return segs_.empty(); }
  // Segments queued behind those a send in flight covers.
  bool queued_behind() const { return segs_.size() > in_flight_; }

  void append(const char* p, size_t n) {
    if (n == 0) return;
    if (segs_.empty() || segs_.size() <= in_flight_ || segs_.back().owned) {
      segs_.emplace_back();
      segs_.back().copy.swap(spare_);
      segs_.back().copy.clear();
    }
    Seg& s = segs_.back();
    s.copy.insert(s.copy.end(), p, p + n);
    s.end = s.copy.size();
    bytes_ += n;
  }

  void adopt(std::unique_ptr<char[]> data, size_t begin, size_t end) {
    segs_.emplace_back();
    Seg& s = segs_.back();
    s.owned = std::move(data);
    s.begin = begin;
    s.end = end;
    bytes_ += end - begin;
  }

  // The unsent bytes as iovecs (at most kMaxIov segments), now in flight: returns how many.
  int start_send(struct iovec* iov) {
    int n = 0;
    size_t skip = head_;
    for (const Seg& s : segs_) {
      if (n == kMaxIov) break;
      const char* base = s.owned ? s.owned.get() : s.copy.data();
      iov[n].iov_base = const_cast<char*>(base + s.begin + skip);
      iov[n].iov_len = s.end - s.begin - skip;
      skip = 0;
      n++;
    }
    in_flight_ = static_cast<size_t>(n);
    return n;
  }

  // The send is back: `n` bytes of the front left (0 after an error).
  void sent(size_t n) {
    in_flight_ = 0;
    head_ += n;
    while (!segs_.empty() && head_ >= segs_.front().end - segs_.front().begin) {
      size_t len = segs_.front().end - segs_.front().begin;
      head_ -= len;
      bytes_ -= len;
      retire_front();
    }
  }

  // Drops everything (an error; never while a send is out).
  void clear() {
    while (!segs_.empty()) retire_front();
    bytes_ = head_ = 0;
    in_flight_ = 0;
  }

  // Drops the segments queued behind a send in flight (their fd is gone).
  void drop_queued_behind() {
    while (segs_.size() > in_flight_) {
      bytes_ -= segs_.back().end - segs_.back().begin;
      segs_.pop_back();
    }
    if (segs_.empty()) bytes_ = head_ = 0;
  }

  // Memory kept for the next reply while nothing is pending, given back if large.
  size_t spare_capacity() const { return spare_.capacity(); }
  void release_spare() { release_if_large(spare_); }

 private:
  struct Seg {
    std::vector<char> copy;
    std::unique_ptr<char[]> owned;
    size_t begin = 0, end = 0;
  };

  // Pops the front segment; a copy segment's storage is kept as the spare if it is the larger.
  void retire_front() {
    Seg& s = segs_.front();
    if (!s.owned && s.copy.capacity() > spare_.capacity()) spare_.swap(s.copy);
    segs_.pop_front();
  }
  std::deque<Seg> segs_;
  std::vector<char> spare_;  // a copy segment's storage, kept for the next one
  size_t bytes_ = 0;         // in segs_, sent or not
  size_t head_ = 0;          // sent bytes of the front segment
  size_t in_flight_ = 0;     // front segments a send covers
};

}  // namespace uring
}  // namespace respd
