// The io_uring poller's class (see uring.cc for what it does): its events, completions and
// submissions are in uring.cc; its sockets' and listeners' lifecycle, the blocking wait on one
// client and its teardown in uring_lifecycle.cc. Main thread only.
#pragma once
#include <memory>
#include <unordered_set>
#include <vector>

#include "poller.h"
#include "uring_ring.h"
#include "uring_socket.h"

namespace respd {
namespace uring {

class UringPoller final : public Poller, public SocketOwner {
 public:
  explicit UringPoller(std::unique_ptr<Ring> ring) : ring_(std::move(ring)) {}
  ~UringPoller() override;
  const char* name() const override { return "io_uring"; }
  int fd() const override { return ring_->fd(); }
  int set(int fd, uint32_t old_mask, uint32_t new_mask, void* data) override;
  int wait(PollEvent* out, int max, int timeout_ms) override;
  int add_listener(int fd, void* data) override;
  void remove_listener(int fd, void* data) override;
  int accept(int listen_fd) override;
  std::unique_ptr<Connection> attach(std::unique_ptr<Connection> conn, void* data) override;
  void submit() override;
  bool ready_now() override;
  int wait_fd(int fd, short events, int timeout_ms) override;

  // For RingConnection.
  void mark_dirty(Item it) override;
  void detach(RingSocket* s) override;
  void stop_receiving(RingSocket* s) override;
  const char* buffer(uint16_t bid) const override { return ring_->buffer(bid); }
  void recycle(uint16_t bid) override { ring_->recycle(bid); }

 private:
  void prepare();
  void settle();
  void drop_held(RingSocket* s);
  void reap();
  void on_recv(RingSocket* s, int res, uint32_t flags);
  void on_readable(RingSocket* s, int res);
  void on_send(RingSocket* s, int res);
  void on_accept(RingListener* l, int res, uint32_t flags);
  void on_poll(PollWatch* w, int res);
  void prep_send(RingSocket* s);
  void prep_recv(RingSocket* s);
  void cancel(uint64_t user_data);
  uint32_t mask_of(const Item& it) const;
  void list(Item it);
  void forget(Item it);
  void maybe_free(RingSocket* s);
  bool busy() const;
  bool ready_for(const RingSocket& s, short events) const;

  std::unique_ptr<Ring> ring_;
  std::vector<RingSocket*> sockets_by_fd_;
  std::vector<RingListener*> listeners_by_fd_;
  std::vector<PollWatch*> watches_by_fd_;
  std::unordered_set<RingSocket*> sockets_;
  std::unordered_set<RingListener*> listeners_;
  std::unordered_set<PollWatch*> watches_;
  std::vector<Item> ready_;  // may have events: re-checked at each wait (level-triggered)
  std::vector<Item> dirty_;  // operations to prepare at the next submit
  std::vector<Item> preparing_;
  std::vector<RingSocket*> holding_;  // sockets that may hold provided buffers (settle)
  bool wake_armed_ = false;
};

}  // namespace uring
}  // namespace respd
