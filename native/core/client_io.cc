// Reading a client's requests into the batch (the RequestReader parses them) and writing its
// replies. Runs on the main thread or, in a fan-out round, on an IO thread.
#include <sys/uio.h>

#include "engine_internal.h"

namespace respd {

// Runs on the main thread or, in a fan-out round, on a helper: everything it touches is the
// client's own, its lane's, or thread-safe (epoll_ctl on the client's fd).
void Engine::read_client(Lane& L, Client& c) {
  if (!c.reading || c.reader.stopped() || c.close_after_reply) return;
  if (c.raw) {  // an outgoing connection's handshake (connect.cc)
    read_raw(L, c);
    return;
  }
  RequestReader::Space space = c.reader.space(L.arena);
  // Bytes an outgoing connection's raw mode gave back come first (connect.cc).
  ssize_t n = c.replay.empty() ? c.conn->read(space.dst, space.cap) : take_replay(c, space.dst, space.cap);
  L.reads += 1;
  if (n == kIoAgain) {
    if (c.conn->want() == IoWant::kWrite && !c.read_wants_write) {
      c.read_wants_write = true;
      update_interest(c);
    }
    return;
  }
  if (n > 0 && (c.conn->has_pending_data() || !c.replay.empty())) note_pending_data(L, c);
  if (n == 0) {
    close_from(L, c, kCloseEof, 0);
    return;
  }
  if (n < 0) {
    close_from(L, c, kCloseReadError, c.conn->last_errno());
    return;
  }
  c.net_in += static_cast<double>(n);
  c.last_interaction = now_ms_;
  L.net_in += static_cast<double>(n);
  c.reader.commit(L.arena, space, static_cast<size_t>(n));
  bool in_arena = space.target == RequestReader::Target::kArena;
  if (!in_arena && check_query_limit(L, c)) {
    update_counters(c);
    return;
  }
  ParseLimits lim{cfg_.proto_max_bulk_len, c.unauth};
  if (c.reader.process(L, c.slot, space, static_cast<size_t>(n), lim)) update_interest(c);  // protocol error
  if (in_arena && c.reader.holds_partial()) check_query_limit(L, c);
  update_counters(c);
  // A big argument whose bytes are already received (io_uring: still in the ring's buffers) is
  // read in this turn too, straight into its own buffer: left for the next turn they would be
  // copied out of the ring first. On epoll they are in the kernel: one read per turn, as Redis.
  // A client sending big arguments has them read from the socket into their buffers from now on
  // (io_uring: no copy out of the ring's buffers; epoll does so already).
  if (c.reader.reading_big_arg()) {
    c.conn->read_directly();
    if (c.conn->buffered() > 0) note_pending_data(L, c);
  }
}

// ---- write --------------------------------------------------------------------------------

bool Engine::append_reply(uint32_t slot, const char* p, size_t n) {
  Client* c = live(slot);
  if (!c) return true;
  if (c->output_dropped) return false;
  size_t blocks = c->out.block_count();
  c->out.append(p, n);
  // Checked when a new block was needed, as Redis does (_addReplyProtoToList).
  if (c->out.block_count() > blocks && output_over_limit(*c)) {
    trip_output_limit(*c, true);
    return false;
  }
  if (!c->in_pending_write) {
    c->in_pending_write = true;
    pending_write_.push_back(slot);
  }
  return true;
}

void Engine::flush() {
  assert_main_thread();
  use_io_threads();
  for (size_t i = 0; i < pending_write_.size(); i++) {
    uint32_t slot = pending_write_[i];
    if (slot >= slots_.size() || !slots_[slot]) continue;
    Client& c = *slots_[slot];
    c.in_pending_write = false;
    if (!c.alive) continue;
    if (io_active_ && !c.handshaking) {
      write_jobs_.push_back(&c);
    } else {
      write_client(*main_, c);
    }
  }
  pending_write_.clear();
  if (!write_jobs_.empty()) fan_out(write_jobs_, false);
  merge_stats(*main_);
  // A completion poller sends what every client got, in one system call.
  poller_->submit();
}

// Main thread or a helper, as read_client.
bool Engine::write_client(Lane& L, Client& c) {
  if (c.handshaking) return true;  // written once the handshake completes
  size_t total = 0;
  while (!c.out.empty()) {
    ssize_t n;
    size_t room = c.conn->adoptable();
    size_t block = room ? c.out.front_block_unsent() : 0;
    if (block >= kAdoptMin && block <= room) {
      n = c.conn->adopt_front(c.out);  // taken out of the chain whole
    } else {
      struct iovec iov[kMaxIov];
      // A transport that adopts blocks copies one piece at a time: the next may be one it adopts.
      int cnt = c.out.fill_iov(iov, room ? 1 : kMaxIov, kIovBytes);
      n = c.conn->writev(iov, cnt);
      if (n > 0) c.out.consume(static_cast<size_t>(n));
    }
    if (n > 0) {
      total += static_cast<size_t>(n);
      if (total > cfg_.max_write_per_turn && c.write_capped) break;
    } else if (n == kIoAgain || n == 0) {
      c.write_wants_read = n == kIoAgain && c.conn->want() == IoWant::kRead;
      break;
    } else {
      close_from(L, c, kCloseWriteError, c.conn->last_errno());
      return false;
    }
  }
  L.writes += 1;
  if (total) {
    c.net_out += static_cast<double>(total);
    c.last_interaction = now_ms_;
    L.net_out += static_cast<double>(total);
  }
  c.want_write = !c.out.empty();
  if (!c.want_write && c.close_after_reply) {
    close_from(L, c, kCloseAfterReply, 0);
    return false;
  }
  update_interest(c);
  update_counters(c);
  return true;
}

}  // namespace respd
