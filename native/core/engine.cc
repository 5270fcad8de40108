// Engine: the turn, listeners, slots, accept and close. See engine.h for the contract with the
// host and README.md "Architecture" for why everything moves in batches. Reading and writing
// are in client_io.cc, the IO threads in io_fanout.cc, limits in client_limits.cc.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine_internal.h"

namespace respd {

Engine::Engine(EngineConfig cfg)
    : cfg_(cfg),
      counters_((kStatFields + kInitialSlots * kSlotFields) * sizeof(double)) {
  int threads = std::max(1, cfg_.io_threads);
  // io-uring yes: the io_uring poller, unless the IO threads need readiness events or the kernel
  // refuses it; then the readiness backend, and the reason for the host to log.
  std::string why;
  if (cfg_.io_uring && threads > 1) {
    why = "io-uring is not used with io-threads > 1 (the IO threads need readiness events)";
  } else if (cfg_.io_uring) {
    poller_ = create_uring_poller(&why);
    if (!poller_) why = "io_uring is not available (" + why + ")";
  }
  if (!poller_) {
    poller_ = Poller::create();
    if (!why.empty()) poll_fallback_ = why + ": using " + poller_->name();
  }
  lanes_.push_back(std::make_unique<Lane>(kArenaInitial, kRecordsInitial));
  for (int i = 1; i < threads; i++) lanes_.push_back(std::make_unique<Lane>(kReadLen * 4, 4096));
  main_ = lanes_[0].get();
  busy_ = std::make_unique<Lane>(kReadLen * 4, 4096);
  if (threads > 1) pool_ = std::make_unique<IoThreadPool>(threads);
  types_.add(make_tcp_connection_type(), nullptr);
  types_.add(make_unix_connection_type(), nullptr);
  counters_.set_used(counters_.capacity());
  std::memset(counters_.data(), 0, counters_.capacity());
  events_.resize(static_cast<size_t>(cfg_.max_events));
}

Engine::~Engine() {
  pool_.reset();
  for (auto& c : slots_) {
    if (c && c->alive) {
      if (poller_) poller_->set(c->conn->fd(), c->interest, 0, c.get());
      c->conn->close();
    }
  }
  close_all_listeners();
}

double* Engine::stats() { return reinterpret_cast<double*>(counters_.data()); }
double* Engine::slot_counters(uint32_t slot) {
  return reinterpret_cast<double*>(counters_.data()) + kStatFields + slot * kSlotFields;
}

// ---- listeners ---------------------------------------------------------------------------

int Engine::listen_tcp(const TcpListenOptions& opts, int* bound_port, std::string* err,
                       const char* type_name) {
  int type_index = 0;
  ConnectionType* type = types_.find(type_name, &type_index);
  if (!type) {
    *err = std::string("Unknown connection type ") + type_name;
    return -1;
  }
  std::vector<int> fds;
  if (open_tcp_listeners(opts, &fds, bound_port, err) < 0) return -1;
  auto l = std::make_unique<Listener>();
  l->type = type;
  l->type_index = type_index;
  l->max_accepts = type->accept_cost() == AcceptCost::kHandshake ? &cfg_.max_new_tls_connections_per_cycle
                                                                 : &cfg_.max_new_connections_per_cycle;
  for (int fd : fds) {
    auto h = std::make_unique<ListenerFd>();
    h->owner = l.get();
    h->fd = fd;
    poller_->add_listener(fd, h.get());
    l->fds.push_back(std::move(h));
  }
  listeners_.push_back(std::move(l));
  return static_cast<int>(listeners_.size() - 1);
}

int Engine::listen_unix(const std::string& path, unsigned perm, int backlog, std::string* err) {
  int fd;
  if (open_unix_listener(path, perm, backlog, &fd, err) < 0) return -1;
  auto l = std::make_unique<Listener>();
  l->type = types_.find("unix", &l->type_index);
  l->max_accepts = &cfg_.max_new_connections_per_cycle;
  l->unix_socket = true;
  l->path = path;
  auto h = std::make_unique<ListenerFd>();
  h->owner = l.get();
  h->fd = fd;
  poller_->add_listener(fd, h.get());
  l->fds.push_back(std::move(h));
  listeners_.push_back(std::move(l));
  return static_cast<int>(listeners_.size() - 1);
}

void Engine::close_listener(int id) {
  if (id < 0 || static_cast<size_t>(id) >= listeners_.size() || !listeners_[id]) return;
  Listener& l = *listeners_[id];
  for (auto& h : l.fds) {
    poller_->remove_listener(h->fd, h.get());
    ::close(h->fd);
  }
  if (l.unix_socket) unlink(l.path.c_str());
  listeners_[id].reset();
}

void Engine::close_all_listeners() {
  for (size_t i = 0; i < listeners_.size(); i++) close_listener(static_cast<int>(i));
}

// ---- slots ----------------------------------------------------------------------------------

uint32_t Engine::alloc_slot() {
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
    size_t need = (kStatFields + slots_.size() * kSlotFields) * sizeof(double);
    if (need > counters_.capacity()) {
      size_t old = counters_.capacity();
      counters_.reserve(need - counters_.used());
      counters_.set_used(counters_.capacity());
      std::memset(counters_.data() + old, 0, counters_.capacity() - old);
    }
  }
  slots_[slot] = std::make_unique<Client>();
  slots_[slot]->slot = slot;
  return slot;
}

