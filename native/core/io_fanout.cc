// The IO-thread policy (Redis's handleClientsWithPendingReads/WritesUsingThreads and
// stopThreadedIOIfNeeded): when the helpers are used, how clients are dealt to them, and how
// their lanes are merged into the batch. The threads themselves are io_threads.cc. Everything
// here runs on the main thread.
#include <functional>

#include "engine_internal.h"

namespace respd {

// Round-robin into the lanes' job lists. In the test mode the helpers get the first clients, so
// that even a lone client is read or written by a helper thread.
void Engine::deal_jobs(const std::vector<Client*>& clients) {
  size_t n = lanes_.size();
  size_t first = cfg_.io_threads_always ? 1 : 0;
  for (size_t i = 0; i < clients.size(); i++) lanes_[(i + first) % n]->jobs.push_back(clients[i]);
}

// handleClientsWithPendingReadsUsingThreads / ...WritesUsingThreads: `jobs` dealt to the
// threads, each reading (and parsing into its own lane) or writing its share; the helpers' lanes
// are then appended to the batch in thread order, so a client's commands (all in one lane) keep
// their order and its close, if any, follows them.
void Engine::fan_out(std::vector<Client*>& jobs, bool reads) {
  assert_main_thread();
  deal_jobs(jobs);
  jobs.clear();
  std::function<void(int)> job = [this, reads](int t) {
    Lane& L = *lanes_[t];
    for (Client* c : L.jobs) {
      if (reads) {
        read_client(L, *c);
      } else {
        write_client(L, *c);
      }
    }
  };
  pool_->run(job);
  double total = 0;
  for (auto& lp : lanes_) {
    Lane& L = *lp;
    double n = static_cast<double>(L.jobs.size());
    (reads ? L.io_reads : L.io_writes) += n;
    total += n;
    L.jobs.clear();
    if (&L != main_) merge_lane(L);
  }
  stats()[reads ? kStatIoReads : kStatIoWrites] += total;
}

// Appends a helper's records to the batch, moving its argument bytes into the batch arena and
// its big arguments after the batch's; then what only the main thread may do: closes, pending
// data, statistics.
void Engine::merge_lane(Lane& L) {
  assert_main_thread();
  if (L.records.used()) {
    GrowBuf& arena = main_->arena;
    GrowBuf& records = main_->records;
    uint32_t base = static_cast<uint32_t>(arena.used());
    uint32_t big_base = static_cast<uint32_t>(main_->bigs.size());
    arena.append(L.arena.data(), L.arena.used());
    for (auto& b : L.bigs) main_->bigs.push_back(std::move(b));
    size_t start = records.used();
    records.append(L.records.data(), L.records.used());
    rebase_records(reinterpret_cast<uint32_t*>(records.data() + start), L.words(), base, big_base);
  }
  L.arena.reset();
  L.records.reset();
  L.bigs.clear();
  for (size_t i = 0; i + 2 < L.closes.size(); i += 3) {
    if (Client* c = live(L.closes[i])) finish_close(*c, L.closes[i + 1], static_cast<int>(L.closes[i + 2]));
  }
  L.closes.clear();
  // Already flagged in_pending_data; serve_pending_data() skips clients closed meanwhile.
  pending_data_.insert(pending_data_.end(), L.pending_data.begin(), L.pending_data.end());
  L.pending_data.clear();
  merge_stats(L);
}

void Engine::merge_stats(Lane& L) {
  double* st = stats();
  st[kStatReads] += L.reads;
  st[kStatWrites] += L.writes;
  st[kStatNetInput] += L.net_in;
  st[kStatNetOutput] += L.net_out;
  L.reads = L.writes = L.net_in = L.net_out = 0;
}

// A helper only notes the close; the main thread frees the client after the round.
void Engine::close_from(Lane& L, Client& c, uint32_t reason, int err) {
  if (&L == main_) {
    finish_close(c, reason, err);
    return;
  }
  L.closes.push_back(c.slot);
  L.closes.push_back(reason);
  L.closes.push_back(static_cast<uint32_t>(err));
}

// stopThreadedIOIfNeeded: the helpers are used while at least 2 x io-threads clients have
// output pending; reads follow (collect()). Decided at each flush.
bool Engine::use_io_threads() {
  io_active_ = pool_ && (cfg_.io_threads_always || pending_write_.size() >= 2 * lanes_.size());
  stats()[kStatIoActive] = io_active_ ? 1 : 0;
  return io_active_;
}

}  // namespace respd
