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

// A non-blocking connect() in progress on `fd` (connect.cc): 1 once connected, 0 while in
// progress, -1 on failure with `*err` the errno.
int finish_connect(int fd, int* err);
// The tcp type's outgoing connection: a plain socket whose handshake is the connect itself.
std::unique_ptr<Connection> make_outgoing_socket(int fd);

}  // namespace respd
