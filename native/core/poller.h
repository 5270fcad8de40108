// The event-loop backend interface: one pollable fd (epoll, kqueue or io_uring) that the host loop
// (libuv, through one uv_poll_t) watches, and level-triggered readiness for every socket.
// One backend per file: the platform's readiness backend (epoll.cc or kqueue.cc, chosen by
// CMakeLists.txt) is Poller::create(); uring.cc is the completion backend chosen at start-up
// (io-uring yes), which also carries plain sockets' bytes itself (attach()).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace respd {

class Connection;

enum PollMask : uint32_t {
  kPollNone = 0,
  kPollReadable = 1u << 0,
  kPollWritable = 1u << 1,
};

struct PollEvent {
  void* data;      // the pointer given to set(), add_listener() or attach()
  uint32_t mask;   // kPollReadable / kPollWritable; errors and hang-ups are reported as readable
};

class Poller {
 public:
  virtual ~Poller() = default;
  // "epoll", "kqueue" or "io_uring" (INFO's multiplexing_api).
  virtual const char* name() const = 0;
  // The fd the host loop polls for readability; -1 if creation failed.
  virtual int fd() const = 0;
  // Changes the interest of `fd` from `old_mask` to `new_mask` (0 removes it). Returns 0 or -1 (errno).
  // IO threads call it at the same time for different fds: readiness backends keep no state here
  // (the io_uring backend is never used with IO threads).
  virtual int set(int fd, uint32_t old_mask, uint32_t new_mask, void* data) = 0;
  // Fills at most `max` events; never blocks when timeout_ms is 0. Returns the count, or -1.
  virtual int wait(PollEvent* out, int max, int timeout_ms) = 0;

  // A listening socket: reported readable while connections wait, taken one by one with accept().
  virtual int add_listener(int fd, void* data) { return set(fd, kPollNone, kPollReadable, data); }
  virtual void remove_listener(int fd, void* data) { set(fd, kPollReadable, kPollNone, data); }
  // The next connection of a listener: a non-blocking, close-on-exec fd, or -1 with errno
  // (EAGAIN when none is waiting).
  virtual int accept(int listen_fd);
  // A completion backend wraps a plain socket's connection (tcp, unix) in one whose read and
  // writev go through the ring; its readiness is then reported with `data`, through set() as
  // for any fd. Readiness backends give `conn` back unchanged.
  virtual std::unique_ptr<Connection> attach(std::unique_ptr<Connection> conn, void* data);
  // Hands the kernel what this turn queued (a completion backend's sends, re-armed receives) in
  // one system call. Nothing to do for readiness backends, whose writes are immediate.
  virtual void submit() {}
  // True when a wait() would report something now and learning it costs no system call (a
  // completion backend's ring holds completions, or the kernel has some to post): the turn then
  // goes on rather than return to the host's loop, whose iteration would only find the same.
  // Readiness backends can't tell without a system call and say false.
  virtual bool ready_now() { return false; }
  // Blocks until `fd` (a client's) is ready for `events` (POLLIN or POLLOUT), for one blocking
  // exchange inside a batch (the Lua debugger's): >0 ready or hung up, 0 on timeout or a wake for
  // something else (the caller checks its deadline and waits again), -1 with errno. A completion
  // backend makes the queued sends go and reaps what arrived meanwhile.
  virtual int wait_fd(int fd, short events, int timeout_ms);

  // The platform's readiness backend.
  static std::unique_ptr<Poller> create();
};

// The io_uring backend, or nullptr with `why` saying what is missing (the kernel, the build's
// <linux/io_uring.h>, a permission) so that the caller can log it and fall back to create().
std::unique_ptr<Poller> create_uring_poller(std::string* why);

}  // namespace respd
