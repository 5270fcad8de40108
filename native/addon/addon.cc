// Node-API glue for the engine: watches the core's poll fd with one uv_poll_t, and per loop
// turn makes one call into JavaScript with the whole batch. No logic lives here that a C++ test
// could not reach through native/core; no C++ exception crosses into Node.
#include <napi.h>
#include <uv.h>

#include <string>
#include <vector>

#include "engine.h"
#include "tls.h"

namespace {

using respd::CloseMode;
using respd::Engine;
using respd::EngineConfig;
using respd::GrowBuf;
using respd::SharedBytes;

// Wraps a block as an external ArrayBuffer that keeps the block alive until collected.
Napi::ArrayBuffer WrapBytes(Napi::Env env, const SharedBytes& block) {
  auto* hold = new SharedBytes(block);
  return Napi::ArrayBuffer::New(env, block->data, block->size,
                                [](Napi::Env, void*, SharedBytes* h) { delete h; }, hold);
}

// Checked once at load: TLS needs the node binary's OpenSSL to be 3.x (empty when it is).
const std::string& TlsLibraryError() {
  static const std::string err = respd::tls_library_check();
  return err;
}

// An engine with the tls type registered beside tcp and unix (index 2, as in Redis), when the
// OpenSSL check passed. `tls` gets the type, owned by the engine's registry.
std::unique_ptr<Engine> NewEngine(const EngineConfig& cfg, respd::TlsConnectionType** tls) {
  auto engine = std::make_unique<Engine>(cfg);
  *tls = nullptr;
  if (TlsLibraryError().empty()) {
    auto type = std::make_unique<respd::TlsConnectionType>();
    respd::TlsConnectionType* raw = type.get();
    if (engine->types().add(std::move(type), nullptr) >= 0) *tls = raw;
  }
  return engine;
}

std::string Str(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

respd::TlsAuthClients AuthClients(const std::string& s) {
  if (s == "no") return respd::TlsAuthClients::kNo;
  if (s == "optional") return respd::TlsAuthClients::kOptional;
  return respd::TlsAuthClients::kYes;
}

uint32_t U32(const Napi::Object& o, const char* k, uint32_t dflt) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : dflt;
}
double Num(const Napi::Object& o, const char* k, double dflt) {
  Napi::Value v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

void ApplyConfig(EngineConfig& cfg, const Napi::Object& o) {
  cfg.maxclients = U32(o, "maxclients", cfg.maxclients);
  cfg.proto_max_bulk_len = static_cast<int64_t>(Num(o, "protoMaxBulkLen", static_cast<double>(cfg.proto_max_bulk_len)));
  cfg.max_new_connections_per_cycle = static_cast<int>(U32(o, "maxNewConnectionsPerCycle", cfg.max_new_connections_per_cycle));
  cfg.max_new_tls_connections_per_cycle = static_cast<int>(U32(o, "maxNewTlsConnectionsPerCycle", cfg.max_new_tls_connections_per_cycle));
  cfg.tcp_keepalive = static_cast<int>(U32(o, "tcpKeepalive", cfg.tcp_keepalive));
  Napi::Value qbl = o.Get("queryBufferLimit");
  if (qbl.IsNumber()) cfg.query_buffer_limit = static_cast<uint64_t>(qbl.As<Napi::Number>().DoubleValue());
  Napi::Value ua = o.Get("unauthenticatedDefault");
  if (ua.IsBoolean()) cfg.unauthenticated_default = ua.As<Napi::Boolean>().Value();
  // Read when an engine is made (io-threads is immutable); the two flags also at run time.
  cfg.io_threads = static_cast<int>(U32(o, "ioThreads", static_cast<uint32_t>(cfg.io_threads)));
  Napi::Value dr = o.Get("ioThreadsDoReads");
  if (dr.IsBoolean()) cfg.io_threads_do_reads = dr.As<Napi::Boolean>().Value();
  Napi::Value always = o.Get("ioThreadsAlways");
  if (always.IsBoolean()) cfg.io_threads_always = always.As<Napi::Boolean>().Value();
  // io-uring: read when an engine is made, as io-threads.
  Napi::Value ring = o.Get("ioUring");
  if (ring.IsBoolean()) cfg.io_uring = ring.As<Napi::Boolean>().Value();
}

class EngineWrap : public Napi::ObjectWrap<EngineWrap>, public Engine::BatchHost {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Engine", {
      InstanceMethod<&EngineWrap::Configure>("configure"),
      InstanceMethod<&EngineWrap::ListenTcp>("listenTcp"),
      InstanceMethod<&EngineWrap::ListenUnix>("listenUnix"),
      InstanceMethod<&EngineWrap::CloseListener>("closeListener"),
      InstanceMethod<&EngineWrap::Start>("start"),
      InstanceMethod<&EngineWrap::Stop>("stop"),
      InstanceMethod<&EngineWrap::SetReplyArea>("setReplyArea"),
      InstanceMethod<&EngineWrap::Commit>("commit"),
      InstanceMethod<&EngineWrap::AppendRaw>("appendRaw"),
      InstanceMethod<&EngineWrap::CloseClient>("closeClient"),
      InstanceMethod<&EngineWrap::SetUnauthenticated>("setUnauthenticated"),
      InstanceMethod<&EngineWrap::SetReading>("setReading"),
      InstanceMethod<&EngineWrap::Address>("address"),
      InstanceMethod<&EngineWrap::SetOutputLimit>("setOutputLimit"),
      InstanceMethod<&EngineWrap::SetWriteCap>("setWriteCap"),
      InstanceMethod<&EngineWrap::CheckOutputLimits>("checkOutputLimits"),
      InstanceMethod<&EngineWrap::ResizeReplyBuffer>("resizeReplyBuffer"),
      InstanceMethod<&EngineWrap::ResetReplyPeak>("resetReplyPeak"),
      InstanceMethod<&EngineWrap::ShrinkQueryBuffers>("shrinkQueryBuffers"),
      InstanceMethod<&EngineWrap::PollBackend>("pollBackend"),
      InstanceMethod<&EngineWrap::PollFallback>("pollFallback"),
      InstanceMethod<&EngineWrap::IoThreadStats>("ioThreadStats"),
      InstanceMethod<&EngineWrap::Release>("release"),
      InstanceMethod<&EngineWrap::ServeBusy>("serveBusy"),
      InstanceMethod<&EngineWrap::FlushNow>("flushNow"),
      InstanceMethod<&EngineWrap::DebugRead>("debugRead"),
      InstanceMethod<&EngineWrap::DebugWrite>("debugWrite"),
      InstanceMethod<&EngineWrap::ConfigureTls>("configureTls"),
      InstanceMethod<&EngineWrap::SetTlsAuthClients>("setTlsAuthClients"),
      InstanceMethod<&EngineWrap::Connect>("connect"),
      InstanceMethod<&EngineWrap::SetRaw>("setRaw"),
    });
  }

  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
    EngineConfig cfg;
    if (info.Length() > 0 && info[0].IsObject()) ApplyConfig(cfg, info[0].As<Napi::Object>());
    engine_ = NewEngine(cfg, &tls_);
    if (!engine_->ok()) {
      Napi::Error::New(info.Env(), "respd: could not create the event poller").ThrowAsJavaScriptException();
    }
  }

  ~EngineWrap() override { Shutdown(); }

 private:
  Napi::Value Configure(const Napi::CallbackInfo& info) {
    if (info.Length() > 0 && info[0].IsObject()) ApplyConfig(engine_->config(), info[0].As<Napi::Object>());
    return info.Env().Undefined();
  }

  Napi::Value ListenTcp(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].As<Napi::Object>();
    respd::TcpListenOptions opts;
    Napi::Array binds = o.Get("binds").As<Napi::Array>();
    for (uint32_t i = 0; i < binds.Length(); i++) opts.binds.push_back(binds.Get(i).As<Napi::String>().Utf8Value());
    opts.port = static_cast<int>(U32(o, "port", 6379));
    opts.ephemeral = o.Get("ephemeral").ToBoolean().Value();
    opts.backlog = static_cast<int>(U32(o, "backlog", 511));
    bool tls = o.Get("tls").ToBoolean().Value();
    std::string err;
    int port = 0;
    int id = -1;
    if (tls && !tls_) err = TlsLibraryError();
    else id = engine_->listen_tcp(opts, &port, &err, tls ? "tls" : "tcp");
    Napi::Object r = Napi::Object::New(env);
    if (id < 0) {
      r.Set("error", err);
    } else {
      r.Set("id", id);
      r.Set("port", port);
    }
    return r;
  }

  Napi::Value ListenUnix(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].As<Napi::Object>();
    std::string err;
    int id = engine_->listen_unix(o.Get("path").As<Napi::String>().Utf8Value(), U32(o, "perm", 0),
                                  static_cast<int>(U32(o, "backlog", 511)), &err);
    Napi::Object r = Napi::Object::New(env);
    if (id < 0) r.Set("error", err); else r.Set("id", id);
    return r;
  }

  Napi::Value CloseListener(const Napi::CallbackInfo& info) {
    engine_->close_listener(static_cast<int>(info[0].As<Napi::Number>().Int32Value()));
    return info.Env().Undefined();
  }

  // start(onBatch(words, bigArgs?), onBuffers(records, arena, counters))
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (started_) return env.Undefined();
    on_batch_ = Napi::Persistent(info[0].As<Napi::Function>());
    on_buffers_ = Napi::Persistent(info[1].As<Napi::Function>());
    Napi::Object resource = Napi::Object::New(env);
    context_ = std::make_unique<Napi::AsyncContext>(env, "respd:batch", resource);
    uv_loop_t* loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    poll_->data = this;
    timer_ = new uv_timer_t;
    timer_->data = this;
    uv_timer_init(loop, timer_);
    uv_unref(reinterpret_cast<uv_handle_t*>(timer_));
    if (uv_poll_init(loop, poll_, engine_->poll_fd()) != 0) {
      Napi::Error::New(env, "respd: uv_poll_init failed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* h, int, int) { static_cast<EngineWrap*>(h->data)->Turn(); });
    started_ = true;
    env_ = env;
    Ref();  // alive while the loop watches it
    SyncBuffers(env);
    return env.Undefined();
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Shutdown();
    return info.Env().Undefined();
  }

  void Shutdown() {
    if (engine_) engine_->close_all_listeners();
    if (!started_) return;
    started_ = false;
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    poll_ = nullptr;
    timer_ = nullptr;
    // Last chance for queued replies, then every client socket is closed.
    engine_->flush();
    // The replacement only keeps late calls on this object safe (a server starts a new Engine):
    // it must not hold IO threads for as long as this object lives.
    EngineConfig idle = engine_->config();
    idle.io_threads = 1;
    idle.io_uring = false;
    engine_ = NewEngine(idle, &tls_);
    on_batch_.Reset();
    on_buffers_.Reset();
    reply_buf_.Reset();
    reply_idx_.Reset();
    Unref();
  }

  // setReplyArea(bytes: Uint8Array, index: Int32Array of [slot, start, end] triples)
  Napi::Value SetReplyArea(const Napi::CallbackInfo& info) {
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    Napi::Int32Array idx = info[1].As<Napi::Int32Array>();
    reply_buf_ = Napi::Persistent(buf);
    reply_idx_ = Napi::Persistent(idx);
    reply_data_ = reinterpret_cast<const char*>(buf.Data());
    reply_idx_data_ = idx.Data();
    return info.Env().Undefined();
  }

  // commit(records): appends the reply records to the clients' output. Inside a batch the
  // writes happen when the batch returns; outside one they happen now.
  // Returns false when the last record's client is over its output limit (its output is dropped).
  Napi::Value Commit(const Napi::CallbackInfo& info) {
    uint32_t n = info[0].As<Napi::Number>().Uint32Value();
    bool last_ok = true;
    for (uint32_t i = 0; i < n; i++) {
      const int32_t* r = reply_idx_data_ + i * 3;
      last_ok = engine_->append_reply(static_cast<uint32_t>(r[0]), reply_data_ + r[1], static_cast<size_t>(r[2] - r[1]));
    }
    if (!in_turn_) FlushOutsideTurn();
    return Napi::Boolean::New(info.Env(), last_ok);
  }

  // appendRaw(slot, bytes): for replies too large for the reply area; copied at once.
  Napi::Value AppendRaw(const Napi::CallbackInfo& info) {
    uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
    Napi::Uint8Array b = info[1].As<Napi::Uint8Array>();
    bool ok = engine_->append_reply(slot, reinterpret_cast<const char*>(b.Data()), b.ByteLength());
    if (!in_turn_) FlushOutsideTurn();
    return Napi::Boolean::New(info.Env(), ok);
  }

  Napi::Value CloseClient(const Napi::CallbackInfo& info) {
    uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
    bool after_reply = info[1].ToBoolean().Value();
    engine_->close_client(slot, after_reply ? CloseMode::kAfterReply : CloseMode::kNow);
    if (!in_turn_) FlushOutsideTurn();
    return info.Env().Undefined();
  }

  Napi::Value SetUnauthenticated(const Napi::CallbackInfo& info) {
    engine_->set_unauthenticated(info[0].As<Napi::Number>().Uint32Value(), info[1].ToBoolean().Value());
    return info.Env().Undefined();
  }

  Napi::Value SetReading(const Napi::CallbackInfo& info) {
    engine_->set_reading(info[0].As<Napi::Number>().Uint32Value(), info[1].ToBoolean().Value());
    // Bytes already inside OpenSSL get no readiness event: a turn must come for them.
    if (!in_turn_) ScheduleTurnForPendingData();
    return info.Env().Undefined();
  }

  // configureTls(settings): builds and swaps in a new context; returns Redis's log line on
  // failure (nothing changed then), undefined on success.
  Napi::Value ConfigureTls(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!tls_) return Napi::String::New(env, TlsLibraryError());
    Napi::Object o = info[0].As<Napi::Object>();
    respd::TlsConfig cfg;
    cfg.cert_file = Str(o, "certFile");
    cfg.key_file = Str(o, "keyFile");
    cfg.key_file_pass = Str(o, "keyFilePass");
    cfg.client_cert_file = Str(o, "clientCertFile");
    cfg.client_key_file = Str(o, "clientKeyFile");
    cfg.client_key_file_pass = Str(o, "clientKeyFilePass");
    cfg.ca_cert_file = Str(o, "caCertFile");
    cfg.ca_cert_dir = Str(o, "caCertDir");
    cfg.dh_params_file = Str(o, "dhParamsFile");
    cfg.protocols = Str(o, "protocols");
    cfg.ciphers = Str(o, "ciphers");
    cfg.ciphersuites = Str(o, "ciphersuites");
    cfg.prefer_server_ciphers = o.Get("preferServerCiphers").ToBoolean().Value();
    cfg.session_caching = o.Get("sessionCaching").ToBoolean().Value();
    cfg.session_cache_size = static_cast<long>(Num(o, "sessionCacheSize", 20480));
    cfg.session_cache_timeout = static_cast<long>(Num(o, "sessionCacheTimeout", 300));
    cfg.auth_clients = AuthClients(Str(o, "authClients"));
    cfg.replication_or_cluster = o.Get("replicationOrCluster").ToBoolean().Value();
    std::string err;
    if (!tls_->configure(cfg, &err)) return Napi::String::New(env, err);
    return env.Undefined();
  }

  Napi::Value SetTlsAuthClients(const Napi::CallbackInfo& info) {
    if (tls_) tls_->set_auth_clients(AuthClients(info[0].As<Napi::String>().Utf8Value()));
    return info.Env().Undefined();
  }

  // connect(host, port, tls): { slot } or { error } (Engine::connect).
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string err;
    bool tls = info.Length() > 2 && info[2].ToBoolean().Value();
    if (tls && !tls_) return ErrorResult(env, TlsLibraryError());
    int slot = engine_->connect(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().Int32Value(), tls ? "tls" : "tcp", &err);
    // Outside a turn the interest just registered must reach the poller now (io_uring queues it).
    if (slot >= 0 && !in_turn_) FlushOutsideTurn();
    Napi::Object r = Napi::Object::New(env);
    if (slot < 0) r.Set("error", err); else r.Set("slot", slot);
    return r;
  }

  static Napi::Value ErrorResult(Napi::Env env, const std::string& err) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("error", err);
    return r;
  }

  // setRaw(slot, raw, giveBack?: Uint8Array)
  Napi::Value SetRaw(const Napi::CallbackInfo& info) {
    uint32_t slot = info[0].As<Napi::Number>().Uint32Value();
    const char* p = nullptr;
    size_t n = 0;
    if (info.Length() > 2 && info[2].IsTypedArray()) {
      Napi::Uint8Array b = info[2].As<Napi::Uint8Array>();
      p = reinterpret_cast<const char*>(b.Data());
      n = b.ByteLength();
    }
    engine_->set_raw(slot, info[1].ToBoolean().Value(), p, n);
    if (!in_turn_) ScheduleTurnForPendingData();
    return info.Env().Undefined();
  }

  Napi::Value Address(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), engine_->client_address(info[0].As<Napi::Number>().Uint32Value(),
                                                                 info[1].ToBoolean().Value()));
  }

  // setOutputLimit(slot, hard, soft, softSeconds)
  Napi::Value SetOutputLimit(const Napi::CallbackInfo& info) {
    respd::OutputLimit l;
    l.hard = static_cast<uint64_t>(info[1].As<Napi::Number>().DoubleValue());
    l.soft = static_cast<uint64_t>(info[2].As<Napi::Number>().DoubleValue());
    l.soft_seconds = static_cast<uint64_t>(info[3].As<Napi::Number>().DoubleValue());
    engine_->set_output_limit(info[0].As<Napi::Number>().Uint32Value(), l);
    return info.Env().Undefined();
  }

  Napi::Value SetWriteCap(const Napi::CallbackInfo& info) {
    engine_->set_write_cap(info[0].As<Napi::Number>().Uint32Value(), info[1].ToBoolean().Value());
    return info.Env().Undefined();
  }

  // checkOutputLimits(): slots whose output was dropped for going over their limit.
  Napi::Value CheckOutputLimits(const Napi::CallbackInfo& info) {
    std::vector<uint32_t> slots = engine_->check_output_limits();
    Napi::Array arr = Napi::Array::New(info.Env(), slots.size());
    for (size_t i = 0; i < slots.size(); i++) arr.Set(static_cast<uint32_t>(i), slots[i]);
    return arr;
  }

  Napi::Value ResizeReplyBuffer(const Napi::CallbackInfo& info) {
    bool ok = engine_->resize_reply_buffer(info[0].As<Napi::Number>().Uint32Value(),
                                           static_cast<size_t>(info[1].As<Napi::Number>().Uint32Value()));
    return Napi::Boolean::New(info.Env(), ok);
  }

  Napi::Value ResetReplyPeak(const Napi::CallbackInfo& info) {
    engine_->reset_reply_peak(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }

  Napi::Value ShrinkQueryBuffers(const Napi::CallbackInfo& info) {
    size_t n = engine_->shrink_query_buffers(info[0].As<Napi::Number>().DoubleValue());
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  }

  // serveBusy(): while a script runs past busy-reply-threshold, inside the batch: what clients
  // sent since, as { words, records, arena } (Engine::collect_busy), or undefined if nothing.
  Napi::Value ServeBusy(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!started_ || !in_turn_ || !engine_->collect_busy()) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    o.Set("words", Napi::Number::New(env, static_cast<double>(engine_->busy_words())));
    o.Set("records", WrapBytes(env, engine_->busy_records().block()));
    o.Set("arena", WrapBytes(env, engine_->busy_arena().block()));
    return o;
  }

  // flushNow(): writes pending replies at once (the -BUSY replies given while a script runs).
  Napi::Value FlushNow(const Napi::CallbackInfo& info) {
    if (started_) engine_->flush();
    return info.Env().Undefined();
  }

  // debugRead(slot, timeoutMs): the Lua debugger waits for its client's next bytes, inside the
  // batch (Engine::debug_read). A Buffer, null on timeout, false when the client is gone.
  Napi::Value DebugRead(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!started_ || !in_turn_ || info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
      return Napi::Boolean::New(env, false);
    }
    char buf[16 * 1024];
    ssize_t n = engine_->debug_read(info[0].As<Napi::Number>().Uint32Value(), buf, sizeof(buf),
                                    info[1].As<Napi::Number>().Int32Value());
    if (n == Engine::kDebugTimeout) return env.Null();
    if (n < 0) return Napi::Boolean::New(env, false);
    return Napi::Buffer<char>::Copy(env, buf, static_cast<size_t>(n));
  }

  // debugWrite(slot, bytes, timeoutMs): the debugger's log lines, written before it returns
  // (Engine::debug_write). false when the client is gone or the write timed out.
  Napi::Value DebugWrite(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!started_ || !in_turn_ || info.Length() < 3 || !info[0].IsNumber() || !info[1].IsTypedArray() ||
        !info[2].IsNumber()) {
      return Napi::Boolean::New(env, false);
    }
    Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
    bool ok = engine_->debug_write(info[0].As<Napi::Number>().Uint32Value(), reinterpret_cast<const char*>(bytes.Data()),
                                   bytes.ByteLength(), info[2].As<Napi::Number>().Int32Value());
    return Napi::Boolean::New(env, ok);
  }

  // release(arrayBuffer): detaches a big argument's buffer that JavaScript no longer uses (an
  // overwritten or deleted value), so its block is freed now instead of at a later major GC.
  Napi::Value Release(const Napi::CallbackInfo& info) {
    if (info.Length() > 0 && info[0].IsArrayBuffer()) {
      napi_status st = napi_detach_arraybuffer(info.Env(), info[0]);
      (void)st;  // a buffer that cannot be detached is left to the collector
    }
    return info.Env().Undefined();
  }

  // [reads, writes] per IO thread, the main thread first (INFO only, never on the hot path).
  Napi::Value IoThreadStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    for (int i = 0; i < engine_->io_threads(); i++) {
      Napi::Array t = Napi::Array::New(env, 2);
      t.Set(0u, Napi::Number::New(env, engine_->io_thread_reads(i)));
      t.Set(1u, Napi::Number::New(env, engine_->io_thread_writes(i)));
      out.Set(static_cast<uint32_t>(i), t);
    }
    return out;
  }

  Napi::Value PollBackend(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), engine_->poll_backend());
  }

  // Why io-uring yes could not be honoured ("" when it was, or was not asked for).
  Napi::Value PollFallback(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), engine_->poll_fallback());
  }

  // Hands JavaScript new views when a buffer was replaced (growth), before the batch uses it.
  void SyncBuffers(Napi::Env env) {
    const GrowBuf& rec = engine_->records();
    const GrowBuf& arena = engine_->arena();
    const GrowBuf& ctr = engine_->counters();
    if (rec.block() == seen_records_ && arena.block() == seen_arena_ && ctr.block() == seen_counters_) return;
    seen_records_ = rec.block();
    seen_arena_ = arena.block();
    seen_counters_ = ctr.block();
    on_buffers_.Call({WrapBytes(env, rec.block()), WrapBytes(env, arena.block()), WrapBytes(env, ctr.block())});
  }

  void FlushOutsideTurn() {
    engine_->flush();
    // Closes found while writing are reported in a batch of their own, soon.
    if (engine_->has_pending_events() && timer_) {
      uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<EngineWrap*>(t->data)->Turn(); }, 0, 0);
    }
  }

  void ScheduleTurnForPendingData() {
    if (started_ && timer_ && engine_->has_pending_data()) {
      uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<EngineWrap*>(t->data)->Turn(); }, 0, 0);
    }
  }

  // One turn of the engine's loop (Engine::turn); each batch is one call into JavaScript.
  void Turn() {
    if (!started_ || in_turn_) return;
    Napi::HandleScope scope(env_);
    in_turn_ = true;
    engine_->turn(*this);
    in_turn_ = false;
    // Still bytes inside OpenSSL after the turn's rounds: another turn soon, not a sleep.
    ScheduleTurnForPendingData();
  }

  bool run_batch() override {
    Napi::Env env = env_;
    SyncBuffers(env);
    Napi::Value bigs = env.Undefined();
    std::vector<SharedBytes>& bb = engine_->big_args();
    if (!bb.empty()) {
      Napi::Array arr = Napi::Array::New(env, bb.size());
      for (size_t k = 0; k < bb.size(); k++) arr.Set(static_cast<uint32_t>(k), WrapBytes(env, bb[k]));
      bigs = arr;
    }
    Napi::Value words = Napi::Number::New(env, static_cast<double>(engine_->record_words()));
    on_batch_.MakeCallback(Value(), {words, bigs}, *context_);
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
    return started_;  // false: stopped from inside the batch
  }

  std::unique_ptr<Engine> engine_;
  respd::TlsConnectionType* tls_ = nullptr;  // owned by engine_'s registry; null without OpenSSL 3
  Napi::Env env_ = Napi::Env(nullptr);
  bool started_ = false;
  bool in_turn_ = false;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* timer_ = nullptr;
  Napi::FunctionReference on_batch_;
  Napi::FunctionReference on_buffers_;
  std::unique_ptr<Napi::AsyncContext> context_;
  Napi::Reference<Napi::Uint8Array> reply_buf_;
  Napi::Reference<Napi::Int32Array> reply_idx_;
  const char* reply_data_ = nullptr;
  const int32_t* reply_idx_data_ = nullptr;
  SharedBytes seen_records_, seen_arena_, seen_counters_;
};

