// io_uring on raw syscalls: io_uring_setup, the two mmaps of the queues, io_uring_register for the
// op probe and the provided-buffer ring, io_uring_enter to submit. See uring_ring.h.
#include "uring_ring.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace respd {
namespace {

constexpr unsigned kSqEntries = 1024;
constexpr unsigned kCqEntries = 8192;

int sys_setup(unsigned entries, io_uring_params* p) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}
int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, nullptr, 0));
}
int sys_register(int fd, unsigned op, void* arg, unsigned nr) {
  return static_cast<int>(syscall(__NR_io_uring_register, fd, op, arg, nr));
}

std::string errno_text(const char* what) { return std::string(what) + ": " + strerror(errno); }

}  // namespace

std::unique_ptr<Ring> Ring::create(std::string* why) {
  std::unique_ptr<Ring> r(new Ring());
  if (!r->setup(why)) return nullptr;
  return r;
}

bool Ring::setup(std::string* why) {
  io_uring_params p;
  std::memset(&p, 0, sizeof(p));
  // Completions are posted by task work on this thread. COOP_TASKRUN (5.19) runs it at the
  // thread's next system call instead of interrupting it with an IPI; a thread asleep in libuv's
  // wait is still woken. TASKRUN_FLAG says when work is pending, for flush_overflow() to run it.
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  p.cq_entries = kCqEntries;
  fd_ = sys_setup(kSqEntries, &p);
  if (fd_ < 0 && errno == EINVAL) {
    std::memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = kCqEntries;
    fd_ = sys_setup(kSqEntries, &p);
  }
  if (fd_ < 0) {
    *why = errno_text("io_uring_setup");
    return false;
  }
  if (!(p.features & IORING_FEAT_NODROP)) {
    *why = "io_uring without IORING_FEAT_NODROP (Linux 5.5 or later is needed)";
    return false;
  }
  single_mmap_ = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  sq_map_len_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_map_len_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  if (single_mmap_) sq_map_len_ = cq_map_len_ = std::max(sq_map_len_, cq_map_len_);
  sq_map_ = mmap(nullptr, sq_map_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING);
  if (sq_map_ == MAP_FAILED) {
    sq_map_ = nullptr;
    *why = errno_text("mmap of the io_uring submission queue");
    return false;
  }
  if (single_mmap_) {
    cq_map_ = sq_map_;
  } else {
    cq_map_ = mmap(nullptr, cq_map_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_CQ_RING);
    if (cq_map_ == MAP_FAILED) {
      cq_map_ = nullptr;
      *why = errno_text("mmap of the io_uring completion queue");
      return false;
    }
  }
  sqes_len_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqes_len_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    *why = errno_text("mmap of the io_uring submission entries");
    return false;
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  char* sq = static_cast<char*>(sq_map_);
  char* cq = static_cast<char*>(cq_map_);
  sq_head_ = reinterpret_cast<unsigned*>(sq + p.sq_off.head);
  sq_tail_ = reinterpret_cast<unsigned*>(sq + p.sq_off.tail);
  sq_flags_ = reinterpret_cast<unsigned*>(sq + p.sq_off.flags);
  sq_array_ = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
  sq_mask_ = *reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
  sq_entries_ = p.sq_entries;
  sq_local_tail_ = sq_submitted_ = *sq_tail_;
  cq_head_ = reinterpret_cast<unsigned*>(cq + p.cq_off.head);
  cq_tail_ = reinterpret_cast<unsigned*>(cq + p.cq_off.tail);
  cq_mask_ = *reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
  cqes_ = reinterpret_cast<io_uring_cqe*>(cq + p.cq_off.cqes);
  cq_local_head_ = *cq_head_;

  // Multishot recv and the zero-copy send came with Linux 6.0: the probe for the latter stands for
  // the former, which has no opcode of its own.
  std::vector<char> probe_mem(sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op), 0);
  auto* probe = reinterpret_cast<io_uring_probe*>(probe_mem.data());
  if (sys_register(fd_, IORING_REGISTER_PROBE, probe, 256) < 0) {
    *why = errno_text("io_uring_register(IORING_REGISTER_PROBE)");
    return false;
  }
  if (probe->last_op < IORING_OP_SEND_ZC || !(probe->ops[IORING_OP_SEND_ZC].flags & IO_URING_OP_SUPPORTED)) {
    *why = "io_uring without multishot receive (Linux 6.0 or later is needed)";
    return false;
  }

  br_len_ = (kBufCount * sizeof(io_uring_buf) + 4095) & ~size_t{4095};
  void* br = mmap(nullptr, br_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (br == MAP_FAILED) {
    *why = errno_text("mmap of the provided buffer ring");
    return false;
  }
  // Entries are addressed as a plain array of io_uring_buf: in C++ the header's flexible-array
  // union member sits 8 bytes off (its empty placeholder struct has a size), C's does not.
  br_ = static_cast<io_uring_buf*>(br);
  bufs_.reset(new char[static_cast<size_t>(kBufCount) * kBufSize]);
  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof(reg));
  reg.ring_addr = reinterpret_cast<uint64_t>(br_);
  reg.ring_entries = kBufCount;
  reg.bgid = kBufGroup;
  if (sys_register(fd_, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) {
    *why = errno_text("io_uring_register(IORING_REGISTER_PBUF_RING)");
    return false;
  }
  for (unsigned i = 0; i < kBufCount; i++) recycle(static_cast<uint16_t>(i));
  publish_buffers();
  return true;
}

