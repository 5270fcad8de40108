// macOS/BSD backend of Poller: one kqueue, a read and a write filter per fd (level-triggered,
// which is kqueue's default without EV_CLEAR). Compiled instead of epoll.cc off Linux.
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "poller.h"

namespace respd {
namespace {

class KqueuePoller final : public Poller {
 public:
  KqueuePoller() : kq_(kqueue()) {}
  ~KqueuePoller() override {
    if (kq_ >= 0) ::close(kq_);
  }
  const char* name() const override { return "kqueue"; }
  int fd() const override { return kq_; }

  int set(int fd, uint32_t old_mask, uint32_t new_mask, void* data) override {
    struct kevent ch[2];
    int n = 0;
    uint32_t added = new_mask & ~old_mask;
    uint32_t removed = old_mask & ~new_mask;
    if (added & kPollReadable) EV_SET(&ch[n++], fd, EVFILT_READ, EV_ADD, 0, 0, data);
    if (added & kPollWritable) EV_SET(&ch[n++], fd, EVFILT_WRITE, EV_ADD, 0, 0, data);
    if (removed & kPollReadable) EV_SET(&ch[n++], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
    if (removed & kPollWritable) EV_SET(&ch[n++], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
    if (n == 0) return 0;
    return kevent(kq_, ch, n, nullptr, 0, nullptr);
  }

  int wait(PollEvent* out, int max, int timeout_ms) override {
    if (static_cast<int>(buf_.size()) < max) buf_.resize(max);
    struct timespec ts;
    struct timespec* tp = nullptr;
    if (timeout_ms >= 0) {
      ts.tv_sec = timeout_ms / 1000;
      ts.tv_nsec = (timeout_ms % 1000) * 1000000L;
      tp = &ts;
    }
    int n;
    do {
      n = kevent(kq_, nullptr, 0, buf_.data(), max, tp);
    } while (n < 0 && errno == EINTR);
    // A read and a write filter of one fd arrive as two events; the engine handles each.
    for (int i = 0; i < n; i++) {
      uint32_t m = buf_[i].filter == EVFILT_WRITE ? kPollWritable : kPollReadable;
      if (buf_[i].flags & (EV_EOF | EV_ERROR)) m |= kPollReadable;
      out[i] = PollEvent{buf_[i].udata, m};
    }
    return n;
  }

 private:
  int kq_;
  std::vector<struct kevent> buf_;
};

}  // namespace

std::unique_ptr<Poller> Poller::create() { return std::make_unique<KqueuePoller>(); }

}  // namespace respd
