// Engine end to end over loopback TCP and temporary unix sockets: listeners, accept, the batch
// records, replies, close modes, maxclients, big arguments; and the poller on its own.
// Every wait is bounded: loops have retry caps and the process arms an alarm as a last resort.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cstddef>
#endif
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "batch_decoder.h"
#include "check.h"
#include "engine.h"
#include "listener.h"
#include "poller.h"

using namespace respd;

namespace {

// RESPD_TEST_IO_URING=1 (ctest engine_uring) runs every engine test on the io_uring poller.
EngineConfig base_config() {
  EngineConfig cfg;
  const char* v = getenv("RESPD_TEST_IO_URING");
  cfg.io_uring = v != nullptr && v[0] == '1';
  return cfg;
}

void sleep_ms(int ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = static_cast<long>(ms % 1000) * 1000000L;
  nanosleep(&ts, nullptr);
}

// The host side of the engine's real loop: Engine::turn runs the rounds, each batch is decoded.
class Loop : public Engine::BatchHost {
 public:
  explicit Loop(Engine& e) : e_(e) {}

  void turn() { e_.turn(*this); }

  bool run_batch() override {
    if (e_.record_words() == 0) FAIL("a batch without records was handed over");
    decode_batch(reinterpret_cast<const uint32_t*>(e_.records().data()), e_.record_words(), e_.arena().data(),
                 e_.arena().used(), e_.big_args(), &recs);
    return true;
  }

  // Turns (sleeping a little between them) until `done` holds; false after `tries` turns.
  bool until(const std::function<bool()>& done, int tries = 1500) {
    for (int i = 0; i < tries; i++) {
      if (done()) return true;
      turn();
      if (done()) return true;
      sleep_ms(2);
    }
    return done();
  }

  void turns(int n) {
    for (int i = 0; i < n; i++) {
      turn();
      sleep_ms(1);
    }
  }

  std::vector<const Rec*> of(uint32_t type, int64_t slot = -1) const {
    std::vector<const Rec*> out;
    for (const Rec& r : recs)
      if (r.type == type && (slot < 0 || r.slot == static_cast<uint32_t>(slot))) out.push_back(&r);
    return out;
  }
  size_t count(uint32_t type, int64_t slot = -1) const { return of(type, slot).size(); }

  // Waits for a kRecOpen beyond the ones seen so far; returns its slot or -1.
  int64_t wait_open(size_t already, uint32_t* flags = nullptr, uint32_t* type_index = nullptr) {
    if (!until([&] { return count(kRecOpen) > already; })) return -1;
    const Rec* r = of(kRecOpen)[already];
    if (flags) *flags = r->words.size() > 1 ? r->words[1] : 0;
    if (type_index) *type_index = r->words.size() > 0 ? r->words[0] : 0;
    return r->slot;
  }

  std::vector<Rec> recs;

 private:
  Engine& e_;
};

double stat(const Engine& e, uint32_t field) {
  return reinterpret_cast<const double*>(e.counters().data())[field];
}
double slot_field(const Engine& e, uint32_t slot, uint32_t field) {
  return reinterpret_cast<const double*>(e.counters().data())[kStatFields + slot * kSlotFields + field];
}

// ---- client sockets ---------------------------------------------------------------------------

void set_timeouts(int fd) {
  struct timeval tv;
  tv.tv_sec = 5;
  tv.tv_usec = 0;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

// connect() that survives being interrupted: the io_uring poller's completions run as task work
// on this thread (the engine and its clients share it here), which interrupts blocking calls.
int connect_retry(int fd, const struct sockaddr* sa, socklen_t len) {
  if (connect(fd, sa, len) == 0) return 0;
  if (errno != EINTR) return -1;
  for (int i = 0; i < 500; i++) {
    struct pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, 10) > 0) {
      int err = 0;
      socklen_t el = sizeof(err);
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) return -1;
      return 0;
    }
  }
  return -1;
}

int tcp_connect(int port, int rcvbuf = 0) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  struct sockaddr_in sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  set_timeouts(fd);
  if (connect_retry(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int unix_connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_un sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  set_timeouts(fd);
  if (connect_retry(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_str(int fd, const std::string& s) {
  size_t off = 0;
  for (int guard = 0; guard < 10000 && off < s.size(); guard++) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno != EINTR) {
      return false;
    }
  }
  return off == s.size();
}

// Sends without blocking, turning the engine whenever the socket is full.
bool send_pumping(Loop& loop, int fd, const std::string& s) {
  size_t off = 0;
  for (int guard = 0; guard < 20000 && off < s.size(); guard++) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    loop.turn();
    sleep_ms(1);
  }
  return off == s.size();
}

// Reads until `n` bytes arrived, EOF, or about `timeout_ms` passed.
std::string read_n(int fd, size_t n, int timeout_ms = 3000) {
  std::string out;
  for (int waited = 0; out.size() < n && waited < timeout_ms; waited += 10) {
    struct pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) continue;
    char buf[65536];
    ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), MSG_DONTWAIT);
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
    } else if (r == 0) {
      break;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      break;
    }
  }
  return out;
}

// Reads `n` bytes, turning the engine between attempts (for output it writes over several turns).
std::string read_pumping(Loop& loop, int fd, size_t n, int tries = 3000) {
  std::string out;
  for (int i = 0; i < tries && out.size() < n; i++) {
    char buf[65536];
    ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), MSG_DONTWAIT);
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (r == 0) break;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) break;
    loop.turn();
    sleep_ms(1);
  }
  return out;
}

// True once the peer has closed: read returns 0 (or a reset) within the timeout.
bool wait_eof(int fd, int timeout_ms = 3000) {
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    struct pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) continue;
    char c;
    ssize_t r = ::recv(fd, &c, 1, MSG_DONTWAIT);
    if (r == 0) return true;
    if (r < 0 && errno == ECONNRESET) return true;
    if (r > 0) return false;  // unexpected data
  }
  return false;
}

// Nothing readable for a little while.
bool quiet(int fd, int ms = 50) {
  struct pollfd p{fd, POLLIN, 0};
  int r;
  do {
    r = poll(&p, 1, ms);
  } while (r < 0 && errno == EINTR);
  return r == 0;
}

int listen_local(Engine& e, std::string* err = nullptr) {
  TcpListenOptions o;
  o.binds = {"127.0.0.1"};
  o.ephemeral = true;
  int port = 0;
  std::string e2;
  int id = e.listen_tcp(o, &port, err ? err : &e2);
  return id < 0 ? -1 : port;
}

std::string bulk_cmd(const std::vector<std::string>& args) {
  std::string s = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) s += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return s;
}

// A private temporary directory for unix sockets, removed with what it holds.
struct TempDir {
  std::string path;
  std::vector<std::string> files;
  TempDir() {
    char tmpl[] = "/tmp/respd-test-XXXXXX";
    if (char* d = mkdtemp(tmpl)) path = d;
  }
  std::string file(const std::string& name) {
    files.push_back(path + "/" + name);
    return files.back();
  }
  ~TempDir() {
    for (const std::string& f : files) ::unlink(f.c_str());
    if (!path.empty()) ::rmdir(path.c_str());
  }
};

// A connected client: the engine's slot and the client's fd.
struct Conn {
  int fd = -1;
  int64_t slot = -1;
  uint32_t flags = 0;
  uint32_t type_index = 0;
  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
};

bool connect_tcp(Loop& loop, int port, Conn* c) {
  size_t before = loop.count(kRecOpen);
  c->fd = tcp_connect(port);
  if (c->fd < 0) return false;
  c->slot = loop.wait_open(before, &c->flags, &c->type_index);
  return c->slot >= 0;
}

// Waits until `slot` has at least `total` command records in all.
// The preamble of most tests: an engine with the base configuration listening on a local port,
// its loop, and one client connected (e, port, loop, c). A macro, as REQUIRE must return from
// the test itself.
#define ONE_CLIENT()            \
  Engine e(base_config());      \
  int port = listen_local(e);   \
  REQUIRE(port > 0);            \
  Loop loop(e);                 \
  Conn c;                       \
  REQUIRE(connect_tcp(loop, port, &c))

