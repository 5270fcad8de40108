// The `tcp` connection type: plain non-blocking sockets (IPv4 and IPv6). Accept completes at once.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "connection.h"
#include "socket_conn.h"

namespace respd {

std::string format_sockaddr(const struct sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN];
  if (ss.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const struct sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
    return std::string(ip) + ":" + std::to_string(ntohs(s->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* s = reinterpret_cast<const struct sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
    return std::string("[") + ip + "]:" + std::to_string(ntohs(s->sin6_port));
  }
  return std::string();
}

int SocketConnection::accept() {
  state_ = ConnState::kConnected;
  return 1;
}

ssize_t SocketConnection::read(char* buf, size_t len) {
  ssize_t n;
  do {
    n = ::read(fd_, buf, len);
  } while (n < 0 && errno == EINTR);
  if (n > 0) return n;
  if (n == 0) {
    state_ = ConnState::kClosed;
    return 0;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    want_ = IoWant::kRead;
    return kIoAgain;
  }
  last_errno_ = errno;
  state_ = ConnState::kError;
  return kIoError;
}

ssize_t SocketConnection::writev(const struct iovec* iov, int iovcnt) {
  ssize_t n;
  do {
    // One buffer (the common reply) goes by write(): no iovec to copy in and check.
    n = iovcnt == 1 ? ::write(fd_, iov[0].iov_base, iov[0].iov_len) : ::writev(fd_, iov, iovcnt);
  } while (n < 0 && errno == EINTR);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    want_ = IoWant::kWrite;
    return kIoAgain;
  }
  last_errno_ = errno;
  state_ = ConnState::kError;
  return kIoError;
}

void SocketConnection::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (state_ != ConnState::kError) state_ = ConnState::kClosed;
}

bool SocketConnection::is_local() const {
  std::string peer = address(true);
  // Redis's connSocketIsLocal: "127." prefix or exactly ::1.
  return peer.compare(0, 4, "127.") == 0 || peer.compare(0, 6, "[::1]:") == 0;
}

std::string SocketConnection::address(bool remote) const {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  std::memset(&ss, 0, sizeof(ss));
  int rc = remote ? getpeername(fd_, reinterpret_cast<struct sockaddr*>(&ss), &len)
                  : getsockname(fd_, reinterpret_cast<struct sockaddr*>(&ss), &len);
  if (rc != 0) return std::string();
  return format_sockaddr(ss);
}

namespace {

class TcpType final : public ConnectionType {
 public:
  const char* name() const override { return "tcp"; }
  bool plain_socket() const override { return true; }
  std::unique_ptr<Connection> create_accepted(int fd, const std::string&) override {
    return std::make_unique<SocketConnection>(fd);
  }
  bool can_connect() const override { return true; }
  std::unique_ptr<Connection> create_connecting(int fd) override { return make_outgoing_socket(fd); }
};

}  // namespace

std::unique_ptr<ConnectionType> make_tcp_connection_type() { return std::make_unique<TcpType>(); }

}  // namespace respd
