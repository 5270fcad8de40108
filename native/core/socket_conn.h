// Plain-socket connection shared by the tcp and unix types (unix forwards to it, as in Redis).
#pragma once
#include <sys/socket.h>

#include <string>

#include "connection.h"

namespace respd {

class SocketConnection : public Connection {
 public:
  explicit SocketConnection(int fd) : Connection(fd) {}
  ~SocketConnection() override { SocketConnection::close(); }
  const char* type_name() const override { return "tcp"; }
  int accept() override;
  ssize_t read(char* buf, size_t len) override;
  ssize_t writev(const struct iovec* iov, int iovcnt) override;
  void close() override;
  bool is_local() const override;
  std::string address(bool remote) const override;
};

std::string format_sockaddr(const struct sockaddr_storage& ss);

}  // namespace respd