bool wait_commands(Loop& loop, int64_t slot, size_t total, int tries = 1500) {
  return loop.until([&] { return loop.count(kRecCommand, slot) >= total; }, tries);
}

}  // namespace

// ---- listeners ----------------------------------------------------------------------------------

TEST(engine_is_ok) {
  Engine e(base_config());
  CHECK(e.ok());
  CHECK(e.poll_fd() >= 0);
  CHECK_EQ(e.record_words(), 0u);
  CHECK(!e.has_pending_events());
  REQUIRE(e.counters().used() >= kStatFields * sizeof(double));
  CHECK_EQ(stat(e, kStatClients), 0.0);
  // Both built-in connection types are registered, tcp first.
  REQUIRE(e.types().size() >= 2u);
  CHECK_EQ(std::string(e.types().at(0)->name()), "tcp");
  CHECK_EQ(std::string(e.types().at(1)->name()), "unix");
  CHECK(!e.collect());
  e.end_batch();
}

TEST(listen_tcp_ephemeral_port) {
  Engine e(base_config());
  TcpListenOptions o;
  o.binds = {"127.0.0.1"};
  o.ephemeral = true;
  int port = 0;
  std::string err;
  int id = e.listen_tcp(o, &port, &err);
  CHECK(id >= 0);
  CHECK(port > 0);
  CHECK(port < 65536);
  CHECK_EQ(err, "");
  int fd = tcp_connect(port);
  CHECK(fd >= 0);
  if (fd >= 0) ::close(fd);
}

TEST(listen_tcp_port_in_use) {
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  TcpListenOptions o;
  o.binds = {"127.0.0.1"};
  o.port = port;
  int bound = -1;
  std::string err;
  CHECK_EQ(e.listen_tcp(o, &bound, &err), -1);
  std::string prefix = "Could not create server TCP listening socket 127.0.0.1:";
  CHECK_EQ(err.compare(0, prefix.size(), prefix), 0);
  CHECK_EQ(err.substr(0, prefix.size() + std::to_string(port).size() + 2),
           prefix + std::to_string(port) + ": ");
  CHECK(err.find("bind") != std::string::npos);
  // A second engine gets the same answer.
  Engine e2(base_config());
  err.clear();
  CHECK_EQ(e2.listen_tcp(o, &bound, &err), -1);
  CHECK_EQ(err.compare(0, prefix.size(), prefix), 0);
}

TEST(listen_tcp_optional_address_skipped) {
  // 192.0.2.1 (TEST-NET-1) is not a local address: EADDRNOTAVAIL.
  TcpListenOptions o;
  o.binds = {"127.0.0.1", "-192.0.2.1"};
  o.ephemeral = true;
  std::vector<int> fds;
  int port = 0;
  std::string err;
  CHECK_EQ(open_tcp_listeners(o, &fds, &port, &err), 0);
  CHECK_EQ(fds.size(), 1u);
  CHECK(port > 0);
  for (int fd : fds) ::close(fd);

  Engine e(base_config());
  port = 0;
  err.clear();
  CHECK(e.listen_tcp(o, &port, &err) >= 0);
  CHECK(port > 0);
  CHECK_EQ(err, "");
  Loop loop(e);
  Conn c;
  CHECK(connect_tcp(loop, port, &c));

  // The same address without '-' is an error.
  TcpListenOptions strict;
  strict.binds = {"127.0.0.1", "192.0.2.1"};
  strict.ephemeral = true;
  err.clear();
  CHECK_EQ(e.listen_tcp(strict, &port, &err), -1);
  std::string prefix = "Could not create server TCP listening socket 192.0.2.1:";
  CHECK_EQ(err.compare(0, prefix.size(), prefix), 0);
}

// ---- one client ---------------------------------------------------------------------------------

TEST(open_ping_pong) {
  ONE_CLIENT();
  CHECK_EQ(c.type_index, 0u);  // tcp
  CHECK_EQ(c.flags, kOpenLocal);
  uint32_t slot = static_cast<uint32_t>(c.slot);
  CHECK(e.slot_alive(slot));
  CHECK(e.slot_capacity() > slot);
  CHECK_EQ(e.client_address(slot, true).compare(0, 10, "127.0.0.1:"), 0);
  CHECK_EQ(e.client_address(slot, false), "127.0.0.1:" + std::to_string(port));
  CHECK_EQ(stat(e, kStatAccepted), 1.0);
  CHECK_EQ(stat(e, kStatClients), 1.0);
  CHECK(slot_field(e, slot, kFieldFd) >= 0);
  CHECK_EQ(slot_field(e, slot, kFieldEvents), 1.0);  // read handler only

  REQUIRE(send_str(c.fd, "*1\r\n$4\r\nPING\r\n"));
  REQUIRE(wait_commands(loop, slot, 1));
  const Rec* r = loop.of(kRecCommand, slot)[0];
  CHECK_EQ(r->words.size(), 3u);  // argc, offset, length
  CHECK_EQ(r->args, std::vector<std::string>{"PING"});
  CHECK_EQ(slot_field(e, slot, kFieldNetIn), 14.0);
  CHECK(stat(e, kStatNetInput) >= 14.0);

  e.append_reply(slot, "+PONG\r\n", 7);
  e.flush();
  CHECK_EQ(read_n(c.fd, 7), "+PONG\r\n");
  CHECK_EQ(slot_field(e, slot, kFieldNetOut), 7.0);
  CHECK_EQ(stat(e, kStatNetOutput), 7.0);
  CHECK(quiet(c.fd));
  // Replies to a slot that is not alive are ignored.
  e.append_reply(9999, "x", 1);
  e.flush();
}

TEST(inline_commands) {
  ONE_CLIENT();
  REQUIRE(send_str(c.fd, "PING\r\nECHO \"a b\" '\\'' \"\\x41\"\r\n\r\n*0\r\nSET k v\n"));
  REQUIRE(wait_commands(loop, c.slot, 3));
  auto cmds = loop.of(kRecCommand, c.slot);
  REQUIRE_EQ(cmds.size(), 3u);
  CHECK_EQ(cmds[0]->args, std::vector<std::string>{"PING"});
  CHECK_EQ(cmds[1]->args, (std::vector<std::string>{"ECHO", "a b", "'", "A"}));
  CHECK_EQ(cmds[2]->args, (std::vector<std::string>{"SET", "k", "v"}));
}

TEST(pipeline_arrives_in_order) {
  ONE_CLIENT();
  const int kCount = 3000;
  std::string all;
  for (int i = 0; i < kCount; i++) {
    if (i % 7 == 3) {
      all += "ECHO " + std::to_string(i) + "\r\n";
    } else {
      all += bulk_cmd({"ECHO", std::to_string(i)});
    }
  }
  CHECK(all.size() > 3 * 16384);  // spans several reads and read boundaries
  REQUIRE(send_pumping(loop, c.fd, all));
  REQUIRE(wait_commands(loop, c.slot, kCount));
  auto cmds = loop.of(kRecCommand, c.slot);
  CHECK_EQ(cmds.size(), static_cast<size_t>(kCount));
  int bad = 0;
  for (int i = 0; i < kCount && i < static_cast<int>(cmds.size()); i++) {
    std::vector<std::string> want = {"ECHO", std::to_string(i)};
    if (cmds[i]->args != want && bad++ < 3) FAIL("command " + std::to_string(i) + " is " + check::show(cmds[i]->args));
  }
  // Reply to each, in order, and read the whole stream back.
  std::string replies;
  for (int i = 0; i < kCount; i++) {
    std::string rep = "$" + std::to_string(std::to_string(i).size()) + "\r\n" + std::to_string(i) + "\r\n";
    e.append_reply(static_cast<uint32_t>(c.slot), rep.data(), rep.size());
    replies += rep;
  }
  e.flush();
  std::string got = read_pumping(loop, c.fd, replies.size());
  CHECK_EQ(got.size(), replies.size());
  CHECK(got == replies);
  loop.turns(3);
  CHECK_EQ(loop.count(kRecCommand, c.slot), static_cast<size_t>(kCount));
}

