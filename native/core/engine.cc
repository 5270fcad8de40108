// Engine: accept, read, parse into the batch, append replies, write. See engine.h for the
// contract with the host; DESIGN.md "The hot path" for why everything moves in batches.
#include "engine.h"

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <strings.h>

#include <cerrno>
#include <cstring>

namespace respd {
namespace {

constexpr size_t kReadLen = 16 * 1024;  // PROTO_IOBUF_LEN
constexpr size_t kArenaInitial = 1 << 20;
constexpr size_t kRecordsInitial = 64 * 1024;
constexpr size_t kInitialSlots = 64;
constexpr int kMaxIov = 64;
constexpr size_t kIovBytes = 64 * 1024;
enum HandleKind : uint8_t { kHandleListener = 1, kHandleClient = 2 };

double wall_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec / 1000000);
}

}  // namespace

// A client's private query buffer: held only while a request is incomplete (idle clients read
// through the shared arena). Bytes [start, len) are unparsed; the current command starts at start.
struct Engine::QueryBuffer {
  std::unique_ptr<char[]> data;
  size_t cap = 0, len = 0, start = 0;

  bool held() const { return data != nullptr; }
  size_t unparsed() const { return len - start; }
  char* cmd() { return data.get() + start; }
  void reserve_tail(size_t extra) {
    if (start > 0 && len + extra > cap) {
      std::memmove(data.get(), data.get() + start, len - start);
      len -= start;
      start = 0;
    }
    if (len + extra <= cap) return;
    size_t ncap = std::max(len + extra, cap < kReadLen ? len + extra : cap * 2);
    std::unique_ptr<char[]> next(new char[ncap]);
    if (len) std::memcpy(next.get(), data.get(), len);
    data = std::move(next);
    cap = ncap;
  }
  void append(const char* p, size_t n) {
    reserve_tail(n);
    std::memcpy(data.get() + len, p, n);
    len += n;
  }
  void release() {
    data.reset();
    cap = len = start = 0;
  }
};

struct Engine::ListenerFd {
  uint8_t kind = kHandleListener;  // first member, as Client's
  Listener* owner;
  int fd;
};

struct Engine::Listener {
  int type_index = 0;
  ConnectionType* type = nullptr;
  const int* max_accepts = nullptr;  // max-new-connections-per-cycle or its TLS twin
  bool unix_socket = false;
  std::string path;
  std::vector<std::unique_ptr<ListenerFd>> fds;
};

struct Engine::Client {
  uint8_t kind = kHandleClient;  // first member: poll data is a Client* or a ListenerFd*
  uint32_t slot = 0;
  bool alive = false;
  bool reading = true;
  bool stop_input = false;        // protocol error: nothing more is parsed
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
  QueryBuffer qb;
  RespParser parser;
  SharedBytes big;                // big argument being read, len+2 bytes
  size_t big_filled = 0;
  std::vector<SharedBytes> bigs;  // finished big arguments of the command being parsed
  OutputChain out;
  double net_in = 0, net_out = 0, last_interaction = 0;
  OutputLimit limit;
  double soft_since_s = 0;   // when the soft output limit was first seen reached (0 = not)
  bool write_capped = true;
  bool output_dropped = false;  // over an output limit: nothing more is queued or sent
  size_t qbuf_peak = 0;
};

