// A plain socket's Connection on the io_uring poller: read() serves what the multishot receive
// already brought in, writev() copies into the socket's send queue (at most kSendWindow bytes, as
// a socket buffer would take) for the poller to send at the end of the turn. Address and
// locality come from the transport it wraps (tcp or unix).
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "output_chain.h"
#include "uring_socket.h"

namespace respd {
namespace uring {
namespace {

// A plain socket's connection on the ring; address and locality come from the transport it wraps.
class RingConnection final : public Connection {
 public:
  RingConnection(SocketOwner* poller, RingSocket* s, std::unique_ptr<Connection> inner)
      : Connection(inner->fd()), poller_(poller), sock_(s), inner_(std::move(inner)) {
    state_ = inner_->state();
  }
  ~RingConnection() override { RingConnection::close(); }
  const char* type_name() const override { return inner_->type_name(); }
  int accept() override {
    int r = inner_->accept();
    state_ = inner_->state();
    return r;
  }
  ssize_t read(char* buf, size_t len) override;
  ssize_t writev(const struct iovec* iov, int iovcnt) override;
  size_t adoptable() const override {
    return sock_ && sock_->tx_pending() < kSendWindow ? kSendWindow - sock_->tx_pending() : 0;
  }
  ssize_t adopt_front(OutputChain& out) override;
  void close() override;
  size_t release_idle_buffers() override;
  size_t buffered() const override { return sock_ ? sock_->rx_avail() : 0; }
  void read_directly() override;
  bool is_local() const override { return inner_->is_local(); }
  std::string address(bool remote) const override { return inner_->address(remote); }

