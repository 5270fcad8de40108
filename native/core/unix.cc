// The `unix` connection type: a socket connection whose address is "<unixsocket path>:0" on
// both ends and which is always local.
#include "connection.h"
#include "socket_conn.h"

namespace respd {
namespace {

class UnixConnection final : public SocketConnection {
 public:
  UnixConnection(int fd, std::string path) : SocketConnection(fd), path_(std::move(path)) {}
  const char* type_name() const override { return "unix"; }
  bool is_local() const override { return true; }
  std::string address(bool) const override { return path_ + ":0"; }

 private:
  std::string path_;
};

class UnixType final : public ConnectionType {
 public:
  const char* name() const override { return "unix"; }
  bool plain_socket() const override { return true; }
  std::unique_ptr<Connection> create_accepted(int fd, const std::string& path) override {
    return std::make_unique<UnixConnection>(fd, path);
  }
};

}  // namespace

std::unique_ptr<ConnectionType> make_unix_connection_type() { return std::make_unique<UnixType>(); }

}  // namespace respd
