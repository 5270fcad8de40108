// Listening sockets: TCP on every bind address (IPv4/IPv6, optional addresses marked with a
// leading '-'), and unix sockets. Creates non-blocking fds only; the engine polls and accepts.
#pragma once
#include <string>
#include <vector>

namespace respd {

struct TcpListenOptions {
  std::vector<std::string> binds;  // "*", "::*", "-::*", "127.0.0.1", ...
  int port = 6379;                 // 0 with `ephemeral` lets the kernel choose one port for all
  bool ephemeral = false;
  int backlog = 511;
};

// Opens one socket per address. On failure closes what it opened, sets `err` in Redis's words
// ("Could not create server TCP listening socket 127.0.0.1:6379: bind: Address already in use")
// and returns -1. `bound_port` gets the port actually bound.
int open_tcp_listeners(const TcpListenOptions& opts, std::vector<int>* fds, int* bound_port,
                       std::string* err);

// Unlinks a stale socket file, binds, chmods to `perm` when non-zero, listens.
int open_unix_listener(const std::string& path, unsigned perm, int backlog, int* fd,
                       std::string* err);

// Accepts one connection: non-blocking, close-on-exec. Returns the fd, or -1 (errno set).
int accept_connection(int listen_fd);

// TCP_NODELAY always; SO_KEEPALIVE and Redis's timers when `keepalive_s` > 0. Errors ignored
// (a unix socket has no TCP options).
void tune_accepted_socket(int fd, bool tcp, int keepalive_s);

}  // namespace respd