void Engine::release_slots() {
  assert_main_thread();
  for (uint32_t slot : release_after_batch_) {
    slots_[slot].reset();
    free_slots_.push_back(slot);
    clients_--;
  }
  release_after_batch_.clear();
  stats()[kStatClients] = clients_;
}

Engine::Client* Engine::live(uint32_t slot) const {
  if (slot >= slots_.size() || !slots_[slot] || !slots_[slot]->alive) return nullptr;
  return slots_[slot].get();
}

bool Engine::slot_alive(uint32_t slot) const { return live(slot) != nullptr; }

// ---- the turn --------------------------------------------------------------------------------

void Engine::push_record(std::initializer_list<uint32_t> words) {
  if (!collecting_) {
    pending_records_.insert(pending_records_.end(), words.begin(), words.end());
    return;
  }
  main_->record(words);
}

void Engine::log(uint32_t level, const std::string& msg) {
  if (!collecting_) return;  // only produced while collecting (accept errors)
  size_t off = main_->arena.used();
  main_->arena.append(msg.data(), msg.size());
  push_record({kRecLog, level, static_cast<uint32_t>(off), static_cast<uint32_t>(msg.size())});
}

void Engine::turn(BatchHost& host) {
  assert_main_thread();
  for (int i = 0; i < kTurnRounds; i++) {
    if (!collect()) {
      end_batch();
      break;
    }
    if (!host.run_batch()) return;  // stopped from inside the batch
    flush();
    end_batch();
    // The round's sends went in one io_uring_enter, which also posted what arrived meanwhile:
    // another round now costs less than the host loop's iteration (its poll, its timers and
    // immediates) that would otherwise come straight back for it.
    if (!has_pending_events() && !has_pending_data() && !poller_->ready_now()) break;
  }
  // What the rounds queued without a flush (a completion poller's re-armed receives) goes too.
  poller_->submit();
}

bool Engine::collect_busy() {
  assert_main_thread();
  busy_->records.reset();
  busy_->arena.reset();
  busy_->bigs.clear();
  now_ms_ = wall_ms();
  // Clients with requests in the batch being run (the script's caller among them) are not read:
  // what they send next must wait for those, or replies would leave in another order. Nor are
  // clients whose connection the host has not seen yet (their open record is in this batch).
  std::vector<bool> waiting(slots_.size(), false);
  const uint32_t* w = reinterpret_cast<const uint32_t*>(main_->records.data());
  size_t words = main_->records.used() / 4;
  for (size_t i = 0; i < words;) {
    size_t len = respd::record_words(w + i);
    if (len == 0) break;
    bool names_client = w[i] == kRecCommand || w[i] == kRecProtocolError || w[i] == kRecOpen;
    if (names_client && w[i + 1] < waiting.size()) waiting[w[i + 1]] = true;
    i += len;
  }
  int n = poller_->wait(events_.data(), cfg_.max_events, 0);
  for (int i = 0; i < n; i++) {
    uint8_t kind = *static_cast<uint8_t*>(events_[i].data);
    if (kind == kHandleListener) continue;  // new connections wait for the script to end
    Client* c = static_cast<Client*>(events_[i].data);
    if (!c->alive || c->handshaking || c->read_wants_write || c->write_wants_read || waiting[c->slot]) continue;
    // An outgoing connection (a replica's master link) waits too: Redis processes no input from
    // its master while a script is busy.
    if (c->outgoing) continue;
    if (events_[i].mask & kPollWritable) {
      if (!write_client(*busy_, *c)) continue;
    }
    if (events_[i].mask & kPollReadable) read_client(*busy_, *c);
  }
  // Closes met here are reported with the next batch (busy_ is not the main lane).
  for (size_t i = 0; i + 2 < busy_->closes.size(); i += 3) {
    if (Client* c = live(busy_->closes[i])) finish_close(*c, busy_->closes[i + 1], static_cast<int>(busy_->closes[i + 2]));
  }
  busy_->closes.clear();
  pending_data_.insert(pending_data_.end(), busy_->pending_data.begin(), busy_->pending_data.end());
  busy_->pending_data.clear();
  merge_stats(*busy_);
  return busy_->records.used() > 0;
}

