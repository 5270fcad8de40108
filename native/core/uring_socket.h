// The io_uring poller's bookkeeping, shared by uring.cc (the poller) and uring_connection.cc (a
// plain socket's Connection on the ring): what each kind of watched object holds, how operations
// are tagged, and the two calls a connection makes back into its poller.
#pragma once
#include <linux/io_uring.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "connection.h"
#include "poller.h"
#include "uring_tx.h"

namespace respd {
namespace uring {

// user_data: an object's address with the operation in the low bits (objects are 8-aligned).
enum Op : uint64_t { kOpRecv = 1, kOpSend = 2, kOpAccept = 3, kOpPoll = 4, kOpWake = 5, kOpIgnore = 6 };
constexpr uint64_t kOpMask = 7;
// Bytes a socket may have queued or in flight before writev says "again", as a socket's send
// buffer would; and received, unread bytes past which its receive is cancelled until the engine
// has read them (the kernel's buffer and TCP's window then hold the sender back).
constexpr size_t kSendWindow = 256 * 1024;
constexpr size_t kRecvHigh = 256 * 1024;

inline uint64_t tag(const void* p, Op op) { return reinterpret_cast<uint64_t>(p) | op; }

inline uint32_t poll_bits(uint32_t interest) {
  return ((interest & kPollReadable) ? POLLIN : 0u) | ((interest & kPollWritable) ? POLLOUT : 0u);
}

// Received bytes still in a provided buffer: bytes off..off+len of buffer bid.
struct HeldBuffer {
  uint16_t bid;
  uint32_t off, len;
};

struct RingSocket {
  RingSocket(int f, void* d) : fd(f), data(d) {}
  int fd;
  void* data;
  uint32_t interest = 0;
  std::vector<char> rx;  // received, unread: [rx_head, size)
  size_t rx_head = 0;
  // Received after rx's bytes and still in the provided buffers they came in: the engine's read
  // copies them straight to where the request goes (a big argument's own buffer above all) and
  // hands each buffer back. What the turn leaves unread is moved into rx at the turn's end
  // (UringPoller::settle), so no buffer is held past a turn.
  std::vector<HeldBuffer> held;
  size_t held_bytes = 0;
  bool holding = false;  // listed in the poller's holding_
  bool recv_armed = false, recv_cancelled = false, eof = false;
  int recv_err = 0;
  // Direct reads (a client sending big arguments): no multishot receive into the ring's buffers,
  // whose bytes a big argument would take in one more copy, but a one-shot POLLIN poll (what
  // recv_armed then means) and recv() into the reader's buffer, as on epoll. Kept to the end.
  bool direct = false;
  bool poll_armed = false;  // the operation recv_armed names is that poll
  bool readable = false;    // the poll fired and no recv() has found the socket empty since
  TxQueue tx;  // what is to be sent; its front is the kernel's while send_armed
  struct msghdr msg {};  // a send covering several segments (IORING_OP_SENDMSG)
  struct iovec iov[TxQueue::kMaxIov];
  bool send_armed = false;
  int send_err = 0;
  bool listed = false, dirty = false, detached = false, owns_fd = false;

  size_t rx_avail() const { return rx.size() - rx_head + held_bytes; }
  size_t tx_pending() const { return tx.pending(); }
  bool can_receive() const { return !eof && !recv_err && !detached && rx_avail() < kRecvHigh; }
};

struct RingListener {
  RingListener(int f, void* d) : fd(f), data(d) {}
  int fd;
  void* data;
  std::deque<int> fds;  // accepted, not yet taken
  int err = 0;
  bool armed = false, listed = false, dirty = false, removed = false;
};

struct PollWatch {
  PollWatch(int f, void* d) : fd(f), data(d) {}
  int fd;
  void* data;
  uint32_t interest = 0, fired = 0, armed_bits = 0;
  bool armed = false, listed = false, dirty = false, detached = false;
};

enum class Kind : uint8_t { kSocket, kListener, kWatch };
struct Item {
  Kind kind;
  void* p;
  bool operator==(const Item& o) const { return p == o.p; }
};

template <class T>
T* at_fd(const std::vector<T*>& v, int fd) {
  return fd >= 0 && static_cast<size_t>(fd) < v.size() ? v[fd] : nullptr;
}
template <class T>
void put_fd(std::vector<T*>& v, int fd, T* p) {
  if (static_cast<size_t>(fd) >= v.size()) v.resize(static_cast<size_t>(fd) + 64, nullptr);
  v[fd] = p;
}

inline bool& listed_flag(const Item& it) {
  switch (it.kind) {
    case Kind::kSocket: return static_cast<RingSocket*>(it.p)->listed;
    case Kind::kListener: return static_cast<RingListener*>(it.p)->listed;
    default: return static_cast<PollWatch*>(it.p)->listed;
  }
}
inline bool& dirty_flag(const Item& it) {
  switch (it.kind) {
    case Kind::kSocket: return static_cast<RingSocket*>(it.p)->dirty;
    case Kind::kListener: return static_cast<RingListener*>(it.p)->dirty;
    default: return static_cast<PollWatch*>(it.p)->dirty;
  }
}
inline void* data_of(const Item& it) {
  switch (it.kind) {
    case Kind::kSocket: return static_cast<RingSocket*>(it.p)->data;
    case Kind::kListener: return static_cast<RingListener*>(it.p)->data;
    default: return static_cast<PollWatch*>(it.p)->data;
  }
}

// What a RingConnection asks of the poller that owns its socket.
class SocketOwner {
 public:
  virtual ~SocketOwner() = default;
  // Something to submit for `it` (a send, a receive to arm again).
  virtual void mark_dirty(Item it) = 0;
  // Ends the socket's multishot receive (its last completion follows): direct reads take over.
  virtual void stop_receiving(RingSocket* s) = 0;
  // The connection is closing its fd; the socket lives on until its operations are back.
  virtual void detach(RingSocket* s) = 0;
  // A provided buffer's bytes, and its return to the kernel (published at the next submit).
  virtual const char* buffer(uint16_t bid) const = 0;
  virtual void recycle(uint16_t bid) = 0;
};

// A plain socket's connection whose reads and writes go through the ring (uring_connection.cc).
std::unique_ptr<Connection> make_ring_connection(SocketOwner* owner, RingSocket* s,
                                                 std::unique_ptr<Connection> inner);

}  // namespace uring
}  // namespace respd