TEST(command_split_over_two_writes) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  REQUIRE(send_str(c.fd, "*1\r\n$4\r\nPI"));
  // The partial request is held privately until the rest arrives.
  CHECK(loop.until([&] { return slot_field(e, slot, kFieldQbuf) == 10.0; }, 500));
  CHECK_EQ(loop.count(kRecCommand, slot), 0u);
  REQUIRE(send_str(c.fd, "NG\r\n"));
  REQUIRE(wait_commands(loop, slot, 1));
  loop.turns(5);
  auto cmds = loop.of(kRecCommand, slot);
  CHECK_EQ(cmds.size(), 1u);
  CHECK_EQ(cmds[0]->args, std::vector<std::string>{"PING"});
  CHECK_EQ(slot_field(e, slot, kFieldQbuf), 0.0);

  // The same for an inline command and for a split inside a header, with a second command in
  // the same write as the end of the first.
  REQUIRE(send_str(c.fd, "ECHO hel"));
  loop.turns(5);
  REQUIRE(send_str(c.fd, "lo\r\n*2\r\n$4\r\nECHO\r\n$"));
  REQUIRE(wait_commands(loop, slot, 2));
  REQUIRE(send_str(c.fd, "5\r\nworld\r\n"));
  REQUIRE(wait_commands(loop, slot, 3));
  loop.turns(5);
  cmds = loop.of(kRecCommand, slot);
  REQUIRE_EQ(cmds.size(), 3u);
  CHECK_EQ(cmds[1]->args, (std::vector<std::string>{"ECHO", "hello"}));
  CHECK_EQ(cmds[2]->args, (std::vector<std::string>{"ECHO", "world"}));
}

TEST(protocol_error_record) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  // A good command, then a bad one in the same write, then more that must not be parsed.
  REQUIRE(send_str(c.fd, "*1\r\n$4\r\nPING\r\n*1\r\n+x\r\n*1\r\n$4\r\nPING\r\n"));
  REQUIRE(loop.until([&] { return loop.count(kRecProtocolError, slot) > 0; }));
  CHECK_EQ(loop.count(kRecCommand, slot), 1u);
  const Rec* r = loop.of(kRecProtocolError, slot)[0];
  REQUIRE_EQ(r->words.size(), 2u);
  CHECK_EQ(r->words[0], static_cast<uint32_t>(ProtoError::kExpectedDollar));
  CHECK_EQ(r->words[1], static_cast<uint32_t>('+'));
  // Commands come before the error, in stream order.
  size_t cmd_at = 0, err_at = 0;
  for (size_t i = 0; i < loop.recs.size(); i++) {
    if (loop.recs[i].slot != slot) continue;
    if (loop.recs[i].type == kRecCommand) cmd_at = i;
    if (loop.recs[i].type == kRecProtocolError) err_at = i;
  }
  CHECK(cmd_at < err_at);
  // Nothing more is read or parsed from this client.
  REQUIRE(send_str(c.fd, "*1\r\n$4\r\nPING\r\n"));
  loop.turns(10);
  CHECK_EQ(loop.count(kRecCommand, slot), 1u);
  CHECK_EQ(loop.count(kRecProtocolError, slot), 1u);
  CHECK(e.slot_alive(slot));
  CHECK_EQ(slot_field(e, slot, kFieldEvents), 0.0);  // no read handler any more
  double reads = stat(e, kStatReads);
  loop.turns(10);
  CHECK_EQ(stat(e, kStatReads), reads);  // and no readiness spinning
  // The host replies with the error and closes after it.
  std::string msg = "-ERR Protocol error: expected '$', got '+'\r\n";
  e.append_reply(slot, msg.data(), msg.size());
  e.close_client(slot, CloseMode::kAfterReply);
  e.flush();
  CHECK_EQ(read_n(c.fd, msg.size()), msg);
  CHECK(wait_eof(c.fd));
  CHECK(loop.until([&] { return loop.count(kRecClose, slot) > 0; }));
  REQUIRE_EQ(loop.count(kRecClose, slot), 1u);
  CHECK_EQ(loop.of(kRecClose, slot)[0]->words[0], static_cast<uint32_t>(kCloseAfterReply));
}

TEST(protocol_error_codes) {
  struct Case {
    std::string bytes;
    ProtoError err;
    uint32_t byte;
    bool unauth;
  };
  std::vector<Case> cases = {
      {"*abc\r\n", ProtoError::kInvalidMbulkLength, 0, false},
      {"*+1\r\n", ProtoError::kInvalidMbulkLength, 0, false},
      {"*1\r\n$-1\r\n", ProtoError::kInvalidBulkLength, 0, false},
      {"*1\r\n:5\r\n", ProtoError::kExpectedDollar, ':', false},
      {"SET \"unterminated\r\n", ProtoError::kUnbalancedQuotes, 0, false},
      {"*11\r\n", ProtoError::kUnauthMbulkLength, 0, true},
      {"*1\r\n$16385\r\n", ProtoError::kUnauthBulkLength, 0, true},
  };
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  for (const Case& k : cases) {
    Conn c;
    REQUIRE(connect_tcp(loop, port, &c));
    uint32_t slot = static_cast<uint32_t>(c.slot);
    if (k.unauth) e.set_unauthenticated(slot, true);
    size_t before = loop.count(kRecProtocolError, slot);
    REQUIRE(send_str(c.fd, k.bytes));
    if (!loop.until([&] { return loop.count(kRecProtocolError, slot) > before; })) {
      FAIL("no protocol error for " + check::quote(k.bytes));
      continue;
    }
    const Rec* r = loop.of(kRecProtocolError, slot).back();
    CHECK_EQ(r->words[0], static_cast<uint32_t>(k.err));
    CHECK_EQ(r->words[1], k.byte);
    e.close_client(slot, CloseMode::kNow);
    loop.turn();
  }
}

TEST(too_big_inline_through_private_buffer) {
  ONE_CLIENT();
  std::string junk(70000, 'a');
  REQUIRE(send_pumping(loop, c.fd, junk));
  CHECK(loop.until([&] { return loop.count(kRecProtocolError, c.slot) > 0; }));
  if (loop.count(kRecProtocolError, c.slot) > 0)
    CHECK_EQ(loop.of(kRecProtocolError, c.slot)[0]->words[0], static_cast<uint32_t>(ProtoError::kTooBigInline));
  CHECK_EQ(loop.count(kRecCommand, c.slot), 0u);
}

TEST(unauthenticated_default_applies_to_new_clients) {
  EngineConfig cfg = base_config();
  cfg.unauthenticated_default = true;
  Engine e(cfg);
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn a;
  REQUIRE(connect_tcp(loop, port, &a));
  REQUIRE(send_str(a.fd, "*11\r\n"));
  REQUIRE(loop.until([&] { return loop.count(kRecProtocolError, a.slot) > 0; }));
  CHECK_EQ(loop.of(kRecProtocolError, a.slot)[0]->words[0], static_cast<uint32_t>(ProtoError::kUnauthMbulkLength));
  // Lifted per client.
  Conn b;
  REQUIRE(connect_tcp(loop, port, &b));
  e.set_unauthenticated(static_cast<uint32_t>(b.slot), false);
  std::vector<std::string> args(11, "x");
  REQUIRE(send_str(b.fd, bulk_cmd(args)));
  REQUIRE(wait_commands(loop, b.slot, 1));
  CHECK_EQ(loop.of(kRecCommand, b.slot)[0]->args.size(), 11u);
  CHECK_EQ(loop.count(kRecProtocolError, b.slot), 0u);
}

// ---- closing --------------------------------------------------------------------------------------