bool Engine::collect() {
  assert_main_thread();
  release_slots();
  now_ms_ = wall_ms();
  stats()[kStatNowMs] = now_ms_;
  collecting_ = true;
  if (!pending_records_.empty()) {
    main_->records.append(pending_records_.data(), pending_records_.size() * 4);
    pending_records_.clear();
    release_after_batch_.insert(release_after_batch_.end(), release_next_.begin(), release_next_.end());
    release_next_.clear();
  }
  int n = poller_->wait(events_.data(), cfg_.max_events, 0);
  // Reads go to the IO threads only while they are active (their use follows the write load,
  // as Redis's) and io-threads-do-reads is on.
  bool defer_reads = io_active_ && cfg_.io_threads_do_reads;
  for (int i = 0; i < n; i++) {
    uint8_t kind = *static_cast<uint8_t*>(events_[i].data);
    if (kind == kHandleListener) {
      accept_from(*static_cast<ListenerFd*>(events_[i].data));
      continue;
    }
    Client* c = static_cast<Client*>(events_[i].data);
    if (!c->alive) continue;
    if (c->handshaking || c->read_wants_write || c->write_wants_read) {
      handle_transport_event(*c, events_[i].mask);
      continue;
    }
    if (events_[i].mask & kPollWritable) {
      if (!write_client(*main_, *c)) continue;
    }
    if (events_[i].mask & kPollReadable) {
      if (defer_reads) {
        read_jobs_.push_back(c);
      } else {
        read_client(*main_, *c);
      }
    }
  }
  if (!read_jobs_.empty()) fan_out(read_jobs_, true);
  serve_pending_data();
  merge_stats(*main_);
  collecting_ = false;
  return main_->records.used() > 0;
}

void Engine::end_batch() {
  release_slots();
  GrowBuf& records = main_->records;
  GrowBuf& arena = main_->arena;
  records.reset();
  arena.reset();
  main_->bigs.clear();
  // An arena grown for one huge batch is given back once it is idle.
  arena.shrink_to(kArenaInitial * 4 > arena.capacity() ? arena.capacity() : kArenaInitial);
  records.shrink_to(kRecordsInitial * 16 > records.capacity() ? records.capacity() : kRecordsInitial);
}

// ---- accept -------------------------------------------------------------------------------

void Engine::accept_from(ListenerFd& lf) {
  Listener& l = *lf.owner;
  for (int i = 0; i < *l.max_accepts; i++) {
    int fd = poller_->accept(lf.fd);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
        log(kLogWarning, std::string("Accepting client connection: ") + strerror(errno));
      return;
    }
    if (clients_ >= cfg_.maxclients) {
      // Before any client exists: one non-blocking write, errors ignored (Redis's acceptCommonHandler).
      static const char kMsg[] = "-ERR max number of clients reached\r\n";
      ssize_t w = ::write(fd, kMsg, sizeof(kMsg) - 1);
      (void)w;
      ::close(fd);
      stats()[kStatRejected] += 1;
      continue;
    }
    tune_accepted_socket(fd, !l.unix_socket, cfg_.tcp_keepalive);
    uint32_t slot = alloc_slot();
    Client& c = *slots_[slot];
    c.conn = l.type->create_accepted(fd, l.path);
    if (l.type->plain_socket()) c.conn = poller_->attach(std::move(c.conn), &c);
    c.alive = true;
    c.unauth = cfg_.unauthenticated_default;
    c.last_interaction = now_ms_;
    clients_++;
    stats()[kStatAccepted] += 1;
    stats()[kStatClients] = clients_;
    uint32_t flags = (c.conn->is_local() ? uint32_t{kOpenLocal} : 0u) | (l.unix_socket ? uint32_t{kOpenUnix} : 0u);
    push_record({kRecOpen, slot, static_cast<uint32_t>(l.type_index), flags});
    int accepted = c.conn->accept();
    if (accepted < 0) {
      handshake_failed(c);
      continue;
    }
    c.handshaking = accepted == 0;
    update_interest(c);
    update_counters(c);
  }
}

