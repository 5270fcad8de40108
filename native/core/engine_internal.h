// The engine's private structures, shared by the files that implement it: engine.cc (the
// turn, accept, close), client_io.cc (read and write), handshake.cc (transports with a
// handshake), io_fanout.cc (the IO-thread policy), client_limits.cc (query and output limits).
#pragma once
#include <time.h>

#include <cassert>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine.h"
#include "request_reader.h"

namespace respd {

constexpr size_t kArenaInitial = 1 << 20;
constexpr size_t kRecordsInitial = 64 * 1024;
constexpr size_t kInitialSlots = 64;
constexpr int kMaxIov = 64;
constexpr size_t kIovBytes = 64 * 1024;
// Reply blocks of at least this many unsent bytes go to a transport that adopts them (io_uring)
// whole; smaller pieces are cheaper copied.
constexpr size_t kAdoptMin = 16 * 1024;
enum HandleKind : uint8_t { kHandleListener = 1, kHandleClient = 2 };

inline double wall_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec / 1000000);
}

struct Engine::ListenerFd {
  uint8_t kind = kHandleListener;  // first member, as Client's
  Listener* owner;
  int fd;
};

struct Engine::Listener {
  int type_index = 0;
  ConnectionType* type = nullptr;
  const int* max_accepts = nullptr;  // max-new-connections-per-cycle, or its twin for types with a handshake
  bool unix_socket = false;
  std::string path;
  std::vector<std::unique_ptr<ListenerFd>> fds;
};

struct Engine::Client {
  uint8_t kind = kHandleClient;  // first member: poll data is a Client* or a ListenerFd*
  uint32_t slot = 0;
  bool alive = false;
  bool reading = true;
  bool close_after_reply = false;
  bool unauth = false;
  bool want_write = false;
  bool in_pending_write = false;
  bool handshaking = false;       // accept() still in progress: no reads or writes yet
  bool read_wants_write = false;  // TLS: a read stalled until the socket is writable
  bool write_wants_read = false;  // TLS: a write stalled until the socket is readable
  bool in_pending_data = false;   // listed in pending_data_
  uint32_t interest = 0;
  std::unique_ptr<Connection> conn;
  RequestReader reader;
  OutputChain out;
  double net_in = 0, net_out = 0, last_interaction = 0;
  OutputLimit limit;
  double soft_since_s = 0;   // when the soft output limit was first seen reached (0 = not)
  bool write_capped = true;
  bool output_dropped = false;  // over an output limit: nothing more is queued or sent
  bool outgoing = false;        // made by connect(): its handshake ends with a connected record
  bool raw = false;             // reads go to the host unparsed (kRecRaw), see connect.cc
  std::string replay;           // bytes the host gave back, parsed before the socket is read
};

}  // namespace respd
