// The engine: one poller, the listeners, and a slot per connected client (its connection,
// query buffer, parser and output chain). Per loop turn collect() drains ready events into one
// batch (connection events and parsed commands); the host hands the batch to JavaScript in one
// call, appends the replies it produced, then flush() writes them. Native owns bytes; every
// decision (who is closed, what is replied) comes from the caller.
#pragma once
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "batch.h"
#include "bytes.h"
#include "connection.h"
#include "io_threads.h"
#include "listener.h"
#include "output_chain.h"
#include "poller.h"
#include "request_reader.h"
#include "resp_parser.h"

namespace respd {

// Per-slot counters, doubles, kSlotFields per slot after kStatFields global stats. Native
// writes them, TypeScript reads them with no crossing; src/engine/layout.ts mirrors them and
// test/layout.test.ts holds the two equal.
enum SlotField : uint32_t {
  kFieldFd = 0,
  kFieldQbuf,        // private query buffer bytes (incl. a big argument being read)
  kFieldQbufFree,
  kFieldObl,         // bytes in the static reply buffer
  kFieldOll,         // reply blocks
  kFieldOmem,        // reply block memory
  kFieldRbs,         // static reply buffer size
  kFieldRbp,         // static reply buffer peak
  kFieldNetIn,
  kFieldNetOut,
  kFieldLastInteraction,  // ms, engine clock
  kFieldEvents,      // 1 = read handler, 2 = write handler
  kFieldMemory,      // bytes native holds for the client (buffers)
  kSlotFields = 16,
};
enum StatField : uint32_t {
  kStatNetInput = 0,
  kStatNetOutput,
  kStatReads,
  kStatWrites,
  kStatRejected,      // maxclients rejections
  kStatAccepted,
  kStatClients,       // slots in use
  kStatNowMs,         // the batch clock
  kStatIoActive,      // 1 while the IO threads are in use (INFO io_threads_active)
  kStatIoReads,       // clients read in fan-out rounds (io_threaded_reads_processed)
  kStatIoWrites,      // clients written in fan-out rounds (io_threaded_writes_processed)
  kStatFields = 16,
};

struct EngineConfig {
  uint32_t maxclients = 10000;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int max_new_connections_per_cycle = 10;
  int max_new_tls_connections_per_cycle = 1;  // a handshake costs more than an accept
  int tcp_keepalive = 300;
  bool unauthenticated_default = false;   // new clients start under the pre-auth limits
  size_t max_write_per_turn = 64 * 1024;  // NET_MAX_WRITES_PER_EVENT
  int max_events = 1024;
  uint64_t query_buffer_limit = 1ULL << 30;      // client-query-buffer-limit
  uint64_t unauth_query_buffer_limit = 1 << 20;  // before AUTH
  int io_threads = 1;               // io-threads: the main thread plus io_threads - 1 helpers
  bool io_threads_do_reads = false; // io-threads-do-reads
  // Test hook: use the helpers on every turn and give them the first clients, instead of only
  // when at least 2 x io_threads clients have output pending (Redis's stopThreadedIOIfNeeded).
  bool io_threads_always = false;
  // io-uring: the io_uring poller instead of epoll, when the kernel has it and io-threads is 1.
  bool io_uring = false;
};

// A client's output-buffer limit class, as TypeScript configured it (0 = no limit).
struct OutputLimit {
  uint64_t hard = 0;
  uint64_t soft = 0;
  uint64_t soft_seconds = 0;
};

enum class CloseMode { kNow, kAfterReply };

class Engine {
 public:
  explicit Engine(EngineConfig cfg = EngineConfig());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  bool ok() const { return poller_ && poller_->fd() >= 0; }
  int poll_fd() const { return poller_ ? poller_->fd() : -1; }
  // The poller in use ("epoll", "kqueue", "io_uring"), and why io_uring was asked for and not
  // used (empty otherwise), for the host to log.
  const char* poll_backend() const { return poller_ ? poller_->name() : ""; }
  const std::string& poll_fallback() const { return poll_fallback_; }
  EngineConfig& config() { return cfg_; }
  ConnectionTypes& types() { return types_; }

  // Listeners. Return an id >= 0, or -1 with `err` in Redis's words. A TCP listener serves the
  // registered connection type `type_name` ("tcp", or "tls" once the host registered it).
  int listen_tcp(const TcpListenOptions& opts, int* bound_port, std::string* err,
                 const char* type_name = "tcp");
  int listen_unix(const std::string& path, unsigned perm, int backlog, std::string* err);
  void close_listener(int id);
  void close_all_listeners();