Ring::~Ring() {
  if (sqes_) munmap(sqes_, sqes_len_);
  if (cq_map_ && !single_mmap_) munmap(cq_map_, cq_map_len_);
  if (sq_map_) munmap(sq_map_, sq_map_len_);
  // Closing the ring cancels whatever is still in flight; the buffers go after it.
  if (fd_ >= 0) ::close(fd_);
  if (br_) munmap(br_, br_len_);
}

io_uring_sqe* Ring::sqe() {
  unsigned head = __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
  if (sq_local_tail_ - head >= sq_entries_) {
    submit();
    head = __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
    if (sq_local_tail_ - head >= sq_entries_) return nullptr;
  }
  unsigned idx = sq_local_tail_ & sq_mask_;
  io_uring_sqe* e = &sqes_[idx];
  std::memset(e, 0, sizeof(*e));
  sq_array_[idx] = idx;
  sq_local_tail_++;
  return e;
}

int Ring::submit() {
  unsigned n = sq_local_tail_ - sq_submitted_;
  if (n == 0) return 0;
  __atomic_store_n(sq_tail_, sq_local_tail_, __ATOMIC_RELEASE);
  int r;
  do {
    r = sys_enter(fd_, n, 0, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return -errno;
  // The kernel consumes every entry it was given unless it runs out of memory (then they stay
  // queued and go with the next submit).
  sq_submitted_ += static_cast<unsigned>(r);
  return 0;
}

void Ring::flush_overflow() {
  if (__atomic_load_n(sq_flags_, __ATOMIC_ACQUIRE) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) {
    int r;
    do {
      r = sys_enter(fd_, 0, 0, IORING_ENTER_GETEVENTS);
    } while (r < 0 && errno == EINTR);
  }
}

bool Ring::has_completions() const {
  return cq_local_head_ != __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE) ||
         (__atomic_load_n(sq_flags_, __ATOMIC_ACQUIRE) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)) != 0;
}

void Ring::wait_ready(int timeout_ms) {
  if (peek()) return;
  struct pollfd pfd{fd_, POLLIN, 0};
  int r;
  do {
    r = ::poll(&pfd, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
}

const io_uring_cqe* Ring::peek() {
  unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
  if (cq_local_head_ == tail) return nullptr;
  return &cqes_[cq_local_head_ & cq_mask_];
}

void Ring::advance() {
  cq_local_head_++;
  __atomic_store_n(cq_head_, cq_local_head_, __ATOMIC_RELEASE);
}

void Ring::recycle(uint16_t bid) {
  io_uring_buf* b = &br_[br_tail_ & (kBufCount - 1)];
  b->addr = reinterpret_cast<uint64_t>(bufs_.get() + static_cast<size_t>(bid) * kBufSize);
  b->len = kBufSize;
  b->bid = bid;
  br_tail_++;
  br_dirty_ = true;
}

void Ring::publish_buffers() {
  if (!br_dirty_) return;
  br_dirty_ = false;
  // The tail overlays the first entry's resv field (struct io_uring_buf_ring).
  __atomic_store_n(&br_[0].resv, br_tail_, __ATOMIC_RELEASE);
}

}  // namespace respd