Engine::Engine(EngineConfig cfg)
    : cfg_(cfg),
      poller_(Poller::create()),
      counters_((kStatFields + kInitialSlots * kSlotFields) * sizeof(double)) {
  int threads = std::max(1, cfg_.io_threads);
  lanes_.push_back(std::make_unique<Lane>(kArenaInitial, kRecordsInitial));
  for (int i = 1; i < threads; i++) lanes_.push_back(std::make_unique<Lane>(kReadLen * 4, 4096));
  main_ = lanes_[0].get();
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
  l->max_accepts = strcasecmp(type_name, "tls") == 0 ? &cfg_.max_new_tls_connections_per_cycle
                                                     : &cfg_.max_new_connections_per_cycle;
  for (int fd : fds) {
    auto h = std::make_unique<ListenerFd>();
    h->owner = l.get();
    h->fd = fd;
    poller_->set(fd, 0, kPollReadable, h.get());
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
  poller_->set(fd, 0, kPollReadable, h.get());
  l->fds.push_back(std::move(h));
  listeners_.push_back(std::move(l));
  return static_cast<int>(listeners_.size() - 1);
}

void Engine::close_listener(int id) {
  if (id < 0 || static_cast<size_t>(id) >= listeners_.size() || !listeners_[id]) return;
  Listener& l = *listeners_[id];
  for (auto& h : l.fds) {
    poller_->set(h->fd, kPollReadable, 0, h.get());
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

// ---- the turn -----------------------------------------------------------------------------

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

bool Engine::collect() {
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

// ---- IO threads (reference section 9.1) -------------------------------------------------------

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
  if (L.records.used()) {
    GrowBuf& arena = main_->arena;
    GrowBuf& records = main_->records;
    uint32_t base = static_cast<uint32_t>(arena.used());
    uint32_t big_base = static_cast<uint32_t>(main_->bigs.size());
    arena.append(L.arena.data(), L.arena.used());
    for (auto& b : L.bigs) main_->bigs.push_back(std::move(b));
    size_t start = records.used();
    records.append(L.records.data(), L.records.used());
    uint32_t* w = reinterpret_cast<uint32_t*>(records.data() + start);
    size_t words = L.records.used() / 4;
    for (size_t i = 0; i < words;) {
      switch (w[i]) {
        case kRecCommand: {
          uint32_t argc = w[i + 2];
          for (uint32_t a = 0; a < argc; a++) {
            uint32_t& off = w[i + 3 + 2 * a];
            off += w[i + 4 + 2 * a] == kBigArgLen ? big_base : base;
          }
          i += 3 + 2 * static_cast<size_t>(argc);
          break;
        }
        default:  // kRecProtocolError, kRecQueryLimit: four words, no arena offsets
          i += 4;
          break;
      }
    }
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
    int fd = accept_connection(lf.fd);
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
    c.alive = true;
    c.unauth = cfg_.unauthenticated_default;
    c.last_interaction = now_ms_;
    clients_++;
    stats()[kStatAccepted] += 1;
    stats()[kStatClients] = clients_;
    uint32_t flags = (c.conn->is_local() ? kOpenLocal : 0) | (l.unix_socket ? kOpenUnix : 0);
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

// ---- transports with a handshake or crossed wants (TLS) --------------------------------------

// Events of a client whose transport is mid-handshake, or whose last read needed the socket
// writable or last write needed it readable (Redis's tlsHandleEvent).
void Engine::handle_transport_event(Client& c, uint32_t mask) {
  if (c.handshaking) {
    continue_handshake(c);
    return;
  }
  bool call_read = (mask & kPollReadable) || ((mask & kPollWritable) && c.read_wants_write);
  bool call_write = ((mask & kPollWritable) && c.want_write && !c.write_wants_read) ||
                    ((mask & kPollReadable) && c.write_wants_read);
  if (call_read) c.read_wants_write = false;
  if (call_write) c.write_wants_read = false;
  if (call_write && !write_client(*main_, c)) return;
  if (call_read) read_client(*main_, c);
  update_interest(c);
}

void Engine::continue_handshake(Client& c) {
  int r = c.conn->accept();
  if (r < 0) {
    handshake_failed(c);
    return;
  }
  if (r == 0) {
    update_interest(c);
    return;
  }
  c.handshaking = false;
  update_interest(c);
  // Output queued during the handshake (protected mode's -DENIED) and a close waiting for it.
  if ((!c.out.empty() || c.close_after_reply) && !write_client(*main_, c)) return;
  if (c.conn->has_pending_data()) note_pending_data(*main_, c);
}

// clientAcceptHandler's failure path: Redis's line, then the client is freed.
void Engine::handshake_failed(Client& c) {
  std::string addr = c.conn->address(true);
  std::string laddr = c.conn->address(false);
  log(kLogWarning, "Error accepting a client connection: " + c.conn->error_text() + " (addr=" +
                       (addr.empty() ? "?:0" : addr) + " laddr=" + (laddr.empty() ? "?:0" : laddr) + ")");
  finish_close(c, kCloseHandshake, c.conn->last_errno());
}

void Engine::note_pending_data(Lane& L, Client& c) {
  if (c.in_pending_data) return;
  c.in_pending_data = true;
  (&L == main_ ? pending_data_ : L.pending_data).push_back(c.slot);
}

// connTypeProcessPendingData: one more read for each client whose transport already holds
// decrypted bytes; read_client lists it again while some remain.
void Engine::serve_pending_data() {
  if (pending_data_.empty()) return;
  serving_data_.swap(pending_data_);
  for (uint32_t slot : serving_data_) {
    Client* c = live(slot);
    if (!c || !c->in_pending_data) continue;
    c->in_pending_data = false;
    read_client(*main_, *c);
  }
  serving_data_.clear();
}

// ---- read and parse -------------------------------------------------------------------------

// Runs on the main thread or, in a fan-out round, on a helper: everything it touches is the
// client's own, its lane's, or thread-safe (epoll_ctl on the client's fd).
void Engine::read_client(Lane& L, Client& c) {
  if (!c.reading || c.stop_input || c.close_after_reply) return;
  char* dst;
  size_t cap;
  int where;  // 0 arena, 1 private buffer, 2 big argument
  if (c.big) {
    dst = c.big->data + c.big_filled;
    cap = c.big->size - c.big_filled;
    where = 2;
  } else if (c.qb.held()) {
    c.qb.reserve_tail(kReadLen);
    dst = c.qb.data.get() + c.qb.len;
    cap = c.qb.cap - c.qb.len;
    where = 1;
  } else {
    L.arena.reserve(kReadLen);
    dst = L.arena.data() + L.arena.used();
    cap = kReadLen;
    where = 0;
  }
  ssize_t n = c.conn->read(dst, cap);
  L.reads += 1;
  if (n == kIoAgain) {
    if (c.conn->want() == IoWant::kWrite && !c.read_wants_write) {
      c.read_wants_write = true;
      update_interest(c);
    }
    return;
  }
  if (n > 0 && c.conn->has_pending_data()) note_pending_data(L, c);
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
  if (where == 1) c.qb.len += static_cast<size_t>(n);
  if (where == 2) c.big_filled += static_cast<size_t>(n);
  if (where != 0 && check_query_limit(L, c)) {
    update_counters(c);
    return;
  }
  if (where == 2) {
    if (c.big_filled == c.big->size) {
      c.bigs.push_back(std::move(c.big));
      c.big.reset();
      c.big_filled = 0;
      c.parser.big_arg_done(static_cast<uint32_t>(c.bigs.size() - 1));
      process_private(L, c);
    }
  } else if (where == 1) {
    process_private(L, c);
  } else {
    size_t start = L.arena.used();
    L.arena.set_used(start + static_cast<size_t>(n));
    process_arena(L, c, start, static_cast<size_t>(n));
    if (c.alive && (c.qb.held() || c.big)) check_query_limit(L, c);
  }
  size_t q = c.qb.unparsed() + c.big_filled;
  if (q > c.qbuf_peak) c.qbuf_peak = q;
  update_counters(c);
}

// Redis's check in readQueryFromClient: the pending request against client-query-buffer-limit,
// or 1 MiB before AUTH. Reading stops and the caller is told; TypeScript closes the client.
bool Engine::check_query_limit(Lane& L, Client& c) {
  uint64_t q = c.qb.unparsed() + (c.big ? c.big_filled : 0);
  bool over = q > cfg_.query_buffer_limit || (c.unauth && q > cfg_.unauth_query_buffer_limit);
  if (!over) return false;
  L.record({kRecQueryLimit, c.slot, static_cast<uint32_t>(q & 0xffffffffu), static_cast<uint32_t>(q >> 32)});
  c.stop_input = true;
  update_interest(c);
  return true;
}

// Handles one parse result. Returns true to keep parsing. `base` is the command start.
bool Engine::handle_status(Lane& L, Client& c, ParseStatus st, const char* base, size_t avail,
                           bool in_arena, size_t arena_off) {
  switch (st) {
    case ParseStatus::kComplete:
      emit_command(L, c, base, in_arena, arena_off);
      return true;
    case ParseStatus::kEmpty:
      return true;
    case ParseStatus::kIncomplete:
      if (in_arena) c.qb.append(base, avail);  // keep the partial request privately
      return false;
    case ParseStatus::kNeedBigArg: {
      size_t pre = c.parser.consumed();
      if (in_arena) {
        c.qb.append(base, pre);
      } else {
        c.qb.len = c.qb.start + pre;  // the payload leaves the query buffer
      }
      // The big argument gets a buffer of exactly len+2 that later reads fill directly.
      c.big = std::make_shared<Bytes>(static_cast<size_t>(c.parser.big_len()) + 2);
      c.big_filled = avail - pre;
      std::memcpy(c.big->data, base + pre, c.big_filled);
      return false;
    }
    case ParseStatus::kError:
      L.record({kRecProtocolError, c.slot, static_cast<uint32_t>(c.parser.error()), c.parser.error_byte()});
      c.stop_input = true;
      c.qb.release();
      update_interest(c);
      return false;
  }
  return false;
}

void Engine::process_arena(Lane& L, Client& c, size_t start, size_t n) {
  ParseLimits lim{cfg_.proto_max_bulk_len, c.unauth};
  size_t pos = 0;
  while (pos < n && c.alive && !c.stop_input) {
    const char* base = L.arena.data() + start + pos;  // re-read: emitting may move the arena
    ParseStatus st = c.parser.parse(base, n - pos, lim);
    size_t used = c.parser.consumed();
    if (!handle_status(L, c, st, base, n - pos, true, start + pos)) return;
    c.parser.reset();
    pos += used;
  }
}

void Engine::process_private(Lane& L, Client& c) {
  ParseLimits lim{cfg_.proto_max_bulk_len, c.unauth};
  while (c.alive && !c.stop_input && c.qb.held()) {
    size_t avail = c.qb.unparsed();
    if (avail == 0 && !c.parser.in_progress()) break;
    const char* base = c.qb.cmd();
    ParseStatus st = c.parser.parse(base, avail, lim);
    size_t used = c.parser.consumed();
    if (!handle_status(L, c, st, base, avail, false, 0)) break;
    c.parser.reset();
    c.qb.start += used;
  }
  // Idle again: give the private buffer back, later reads go through the arena.
  if (c.qb.held() && c.qb.unparsed() == 0 && !c.parser.in_progress() && !c.big) c.qb.release();
}

void Engine::emit_command(Lane& L, Client& c, const char* base, bool in_arena, size_t arena_off) {
  const std::vector<ArgRef>& args = c.parser.args();
  size_t words = 3 + 2 * args.size();
  // The record is written in place (copying arguments not in the arena yet goes to the arena,
  // another buffer, so the record's room stays put).
  L.records.reserve(words * 4);
  uint32_t* w = reinterpret_cast<uint32_t*>(L.records.data() + L.records.used());
  L.records.set_used(L.records.used() + words * 4);
  *w++ = kRecCommand;
  *w++ = c.slot;
  *w++ = static_cast<uint32_t>(args.size());
  for (const ArgRef& a : args) {
    uint32_t off = 0, len = a.len;
    switch (a.src) {
      case ArgSource::kBuffer:
        if (in_arena) {
          off = static_cast<uint32_t>(arena_off + a.off);
        } else {
          off = static_cast<uint32_t>(L.arena.used());
          L.arena.append(base + a.off, a.len);
        }
        break;
      case ArgSource::kScratch:
        off = static_cast<uint32_t>(L.arena.used());
        L.arena.append(c.parser.scratch().data() + a.off, a.len);
        break;
      case ArgSource::kBig:
        off = static_cast<uint32_t>(L.bigs.size());
        L.bigs.push_back(std::move(c.bigs[a.off]));
        len = kBigArgLen;
        break;
    }
    *w++ = off;
    *w++ = len;
  }
  c.bigs.clear();
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
  // stopThreadedIOIfNeeded: the helpers are used while at least 2 x io-threads clients have
  // output pending; reads follow (collect()).
  io_active_ = pool_ && (cfg_.io_threads_always || pending_write_.size() >= 2 * lanes_.size());
  stats()[kStatIoActive] = io_active_ ? 1 : 0;
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
}

// Main thread or a helper, as read_client.
bool Engine::write_client(Lane& L, Client& c) {
  if (c.handshaking) return true;  // written once the handshake completes
  size_t total = 0;
  while (!c.out.empty()) {
    struct iovec iov[kMaxIov];
    int cnt = c.out.fill_iov(iov, kMaxIov, kIovBytes);
    ssize_t n = c.conn->writev(iov, cnt);
    if (n > 0) {
      c.out.consume(static_cast<size_t>(n));
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

// ---- limits ----------------------------------------------------------------------------------

// checkClientOutputBufferLimits: hard at once; soft only once held for more than soft_seconds.
bool Engine::output_over_limit(Client& c) {
  if (c.limit.hard == 0 && c.limit.soft == 0) return false;
  uint64_t used = c.out.block_memory();
  if (used == 0) return false;
  bool hard = c.limit.hard && used >= c.limit.hard;
  bool soft = c.limit.soft && used >= c.limit.soft;
  double now_s = static_cast<double>(static_cast<int64_t>(now_ms_ / 1000));
  if (soft) {
    if (c.soft_since_s == 0) {
      c.soft_since_s = now_s;
      soft = false;
    } else if (now_s - c.soft_since_s <= static_cast<double>(c.limit.soft_seconds)) {
      soft = false;
    }
  } else {
    c.soft_since_s = 0;
  }
  return hard || soft;
}

void Engine::trip_output_limit(Client& c, bool report) {
  uint64_t used = c.out.block_memory();
  // The counters keep the figures of the decision (omem, oll for the log line and CLIENT LIST);
  // they are not updated again for a client whose output is dropped.
  update_counters(c);
  // Nothing pending is sent, not even the static buffer (reference 5.5).
  c.out.clear();
  c.output_dropped = true;
  c.stop_input = true;
  c.want_write = false;
  update_interest(c);
  if (report)
    push_record({kRecOutputLimit, c.slot, static_cast<uint32_t>(used & 0xffffffffu), static_cast<uint32_t>(used >> 32)});
}

std::vector<uint32_t> Engine::check_output_limits() {
  now_ms_ = wall_ms();
  std::vector<uint32_t> tripped;
  for (auto& cp : slots_) {
    if (!cp || !cp->alive || cp->output_dropped) continue;
    if (output_over_limit(*cp)) {
      trip_output_limit(*cp, false);
      tripped.push_back(cp->slot);
    }
  }
  return tripped;
}

void Engine::set_output_limit(uint32_t slot, const OutputLimit& limit) {
  if (Client* c = live(slot)) c->limit = limit;
}

void Engine::set_write_cap(uint32_t slot, bool capped) {
  if (Client* c = live(slot)) c->write_capped = capped;
}

bool Engine::resize_reply_buffer(uint32_t slot, size_t size) {
  Client* c = live(slot);
  if (!c || !c->out.resize_static(size)) return false;
  update_counters(*c);
  return true;
}

void Engine::reset_reply_peak(uint32_t slot) {
  Client* c = live(slot);
  if (!c) return;
  c->out.reset_peak();
  update_counters(*c);
}

// clientsCronResizeQueryBuffer: only buffers with more than 4 KiB free are touched; an idle
// one with no partial request is freed (reads go through the arena again), a large one whose
// peak stayed under half its size is cut down. The peak restarts from the current length.
size_t Engine::shrink_query_buffers(double idle_ms) {
  size_t released = 0;
  double now = wall_ms();
  for (auto& cp : slots_) {
    if (!cp || !cp->alive || !cp->qb.held()) continue;
    Client& c = *cp;
    QueryBuffer& qb = c.qb;
    size_t free_bytes = qb.cap - qb.len;
    size_t used = qb.unparsed();
    if (free_bytes > 4096) {
      if (now - c.last_interaction > idle_ms && used == 0 && !c.parser.in_progress()) {
        released += qb.cap;
        qb.release();
      } else if (qb.cap > 32 * 1024 && qb.cap / 2 > c.qbuf_peak) {
        size_t target = std::max(used, c.qbuf_peak);
        std::unique_ptr<char[]> next(new char[target ? target : 1]);
        if (used) std::memcpy(next.get(), qb.data.get() + qb.start, used);
        released += qb.cap - (target ? target : 1);
        qb.data = std::move(next);
        qb.cap = target ? target : 1;
        qb.len = used;
        qb.start = 0;
      }
    }
    c.qbuf_peak = qb.unparsed();
    update_counters(c);
  }
  return released;
}

// ---- close ---------------------------------------------------------------------------------

void Engine::finish_close(Client& c, uint32_t reason, int err) {
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
  c.qb.release();
  c.big.reset();
  c.bigs.clear();
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
  if (on && c->conn->has_pending_data()) note_pending_data(*main_, *c);
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
    if (c.reading && !c.stop_input && !c.close_after_reply) want |= kPollReadable;
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
  size_t big_size = c.big ? c.big->size : 0;
  f[kFieldQbuf] = static_cast<double>(c.qb.unparsed() + c.big_filled);
  f[kFieldQbufFree] = static_cast<double>((c.qb.cap - c.qb.len) + (big_size - c.big_filled));
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
  size_t bigs = 0;
  for (const auto& b : c.bigs) bigs += b->size;
  f[kFieldMemory] = static_cast<double>(c.qb.cap + big_size + bigs + c.out.memory());
}

}  // namespace respd
