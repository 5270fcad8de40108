// Linux completion backend of Poller (io-uring yes): one io_uring (uring_ring.cc) that accepts
// with multishot accepts, receives with multishot receives into provided buffers, and sends what
// every client of a turn got in one io_uring_enter (submit()). A plain socket (tcp, unix) is
// attached: its Connection reads what the ring received and queues what it should send, and its
// readiness is derived from completions, so the engine above runs as on epoll. Other fds (TLS
// clients, which do their own I/O through OpenSSL) keep the readiness path: a one-shot
// IORING_OP_POLL_ADD re-armed after each event, which makes it level-triggered.
// Ownership: sockets, listeners and watches are the poller's and live until the kernel has
// returned every operation naming them; their buffers are never freed while an operation is out.
// Here: interest, events, completions and submissions; the objects' lifecycle is in
// uring_lifecycle.cc, the class in uring_poller.h.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "uring_poller.h"

namespace respd {
namespace uring {

// ---- interest and events ----------------------------------------------------------------------

int UringPoller::set(int fd, uint32_t, uint32_t new_mask, void* data) {
  if (RingSocket* s = at_fd(sockets_by_fd_, fd)) {
    s->interest = new_mask;
    s->data = data;
    if (mask_of(Item{Kind::kSocket, s})) list(Item{Kind::kSocket, s});
    return 0;
  }
  PollWatch* w = at_fd(watches_by_fd_, fd);
  if (new_mask == 0) {
    if (!w) return 0;
    watches_by_fd_[fd] = nullptr;
    w->detached = true;
    w->interest = 0;
    forget(Item{Kind::kWatch, w});
    if (w->armed) {
      cancel(tag(w, kOpPoll));
    } else {
      watches_.erase(w);
      delete w;
    }
    return 0;
  }
  if (!w) {
    w = new PollWatch(fd, data);
    watches_.insert(w);
    put_fd(watches_by_fd_, fd, w);
  }
  w->data = data;
  w->interest = new_mask;
  uint32_t bits = poll_bits(new_mask);
  if (!w->armed) {
    mark_dirty(Item{Kind::kWatch, w});
  } else if (w->armed_bits != bits) {
    // Changed in place; if it already fired (ENOENT), its completion re-arms with the new interest.
    io_uring_sqe* e = ring_->sqe();
    if (e) {
      e->opcode = IORING_OP_POLL_REMOVE;
      e->fd = -1;
      e->addr = tag(w, kOpPoll);
      e->len = IORING_POLL_UPDATE_EVENTS;
      e->poll32_events = bits;
      e->user_data = kOpIgnore;
      w->armed_bits = bits;
    }
  }
  if (w->fired & new_mask) list(Item{Kind::kWatch, w});
  return 0;
}

uint32_t UringPoller::mask_of(const Item& it) const {
  switch (it.kind) {
    case Kind::kSocket: {
      const RingSocket& s = *static_cast<const RingSocket*>(it.p);
      if (s.detached) return 0;
      uint32_t m = 0;
      bool hup = s.eof || s.recv_err || s.send_err;
      if ((s.interest & kPollReadable) && (s.rx_avail() > 0 || hup || s.readable)) m |= kPollReadable;
      if ((s.interest & kPollWritable) && (s.send_err || s.tx_pending() < kSendWindow)) m |= kPollWritable;
      return m;
    }
    case Kind::kListener: {
      const RingListener& l = *static_cast<const RingListener*>(it.p);
      return !l.removed && (!l.fds.empty() || l.err) ? uint32_t{kPollReadable} : 0u;
    }
    case Kind::kWatch: {
      const PollWatch& w = *static_cast<const PollWatch*>(it.p);
      return w.detached ? 0 : (w.fired & w.interest);
    }
  }
  return 0;
}

void UringPoller::list(Item it) {
  bool& f = listed_flag(it);
  if (f) return;
  f = true;
  ready_.push_back(it);
}

void UringPoller::mark_dirty(Item it) {
  bool& f = dirty_flag(it);
  if (f) return;
  f = true;
  dirty_.push_back(it);
}

// Takes an object out of both lists before it is freed or stops being reported.
void UringPoller::forget(Item it) {
  if (listed_flag(it)) {
    listed_flag(it) = false;
    ready_.erase(std::remove(ready_.begin(), ready_.end(), it), ready_.end());
  }
  if (dirty_flag(it)) {
    dirty_flag(it) = false;
    dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), it), dirty_.end());
  }
}

