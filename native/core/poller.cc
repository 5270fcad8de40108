// The parts of the poller interface every readiness backend shares: accept() straight from the
// listening socket, and connections left as they are (their transport does its own I/O).
#include "poller.h"

#include "connection.h"
#include "listener.h"

namespace respd {

int Poller::accept(int listen_fd) { return accept_connection(listen_fd); }

std::unique_ptr<Connection> Poller::attach(std::unique_ptr<Connection> conn, void*) { return conn; }

}  // namespace respd