TEST(close_after_reply) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  REQUIRE(send_str(c.fd, "*1\r\n$4\r\nQUIT\r\n"));
  REQUIRE(wait_commands(loop, slot, 1));
  e.append_reply(slot, "+OK\r\n", 5);
  e.close_client(slot, CloseMode::kAfterReply);
  e.flush();
  // The close happened outside collect(): it is reported in the next batch.
  CHECK(e.has_pending_events());
  CHECK(!e.slot_alive(slot));
  CHECK_EQ(loop.count(kRecClose, slot), 0u);
  CHECK_EQ(read_n(c.fd, 5), "+OK\r\n");
  CHECK(wait_eof(c.fd));
  CHECK(loop.until([&] { return loop.count(kRecClose, slot) > 0; }, 50));
  REQUIRE_EQ(loop.count(kRecClose, slot), 1u);
  const Rec* r = loop.of(kRecClose, slot)[0];
  CHECK_EQ(r->words[0], static_cast<uint32_t>(kCloseAfterReply));
  CHECK_EQ(r->words[1], 0u);
  CHECK(!e.has_pending_events());
  loop.turns(2);
  CHECK_EQ(stat(e, kStatClients), 0.0);
  CHECK_EQ(loop.count(kRecClose, slot), 1u);
}

// Replies of every size, flushed in several rounds while earlier sends are still out: on io_uring
// the big blocks are handed to the kernel whole (no copy) between copied pieces, and the client
// must read every byte in the order written.
TEST(replies_of_mixed_sizes_arrive_in_order) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  const size_t sizes[] = {10, 100000, 7, 20000, 16384, 300, 250000, 65536, 1, 40000, 17000, 5};
  std::string all;
  int piece = 0;
  for (int round = 0; round < 3; round++) {
    for (size_t n : sizes) {
      std::string r(n, 'a');
      for (size_t k = 0; k < n; k++) r[k] = static_cast<char>('a' + (k / 1000 + piece) % 26);
      piece++;
      e.append_reply(slot, r.data(), r.size());
      all += r;
      // A flush now and then: later replies queue behind sends in flight.
      if (piece % 4 == 0) e.flush();
    }
    e.flush();
  }
  std::string got = read_pumping(loop, c.fd, all.size(), 20000);
  CHECK_EQ(got.size(), all.size());
  CHECK(got == all);
  CHECK_EQ(stat(e, kStatNetOutput), static_cast<double>(all.size()));
}

TEST(close_after_reply_with_large_pending_output) {
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn c;
  // A fixed receive buffer (no autotuning) so that the reply cannot all be written at once.
  size_t before = loop.count(kRecOpen);
  c.fd = tcp_connect(port, 64 * 1024);
  REQUIRE(c.fd >= 0);
  c.slot = loop.wait_open(before);
  REQUIRE(c.slot >= 0);
  uint32_t slot = static_cast<uint32_t>(c.slot);
  std::string big(8 * 1024 * 1024, 'r');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('A' + (i / 4096) % 26);
  e.append_reply(slot, big.data(), big.size());
  e.close_client(slot, CloseMode::kAfterReply);
  e.flush();
  // Not all of it fitted: the rest waits for the socket to be writable, reading stopped.
  CHECK(e.slot_alive(slot));
  CHECK_EQ(slot_field(e, slot, kFieldEvents), 2.0);
  CHECK(slot_field(e, slot, kFieldOll) >= 1.0);
  CHECK(slot_field(e, slot, kFieldNetOut) < static_cast<double>(big.size()));
  std::string got = read_pumping(loop, c.fd, big.size(), 20000);
  CHECK_EQ(got.size(), big.size());
  CHECK(got == big);
  CHECK(wait_eof(c.fd));
  CHECK(loop.until([&] { return loop.count(kRecClose, slot) > 0; }, 200));
  if (loop.count(kRecClose, slot) > 0)
    CHECK_EQ(loop.of(kRecClose, slot)[0]->words[0], static_cast<uint32_t>(kCloseAfterReply));
  CHECK(stat(e, kStatWrites) > 1.0);
  CHECK_EQ(stat(e, kStatNetOutput), static_cast<double>(big.size()));
}

TEST(closed_slot_not_reused_in_the_batch_reporting_it) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  e.close_client(slot, CloseMode::kAfterReply);
  e.flush();  // closes it outside a batch
  REQUIRE(e.has_pending_events());
  // A new client connects before the batch that reports the close.
  Conn d;
  size_t opens = loop.count(kRecOpen);
  d.fd = tcp_connect(port);
  REQUIRE(d.fd >= 0);
  d.slot = loop.wait_open(opens);
  REQUIRE(d.slot >= 0);
  REQUIRE_EQ(loop.count(kRecClose, slot), 1u);
  CHECK(d.slot != static_cast<int64_t>(slot));
  CHECK(e.slot_alive(static_cast<uint32_t>(d.slot)));
  // Released after that batch: the next client gets it.
  loop.turn();
  Conn f;
  REQUIRE(connect_tcp(loop, port, &f));
  CHECK_EQ(f.slot, static_cast<int64_t>(slot));
}

TEST(flush_stops_after_max_write_per_turn) {
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn c;
  size_t opens = loop.count(kRecOpen);
  c.fd = tcp_connect(port, 2 * 1024 * 1024);
  REQUIRE(c.fd >= 0);
  c.slot = loop.wait_open(opens);
  REQUIRE(c.slot >= 0);
  uint32_t slot = static_cast<uint32_t>(c.slot);
  // Room in the kernel for everything, so only the engine's own cap can stop the writes.
  int sfd = static_cast<int>(slot_field(e, slot, kFieldFd));
  REQUIRE(sfd >= 0);
  int sndbuf = 2 * 1024 * 1024;
  setsockopt(sfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  // 1 MiB in 16 KiB pieces: the static buffer, then one full block per piece.
  std::string all;
  for (int i = 0; i < 64; i++) {
    std::string piece(16384, static_cast<char>('a' + i % 26));
    e.append_reply(slot, piece.data(), piece.size());
    all += piece;
  }
  double writes = stat(e, kStatWrites);
  e.flush();
  CHECK_EQ(stat(e, kStatWrites), writes + 1);
  double out = slot_field(e, slot, kFieldNetOut);
  // writev gathers about 64 KiB at a time and stops once more than 64 KiB went out.
  CHECK(out > static_cast<double>(e.config().max_write_per_turn));
  CHECK(out <= static_cast<double>(2 * e.config().max_write_per_turn + 16384));
  CHECK_EQ(slot_field(e, slot, kFieldEvents), 3.0);  // read and write handlers
  std::string got = read_pumping(loop, c.fd, all.size());
  CHECK(got == all);
  CHECK(loop.until([&] { return slot_field(e, slot, kFieldEvents) == 1.0; }, 100));
  CHECK_EQ(slot_field(e, slot, kFieldOll), 0.0);
}

TEST(client_close_gives_eof_record) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  ::close(c.fd);
  c.fd = -1;
  REQUIRE(loop.until([&] { return loop.count(kRecClose, slot) > 0; }));
  const Rec* r = loop.of(kRecClose, slot)[0];
  CHECK_EQ(r->words[0], static_cast<uint32_t>(kCloseEof));
  CHECK_EQ(r->words[1], 0u);
  CHECK(!e.slot_alive(slot));
  loop.turn();
  CHECK_EQ(stat(e, kStatClients), 0.0);
  // The slot is reused by the next client.
  Conn d;
  REQUIRE(connect_tcp(loop, port, &d));
  CHECK_EQ(d.slot, static_cast<int64_t>(slot));
  REQUIRE(send_str(d.fd, "*1\r\n$4\r\nPING\r\n"));
  REQUIRE(wait_commands(loop, slot, 1));
}

TEST(close_now) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  e.append_reply(slot, "+never\r\n", 8);
  e.close_client(slot, CloseMode::kNow);
  CHECK(!e.slot_alive(slot));
  e.flush();
  CHECK(wait_eof(c.fd));
  loop.turns(3);
  CHECK_EQ(loop.count(kRecClose, slot), 0u);  // the host decided it; no record
  CHECK_EQ(stat(e, kStatClients), 0.0);
}

TEST(set_reading_pauses_input) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  e.set_reading(slot, false);
  CHECK_EQ(slot_field(e, slot, kFieldEvents), 1.0);  // counters refresh on I/O only
  REQUIRE(send_str(c.fd, "*1\r\n$4\r\nPING\r\n"));
  loop.turns(20);
  CHECK_EQ(loop.count(kRecCommand, slot), 0u);
  e.set_reading(slot, true);
  REQUIRE(wait_commands(loop, slot, 1));
  CHECK_EQ(loop.of(kRecCommand, slot)[0]->args, std::vector<std::string>{"PING"});
}