int UringPoller::wait(PollEvent* out, int max, int timeout_ms) {
  settle();
  prepare();
  ring_->submit();
  if (timeout_ms != 0 && ready_.empty()) ring_->wait_ready(timeout_ms);
  reap();
  int n = 0;
  size_t keep = 0;
  for (size_t i = 0; i < ready_.size(); i++) {
    Item it = ready_[i];
    uint32_t m = n < max ? mask_of(it) : 1u;
    if (m == 0) {
      listed_flag(it) = false;
      continue;
    }
    if (n >= max) {
      ready_[keep++] = it;
      continue;
    }
    out[n++] = PollEvent{data_of(it), m};
    if (it.kind == Kind::kWatch) {
      // One-shot: reported once, then armed again (submit) while there is interest.
      auto* w = static_cast<PollWatch*>(it.p);
      w->fired = 0;
      w->listed = false;
      if (w->interest && !w->armed) mark_dirty(it);
      continue;
    }
    ready_[keep++] = it;  // still has events if the engine leaves some: checked again next time
  }
  ready_.resize(keep);
  return n;
}

// ---- completions ------------------------------------------------------------------------------

void UringPoller::reap() {
  ring_->flush_overflow();
  while (const io_uring_cqe* c = ring_->peek()) {
    uint64_t ud = c->user_data;
    int res = c->res;
    uint32_t flags = c->flags;
    ring_->advance();
    void* p = reinterpret_cast<void*>(ud & ~kOpMask);
    switch (ud & kOpMask) {
      case kOpRecv: on_recv(static_cast<RingSocket*>(p), res, flags); break;
      case kOpSend: on_send(static_cast<RingSocket*>(p), res); break;
      case kOpAccept: on_accept(static_cast<RingListener*>(p), res, flags); break;
      case kOpPoll: on_poll(static_cast<PollWatch*>(p), res); break;
      case kOpWake: wake_armed_ = false; break;
      default: break;
    }
  }
  ring_->publish_buffers();
}

void UringPoller::on_recv(RingSocket* s, int res, uint32_t flags) {
  if (s->poll_armed) {
    on_readable(s, res);
    return;
  }
  if (flags & IORING_CQE_F_BUFFER) {
    uint16_t bid = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    if (res > 0 && !s->detached) {
      // Kept where it is until the engine reads it (or the turn ends): one copy fewer.
      s->held.push_back(HeldBuffer{bid, 0, static_cast<uint32_t>(res)});
      s->held_bytes += static_cast<size_t>(res);
      if (!s->holding) {
        s->holding = true;
        holding_.push_back(s);
      }
    } else {
      ring_->recycle(bid);
    }
  }
  if (!(flags & IORING_CQE_F_MORE)) {
    s->recv_armed = false;
    s->recv_cancelled = false;
  }
  if (res == 0) {
    s->eof = true;
  } else if (res < 0 && res != -ENOBUFS && res != -ECANCELED && res != -EAGAIN && res != -EINTR) {
    s->recv_err = -res;
  }
  if (s->detached) {
    maybe_free(s);
    return;
  }
  if (!s->recv_armed && s->can_receive()) mark_dirty(Item{Kind::kSocket, s});
  if (s->recv_armed && !s->recv_cancelled && s->rx_avail() >= kRecvHigh) {
    s->recv_cancelled = true;
    cancel(tag(s, kOpRecv));
  }
  if (mask_of(Item{Kind::kSocket, s})) list(Item{Kind::kSocket, s});
}

// A direct-reading socket's poll: readable (or hung up, or failed: the recv() says which), or
// cancelled (the socket is going away).
void UringPoller::on_readable(RingSocket* s, int res) {
  s->poll_armed = false;
  s->recv_armed = false;
  s->recv_cancelled = false;
  if (res != -ECANCELED) s->readable = true;
  if (s->detached) {
    maybe_free(s);
    return;
  }
  if (mask_of(Item{Kind::kSocket, s})) list(Item{Kind::kSocket, s});
}

