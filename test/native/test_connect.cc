// Outgoing connections (connect.cc): an engine connecting to its own listener, the connected
// record, raw mode handing bytes over unparsed, bytes given back and parsed as commands once
// the slot leaves raw mode, and a refused connect reported as a close. Every wait is bounded.
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "batch_decoder.h"
#include "check.h"
#include "engine.h"
#include "listener.h"

using namespace respd;

namespace {

void sleep_ms(int ms) {
  struct timespec ts = {0, static_cast<long>(ms) * 1000000L};
  nanosleep(&ts, nullptr);
}

class Loop : public Engine::BatchHost {
 public:
  explicit Loop(Engine& e) : e_(e) {}
  bool run_batch() override {
    decode_batch(reinterpret_cast<const uint32_t*>(e_.records().data()), e_.record_words(), e_.arena().data(),
                 e_.arena().used(), e_.big_args(), &recs);
    return true;
  }
  bool until(const std::function<bool()>& done, int tries = 1500) {
    for (int i = 0; i < tries; i++) {
      if (done()) return true;
      e_.turn(*this);
      if (done()) return true;
      sleep_ms(2);
    }
    return done();
  }
  std::vector<const Rec*> of(uint32_t type, int64_t slot = -1) const {
    std::vector<const Rec*> out;
    for (const Rec& r : recs)
      if (r.type == type && (slot < 0 || r.slot == static_cast<uint32_t>(slot))) out.push_back(&r);
    return out;
  }
  // Raw bytes received so far on `slot`, in order.
  std::string raw(uint32_t slot) const {
    std::string s;
    for (const Rec* r : of(kRecRaw, slot)) s += r->log;
    return s;
  }
  std::vector<Rec> recs;

 private:
  Engine& e_;
};

int listen_local(Engine& e) {
  TcpListenOptions o;
  o.binds = {"127.0.0.1"};
  o.port = 0;
  o.ephemeral = true;
  int port = 0;
  std::string err;
  if (e.listen_tcp(o, &port, &err) < 0) return -1;
  return port;
}

// An outgoing connection from `e` to its own listener, once connected: the link's slot, or -1 if
// listening, connecting or the handshake failed. `port` gets the listener's port.
int64_t connect_to_self(Engine& e, Loop& loop, int* port) {
  *port = listen_local(e);
  if (*port <= 0) return -1;
  std::string err;
  int out = e.connect("127.0.0.1", *port, "tcp", &err);
  if (out < 0) return -1;
  uint32_t link = static_cast<uint32_t>(out);
  if (!loop.until([&] { return !loop.of(kRecConnected, link).empty(); })) return -1;
  return out;
}

}  // namespace

TEST(connect_raw_then_commands) {
  Engine e;
  Loop loop(e);
  int port = 0;
  int64_t out = connect_to_self(e, loop, &port);
  REQUIRE(out >= 0);
  uint32_t link = static_cast<uint32_t>(out);
  REQUIRE(loop.until([&] { return !loop.of(kRecOpen).empty(); }));
  uint32_t peer = loop.of(kRecOpen)[0]->slot;
  CHECK(peer != link);
  CHECK_EQ(e.client_address(link, true), "127.0.0.1:" + std::to_string(port));

  // What the peer says arrives raw, even when it looks like a command.
  e.append_reply(link, "PING\r\n", 6);
  std::string pong = "+PONG\r\n$3\r\nabc*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  e.append_reply(peer, pong.data(), pong.size());
  e.flush();
  REQUIRE(loop.until([&] { return loop.raw(link) == pong; }));
  CHECK(loop.of(kRecCommand, link).empty());
  REQUIRE(loop.until([&] { return !loop.of(kRecCommand, peer).empty(); }));
  CHECK_EQ(loop.of(kRecCommand, peer)[0]->args, std::vector<std::string>{"PING"});

  // The host consumed up to "abc" and gives back the rest: it is parsed first, then the socket.
  std::string rest = pong.substr(pong.find('*'));
  e.set_raw(link, false, rest.data(), rest.size());
  std::string more = "*1\r\n$4\r\nPING\r\n";
  e.append_reply(peer, more.data(), more.size());
  e.flush();
  REQUIRE(loop.until([&] { return loop.of(kRecCommand, link).size() >= 2; }));
  CHECK_EQ(loop.of(kRecCommand, link)[0]->args, (std::vector<std::string>{"GET", "k"}));
  CHECK_EQ(loop.of(kRecCommand, link)[1]->args, std::vector<std::string>{"PING"});
  CHECK_EQ(loop.raw(link), pong);
}

// Bytes given back while the slot is not reading wait for set_reading(true), which serves them
// with nothing more arriving on the socket.
TEST(bytes_given_back_wait_for_reading) {
  Engine e;
  Loop loop(e);
  int port = 0;
  int64_t out = connect_to_self(e, loop, &port);
  REQUIRE(out >= 0);
  uint32_t link = static_cast<uint32_t>(out);
  e.set_reading(link, false);
  std::string cmd = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  e.set_raw(link, false, cmd.data(), cmd.size());
  loop.until([] { return false; }, 5);
  CHECK(loop.of(kRecCommand, link).empty());
  e.set_reading(link, true);
  REQUIRE(loop.until([&] { return !loop.of(kRecCommand, link).empty(); }));
  CHECK_EQ(loop.of(kRecCommand, link)[0]->args, (std::vector<std::string>{"GET", "k"}));
}

TEST(connect_refused_is_a_close) {
  Engine e;
  int port = listen_local(e);
  REQUIRE(port > 0);
  e.close_all_listeners();
  Loop loop(e);
  std::string err;
  int out = e.connect("127.0.0.1", port, "tcp", &err);
  REQUIRE(out >= 0);
  REQUIRE(loop.until([&] { return !loop.of(kRecClose, out).empty(); }));
  const Rec* r = loop.of(kRecClose, out)[0];
  CHECK_EQ(r->words[0], static_cast<uint32_t>(kCloseHandshake));
  CHECK_EQ(r->words[1], static_cast<uint32_t>(ECONNREFUSED));
  CHECK(loop.of(kRecConnected).empty());
}

TEST(connect_only_through_types_that_can) {
  Engine e;
  std::string err;
  CHECK_EQ(e.connect("127.0.0.1", 1, "unix", &err), -1);
  CHECK_EQ(err, "Connection type unix can't make outgoing connections");
}

int main() {
  signal(SIGPIPE, SIG_IGN);
  alarm(60);
  return RUN_ALL();
}