// ---- limits -------------------------------------------------------------------------------------

TEST(maxclients_rejects_with_error) {
  EngineConfig cfg = base_config();
  cfg.maxclients = 1;
  Engine e(cfg);
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn first;
  REQUIRE(connect_tcp(loop, port, &first));
  int second = tcp_connect(port);
  REQUIRE(second >= 0);
  CHECK(loop.until([&] { return stat(e, kStatRejected) >= 1.0; }));
  std::string msg = "-ERR max number of clients reached\r\n";
  CHECK_EQ(read_n(second, msg.size()), msg);
  CHECK(wait_eof(second));
  ::close(second);
  CHECK_EQ(stat(e, kStatRejected), 1.0);
  CHECK_EQ(stat(e, kStatAccepted), 1.0);
  CHECK_EQ(stat(e, kStatClients), 1.0);
  CHECK_EQ(loop.count(kRecOpen), 1u);
  // The first client still works.
  REQUIRE(send_str(first.fd, "*1\r\n$4\r\nPING\r\n"));
  REQUIRE(wait_commands(loop, first.slot, 1));
  // Once it is gone there is room again.
  ::close(first.fd);
  first.fd = -1;
  REQUIRE(loop.until([&] { return loop.count(kRecClose, first.slot) > 0; }));
  loop.turn();
  Conn third;
  CHECK(connect_tcp(loop, port, &third));
  CHECK_EQ(stat(e, kStatRejected), 1.0);
}

// ---- big arguments ------------------------------------------------------------------------------

TEST(big_argument_in_chunks) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  std::string payload(100000, '\0');
  for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<char>((i * 31 + 7) % 256);
  std::string stream = "*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$100000\r\n" + payload + "\r\n$2\r\nEX\r\n" +
                       bulk_cmd({"PING"});
  // Chunks of uneven sizes, with engine turns in between.
  size_t at = 0, chunk = 777;
  int guard = 0;
  while (at < stream.size() && guard++ < 10000) {
    size_t k = std::min(chunk, stream.size() - at);
    REQUIRE(send_pumping(loop, c.fd, stream.substr(at, k)));
    at += k;
    chunk = chunk * 3 % 9001 + 500;
    loop.turn();
  }
  REQUIRE(wait_commands(loop, slot, 2));
  auto cmds = loop.of(kRecCommand, slot);
  REQUIRE_EQ(cmds.size(), 2u);
  const Rec* r = cmds[0];
  REQUIRE_EQ(r->args.size(), 4u);
  CHECK_EQ(r->args[0], "SET");
  CHECK_EQ(r->args[1], "key");
  CHECK_EQ(r->args[3], "EX");
  CHECK_EQ(r->big, (std::vector<bool>{false, false, true, false}));
  // The record marks it with kBigArgLen and indexes the batch's big arguments.
  REQUIRE_EQ(r->words.size(), 9u);
  CHECK_EQ(r->words[5], 0u);  // index into big_args()
  CHECK_EQ(r->words[6], kBigArgLen);
  REQUIRE_EQ(r->big_raw.size(), 1u);
  CHECK_EQ(r->big_raw[0].size(), 100002u);
  CHECK(r->args[2] == payload);
  CHECK_EQ(r->big_raw[0].substr(100000), "\r\n");
  CHECK_EQ(cmds[1]->args, std::vector<std::string>{"PING"});
  CHECK_EQ(slot_field(e, slot, kFieldQbuf), 0.0);
  CHECK_EQ(slot_field(e, slot, kFieldNetIn), static_cast<double>(stream.size()));
}

TEST(big_argument_header_split_and_two_bigs) {
  ONE_CLIENT();
  uint32_t slot = static_cast<uint32_t>(c.slot);
  std::string a(50000, 'a'), b(70000, 'b');
  a[0] = '[';
  b[69999] = ']';
  std::string stream = "*3\r\n$4\r\nMSET\r\n$50000\r\n" + a + "\r\n$70000\r\n" + b + "\r\n" +
                       "*2\r\n$4\r\nECHO\r\n$2\r\nok\r\n";
  // Cut inside the first big header, then inside the second one, then the rest.
  size_t cut1 = stream.find("$50000") + 3;
  size_t cut2 = stream.find("$70000") + 2;
  REQUIRE(send_str(c.fd, stream.substr(0, cut1)));
  CHECK(loop.until([&] { return slot_field(e, slot, kFieldQbuf) == static_cast<double>(cut1); }, 500));
  REQUIRE(send_pumping(loop, c.fd, stream.substr(cut1, cut2 - cut1)));
  loop.turns(5);
  REQUIRE(send_pumping(loop, c.fd, stream.substr(cut2)));
  REQUIRE(wait_commands(loop, slot, 2));
  auto cmds = loop.of(kRecCommand, slot);
  REQUIRE_EQ(cmds.size(), 2u);
  REQUIRE_EQ(cmds[0]->args.size(), 3u);
  CHECK_EQ(cmds[0]->args[0], "MSET");
  CHECK(cmds[0]->args[1] == a);
  CHECK(cmds[0]->args[2] == b);
  CHECK_EQ(cmds[0]->big, (std::vector<bool>{false, true, true}));
  REQUIRE_EQ(cmds[0]->words.size(), 7u);
  CHECK(cmds[0]->words[3] != cmds[0]->words[5]);  // two distinct big argument indexes
  CHECK_EQ(cmds[1]->args, (std::vector<std::string>{"ECHO", "ok"}));
  CHECK_EQ(slot_field(e, slot, kFieldQbuf), 0.0);
}

TEST(big_argument_sent_at_once) {
  ONE_CLIENT();
  std::string payload(40000, 'b');
  payload[0] = '<';
  payload[39999] = '>';
  std::string stream = bulk_cmd({"ECHO", payload}) + bulk_cmd({"ECHO", payload}) + "PING\r\n";
  REQUIRE(send_pumping(loop, c.fd, stream));
  REQUIRE(wait_commands(loop, c.slot, 3));
  auto cmds = loop.of(kRecCommand, c.slot);
  REQUIRE_EQ(cmds.size(), 3u);
  for (int i = 0; i < 2; i++) {
    REQUIRE_EQ(cmds[i]->args.size(), 2u);
    CHECK(cmds[i]->args[1] == payload);
  }
  CHECK_EQ(cmds[2]->args, std::vector<std::string>{"PING"});
}

// After its first big argument a client's bytes are read from the socket into where they go (on
// io_uring: a poll and recv() instead of the multishot receive into the ring's buffers). Big and
// small requests, whole or in pieces, pipelined or one by one, with reading paused and resumed in
// the middle, all arrive whole and in order, and the client's close is seen.
TEST(big_arguments_then_small_ones_read_directly) {
  ONE_CLIENT();
  std::vector<std::vector<std::string>> want;
  std::string stream;
  auto add = [&](std::vector<std::string> args) {
    stream += bulk_cmd(args);
    want.push_back(std::move(args));
  };
  auto value = [](size_t n, int seed) {
    std::string v(n, 'a');
    for (size_t k = 0; k < n; k++) v[k] = static_cast<char>('a' + (k / 991 + static_cast<size_t>(seed)) % 26);
    return v;
  };
  auto send_in_pieces = [&](size_t piece) {
    for (size_t off = 0; off < stream.size(); off += piece) {
      REQUIRE(send_pumping(loop, c.fd, stream.substr(off, piece)));
      loop.turn();
    }
    stream.clear();
  };
  add({"SET", "k0", value(120000, 0)});
  send_in_pieces(stream.size());
  REQUIRE(wait_commands(loop, c.slot, want.size()));
  for (int round = 1; round <= 6; round++) {
    add({"PING"});
    add({"SET", "k" + std::to_string(round), value(40000 + 50000 * static_cast<size_t>(round), round)});
    add({"ECHO", "small"});
    if (round % 2 == 0) add({"SET", "again", value(70000, round + 7)});
    if (round == 3) {
      // Bytes that arrive while reading is paused wait in the socket; resumed, they are read.
      e.set_reading(static_cast<uint32_t>(c.slot), false);
      send_in_pieces(stream.size());
      loop.turns(5);
      CHECK_EQ(loop.count(kRecCommand, c.slot), want.size() - 3);
      e.set_reading(static_cast<uint32_t>(c.slot), true);
    } else {
      send_in_pieces(round % 2 ? 7001 : stream.size());
    }
    REQUIRE(wait_commands(loop, c.slot, want.size()));
  }
  auto cmds = loop.of(kRecCommand, c.slot);
  REQUIRE_EQ(cmds.size(), want.size());
  for (size_t i = 0; i < want.size(); i++) CHECK(cmds[i]->args == want[i]);
  ::close(c.fd);
  c.fd = -1;
  REQUIRE(loop.until([&] { return loop.count(kRecClose, c.slot) > 0; }));
  CHECK_EQ(loop.of(kRecClose, c.slot)[0]->words[0], static_cast<uint32_t>(kCloseEof));
}