void UringPoller::stop_receiving(RingSocket* s) {
  // Not armed (it ran out of buffers, or is held back past kRecvHigh): the poll is armed instead
  // when the receive would have been.
  if (s->recv_armed && !s->poll_armed && !s->recv_cancelled) {
    s->recv_cancelled = true;
    cancel(tag(s, kOpRecv));
  }
}

void UringPoller::on_send(RingSocket* s, int res) {
  s->send_armed = false;
  if (res < 0 && res != -EINTR && res != -EAGAIN) {
    s->send_err = -res;
    s->tx.clear();
  } else {
    // A short send leaves the rest for the next submit. A copy segment's storage is kept for the
    // next reply (a big one grows it again otherwise, through fresh pages each time), until
    // release_idle_buffers() gives it back once the client is idle.
    s->tx.sent(res > 0 ? static_cast<size_t>(res) : 0);
  }
  if (s->tx_pending() > 0 && !s->send_err) mark_dirty(Item{Kind::kSocket, s});
  if (s->detached) {
    maybe_free(s);
    return;
  }
  if (mask_of(Item{Kind::kSocket, s})) list(Item{Kind::kSocket, s});
}

void UringPoller::on_accept(RingListener* l, int res, uint32_t flags) {
  if (!(flags & IORING_CQE_F_MORE)) l->armed = false;
  if (l->removed) {
    if (res >= 0) ::close(res);
    if (!l->armed) {
      listeners_.erase(l);
      delete l;
    }
    return;
  }
  if (res >= 0) {
    l->fds.push_back(res);
  } else if (res != -ECANCELED && res != -EAGAIN && res != -EINTR) {
    l->err = -res;
  }
  if (!l->armed) mark_dirty(Item{Kind::kListener, l});
  if (mask_of(Item{Kind::kListener, l})) list(Item{Kind::kListener, l});
}

void UringPoller::on_poll(PollWatch* w, int res) {
  w->armed = false;
  if (w->detached) {
    watches_.erase(w);
    delete w;
    return;
  }
  if (res > 0) {
    uint32_t r = static_cast<uint32_t>(res);
    if (r & (POLLIN | POLLERR | POLLHUP)) w->fired |= kPollReadable;
    if (r & (POLLOUT | POLLERR | POLLHUP)) w->fired |= kPollWritable;
  }
  if (w->fired & w->interest) {
    list(Item{Kind::kWatch, w});
  } else if (w->interest) {
    mark_dirty(Item{Kind::kWatch, w});
  }
}

// ---- provided buffers held ------------------------------------------------------------------

// The turn is over (or a wait starts): bytes no read took are moved out of their provided buffers
// into the socket's rx, behind what rx holds, and every buffer goes back to the kernel. A client
// whose reading is paused (blocked, over a limit) thus holds no buffer the others need.
void UringPoller::settle() {
  for (RingSocket* s : holding_) {
    s->holding = false;
    if (s->held.empty()) continue;
    if (s->rx_head > 0 && s->rx_head >= s->rx.size() / 2) {
      s->rx.erase(s->rx.begin(), s->rx.begin() + static_cast<std::ptrdiff_t>(s->rx_head));
      s->rx_head = 0;
    }
    for (const HeldBuffer& h : s->held) {
      const char* b = ring_->buffer(h.bid) + h.off;
      s->rx.insert(s->rx.end(), b, b + h.len);
      ring_->recycle(h.bid);
    }
    s->held.clear();
    s->held_bytes = 0;
  }
  holding_.clear();
  ring_->publish_buffers();
}

// A socket going away: its held buffers go back unread.
void UringPoller::drop_held(RingSocket* s) {
  for (const HeldBuffer& h : s->held) ring_->recycle(h.bid);
  s->held.clear();
  s->held_bytes = 0;
  if (s->holding) {
    s->holding = false;
    holding_.erase(std::remove(holding_.begin(), holding_.end(), s), holding_.end());
  }
}

// ---- submissions ------------------------------------------------------------------------------

void UringPoller::cancel(uint64_t user_data) {
  io_uring_sqe* e = ring_->sqe();
  if (!e) return;
  e->opcode = IORING_OP_ASYNC_CANCEL;
  e->fd = -1;
  e->addr = user_data;
  e->user_data = kOpIgnore;
}

