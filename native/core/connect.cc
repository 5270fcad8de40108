// Outgoing connections (Redis's connConnect, used by a replica to reach its master) and the raw
// read mode their first bytes go through. connect() opens a non-blocking TCP socket and hands it
// to the engine as a slot in the handshake state, like an accepted TLS client; the handshake step
// completes the connect (SO_ERROR) and a connected record tells the host. Raw mode hands what is
// read to the host unparsed (a master's handshake replies and its RDB payload) until the host
// switches the slot to command mode, giving back the bytes it did not consume: those are parsed
// first, as if read again, then the socket.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "engine_internal.h"
#include "socket_conn.h"

namespace respd {

namespace {

// A TCP socket whose connect() is in progress: the handshake step waits for writability and
// reads SO_ERROR, as anetTcpNonBlockConnect's callers do.
class OutgoingSocket final : public SocketConnection {
 public:
  explicit OutgoingSocket(int fd) : SocketConnection(fd) { want_ = IoWant::kWrite; }
  int accept() override {
    int err = 0;
    int r = finish_connect(fd_, &err);
    if (r == 0) {
      want_ = IoWant::kWrite;
      return 0;
    }
    if (r < 0) {
      last_errno_ = err;
      state_ = ConnState::kError;
      return -1;
    }
    state_ = ConnState::kConnected;
    want_ = IoWant::kNone;
    return 1;
  }
  std::string error_text() const override { return strerror(last_errno_); }
};

// getaddrinfo (the host may be a name, as Redis's anetResolve allows) and a non-blocking connect
// to the first address that takes it. Returns the fd or -1 with `err` set.
int open_connection(const std::string& host, int port, std::string* err) {
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    *err = gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (struct addrinfo* p = res; p; p = p->ai_next) {
    fd = socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, p->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd, p->ai_addr, p->ai_addrlen) == 0 || errno == EINPROGRESS) break;
    *err = strerror(errno);
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0 && err->empty()) *err = "no address to connect to";
  return fd;
}

}  // namespace

int finish_connect(int fd, int* err) {
  int e = 0;
  socklen_t len = sizeof(e);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) e = errno;
  if (e == EINPROGRESS || e == EALREADY) return 0;
  if (e == 0) {
    // Writable with no error can still mean not connected on some systems: ask for the peer.
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getpeername(fd, reinterpret_cast<struct sockaddr*>(&ss), &sl) == 0) return 1;
    e = errno == ENOTCONN ? ECONNREFUSED : errno;
  }
  *err = e;
  return -1;
}

std::unique_ptr<Connection> make_outgoing_socket(int fd) { return std::make_unique<OutgoingSocket>(fd); }

int Engine::connect(const std::string& host, int port, const char* type_name, std::string* err) {
  assert_main_thread();
  ConnectionType* type = types_.find(type_name);
  if (!type || !type->can_connect()) {
    *err = std::string("Connection type ") + type_name + " can't make outgoing connections";
    return -1;
  }
  int fd = open_connection(host, port, err);
  if (fd < 0) return -1;
  std::unique_ptr<Connection> conn = type->create_connecting(fd);
  uint32_t slot = alloc_slot();
  Client& c = *slots_[slot];
  c.conn = std::move(conn);
  c.alive = true;
  c.outgoing = true;
  c.raw = true;
  c.handshaking = true;
  c.last_interaction = now_ms_;
  clients_++;
  stats()[kStatClients] = clients_;
  update_interest(c);
  update_counters(c);
  return static_cast<int>(slot);
}

void Engine::set_raw(uint32_t slot, bool raw, const char* give_back, size_t n) {
  Client* c = live(slot);
  if (!c) return;
  c->raw = raw;
  if (n > 0) c->replay.append(give_back, n);
  if (!c->replay.empty()) note_pending_data(*main_, *c);
}

// Raw mode: what the socket has now (up to kRawTurnBytes) as one raw record of arena bytes.
void Engine::read_raw(Lane& L, Client& c) {
  constexpr size_t kRawTurnBytes = 256 * 1024;
  size_t start = L.arena.used();
  size_t got = 0;
  bool closed = false, failed = false;
  while (got < kRawTurnBytes) {
    L.arena.reserve(kReadLen);
    ssize_t n = c.conn->read(L.arena.data() + L.arena.used(), kReadLen);
    L.reads += 1;
    if (n == kIoAgain) break;
    if (n == 0) {
      closed = true;
      break;
    }
    if (n < 0) {
      failed = true;
      break;
    }
    L.arena.set_used(L.arena.used() + static_cast<size_t>(n));
    got += static_cast<size_t>(n);
  }
  if (got > 0) {
    c.net_in += static_cast<double>(got);
    c.last_interaction = now_ms_;
    L.net_in += static_cast<double>(got);
    L.record({kRecRaw, c.slot, static_cast<uint32_t>(start), static_cast<uint32_t>(got)});
    if (c.conn->has_pending_data()) note_pending_data(L, c);
  }
  if (closed) close_from(L, c, kCloseEof, 0);
  else if (failed) close_from(L, c, kCloseReadError, c.conn->last_errno());
  else update_counters(c);
}

// Bytes given back by set_raw(), parsed before the socket is read again: the next read's space
// is filled from them instead.
ssize_t Engine::take_replay(Client& c, char* dst, size_t cap) {
  size_t n = c.replay.size() < cap ? c.replay.size() : cap;
  std::memcpy(dst, c.replay.data(), n);
  c.replay.erase(0, n);
  return static_cast<ssize_t>(n);
}

}  // namespace respd