// A big request leaves buffers behind only until the client is idle: then shrink_query_buffers()
// gives back the transport's receive buffer too (on io_uring, kept between requests so that each
// big one does not grow it again through fresh pages), and the next request is read as before.
// The request arrives while the client's reading is paused (a blocked client's): on io_uring its
// bytes then wait in that receive queue, out of the ring's provided buffers.
TEST(idle_client_gives_back_receive_buffers) {
  ONE_CLIENT();
  std::string payload(300000, 'x');
  e.set_reading(static_cast<uint32_t>(c.slot), false);
  REQUIRE(send_pumping(loop, c.fd, bulk_cmd({"SET", "k", payload})));
  loop.turns(20);
  e.set_reading(static_cast<uint32_t>(c.slot), true);
  REQUIRE(wait_commands(loop, c.slot, 1));
  CHECK(loop.of(kRecCommand, c.slot)[0]->args[2] == payload);
  sleep_ms(5);
  size_t released = e.shrink_query_buffers(1);
  if (e.poll_backend() == std::string("io_uring")) CHECK(released >= 64 * 1024);
  // Nothing more to give back, and the client reads on.
  CHECK_EQ(e.shrink_query_buffers(1), 0u);
  REQUIRE(send_pumping(loop, c.fd, bulk_cmd({"GET", "k"})));
  REQUIRE(wait_commands(loop, c.slot, 2));
  CHECK_EQ(loop.of(kRecCommand, c.slot)[1]->args, (std::vector<std::string>{"GET", "k"}));
  // A big reply leaves the send queues grown (kept between replies on io_uring) until idle too.
  std::string reply = "$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  e.append_reply(static_cast<uint32_t>(c.slot), reply.data(), reply.size());
  e.flush();
  CHECK(read_pumping(loop, c.fd, reply.size()) == reply);
  loop.turns(3);
  sleep_ms(5);
  released = e.shrink_query_buffers(1);
  if (e.poll_backend() == std::string("io_uring")) CHECK(released >= 64 * 1024);
  CHECK_EQ(e.shrink_query_buffers(1), 0u);
}

// Clients whose reading is paused keep what they sent without holding the receive buffers the
// others need: on io_uring, 24 of them with 200 KB each (4.8 MB, and a completion seldom fills
// its buffer) would hold all of the ring's 256 provided buffers of 16 KB (4 MiB) if unread bytes
// stayed in them past a turn. Another client is served meanwhile, and each paused one's request
// arrives whole and in order once reading resumes.
TEST(paused_clients_do_not_starve_the_others) {
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  constexpr int kPaused = 24;
  std::vector<Conn> paused(kPaused);
  std::vector<std::string> payloads;
  for (int i = 0; i < kPaused; i++) {
    REQUIRE(connect_tcp(loop, port, &paused[i]));
    e.set_reading(static_cast<uint32_t>(paused[i].slot), false);
    // Distinct bytes along each payload: a piece out of order would show.
    std::string p(200000, 'a');
    for (size_t k = 0; k < p.size(); k++) p[k] = static_cast<char>('a' + (k / 997 + i) % 26);
    payloads.push_back(p);
    REQUIRE(send_pumping(loop, paused[i].fd, bulk_cmd({"SET", "k" + std::to_string(i), p})));
  }
  loop.turns(20);
  Conn active;
  REQUIRE(connect_tcp(loop, port, &active));
  REQUIRE(send_pumping(loop, active.fd, bulk_cmd({"SET", "a", std::string(100000, 'z')}) + bulk_cmd({"PING"})));
  REQUIRE(wait_commands(loop, active.slot, 2));
  CHECK_EQ(loop.of(kRecCommand, active.slot)[1]->args, std::vector<std::string>{"PING"});
  for (int i = 0; i < kPaused; i++) CHECK_EQ(loop.count(kRecCommand, paused[i].slot), 0u);
  for (int i = 0; i < kPaused; i++) e.set_reading(static_cast<uint32_t>(paused[i].slot), true);
  for (int i = 0; i < kPaused; i++) {
    REQUIRE(wait_commands(loop, paused[i].slot, 1));
    auto cmd = loop.of(kRecCommand, paused[i].slot)[0];
    REQUIRE_EQ(cmd->args.size(), 3u);
    CHECK(cmd->args[2] == payloads[i]);
  }
}

// ---- unix sockets -------------------------------------------------------------------------------

TEST(listen_unix_ping) {
  TempDir dir;
  REQUIRE(!dir.path.empty());
  std::string path = dir.file("respd.sock");
  {
    Engine e(base_config());
    std::string err;
    int id = e.listen_unix(path, 0700, 511, &err);
    REQUIRE(id >= 0);
    CHECK_EQ(err, "");
    struct stat st;
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_EQ(st.st_mode & 0777, 0700u);
    Loop loop(e);
    Conn c;
    size_t before = loop.count(kRecOpen);
    c.fd = unix_connect(path);
    REQUIRE(c.fd >= 0);
    c.slot = loop.wait_open(before, &c.flags, &c.type_index);
    REQUIRE(c.slot >= 0);
    uint32_t slot = static_cast<uint32_t>(c.slot);
    CHECK_EQ(c.flags, kOpenUnix | kOpenLocal);
    CHECK_EQ(c.type_index, 1u);  // unix
    CHECK_EQ(e.client_address(slot, true), path + ":0");
    REQUIRE(send_str(c.fd, "*1\r\n$4\r\nPING\r\n"));
    REQUIRE(wait_commands(loop, slot, 1));
    CHECK_EQ(loop.of(kRecCommand, slot)[0]->args, std::vector<std::string>{"PING"});
    e.append_reply(slot, "+PONG\r\n", 7);
    e.flush();
    CHECK_EQ(read_n(c.fd, 7), "+PONG\r\n");
    // A stale socket file is replaced by a new listener.
    e.close_listener(id);
    CHECK(::access(path.c_str(), F_OK) != 0);
  }
  {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    CHECK(bind(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof(sa)) == 0);
    ::close(fd);  // leaves the file behind
    Engine e(base_config());
    std::string err;
    CHECK(e.listen_unix(path, 0, 511, &err) >= 0);
    Loop loop(e);
    Conn c;
    c.fd = unix_connect(path);
    CHECK(c.fd >= 0);
    CHECK(loop.wait_open(0) >= 0);
  }
}

TEST(listen_unix_path_too_long) {
  Engine e(base_config());
  std::string err;
  std::string path = "/tmp/" + std::string(200, 'p');
  CHECK_EQ(e.listen_unix(path, 0, 511, &err), -1);
  CHECK(!err.empty());
}

// ---- several clients ------------------------------------------------------------------------------