 private:
  SocketOwner* poller_;
  RingSocket* sock_;
  std::unique_ptr<Connection> inner_;
};

// ---- the connection ------------------------------------------------------------------------

ssize_t RingConnection::read(char* buf, size_t len) {
  if (!sock_) {
    last_errno_ = EBADF;
    state_ = ConnState::kError;
    return kIoError;
  }
  RingSocket& s = *sock_;
  if (s.rx_avail() > 0) {
    size_t n = 0;
    // rx first (older), then the provided buffers still held, each handed back once emptied.
    size_t from_rx = std::min(s.rx.size() - s.rx_head, len);
    if (from_rx > 0) {
      std::memcpy(buf, s.rx.data() + s.rx_head, from_rx);
      s.rx_head += from_rx;
      n = from_rx;
      if (s.rx_head == s.rx.size()) {
        // Its capacity is kept for the next request (a big one grows it again otherwise, through
        // fresh pages each time); release_idle_buffers() gives it back once the client is idle.
        s.rx.clear();
        s.rx_head = 0;
      }
    }
    size_t used = 0;
    for (; used < s.held.size() && n < len; used++) {
      HeldBuffer& h = s.held[used];
      size_t take = std::min<size_t>(h.len, len - n);
      std::memcpy(buf + n, poller_->buffer(h.bid) + h.off, take);
      n += take;
      s.held_bytes -= take;
      h.off += static_cast<uint32_t>(take);
      h.len -= static_cast<uint32_t>(take);
      if (h.len > 0) break;  // buf is full
      poller_->recycle(h.bid);
    }
    if (used > 0) s.held.erase(s.held.begin(), s.held.begin() + static_cast<std::ptrdiff_t>(used));
    if (!s.recv_armed && s.can_receive()) poller_->mark_dirty(Item{Kind::kSocket, &s});
    return static_cast<ssize_t>(n);
  }
  if (s.recv_err || (!s.eof && s.send_err)) {
    last_errno_ = s.recv_err ? s.recv_err : s.send_err;
    state_ = ConnState::kError;
    return kIoError;
  }
  if (s.eof) {
    state_ = ConnState::kClosed;
    return 0;
  }
  // Direct reads: the multishot receive is over (the poll is armed only after its last
  // completion), so every byte it took is in rx already and what the socket holds comes after.
  if (s.direct && s.readable) {
    ssize_t n = ::recv(s.fd, buf, len, MSG_DONTWAIT);
    if (n > 0) {
      // Short of the room given: most likely empty now. The poll says so without a recv() that
      // fails (armed at the next submit, it completes at once if bytes came meanwhile).
      if (static_cast<size_t>(n) < len) {
        s.readable = false;
        poller_->mark_dirty(Item{Kind::kSocket, &s});
      }
      return n;
    }
    if (n == 0) {
      s.eof = true;
      state_ = ConnState::kClosed;
      return 0;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      s.recv_err = errno;
      last_errno_ = errno;
      state_ = ConnState::kError;
      return kIoError;
    }
    if (errno != EINTR) {
      s.readable = false;
      poller_->mark_dirty(Item{Kind::kSocket, &s});
    }
  }
  want_ = IoWant::kRead;
  return kIoAgain;
}

void RingConnection::read_directly() {
  if (!sock_ || sock_->direct) return;
  sock_->direct = true;
  poller_->stop_receiving(sock_);
}

ssize_t RingConnection::writev(const struct iovec* iov, int iovcnt) {
  if (!sock_ || sock_->send_err) {
    last_errno_ = sock_ ? sock_->send_err : EBADF;
    state_ = ConnState::kError;
    return kIoError;
  }
  RingSocket& s = *sock_;
  size_t pending = s.tx_pending();
  if (pending >= kSendWindow) {
    want_ = IoWant::kWrite;
    return kIoAgain;
  }
  size_t room = kSendWindow - pending;
  size_t total = 0;
  for (int i = 0; i < iovcnt && total < room; i++) {
    size_t take = std::min(iov[i].iov_len, room - total);
    s.tx.append(static_cast<const char*>(iov[i].iov_base), take);
    total += take;
  }
  if (total > 0) poller_->mark_dirty(Item{Kind::kSocket, &s});
  return static_cast<ssize_t>(total);
}

ssize_t RingConnection::adopt_front(OutputChain& out) {
  if (!sock_ || sock_->send_err) {
    last_errno_ = sock_ ? sock_->send_err : EBADF;
    state_ = ConnState::kError;
    return kIoError;
  }
  RingSocket& s = *sock_;
  // Only a block that fits in the send window: writev would take all of it too, so the chain
  // (what CLIENT LIST and the output limits count) holds what it would hold after a copy.
  if (out.front_block_unsent() > adoptable()) {
    want_ = IoWant::kWrite;
    return kIoAgain;
  }
  std::unique_ptr<char[]> data;
  size_t begin = 0, end = 0;
  out.take_front_block(&data, &begin, &end);
  s.tx.adopt(std::move(data), begin, end);
  poller_->mark_dirty(Item{Kind::kSocket, &s});
  return static_cast<ssize_t>(end - begin);
}

size_t RingConnection::release_idle_buffers() {
  if (!sock_) return 0;
  RingSocket& s = *sock_;
  size_t before = s.rx.capacity() + s.tx.spare_capacity();
  if (s.rx_avail() == 0) {
    s.rx.clear();
    s.rx_head = 0;
    release_if_large(s.rx);
  }
  // Not while a send is out: the kernel reads tx until its completion.
  if (!s.send_armed && s.tx_pending() == 0) s.tx.release_spare();
  return before - (s.rx.capacity() + s.tx.spare_capacity());
}

void RingConnection::close() {
  if (sock_) {
    poller_->detach(sock_);
    sock_ = nullptr;
  }
  inner_->close();
  fd_ = -1;
  if (state_ != ConnState::kError) state_ = ConnState::kClosed;
}

}  // namespace

std::unique_ptr<Connection> make_ring_connection(SocketOwner* owner, RingSocket* s,
                                                 std::unique_ptr<Connection> inner) {
  return std::make_unique<RingConnection>(owner, s, std::move(inner));
}

}  // namespace uring
}  // namespace respd
