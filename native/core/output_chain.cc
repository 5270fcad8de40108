// Output chain: append, gather for writev, consume.
#include "output_chain.h"

#include <algorithm>
#include <cstring>

namespace respd {

void OutputChain::append(const char* p, size_t n) {
  if (n == 0) return;
  pending_ += n;
  if (blocks_.empty()) {
    if (!static_buf_) static_buf_.reset(new char[static_size_]);
    size_t room = static_size_ - bufpos_;
    size_t k = std::min(room, n);
    std::memcpy(static_buf_.get() + bufpos_, p, k);
    bufpos_ += k;
    if (bufpos_ > peak_) peak_ = bufpos_;
    p += k;
    n -= k;
    if (n == 0) return;
  }
  if (!blocks_.empty()) {
    Block& tail = blocks_.back();
    size_t k = std::min(tail.size - tail.used, n);
    std::memcpy(tail.data.get() + tail.used, p, k);
    tail.used += k;
    p += k;
    n -= k;
    if (n == 0) return;
  }
  size_t size = std::max(kMinBlockSize, n);
  Block b{std::unique_ptr<char[]>(new char[size]), size, n, 0};
  std::memcpy(b.data.get(), p, n);
  block_bytes_ += size;
  blocks_.push_back(std::move(b));
}

int OutputChain::fill_iov(struct iovec* iov, int max, size_t max_bytes) const {
  int cnt = 0;
  size_t total = 0;
  if (bufpos_ > sentpos_ && cnt < max) {
    iov[cnt].iov_base = static_buf_.get() + sentpos_;
    iov[cnt].iov_len = bufpos_ - sentpos_;
    total += iov[cnt].iov_len;
    cnt++;
  }
  for (const Block& b : blocks_) {
    if (cnt >= max || total >= max_bytes) break;
    if (b.used == b.sent) continue;
    iov[cnt].iov_base = b.data.get() + b.sent;
    iov[cnt].iov_len = b.used - b.sent;
    total += iov[cnt].iov_len;
    cnt++;
  }
  return cnt;
}

void OutputChain::consume(size_t n) {
  pending_ -= std::min(n, pending_);
  if (bufpos_ > sentpos_) {
    size_t k = std::min(n, bufpos_ - sentpos_);
    sentpos_ += k;
    n -= k;
    if (sentpos_ == bufpos_) sentpos_ = bufpos_ = 0;
  }
  while (n > 0 && !blocks_.empty()) {
    Block& b = blocks_.front();
    size_t k = std::min(n, b.used - b.sent);
    b.sent += k;
    n -= k;
    if (b.sent == b.used) {
      block_bytes_ -= b.size;
      blocks_.pop_front();
    }
  }
}

void OutputChain::take_front_block(std::unique_ptr<char[]>* data, size_t* begin, size_t* end) {
  Block& b = blocks_.front();
  *begin = b.sent;
  *end = b.used;
  *data = std::move(b.data);
  pending_ -= std::min(b.used - b.sent, pending_);
  block_bytes_ -= b.size;
  blocks_.pop_front();
}

void OutputChain::clear() {
  bufpos_ = sentpos_ = 0;
  blocks_.clear();
  block_bytes_ = 0;
  pending_ = 0;
}

bool OutputChain::resize_static(size_t size) {
  if (bufpos_ != 0 || size == 0) return false;
  static_size_ = size;
  static_buf_.reset();
  if (peak_ > size) peak_ = size;
  return true;
}

}  // namespace respd