TEST(clients_are_independent) {
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn a, b;
  REQUIRE(connect_tcp(loop, port, &a));
  REQUIRE(connect_tcp(loop, port, &b));
  CHECK(a.slot != b.slot);
  // Interleaved partial requests from both.
  REQUIRE(send_str(a.fd, "*2\r\n$4\r\nECHO\r\n$1\r\n"));
  REQUIRE(send_str(b.fd, "ECHO b"));
  loop.turns(5);
  REQUIRE(send_str(b.fd, "b\r\n"));
  REQUIRE(send_str(a.fd, "a\r\n"));
  REQUIRE(wait_commands(loop, a.slot, 1));
  REQUIRE(wait_commands(loop, b.slot, 1));
  CHECK_EQ(loop.of(kRecCommand, a.slot)[0]->args, (std::vector<std::string>{"ECHO", "a"}));
  CHECK_EQ(loop.of(kRecCommand, b.slot)[0]->args, (std::vector<std::string>{"ECHO", "bb"}));
  e.append_reply(static_cast<uint32_t>(b.slot), "$2\r\nbb\r\n", 8);
  e.append_reply(static_cast<uint32_t>(a.slot), "$1\r\na\r\n", 7);
  e.flush();
  CHECK_EQ(read_n(a.fd, 7), "$1\r\na\r\n");
  CHECK_EQ(read_n(b.fd, 8), "$2\r\nbb\r\n");
  CHECK_EQ(stat(e, kStatClients), 2.0);
}

// While the host runs a long batch (a busy script), collect_busy reads the other clients into a
// batch of its own, leaving unread the clients with requests in the running batch.
TEST(collect_busy_reads_others_not_the_running_ones) {
  Engine e(base_config());
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn a, b;
  REQUIRE(connect_tcp(loop, port, &a));
  REQUIRE(connect_tcp(loop, port, &b));
  struct Busy : Engine::BatchHost {
    Engine& e;
    Loop& loop;
    int a_fd, b_fd;
    int64_t a_slot;
    std::vector<Rec> busy;
    bool served = false;
    Busy(Engine& e, Loop& loop, int a_fd, int b_fd, int64_t a_slot) : e(e), loop(loop), a_fd(a_fd), b_fd(b_fd), a_slot(a_slot) {}
    bool run_batch() override {
      // The turn's later rounds (what arrived meanwhile) are the loop's as usual.
      if (served) return loop.run_batch();
      served = true;
      // A's request is in this batch; both send more while it "runs".
      if (!send_str(a_fd, "PING\r\n") || !send_str(b_fd, "ECHO busy\r\n")) FAIL("send");
      for (int i = 0; i < 200 && busy.empty(); i++) {
        if (e.collect_busy())
          decode_batch(reinterpret_cast<const uint32_t*>(e.busy_records().data()), e.busy_words(), e.busy_arena().data(),
                       e.busy_arena().used(), {}, &busy);
        else
          sleep_ms(2);
      }
      return true;
    }
  } host(e, loop, a.fd, b.fd, a.slot);
  REQUIRE(send_str(a.fd, "ECHO first\r\n"));
  for (int i = 0; i < 200 && !host.served; i++) {
    e.turn(host);
    sleep_ms(2);
  }
  REQUIRE(host.served);
  REQUIRE_EQ(host.busy.size(), 1u);
  CHECK_EQ(host.busy[0].slot, static_cast<uint32_t>(b.slot));
  CHECK_EQ(host.busy[0].args, (std::vector<std::string>{"ECHO", "busy"}));
  // A's PING waited in its socket: the next turn reads it, after the batch that ran.
  REQUIRE(wait_commands(loop, a.slot, 1));
  CHECK_EQ(loop.of(kRecCommand, a.slot)[0]->args, (std::vector<std::string>{"PING"}));
}

// ---- IO threads ----------------------------------------------------------------------------------

EngineConfig threaded_config(bool always) {
  EngineConfig cfg = base_config();
  cfg.io_threads = 4;
  cfg.io_threads_do_reads = true;
  cfg.io_threads_always = always;
  return cfg;
}

// Six clients' pipelines read and parsed by the helper threads in the same turns: every
// command arrives once, in its client's order, and the replies come back whole.
TEST(io_threads_keep_each_clients_order) {
  Engine e(threaded_config(true));
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  const int kClients = 6, kCount = 2000;
  std::vector<Conn> cs(kClients);
  for (auto& c : cs) REQUIRE(connect_tcp(loop, port, &c));
  std::vector<std::string> streams(kClients);
  for (int k = 0; k < kClients; k++) {
    for (int i = 0; i < kCount; i++) {
      std::string v = std::to_string(k) + ":" + std::to_string(i);
      streams[k] += i % 5 == 2 ? "ECHO " + v + "\r\n" : bulk_cmd({"ECHO", v});
    }
  }
  // Interleaved chunks so that several clients are ready in one turn.
  std::vector<size_t> sent(kClients, 0);
  for (int guard = 0; guard < 20000; guard++) {
    bool left = false;
    for (int k = 0; k < kClients; k++) {
      size_t n = std::min<size_t>(3000, streams[k].size() - sent[k]);
      if (n == 0) continue;
      left = true;
      ssize_t w = ::send(cs[k].fd, streams[k].data() + sent[k], n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) sent[k] += static_cast<size_t>(w);
    }
    if (!left) break;
    loop.turn();
  }
  for (auto& c : cs) REQUIRE(wait_commands(loop, c.slot, kCount));
  for (int k = 0; k < kClients; k++) {
    auto cmds = loop.of(kRecCommand, cs[k].slot);
    CHECK_EQ(cmds.size(), static_cast<size_t>(kCount));
    int bad = 0;
    for (int i = 0; i < kCount && i < static_cast<int>(cmds.size()); i++) {
      std::vector<std::string> want = {"ECHO", std::to_string(k) + ":" + std::to_string(i)};
      if (cmds[i]->args != want && bad++ < 3) FAIL("client " + std::to_string(k) + " command " + std::to_string(i) + " is " + check::show(cmds[i]->args));
    }
  }
  CHECK(stat(e, kStatIoReads) > 0);
  CHECK_EQ(stat(e, kStatIoActive), 1.0);
  CHECK_EQ(e.io_threads(), 4);
  double helper_reads = 0;
  for (int t = 1; t < 4; t++) helper_reads += e.io_thread_reads(t);
  CHECK(helper_reads > 0);
  // Replies written by the threads, each client's in order.
  std::vector<std::string> replies(kClients);
  for (int k = 0; k < kClients; k++) {
    for (int i = 0; i < kCount; i++) {
      std::string v = std::to_string(k) + ":" + std::to_string(i);
      std::string rep = "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
      e.append_reply(static_cast<uint32_t>(cs[k].slot), rep.data(), rep.size());
      replies[k] += rep;
    }
  }
  e.flush();
  for (int k = 0; k < kClients; k++) CHECK(read_pumping(loop, cs[k].fd, replies[k].size()) == replies[k]);
  double helper_writes = 0;
  for (int t = 1; t < 4; t++) helper_writes += e.io_thread_writes(t);
  CHECK(helper_writes > 0);
  CHECK(stat(e, kStatIoWrites) > 0);
}

// What a helper thread meets while reading: a big argument, a protocol error, a client that
// hangs up, a close after the reply. The main thread turns each into its usual record.
TEST(io_threads_big_arguments_errors_and_closes) {
  Engine e(threaded_config(true));
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn big, bad, gone, quit;
  REQUIRE(connect_tcp(loop, port, &big));
  REQUIRE(connect_tcp(loop, port, &bad));
  REQUIRE(connect_tcp(loop, port, &gone));
  REQUIRE(connect_tcp(loop, port, &quit));
  std::string payload(200000, 'x');
  for (size_t i = 0; i < payload.size(); i++) payload[i] = static_cast<char>('a' + i % 26);
  std::string stream = bulk_cmd({"SET", "k", payload}) + bulk_cmd({"GET", "k"});
  REQUIRE(send_str(bad.fd, "*1\r\n$x\r\n"));
  ::close(gone.fd);
  gone.fd = -1;
  REQUIRE(send_str(quit.fd, bulk_cmd({"QUIT"})));
  REQUIRE(send_pumping(loop, big.fd, stream));
  REQUIRE(wait_commands(loop, big.slot, 2));
  REQUIRE(loop.until([&] { return loop.count(kRecProtocolError, bad.slot) == 1 && loop.count(kRecClose, gone.slot) == 1 &&
                                  loop.count(kRecCommand, quit.slot) == 1; }));
  auto cmds = loop.of(kRecCommand, big.slot);
  REQUIRE_EQ(cmds[0]->args.size(), 3u);
  CHECK(cmds[0]->args[2] == payload);
  CHECK_EQ(cmds[1]->args, (std::vector<std::string>{"GET", "k"}));
  CHECK_EQ(loop.of(kRecClose, gone.slot)[0]->words[0], static_cast<uint32_t>(kCloseEof));
  CHECK(!e.slot_alive(static_cast<uint32_t>(gone.slot)));
  e.append_reply(static_cast<uint32_t>(quit.slot), "+OK\r\n", 5);
  e.close_client(static_cast<uint32_t>(quit.slot), CloseMode::kAfterReply);
  e.flush();
  CHECK_EQ(read_n(quit.fd, 5), "+OK\r\n");
  CHECK(wait_eof(quit.fd));
  REQUIRE(loop.until([&] { return loop.count(kRecClose, quit.slot) == 1; }));
  CHECK_EQ(loop.of(kRecClose, quit.slot)[0]->words[0], static_cast<uint32_t>(kCloseAfterReply));
}