void UringPoller::prep_send(RingSocket* s) {
  if (s->send_armed || s->send_err) return;
  if (s->detached && !s->owns_fd) {  // its fd is closed: nothing more can be sent
    s->tx.clear();
    return;
  }
  if (s->tx.empty()) return;
  io_uring_sqe* e = ring_->sqe();
  if (!e) return;
  int n = s->tx.start_send(s->iov);
  e->fd = s->fd;
  if (n == 1) {
    e->opcode = IORING_OP_SEND;
    e->addr = reinterpret_cast<uint64_t>(s->iov[0].iov_base);
    e->len = static_cast<uint32_t>(s->iov[0].iov_len);
  } else {
    // Copies and adopted reply blocks in one send, in order.
    s->msg = msghdr{};
    s->msg.msg_iov = s->iov;
    s->msg.msg_iovlen = static_cast<size_t>(n);
    e->opcode = IORING_OP_SENDMSG;
    e->addr = reinterpret_cast<uint64_t>(&s->msg);
    e->len = 1;
  }
  e->msg_flags = MSG_NOSIGNAL | MSG_WAITALL;
  e->user_data = tag(s, kOpSend);
  s->send_armed = true;
}

void UringPoller::prep_recv(RingSocket* s) {
  if (s->direct && s->readable) return;  // the engine's reads say when it is empty again
  io_uring_sqe* e = ring_->sqe();
  if (!e) return;
  if (s->direct) {
    e->opcode = IORING_OP_POLL_ADD;
    e->fd = s->fd;
    e->poll32_events = POLLIN;
    e->user_data = tag(s, kOpRecv);
    s->recv_armed = true;
    s->poll_armed = true;
    s->recv_cancelled = false;
    return;
  }
  e->opcode = IORING_OP_RECV;
  e->fd = s->fd;
  e->ioprio = IORING_RECV_MULTISHOT;
  e->flags = IOSQE_BUFFER_SELECT;
  e->buf_group = Ring::kBufGroup;
  e->user_data = tag(s, kOpRecv);
  s->recv_armed = true;
  s->recv_cancelled = false;
}

// Operations that name an fd are only prepared here, right before they go to the kernel: an
// entry left queued could otherwise outlive its fd (closed by the engine) and hit a new one.
void UringPoller::prepare() {
  preparing_.swap(dirty_);
  for (Item it : preparing_) {
    dirty_flag(it) = false;
    if (it.kind == Kind::kSocket) {
      auto* s = static_cast<RingSocket*>(it.p);
      prep_send(s);
      if (s->detached) {
        maybe_free(s);
      } else if (!s->recv_armed && s->can_receive()) {
        prep_recv(s);
      }
    } else if (it.kind == Kind::kListener) {
      auto* l = static_cast<RingListener*>(it.p);
      if (l->removed || l->armed) continue;
      io_uring_sqe* e = ring_->sqe();
      if (!e) continue;
      e->opcode = IORING_OP_ACCEPT;
      e->fd = l->fd;
      e->ioprio = IORING_ACCEPT_MULTISHOT;
      e->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
      e->user_data = tag(l, kOpAccept);
      l->armed = true;
    } else {
      auto* w = static_cast<PollWatch*>(it.p);
      if (w->detached || w->armed || !w->interest) continue;
      io_uring_sqe* e = ring_->sqe();
      if (!e) continue;
      e->opcode = IORING_OP_POLL_ADD;
      e->fd = w->fd;
      w->armed_bits = poll_bits(w->interest);
      e->poll32_events = w->armed_bits;
      e->user_data = tag(w, kOpPoll);
      w->armed = true;
    }
  }
  preparing_.clear();
}

void UringPoller::submit() {
  settle();
  prepare();
  // Events the engine left unhandled (bytes still unread, a writable socket) must bring the host
  // loop back even though no completion is due: a no-op's completion makes the ring fd readable.
  size_t keep = 0;
  for (Item it : ready_) {
    if (mask_of(it)) {
      ready_[keep++] = it;
    } else {
      listed_flag(it) = false;
    }
  }
  ready_.resize(keep);
  if (!ready_.empty() && !wake_armed_) {
    if (io_uring_sqe* e = ring_->sqe()) {
      e->opcode = IORING_OP_NOP;
      e->user_data = kOpWake;
      wake_armed_ = true;
    }
  }
  ring_->submit();
}

bool UringPoller::ready_now() { return ring_->has_completions(); }

}  // namespace uring
}  // namespace respd