  // The host's side of a turn: takes the batch (records(), arena(), big_args()) and runs it.
  // Returns false if the engine was stopped from inside the batch.
  class BatchHost {
   public:
    virtual ~BatchHost() = default;
    virtual bool run_batch() = 0;
  };
  // One turn of the loop: up to kTurnRounds batches, each collected, run by the host, flushed and
  // ended, while events keep coming without waiting (closes found while writing, bytes already
  // inside a TLS transport, completions in the ring). Afterwards has_pending_data() says whether
  // to turn again soon.
  static constexpr int kTurnRounds = 8;
  void turn(BatchHost& host);
  // The parts of a turn, for hosts and tests that drive them one by one.
  // collect(): drains ready events into the batch. True if the batch holds records.
  bool collect();
  // Appends reply bytes to a client's output (ignored for a closed slot). Returns false once the
  // client's output is being dropped (an output limit tripped, now or before): the caller can stop
  // producing the rest of that reply.
  bool append_reply(uint32_t slot, const char* p, size_t n);
  // Writes pending output of every client that got some since the last flush.
  void flush();
  // Ends the batch: releases slots closed in it, resets the arena and records.
  void end_batch();
  // While a script runs too long, inside a batch: reads what clients sent since into a batch of
  // its own (busy_records(), busy_arena()) without accepting or releasing anything, so that the
  // host can answer -BUSY, or SCRIPT KILL, without touching the batch being run. True if any.
  bool collect_busy();
  const GrowBuf& busy_records() const { return busy_->records; }
  const GrowBuf& busy_arena() const { return busy_->arena; }
  size_t busy_words() const { return busy_->records.used() / 4; }
  // The Lua debugger's blocking I/O on one client, inside the batch (debug_io.cc); main thread
  // only. debug_read: bytes read into `buf`, or kDebugTimeout after `timeout_ms` (< 0: wait
  // forever), or kDebugClosed (EOF, error, or no such client). debug_write: writes the client's
  // pending output and then `p` whole, each stall bounded by `timeout_ms`; false on error/timeout.
  static constexpr ssize_t kDebugTimeout = 0;
  static constexpr ssize_t kDebugClosed = -1;
  ssize_t debug_read(uint32_t slot, char* buf, size_t cap, int timeout_ms);
  bool debug_write(uint32_t slot, const char* p, size_t n, int timeout_ms);
  // Events produced outside collect() (by flush) wait for the next batch.
  bool has_pending_events() const { return !pending_records_.empty(); }
  // Clients with bytes already decrypted inside their transport (TLS): the next collect()
  // serves them without waiting for readiness, so the host must not sleep until then.
  bool has_pending_data() const { return !pending_data_.empty(); }

  // Outgoing connections (connect.cc): a non-blocking connect to host:port through the
  // connection type `type_name`; returns the slot (in raw mode), or -1 with `err` set. A connected
  // record, or a close record with kCloseHandshake and the errno, follows in a later batch.
  int connect(const std::string& host, int port, const char* type_name, std::string* err);
  // Raw mode on or off; `give_back` (n bytes) are bytes of raw records the host did not consume:
  // they are read again, before the socket, in the mode now set.
  void set_raw(uint32_t slot, bool raw, const char* give_back, size_t n);

  // Client control.
  void close_client(uint32_t slot, CloseMode mode);
  void set_unauthenticated(uint32_t slot, bool on);
  void set_reading(uint32_t slot, bool on);
  void set_output_limit(uint32_t slot, const OutputLimit& limit);
  // Replica and MONITOR clients are not held to the per-turn write cap.
  void set_write_cap(uint32_t slot, bool capped);
  // Applies the output limits to every client now (the cron's check). Returns the slots whose
  // output was dropped; they get no record, the caller closes them.
  std::vector<uint32_t> check_output_limits();
  // Static reply buffer (rbs): new size, only taken while it is empty; peak (rbp) reset.
  bool resize_reply_buffer(uint32_t slot, size_t size);
  void reset_reply_peak(uint32_t slot);
  // Private query buffers: idle ones (no partial request, idle for `idle_ms`) are freed; a large
  // one whose use stayed under half is shrunk. Returns bytes released.
  size_t shrink_query_buffers(double idle_ms);
  std::string client_address(uint32_t slot, bool remote) const;
  bool slot_alive(uint32_t slot) const;