// The batch and counter layout as native defines it (batch.h, engine.h), for the test that holds
// src/engine/layout.ts equal to it.
Napi::Object Layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array records = Napi::Array::New(env);
  uint32_t i = 0;
  for (const respd::RecordLayout& l : respd::kRecordLayouts) {
    Napi::Object r = Napi::Object::New(env);
    r.Set("type", Napi::Number::New(env, static_cast<double>(l.type)));
    r.Set("name", l.name);
    r.Set("words", l.words);
    r.Set("countWord", l.count_word);
    r.Set("itemWords", l.item_words);
    r.Set("arenaWord", l.arena_word);
    records.Set(i++, r);
  }
  o.Set("records", records);
  o.Set("bigArgLen", Napi::Number::New(env, respd::kBigArgLen));
  o.Set("openLocal", Napi::Number::New(env, respd::kOpenLocal));
  o.Set("openUnix", Napi::Number::New(env, respd::kOpenUnix));
  o.Set("statFields", Napi::Number::New(env, respd::kStatFields));
  o.Set("slotFields", Napi::Number::New(env, respd::kSlotFields));
  o.Set("closeAfterReply", Napi::Number::New(env, respd::kCloseAfterReply));
  o.Set("closeHandshake", Napi::Number::New(env, respd::kCloseHandshake));
  o.Set("fieldMemory", Napi::Number::New(env, respd::kFieldMemory));
  o.Set("statIoWrites", Napi::Number::New(env, respd::kStatIoWrites));
  o.Set("protoErrorLast", Napi::Number::New(env, static_cast<double>(respd::ProtoError::kUnauthBulkLength)));
  return o;
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("Engine", EngineWrap::Init(env));
  exports.Set("layout", Layout(env));
  exports.Set("tlsError", TlsLibraryError());
  return exports;
}

}  // namespace

NODE_API_MODULE(respd, InitModule)