// Without the test hook the threads follow the load, as Redis's: a lone client is served by the
// main thread and io_threads_active stays 0.
TEST(io_threads_idle_until_loaded) {
  Engine e(threaded_config(false));
  int port = listen_local(e);
  REQUIRE(port > 0);
  Loop loop(e);
  Conn c;
  REQUIRE(connect_tcp(loop, port, &c));
  for (int i = 0; i < 20; i++) {
    REQUIRE(send_str(c.fd, bulk_cmd({"PING"})));
    REQUIRE(wait_commands(loop, c.slot, static_cast<size_t>(i + 1)));
    e.append_reply(static_cast<uint32_t>(c.slot), "+PONG\r\n", 7);
    e.flush();
    CHECK_EQ(read_n(c.fd, 7), "+PONG\r\n");
  }
  CHECK_EQ(stat(e, kStatIoActive), 0.0);
  CHECK_EQ(stat(e, kStatIoReads), 0.0);
  CHECK_EQ(stat(e, kStatIoWrites), 0.0);
  // Eight clients (2 x io-threads) with output pending in one flush start them.
  std::vector<Conn> cs(8);
  for (auto& k : cs) REQUIRE(connect_tcp(loop, port, &k));
  for (auto& k : cs) e.append_reply(static_cast<uint32_t>(k.slot), "+OK\r\n", 5);
  e.flush();
  CHECK_EQ(stat(e, kStatIoActive), 1.0);
  CHECK_EQ(stat(e, kStatIoWrites), 8.0);
  for (auto& k : cs) CHECK_EQ(read_n(k.fd, 5), "+OK\r\n");
  e.flush();
  CHECK_EQ(stat(e, kStatIoActive), 0.0);
}

// ---- the poller alone -----------------------------------------------------------------------------

// Level-triggered readiness of plain fds, as every backend must give it (io_uring through its
// one-shot polls re-armed after each event).
void check_pipe_readiness(const std::unique_ptr<Poller>& p) {
  REQUIRE(p != nullptr);
  REQUIRE(p->fd() >= 0);
  CHECK(p->name() != nullptr);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  int tag = 42;
  CHECK_EQ(p->set(fds[0], kPollNone, kPollReadable, &tag), 0);
  PollEvent ev[8];
  CHECK_EQ(p->wait(ev, 8, 0), 0);
  REQUIRE(::write(fds[1], "x", 1) == 1);
  int n = p->wait(ev, 8, 1000);
  REQUIRE_EQ(n, 1);
  CHECK(ev[0].data == &tag);
  CHECK(ev[0].mask & kPollReadable);
  CHECK(!(ev[0].mask & kPollWritable));
  // Level-triggered: still readable until drained.
  CHECK_EQ(p->wait(ev, 8, 0), 1);
  char c;
  REQUIRE(::read(fds[0], &c, 1) == 1);
  CHECK_EQ(p->wait(ev, 8, 0), 0);
  // The write end is writable at once.
  int wtag = 7;
  CHECK_EQ(p->set(fds[1], kPollNone, kPollWritable, &wtag), 0);
  n = p->wait(ev, 8, 1000);
  REQUIRE_EQ(n, 1);
  CHECK(ev[0].data == &wtag);
  CHECK(ev[0].mask & kPollWritable);
  // Removing interest silences both.
  CHECK_EQ(p->set(fds[1], kPollWritable, kPollNone, &wtag), 0);
  REQUIRE(::write(fds[1], "y", 1) == 1);
  CHECK_EQ(p->set(fds[0], kPollReadable, kPollNone, &tag), 0);
  CHECK_EQ(p->wait(ev, 8, 0), 0);
  // Adding it back reports the pending byte.
  CHECK_EQ(p->set(fds[0], kPollNone, kPollReadable, &tag), 0);
  CHECK_EQ(p->wait(ev, 8, 100), 1);
  // A closed write end is reported as readable (hang-up).
  REQUIRE(::read(fds[0], &c, 1) == 1);
  ::close(fds[1]);
  n = p->wait(ev, 8, 1000);
  REQUIRE_EQ(n, 1);
  CHECK(ev[0].mask & kPollReadable);
  CHECK_EQ(p->set(fds[0], kPollReadable, kPollNone, &tag), 0);
  ::close(fds[0]);
}

TEST(poller_reports_readable_pipe) { check_pipe_readiness(Poller::create()); }

TEST(uring_poller_reports_readable_pipe) {
  std::string why;
  std::unique_ptr<Poller> p = create_uring_poller(&why);
  if (!p) {
    // Built without it or refused by this kernel: the reason is what the engine logs.
    CHECK(!why.empty());
    return;
  }
  CHECK_EQ(std::string(p->name()), "io_uring");
  check_pipe_readiness(p);
}

// ---- io_uring: choice and fallback ---------------------------------------------------------------

TEST(io_uring_chosen_or_fallback_explained) {
  EngineConfig cfg;
  cfg.io_uring = true;
  Engine e(cfg);
  REQUIRE(e.ok());
  std::string backend = e.poll_backend();
  std::string why;
  bool available = create_uring_poller(&why) != nullptr;
  if (available) {
    CHECK_EQ(backend, "io_uring");
    CHECK_EQ(e.poll_fallback(), "");
  } else {
    CHECK(backend != "io_uring");
    CHECK_EQ(e.poll_fallback().compare(0, 28, "io_uring is not available ("), 0);
  }
  // Not asked for: no note.
  Engine plain;
  CHECK(std::string(plain.poll_backend()) != "io_uring");
  CHECK_EQ(plain.poll_fallback(), "");
  // With IO threads the readiness backend serves, and says so.
  cfg.io_threads = 3;
  Engine threaded(cfg);
  CHECK(std::string(threaded.poll_backend()) != "io_uring");
  CHECK(threaded.poll_fallback().find("io-threads > 1") != std::string::npos);
}

#if defined(__linux__)
// io_uring_setup refused as a sandbox refuses it (seccomp, EPERM): the engine comes up on epoll
// with the reason. Runs in a child process, since a seccomp filter cannot be removed.
TEST(io_uring_refused_falls_back_to_epoll) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) _exit(3);
    EngineConfig cfg;
    cfg.io_uring = true;
    Engine e(cfg);
    if (!e.ok()) _exit(4);
    if (std::string(e.poll_backend()) != "epoll") _exit(5);
    std::string note = e.poll_fallback();
    bool built_without = note.find("this build has no io_uring") != std::string::npos;
    if (!built_without && note != "io_uring is not available (io_uring_setup: Operation not permitted): using epoll") _exit(6);
    // And it serves: a client gets its command through.
    int port = listen_local(e);
    if (port <= 0) _exit(7);
    Loop loop(e);
    Conn c;
    if (!connect_tcp(loop, port, &c)) _exit(8);
    if (!send_str(c.fd, "*1\r\n$4\r\nPING\r\n")) _exit(9);
    if (!wait_commands(loop, static_cast<uint32_t>(c.slot), 1)) _exit(10);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK_EQ(WEXITSTATUS(status), 0);
}
#endif

int main() {
  signal(SIGPIPE, SIG_IGN);
  alarm(240);  // a last-resort bound; every loop above has its own cap
  return RUN_ALL();
}
