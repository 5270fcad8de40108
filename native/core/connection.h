// The connection interface every transport implements (tcp, unix, tls), as Redis's
// ConnectionType: callers never know which transport they hold. Types are registered by name
// in a ConnectionTypes registry owned by the engine.
#pragma once
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace respd {

class OutputChain;

enum class ConnState { kNone, kAccepting, kConnected, kClosed, kError };

// What a stalled operation waits for. A TLS read may need the socket writable and a TLS write
// may need it readable, so the engine asks the connection instead of assuming.
enum class IoWant { kNone, kRead, kWrite };

// Results of read/writev beyond byte counts.
constexpr ssize_t kIoAgain = -1;   // would block; see want()
constexpr ssize_t kIoError = -2;   // state() is kError (or kClosed), last_errno() says why

class Connection {
 public:
  explicit Connection(int fd) : fd_(fd) {}
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual const char* type_name() const = 0;
  // Advances the accept handshake. Returns 1 when connected, 0 while in progress (want() says
  // which readiness to wait for), -1 on failure (state kError, error_text() says why).
  virtual int accept() = 0;
  // >0 bytes read, 0 on orderly close (state kClosed), kIoAgain, or kIoError.
  virtual ssize_t read(char* buf, size_t len) = 0;
  // >0 bytes written, kIoAgain, or kIoError.
  virtual ssize_t writev(const struct iovec* iov, int iovcnt) = 0;
  // A transport that sends reply blocks from where they are (io_uring: the kernel reads them
  // after writev would have returned) adopts the chain's front block whole instead of copying
  // it: the largest block it would take now (its send queue's room), 0 where it never does.
  virtual size_t adoptable() const { return 0; }
  // Takes `out`'s front block (0 < front_block_unsent() <= adoptable()): the bytes taken,
  // kIoAgain (no room: the block stays) or kIoError.
  virtual ssize_t adopt_front(OutputChain& out);
  // Closes the socket; idempotent.
  virtual void close() = 0;
  // Bytes already received and buffered inside the transport (TLS), served without waiting
  // for the socket to become readable again.
  virtual bool has_pending_data() const { return false; }
  // Bytes received into user space and not read yet, whose next read costs no system call (the
  // io_uring receive queue and provided buffers). 0 where reads go to the kernel.
  virtual size_t buffered() const { return 0; }
  // The client sends big arguments: a transport that receives into buffers of its own (io_uring's
  // provided buffers) reads from the socket into the caller's buffer instead from now on, which
  // saves copying each big argument once. Nothing to do for the others.
  virtual void read_directly() {}
  // The client has been idle a while (clientsCron): buffers the transport keeps between reads
  // (the io_uring receive and send queues) are given back. Returns the bytes released.
  virtual size_t release_idle_buffers() { return 0; }
  // Loopback peer or unix socket: the protected-mode rule.
  virtual bool is_local() const = 0;
  // "ip:port", "[ipv6]:port" or "<path>:0"; empty when the address cannot be read.
  virtual std::string address(bool remote) const = 0;
  virtual std::string error_text() const;

  int fd() const { return fd_; }
  ConnState state() const { return state_; }
  IoWant want() const { return want_; }
  int last_errno() const { return last_errno_; }

 protected:
  int fd_;
  ConnState state_ = ConnState::kAccepting;
  IoWant want_ = IoWant::kNone;
  int last_errno_ = 0;
};

// What accepting a connection costs: a handshake (TLS) is held to its own, smaller number of
// accepts per event-loop cycle (max-new-tls-connections-per-cycle).
enum class AcceptCost { kCheap, kHandshake };

class ConnectionType {
 public:
  virtual ~ConnectionType() = default;
  virtual const char* name() const = 0;
  virtual AcceptCost accept_cost() const { return AcceptCost::kCheap; }
  // A plain socket whose bytes a completion poller (io_uring) may carry instead (Poller::attach).
  virtual bool plain_socket() const { return false; }
  // Wraps an accepted, non-blocking fd. `listener_path` is the unix socket path for unix.
  virtual std::unique_ptr<Connection> create_accepted(int fd, const std::string& listener_path) = 0;
  // Outgoing connections (connect.cc): can_connect() says whether the type makes them;
  // create_connecting wraps a non-blocking fd whose connect() is in progress, and its accept()
  // completes the connect and then the transport's own handshake.
  virtual bool can_connect() const { return false; }
  virtual std::unique_ptr<Connection> create_connecting(int fd) {
    (void)fd;
    return nullptr;
  }
};

// Registry by name (case-insensitive), at most kMaxTypes, as Redis's connTypeRegister.
class ConnectionTypes {
 public:
  static constexpr size_t kMaxTypes = 8;
  // Returns the index, or -1 with `err` set ("Connection types %s already registered").
  int add(std::unique_ptr<ConnectionType> type, std::string* err);
  ConnectionType* find(const std::string& name, int* index = nullptr) const;
  ConnectionType* at(size_t i) const { return i < types_.size() ? types_[i].get() : nullptr; }
  size_t size() const { return types_.size(); }

 private:
  std::vector<std::unique_ptr<ConnectionType>> types_;
};

// The two types every engine registers (socket.cc, unix.cc).
std::unique_ptr<ConnectionType> make_tcp_connection_type();
std::unique_ptr<ConnectionType> make_unix_connection_type();

}  // namespace respd
