// The io_uring poller's sockets and listeners from attach to free, the blocking wait on one client
// (the Lua debugger's exchange), and the teardown that waits for the kernel to return every
// operation before the buffers go. See uring.cc for the events and completions.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "uring_poller.h"

namespace respd {
namespace uring {

// ---- sockets and listeners ----------------------------------------------------------------------

std::unique_ptr<Connection> UringPoller::attach(std::unique_ptr<Connection> conn, void* data) {
  int fd = conn->fd();
  auto* s = new RingSocket(fd, data);
  sockets_.insert(s);
  put_fd(sockets_by_fd_, fd, s);
  mark_dirty(Item{Kind::kSocket, s});  // its receive is armed at the next submit
  return make_ring_connection(this, s, std::move(conn));
}

// The connection is closing its fd. Bytes already handed over still leave, as the kernel sends
// them after close() on the readiness path: what is queued is submitted now, while the fd is
// open, and the send holds the socket until it is done (MSG_WAITALL: whole, or an error). Only
// bytes queued behind a send already in flight need the fd later: a duplicate is kept for them.
void UringPoller::detach(RingSocket* s) {
  if (at_fd(sockets_by_fd_, s->fd) == s) sockets_by_fd_[s->fd] = nullptr;
  forget(Item{Kind::kSocket, s});
  s->interest = 0;
  s->rx.clear();
  s->rx_head = 0;
  drop_held(s);
  if (s->send_err) s->tx.clear();
  prep_send(s);
  s->detached = true;
  if (s->tx.queued_behind()) {
    int dup_fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd >= 0) {
      s->fd = dup_fd;
      s->owns_fd = true;
    } else {
      s->tx.drop_queued_behind();
    }
  }
  if (s->recv_armed && !s->recv_cancelled) {
    s->recv_cancelled = true;
    cancel(tag(s, kOpRecv));
  }
  ring_->submit();
  maybe_free(s);
}

void UringPoller::maybe_free(RingSocket* s) {
  if (!s->detached || s->recv_armed || s->send_armed) return;
  if (s->owns_fd && s->tx_pending() > 0 && !s->send_err) return;  // the rest goes at the next submit
  forget(Item{Kind::kSocket, s});
  if (s->owns_fd) ::close(s->fd);
  sockets_.erase(s);
  delete s;
}

int UringPoller::add_listener(int fd, void* data) {
  auto* l = new RingListener(fd, data);
  listeners_.insert(l);
  put_fd(listeners_by_fd_, fd, l);
  mark_dirty(Item{Kind::kListener, l});
  submit();  // accepting starts now, not at the end of the next turn
  return 0;
}

void UringPoller::remove_listener(int fd, void*) {
  RingListener* l = at_fd(listeners_by_fd_, fd);
  if (!l) return;
  listeners_by_fd_[fd] = nullptr;
  forget(Item{Kind::kListener, l});
  l->removed = true;
  for (int a : l->fds) ::close(a);
  l->fds.clear();
  if (l->armed) {
    // The accept holds the listening socket open: cancelled now, so the port is free when the
    // engine closes the fd.
    cancel(tag(l, kOpAccept));
    ring_->submit();
    reap();
  } else {
    listeners_.erase(l);
    delete l;
  }
}

int UringPoller::accept(int listen_fd) {
  RingListener* l = at_fd(listeners_by_fd_, listen_fd);
  if (!l) {
    errno = EBADF;
    return -1;
  }
  if (!l->fds.empty()) {
    int fd = l->fds.front();
    l->fds.pop_front();
    return fd;
  }
  if (l->err) {
    errno = l->err;
    l->err = 0;
    return -1;
  }
  errno = EAGAIN;
  return -1;
}

// ---- one client, blocking -----------------------------------------------------------------

bool UringPoller::ready_for(const RingSocket& s, short events) const {
  if (s.recv_err || s.send_err) return true;
  if ((events & POLLIN) && (s.rx_avail() > 0 || s.eof || s.readable)) return true;
  return (events & POLLOUT) && s.tx_pending() < kSendWindow;
}

// A ring client's bytes arrive as completions and its queued sends go only when submitted: both
// are driven here. Completions for other clients are reaped too; they stay listed for the turn.
int UringPoller::wait_fd(int fd, short events, int timeout_ms) {
  RingSocket* s = at_fd(sockets_by_fd_, fd);
  if (!s) return Poller::wait_fd(fd, events, timeout_ms);  // a TLS client's own socket
  for (int pass = 0; pass < 2; pass++) {
    settle();
    prepare();
    ring_->submit();
    reap();
    if (ready_for(*s, events)) return 1;
    if (pass == 0) ring_->wait_ready(timeout_ms);
  }
  return 0;
}

// ---- teardown ------------------------------------------------------------------------------

bool UringPoller::busy() const {
  for (RingSocket* s : sockets_)
    if (s->recv_armed || s->send_armed) return true;
  for (RingListener* l : listeners_)
    if (l->armed) return true;
  for (PollWatch* w : watches_)
    if (w->armed) return true;
  return false;
}

// Replies handed over before the end still leave (for up to a second, as a lingering close
// would), then every operation is cancelled and its completion awaited before the buffers go.
UringPoller::~UringPoller() {
  auto sending = [this] {
    for (RingSocket* s : sockets_)
      if (s->send_armed || (s->tx_pending() > 0 && !s->send_err)) return true;
    return false;
  };
  for (int i = 0; i < 20 && sending(); i++) {
    prepare();
    ring_->submit();
    ring_->wait_ready(50);
    reap();
  }
  if (io_uring_sqe* e = ring_->sqe()) {
    e->opcode = IORING_OP_ASYNC_CANCEL;
    e->fd = -1;
    e->cancel_flags = IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL;
    e->user_data = kOpIgnore;
  }
  ring_->submit();
  for (int i = 0; i < 20 && busy(); i++) {
    ring_->wait_ready(10);
    reap();
  }
  for (RingSocket* s : sockets_) {
    if (s->owns_fd) ::close(s->fd);
    delete s;
  }
  for (RingListener* l : listeners_) {
    for (int a : l->fds) ::close(a);
    delete l;
  }
  for (PollWatch* w : watches_) delete w;
}

}  // namespace uring

std::unique_ptr<Poller> create_uring_poller(std::string* why) {
  std::unique_ptr<Ring> ring = Ring::create(why);
  if (!ring) return nullptr;
  return std::make_unique<uring::UringPoller>(std::move(ring));
}

}  // namespace respd