  // The batch, as handed to JavaScript.
  const GrowBuf& records() const { return main_->records; }
  const GrowBuf& arena() const { return main_->arena; }
  const GrowBuf& counters() const { return counters_; }
  std::vector<SharedBytes>& big_args() { return main_->bigs; }
  size_t record_words() const { return main_->records.used() / 4; }
  // Clients each IO thread (0 = main) read and wrote in fan-out rounds (INFO's per-thread lines).
  int io_threads() const { return static_cast<int>(lanes_.size()); }
  double io_thread_reads(int i) const { return lanes_[i]->io_reads; }
  double io_thread_writes(int i) const { return lanes_[i]->io_writes; }
  size_t slot_capacity() const { return slots_.size(); }

 private:
  struct Listener;
  struct Client;

  // What one thread fills while it reads or writes its share of clients: lane 0 belongs to the
  // main thread and is the batch itself; a helper's lane is merged into it after the round.
  struct Lane : BatchBuffers {
    Lane(size_t arena, size_t records) : BatchBuffers(arena, records) {}
    std::vector<uint32_t> pending_data;  // helpers: slots whose transport holds unread bytes
    std::vector<uint32_t> closes;        // helpers: (slot, reason, errno) for the main thread
    std::vector<Client*> jobs;
    double reads = 0, writes = 0, net_in = 0, net_out = 0;
    double io_reads = 0, io_writes = 0;
  };

  struct ListenerFd;
  void accept_from(ListenerFd& lf);
  void handle_transport_event(Client& c, uint32_t mask);
  void continue_handshake(Client& c);
  void handshake_failed(Client& c);
  void note_pending_data(Lane& L, Client& c);
  void serve_pending_data();
  void read_client(Lane& L, Client& c);
  void read_raw(Lane& L, Client& c);
  static ssize_t take_replay(Client& c, char* dst, size_t cap);
  bool write_client(Lane& L, Client& c);
  bool use_io_threads();
  void fan_out(std::vector<Client*>& jobs, bool reads);
  void deal_jobs(const std::vector<Client*>& clients);
  void merge_lane(Lane& L);
  void merge_stats(Lane& L);
  void close_from(Lane& L, Client& c, uint32_t reason, int err);
  void finish_close(Client& c, uint32_t reason, int err);
  void drop_client(Client& c);
  bool output_over_limit(Client& c);
  void trip_output_limit(Client& c, bool report);
  bool check_query_limit(Lane& L, Client& c);
  void update_interest(Client& c);
  void update_counters(Client& c);
  void push_record(std::initializer_list<uint32_t> words);
  void log(uint32_t level, const std::string& msg);
  Client* live(uint32_t slot) const;
  uint32_t alloc_slot();
  void release_slots();
  double* slot_counters(uint32_t slot);
  double* stats();
  // What only the main thread may do (the batch, slots, closes) checks it is there; on in debug
  // builds (npm run test:asan), compiled out with NDEBUG.
  void assert_main_thread() const { assert(std::this_thread::get_id() == main_thread_); }

  EngineConfig cfg_;
  std::unique_ptr<Poller> poller_;
  std::string poll_fallback_;
  ConnectionTypes types_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<std::unique_ptr<Client>> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<uint32_t> release_after_batch_;
  std::vector<uint32_t> release_next_;      // closed outside a batch; released after the next one
  bool collecting_ = false;
  std::vector<uint32_t> pending_write_;
  std::vector<uint32_t> pending_records_;
  std::vector<uint32_t> pending_data_;   // slots whose transport holds unread bytes
  std::vector<uint32_t> serving_data_;   // pending_data_ being served (reused)
  std::vector<PollEvent> events_;
  std::vector<std::unique_ptr<Lane>> lanes_;  // one per IO thread; lanes_[0] is the main thread's
  Lane* main_ = nullptr;
  std::unique_ptr<Lane> busy_;                // collect_busy()'s batch
  std::unique_ptr<IoThreadPool> pool_;        // only with io-threads > 1
  bool io_active_ = false;
  std::vector<Client*> read_jobs_;
  std::vector<Client*> write_jobs_;
  GrowBuf counters_;
  uint32_t clients_ = 0;
  double now_ms_ = 0;
  std::thread::id main_thread_ = std::this_thread::get_id();
};

}  // namespace respd
