// Blocking I/O on one client for the Lua debugger (SCRIPT DEBUG): while a debugged script is
// paused inside the batch, the host writes the debugger's log lines to that client and waits for
// its next request, on this client alone, as Redis's ldb does with connBlock() on its socket.
// Main thread only, never on the hot path: the rest of the server waits meanwhile.
#include <poll.h>
#include <sys/uio.h>
#include <time.h>

#include <cerrno>

#include "engine_internal.h"

namespace respd {

namespace {

double monotonic_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Waits until `fd` is ready for `events` or `deadline` (monotonic ms, < 0: never) passes.
// 1 ready (or hung up: the next read or write says how), 0 timed out, -1 poll failed.
int wait_fd(Poller& poller, int fd, short events, double deadline) {
  for (;;) {
    int timeout = -1;
    if (deadline >= 0) {
      double left = deadline - monotonic_ms();
      if (left <= 0) return 0;
      timeout = static_cast<int>(left) + 1;
    }
    int r = poller.wait_fd(fd, events, timeout);
    if (r > 0) return 1;
    if (r == 0) {
      if (deadline >= 0 && monotonic_ms() >= deadline) return 0;
      continue;
    }
    if (errno != EINTR) return -1;
  }
}

short poll_events(IoWant want, short dflt) {
  if (want == IoWant::kRead) return POLLIN;
  if (want == IoWant::kWrite) return POLLOUT;
  return dflt;
}

}  // namespace

ssize_t Engine::debug_read(uint32_t slot, char* buf, size_t cap, int timeout_ms) {
  assert_main_thread();
  Client* c = live(slot);
  if (!c || c->handshaking || cap == 0) return kDebugClosed;
  double deadline = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
  for (;;) {
    // Bytes a transport already decrypted are read without waiting for the socket.
    if (!c->conn->has_pending_data()) {
      int w = wait_fd(*poller_, c->conn->fd(), poll_events(c->conn->want(), POLLIN), deadline);
      if (w == 0) return kDebugTimeout;
      if (w < 0) return kDebugClosed;
    }
    ssize_t n = c->conn->read(buf, cap);
    if (n > 0) {
      c->net_in += static_cast<double>(n);
      c->last_interaction = wall_ms();
      stats()[kStatNetInput] += static_cast<double>(n);
      return n;
    }
    if (n != kIoAgain) return kDebugClosed;  // EOF or error: the host ends the session
  }
}

bool Engine::debug_write(uint32_t slot, const char* p, size_t n, int timeout_ms) {
  assert_main_thread();
  Client* c = live(slot);
  if (!c || c->handshaking || c->output_dropped) return false;
  // Replies queued before the session (its SCRIPT DEBUG +OK in the same read) go out first.
  if (n > 0) c->out.append(p, n);
  double deadline = timeout_ms < 0 ? -1 : monotonic_ms() + timeout_ms;
  size_t total = 0;
  bool ok = true;
  while (!c->out.empty()) {
    struct iovec iov[kMaxIov];
    int cnt = c->out.fill_iov(iov, kMaxIov, kIovBytes);
    ssize_t w = c->conn->writev(iov, cnt);
    if (w > 0) {
      c->out.consume(static_cast<size_t>(w));
      total += static_cast<size_t>(w);
      continue;
    }
    if (w != kIoAgain && w != 0) {
      ok = false;
      break;
    }
    if (wait_fd(*poller_, c->conn->fd(), poll_events(c->conn->want(), POLLOUT), deadline) != 1) {
      ok = false;
      break;
    }
  }
  // A completion poller sends what was queued now: the client reads it before it answers.
  poller_->submit();
  if (total) {
    c->net_out += static_cast<double>(total);
    c->last_interaction = wall_ms();
    stats()[kStatNetOutput] += static_cast<double>(total);
  }
  update_counters(*c);
  return ok;
}

}  // namespace respd
