// Linux backend of Poller: one epoll instance, level-triggered.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "poller.h"

namespace respd {
namespace {

class EpollPoller final : public Poller {
 public:
  EpollPoller() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {}
  ~EpollPoller() override {
    if (epfd_ >= 0) ::close(epfd_);
  }
  const char* name() const override { return "epoll"; }
  int fd() const override { return epfd_; }

  int set(int fd, uint32_t old_mask, uint32_t new_mask, void* data) override {
    if (old_mask == new_mask) return 0;
    epoll_event ev{};
    ev.data.ptr = data;
    if (new_mask & kPollReadable) ev.events |= EPOLLIN;
    if (new_mask & kPollWritable) ev.events |= EPOLLOUT;
    int op = old_mask == 0 ? EPOLL_CTL_ADD : (new_mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD);
    return epoll_ctl(epfd_, op, fd, &ev);
  }

  int wait(PollEvent* out, int max, int timeout_ms) override {
    if (static_cast<int>(buf_.size()) < max) buf_.resize(max);
    int n;
    do {
      n = epoll_wait(epfd_, buf_.data(), max, timeout_ms);
    } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) {
      uint32_t m = 0;
      uint32_t e = buf_[i].events;
      if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) m |= kPollReadable;
      if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) m |= kPollWritable;
      out[i] = PollEvent{buf_[i].data.ptr, m};
    }
    return n;
  }

 private:
  int epfd_;
  std::vector<epoll_event> buf_;
};

}  // namespace

std::unique_ptr<Poller> Poller::create() { return std::make_unique<EpollPoller>(); }

}  // namespace respd