// ---- close ---------------------------------------------------------------------------------

void Engine::finish_close(Client& c, uint32_t reason, int err) {
  assert_main_thread();
  if (!c.alive) return;
  drop_client(c);
  // drop_client queued the slot for release after this batch; a close found outside a batch
  // is reported in the next one and released after that.
  if (!collecting_) {
    release_after_batch_.pop_back();
    release_next_.push_back(c.slot);
  }
  push_record({kRecClose, c.slot, reason, static_cast<uint32_t>(err)});
}

void Engine::drop_client(Client& c) {
  if (!c.alive) return;
  poller_->set(c.conn->fd(), c.interest, 0, &c);
  c.interest = 0;
  c.conn->close();
  c.alive = false;
  c.out.clear();
  c.reader.release();
  update_counters(c);
  release_after_batch_.push_back(c.slot);
}

void Engine::close_client(uint32_t slot, CloseMode mode) {
  Client* c = live(slot);
  if (!c) return;
  if (mode == CloseMode::kNow) {
    drop_client(*c);
    return;
  }
  c->close_after_reply = true;
  update_interest(*c);
  if (!c->in_pending_write) {  // flush() closes it once its output is gone
    c->in_pending_write = true;
    pending_write_.push_back(slot);
  }
}

void Engine::set_unauthenticated(uint32_t slot, bool on) {
  if (Client* c = live(slot)) c->unauth = on;
}

void Engine::set_reading(uint32_t slot, bool on) {
  Client* c = live(slot);
  if (!c) return;
  c->reading = on;
  update_interest(*c);
  // Bytes given back by set_raw() wait in the client, as decrypted bytes wait in a transport.
  if (on && (c->conn->has_pending_data() || !c->replay.empty())) note_pending_data(*main_, *c);
  poller_->submit();
}

std::string Engine::client_address(uint32_t slot, bool remote) const {
  if (slot >= slots_.size() || !slots_[slot] || !slots_[slot]->conn) return std::string();
  return slots_[slot]->conn->address(remote);
}

void Engine::update_interest(Client& c) {
  if (!c.alive) return;
  uint32_t want = 0;
  if (c.handshaking) {
    want = c.conn->want() == IoWant::kWrite ? kPollWritable : kPollReadable;
  } else {
    if (c.reading && !c.reader.stopped() && !c.close_after_reply) want |= kPollReadable;
    if (c.want_write) want |= c.write_wants_read ? kPollReadable : kPollWritable;
    if (c.read_wants_write) want |= kPollWritable;
  }
  if (want == c.interest) return;
  poller_->set(c.conn->fd(), c.interest, want, &c);
  c.interest = want;
}

void Engine::update_counters(Client& c) {
  double* f = slot_counters(c.slot);
  f[kFieldFd] = c.alive ? c.conn->fd() : -1;
  // Over its output limit: the figures stay those of the decision until the client is freed.
  if (c.output_dropped) return;
  f[kFieldQbuf] = static_cast<double>(c.reader.qbuf());
  f[kFieldQbufFree] = static_cast<double>(c.reader.qbuf_free());
  f[kFieldObl] = static_cast<double>(c.out.static_used());
  f[kFieldOll] = static_cast<double>(c.out.block_count());
  f[kFieldOmem] = static_cast<double>(c.out.block_memory());
  f[kFieldRbs] = static_cast<double>(c.out.static_size());
  f[kFieldRbp] = static_cast<double>(c.out.static_peak());
  f[kFieldNetIn] = c.net_in;
  f[kFieldNetOut] = c.net_out;
  f[kFieldLastInteraction] = c.last_interaction;
  f[kFieldEvents] = static_cast<double>(((c.interest & kPollReadable) ? 1 : 0) |
                                        ((c.interest & kPollWritable) ? 2 : 0));
  f[kFieldMemory] = static_cast<double>(c.reader.memory() + c.out.memory());
}


}  // namespace respd
