// The Lua debugger's blocking I/O on one client (Engine::debug_read / debug_write, debug_io.cc):
// a read that times out, bytes read, a write with the client's pending output first, and the
// bad cases (no such slot, a client that hung up). Every wait is bounded. RESPD_TEST_IO_URING=1
// (ctest debug_io_uring) runs them on the io_uring poller, whose waits must drive the ring.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "batch_decoder.h"
#include "check.h"
#include "engine.h"
#include "listener.h"

using namespace respd;

namespace {

double now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec) / 1e6;
}

EngineConfig config() {
  EngineConfig cfg;
  const char* v = getenv("RESPD_TEST_IO_URING");
  cfg.io_uring = v != nullptr && v[0] == '1';
  return cfg;
}

class Host : public Engine::BatchHost {
 public:
  explicit Host(Engine& e) : e_(e) {}
  bool run_batch() override {
    decode_batch(reinterpret_cast<const uint32_t*>(e_.records().data()), e_.record_words(), e_.arena().data(),
                 e_.arena().used(), e_.big_args(), &recs);
    return true;
  }
  std::vector<Rec> recs;

 private:
  Engine& e_;
};

int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (connect(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof(sa)) == 0) return fd;
  // The io_uring poller's completions run as task work on this thread, which interrupts a
  // blocking connect(): it goes on in the background.
  if (errno == EINTR) {
    struct pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t el = sizeof(err);
    if (poll(&p, 1, 5000) > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0) return fd;
  }
  ::close(fd);
  return -1;
}

// An engine with one connected client: its slot, or -1.
int64_t open_client(Engine& e, Host& h, int* fd) {
  TcpListenOptions o;
  o.binds = {"127.0.0.1"};
  o.ephemeral = true;
  int port = 0;
  std::string err;
  if (e.listen_tcp(o, &port, &err) < 0) return -1;
  *fd = connect_to(port);
  if (*fd < 0) return -1;
  for (int i = 0; i < 1000; i++) {
    e.turn(h);
    for (const Rec& r : h.recs)
      if (r.type == kRecOpen) return r.slot;
    struct timespec ts{0, 2000000};
    nanosleep(&ts, nullptr);
  }
  return -1;
}

std::string read_some(int fd, size_t n) {
  std::string out;
  for (int i = 0; i < 300 && out.size() < n; i++) {
    struct pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) continue;
    char buf[256];
    ssize_t r = ::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

}  // namespace

TEST(debug_read_times_out_then_reads) {
  Engine e(config());
  Host h(e);
  int fd = -1;
  int64_t slot = open_client(e, h, &fd);
  REQUIRE(slot >= 0);
  char buf[64];
  double t0 = now_ms();
  CHECK_EQ(e.debug_read(static_cast<uint32_t>(slot), buf, sizeof(buf), 30), Engine::kDebugTimeout);
  CHECK(now_ms() - t0 >= 25);
  REQUIRE(::send(fd, "*1\r\n$1\r\ns\r\n", 11, MSG_NOSIGNAL) == 11);
  ssize_t n = e.debug_read(static_cast<uint32_t>(slot), buf, sizeof(buf), 2000);
  REQUIRE(n > 0);
  CHECK_EQ(std::string(buf, static_cast<size_t>(n)), std::string("*1\r\n$1\r\ns\r\n").substr(0, static_cast<size_t>(n)));
  ::close(fd);
}

TEST(debug_write_sends_pending_output_first) {
  Engine e(config());
  Host h(e);
  int fd = -1;
  int64_t slot = open_client(e, h, &fd);
  REQUIRE(slot >= 0);
  CHECK(e.append_reply(static_cast<uint32_t>(slot), "+OK\r\n", 5));
  CHECK(e.debug_write(static_cast<uint32_t>(slot), "*1\r\n+x\r\n", 8, 1000));
  CHECK_EQ(read_some(fd, 13), std::string("+OK\r\n*1\r\n+x\r\n"));
  ::close(fd);
}

TEST(debug_io_on_a_missing_slot) {
  Engine e(config());
  char buf[8];
  CHECK_EQ(e.debug_read(7, buf, sizeof(buf), 10), Engine::kDebugClosed);
  CHECK(!e.debug_write(7, "x", 1, 10));
}

TEST(debug_read_after_the_client_hung_up) {
  Engine e(config());
  Host h(e);
  int fd = -1;
  int64_t slot = open_client(e, h, &fd);
  REQUIRE(slot >= 0);
  ::close(fd);
  char buf[64];
  // Waits forever if it must: the hang-up wakes it.
  CHECK_EQ(e.debug_read(static_cast<uint32_t>(slot), buf, sizeof(buf), -1), Engine::kDebugClosed);
}

int main() {
  signal(SIGPIPE, SIG_IGN);
  alarm(60);
  return RUN_ALL();
}
