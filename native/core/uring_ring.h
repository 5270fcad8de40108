// The raw io_uring underneath the io_uring poller (uring.cc): setup with the three syscalls, the
// mapped submission and completion queues, and one provided-buffer ring that multishot receives
// fill. No liburing. Owned and used by the main thread only (io-threads stay on epoll).
#pragma once
#include <linux/io_uring.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace respd {

class Ring {
 public:
  // Provided receive buffers: kBufCount of kBufSize bytes, group 0. Each is copied out and handed
  // back as soon as its completion is reaped, so a handful are ever out at once.
  static constexpr unsigned kBufCount = 256;
  static constexpr unsigned kBufSize = 16 * 1024;
  static constexpr uint16_t kBufGroup = 0;

  // Sets the ring up, checks what the poller needs (multishot accept and recv, provided buffer
  // rings: Linux 6.0), and registers the buffers. nullptr with `why` set ("io_uring_setup:
  // Operation not permitted", ...) when any of it is missing.
  static std::unique_ptr<Ring> create(std::string* why);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  int fd() const { return fd_; }

  // A zeroed entry at the tail of the submission queue; submits what is queued first when the
  // queue is full. Becomes visible to the kernel at the next submit().
  io_uring_sqe* sqe();
  // Entries queued since the last submit.
  unsigned queued() const { return sq_local_tail_ - sq_submitted_; }
  // Hands every queued entry to the kernel in one io_uring_enter. Returns 0 or -errno.
  int submit();
  // Flushes completions the kernel parked on its overflow list (CQ full), or has yet to post as
  // task work, into the ring.
  void flush_overflow();
  // Completions are in the ring or waiting to be posted (overflowed, or task work not yet run):
  // read from the shared ring, no system call.
  bool has_completions() const;
  // Waits up to timeout_ms (-1: forever) for a completion to be ready.
  void wait_ready(int timeout_ms);

  // Completions: the next one (nullptr when none), then advance() once it is handled.
  const io_uring_cqe* peek();
  void advance();

  // A provided buffer's bytes by id, and its return to the kernel.
  const char* buffer(uint16_t bid) const { return bufs_.get() + static_cast<size_t>(bid) * kBufSize; }
  void recycle(uint16_t bid);
  // Publishes the buffers recycled since the last call (one store).
  void publish_buffers();

 private:
  Ring() = default;
  bool setup(std::string* why);

  int fd_ = -1;
  void* sq_map_ = nullptr;
  size_t sq_map_len_ = 0;
  void* cq_map_ = nullptr;
  size_t cq_map_len_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqes_len_ = 0;
  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_flags_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned sq_mask_ = 0, sq_entries_ = 0;
  unsigned sq_local_tail_ = 0, sq_submitted_ = 0;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  io_uring_cqe* cqes_ = nullptr;
  unsigned cq_mask_ = 0;
  unsigned cq_local_head_ = 0;
  bool single_mmap_ = false;
  // Provided buffer ring (entries) and the buffers themselves.
  io_uring_buf* br_ = nullptr;
  size_t br_len_ = 0;
  uint16_t br_tail_ = 0;
  bool br_dirty_ = false;
  std::unique_ptr<char[]> bufs_;
};

}  // namespace respd
