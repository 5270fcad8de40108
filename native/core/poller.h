// The event-loop backend interface: one pollable fd (epoll or kqueue) that the host loop
// (libuv, through one uv_poll_t) watches, and level-triggered readiness for every socket.
// One backend per file (epoll.cc, kqueue.cc), chosen at compile time by CMakeLists.txt.
#pragma once
#include <cstdint>
#include <memory>

namespace respd {

enum PollMask : uint32_t {
  kPollNone = 0,
  kPollReadable = 1u << 0,
  kPollWritable = 1u << 1,
};

struct PollEvent {
  void* data;      // the pointer given to set()
  uint32_t mask;   // kPollReadable / kPollWritable; errors and hang-ups are reported as readable
};

class Poller {
 public:
  virtual ~Poller() = default;
  // The fd the host loop polls for readability; -1 if creation failed.
  virtual int fd() const = 0;
  // Changes the interest of `fd` from `old_mask` to `new_mask` (0 removes it). Returns 0 or -1 (errno).
  // IO threads call it at the same time for different fds: implementations keep no state here.
  virtual int set(int fd, uint32_t old_mask, uint32_t new_mask, void* data) = 0;
  // Fills at most `max` events; never blocks when timeout_ms is 0. Returns the count, or -1.
  virtual int wait(PollEvent* out, int max, int timeout_ms) = 0;
  // Defined by the one backend compiled in.
  static std::unique_ptr<Poller> create();
  static const char* backend_name();
};

}  // namespace respd
