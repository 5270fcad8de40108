// The parts of the poller interface every readiness backend shares: accept() straight from the
// listening socket, connections left as they are (their transport does its own I/O), and a
// blocking wait on one fd with poll().
#include "poller.h"

#include <poll.h>

#include "connection.h"
#include "listener.h"

namespace respd {

int Poller::accept(int listen_fd) { return accept_connection(listen_fd); }

std::unique_ptr<Connection> Poller::attach(std::unique_ptr<Connection> conn, void*) { return conn; }

int Poller::wait_fd(int fd, short events, int timeout_ms) {
  struct pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms);
}

}  // namespace respd
