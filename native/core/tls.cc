// The `tls` connection type: OpenSSL 3.x over the plain socket connection, after Redis's tls.c.
// All OpenSSL use of the core lives here. In the addon the symbols resolve from the node binary
// (compiled against node's own headers, no libssl linked); native tests link the system OpenSSL.
// Every path that can leave entries in the thread's OpenSSL error queue drains it: node's own
// crypto shares that queue and would otherwise see our errors as its own.
#include "tls.h"

#include <dlfcn.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <strings.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "socket_conn.h"

namespace respd {
namespace {

constexpr int kProtoTLSv1 = 1 << 0;
constexpr int kProtoTLSv1_1 = 1 << 1;
constexpr int kProtoTLSv1_2 = 1 << 2;
constexpr int kProtoTLSv1_3 = 1 << 3;
// Redis's writev: one SSL_write of a gathered copy up to NET_MAX_WRITES_PER_EVENT.
constexpr size_t kGatherBytes = 64 * 1024;

std::string take_ssl_error() {
  char buf[256];
  unsigned long e = ERR_get_error();
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

// parseProtocolsConfig: a space-separated list, case-insensitive. -1 with `err` on a bad name.
int parse_protocols(const std::string& s, std::string* err) {
  if (s.empty()) return kProtoTLSv1_2 | kProtoTLSv1_3;
  std::istringstream in(s);
  std::string tok;
  int protocols = 0;
  while (in >> tok) {
    if (strcasecmp(tok.c_str(), "tlsv1") == 0) protocols |= kProtoTLSv1;
    else if (strcasecmp(tok.c_str(), "tlsv1.1") == 0) protocols |= kProtoTLSv1_1;
    else if (strcasecmp(tok.c_str(), "tlsv1.2") == 0) protocols |= kProtoTLSv1_2;
    else if (strcasecmp(tok.c_str(), "tlsv1.3") == 0) protocols |= kProtoTLSv1_3;
    else {
      *err = "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.";
      return -1;
    }
  }
  return protocols;
}

int password_callback(char* buf, int size, int, void* u) {
  const char* pass = static_cast<const char*>(u);
  if (!pass) return -1;
  size_t n = std::strlen(pass);
  if (n > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, pass, n);
  return static_cast<int>(n);
}

// createSSLContext: what client and server contexts share (the server one is all respd needs).
SSL_CTX* create_context(const TlsConfig& cfg, int protocols, std::string* err) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (!ctx) {
    *err = "Failed to create TLS context: " + take_ssl_error();
    return nullptr;
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS |
                               SSL_OP_NO_COMPRESSION);
  if (!(protocols & kProtoTLSv1)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1);
  if (!(protocols & kProtoTLSv1_1)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_1);
  if (!(protocols & kProtoTLSv1_2)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_2);
  if (!(protocols & kProtoTLSv1_3)) SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_3);
  // Partial writes let one SSL_write stop after a record; the output chain's bytes may move
  // between a stalled write and its retry.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_default_passwd_cb(ctx, password_callback);
  // Only used while the key below is read; `cfg` outlives this call.
  SSL_CTX_set_default_passwd_cb_userdata(
      ctx, cfg.key_file_pass.empty() ? nullptr : const_cast<char*>(cfg.key_file_pass.c_str()));

  bool ok = false;
  if (SSL_CTX_use_certificate_chain_file(ctx, cfg.cert_file.c_str()) <= 0) {
    *err = "Failed to load certificate: " + cfg.cert_file + ": " + take_ssl_error();
  } else if (SSL_CTX_use_PrivateKey_file(ctx, cfg.key_file.c_str(), SSL_FILETYPE_PEM) <= 0) {
    *err = "Failed to load private key: " + cfg.key_file + ": " + take_ssl_error();
  } else if ((!cfg.ca_cert_file.empty() || !cfg.ca_cert_dir.empty()) &&
             SSL_CTX_load_verify_locations(ctx, cfg.ca_cert_file.empty() ? nullptr : cfg.ca_cert_file.c_str(),
                                           cfg.ca_cert_dir.empty() ? nullptr : cfg.ca_cert_dir.c_str()) <= 0) {
    *err = "Failed to configure CA certificate(s) file/directory: " + take_ssl_error();
  } else if (!cfg.ciphers.empty() && !SSL_CTX_set_cipher_list(ctx, cfg.ciphers.c_str())) {
    *err = "Failed to configure ciphers: " + cfg.ciphers;
  } else if (!cfg.ciphersuites.empty() && !SSL_CTX_set_ciphersuites(ctx, cfg.ciphersuites.c_str())) {
    *err = "Failed to configure ciphersuites: " + cfg.ciphersuites;
  } else {
    ok = true;
  }
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (!ok) {
    ERR_clear_error();
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

// tls-dh-params-file through the OpenSSL 3 decoder; without one, OpenSSL picks DH parameters.
bool load_dh_params(SSL_CTX* ctx, const std::string& path, std::string* err) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) {
    *err = "Failed to load " + path + ": " + strerror(errno);
    return false;
  }
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, "DH",
                                                         OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS, nullptr, nullptr);
  bool ok = false;
  if (!dctx) {
    *err = "No decoder for DH params.";
  } else if (!OSSL_DECODER_from_fp(dctx, f)) {
    *err = path + ": failed to read DH params.";
  } else if (SSL_CTX_set0_tmp_dh_pkey(ctx, pkey) <= 0) {
    *err = "Failed to load DH params file: " + path + ": " + take_ssl_error();
    EVP_PKEY_free(pkey);
  } else {
    ok = true;  // the context owns pkey now
  }
  if (dctx) OSSL_DECODER_CTX_free(dctx);
  std::fclose(f);
  ERR_clear_error();
  return ok;
}

// A TLS connection: the socket underneath gives the fd, addresses and is_local; OpenSSL's
// WANT_READ / WANT_WRITE become kIoAgain with want() saying which readiness to wait for.
class TlsConnection final : public SocketConnection {
 public:
  TlsConnection(int fd, SSL* ssl, bool connecting = false)
      : SocketConnection(fd), ssl_(ssl), connecting_(connecting), tcp_pending_(connecting) {
    if (connecting) want_ = IoWant::kWrite;
    if (!ssl_) {
      ssl_error_ = take_ssl_error();
      state_ = ConnState::kError;
    }
  }
  ~TlsConnection() override { TlsConnection::close(); }

  const char* type_name() const override { return "tls"; }

  int accept() override {
    if (state_ != ConnState::kAccepting) return state_ == ConnState::kConnected ? 1 : -1;
    if (tcp_pending_) {  // an outgoing connection: the TCP connect first
      int err = 0;
      int t = finish_connect(fd_, &err);
      if (t == 0) return 0;
      if (t < 0) {
        last_errno_ = err;
        ssl_error_ = strerror(err);
        state_ = ConnState::kError;
        return -1;
      }
      tcp_pending_ = false;
    }
    ERR_clear_error();
    int r = connecting_ ? SSL_connect(ssl_) : SSL_accept(ssl_);
    if (r == 1) {
      state_ = ConnState::kConnected;
      want_ = IoWant::kNone;
      return 1;
    }
    if (classify(r, IoWant::kRead) == kIoAgain) return 0;
    state_ = ConnState::kError;  // whatever classify said, a failed handshake is an error
    return -1;
  }

  ssize_t read(char* buf, size_t len) override {
    ERR_clear_error();
    int n = SSL_read(ssl_, buf, static_cast<int>(std::min(len, static_cast<size_t>(INT_MAX))));
    if (n > 0) return n;
    ssize_t r = classify(n, IoWant::kRead);
    return r == kIoAgain ? kIoAgain : (state_ == ConnState::kClosed ? 0 : kIoError);
  }

  // connTLSWritev: small totals go as one gathered SSL_write (fewer, fuller records), large
  // ones one SSL_write per iov, stopping at the first short write.
  ssize_t writev(const struct iovec* iov, int iovcnt) override {
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
    // A retry after WANT_* must offer at least the bytes of the stalled SSL_write (OpenSSL
    // fails it with "bad length" otherwise). The output chain only grows at its tail until a
    // write succeeds, so gathering from the front always satisfies that.
    if (total <= kGatherBytes || iov[0].iov_len < retry_len_) {
      thread_local char gather[kGatherBytes];
      size_t n = 0;
      for (int i = 0; i < iovcnt && n < kGatherBytes; i++) {
        size_t take = std::min(iov[i].iov_len, kGatherBytes - n);
        std::memcpy(gather + n, iov[i].iov_base, take);
        n += take;
      }
      return write_once(gather, n);
    }
    ssize_t done = 0;
    for (int i = 0; i < iovcnt; i++) {
      ssize_t w = write_once(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      if (w <= 0) return done > 0 ? done : w;  // an error shows again on the next call
      done += w;
      if (static_cast<size_t>(w) < iov[i].iov_len) break;
    }
    return done;
  }

  // connTLSClose: close_notify if the session is up (best effort, non-blocking), then the socket.
  void close() override {
    if (ssl_) {
      if (state_ == ConnState::kConnected) SSL_shutdown(ssl_);
      SSL_free(ssl_);
      ssl_ = nullptr;
      ERR_clear_error();
    }
    SocketConnection::close();
  }

  bool has_pending_data() const override {
    return ssl_ && state_ == ConnState::kConnected && SSL_pending(ssl_) > 0;
  }

  // connTLSGetLastError: the OpenSSL error string, or strerror for a failed system call. A
  // system call failing with errno 0 leaves Redis's text NULL, which its log prints "(null)".
  std::string error_text() const override { return ssl_error_.empty() ? "(null)" : ssl_error_; }

 private:
  ssize_t write_once(const char* p, size_t n) {
    ERR_clear_error();
    int w = SSL_write(ssl_, p, static_cast<int>(std::min(n, static_cast<size_t>(INT_MAX))));
    if (w > 0) {
      retry_len_ = 0;
      return w;
    }
    if (classify(w, IoWant::kWrite) == kIoAgain) {
      retry_len_ = n;
      return kIoAgain;
    }
    return kIoError;
  }

  // handleSSLReturnCode + updateStateAfterSSLIO: kIoAgain with want_ set, or kIoError with the
  // state kClosed (peer's close_notify, or EOF with errno 0) or kError and the error kept.
  ssize_t classify(int ret, IoWant op) {
    int saved_errno = errno;
    int e = SSL_get_error(ssl_, ret);
    switch (e) {
      case SSL_ERROR_WANT_READ:
        want_ = IoWant::kRead;
        return kIoAgain;
      case SSL_ERROR_WANT_WRITE:
        want_ = IoWant::kWrite;
        return kIoAgain;
      case SSL_ERROR_SYSCALL:
        if (saved_errno == EINTR) {  // retried at the next readiness of the same kind
          want_ = op;
          return kIoAgain;
        }
        last_errno_ = saved_errno;
        ssl_error_ = saved_errno ? strerror(saved_errno) : "";
        state_ = saved_errno ? ConnState::kError : ConnState::kClosed;
        ERR_clear_error();
        return kIoError;
      case SSL_ERROR_ZERO_RETURN:
        state_ = ConnState::kClosed;
        ERR_clear_error();
        return kIoError;
      default:
        last_errno_ = 0;
        ssl_error_ = take_ssl_error();
        state_ = ConnState::kError;
        return kIoError;
    }
  }

  SSL* ssl_;
  bool connecting_ = false;   // made by connect(): SSL_connect instead of SSL_accept
  bool tcp_pending_ = false;  // its TCP connect has not completed yet
  std::string ssl_error_;
  size_t retry_len_ = 0;  // length of the SSL_write that stalled; 0 when none did
};

}  // namespace

TlsConnectionType::~TlsConnectionType() {
  if (ctx_) SSL_CTX_free(ctx_);
  if (client_ctx_) SSL_CTX_free(client_ctx_);
}

std::unique_ptr<Connection> TlsConnectionType::create_accepted(int fd, const std::string&) {
  SSL* ssl = ctx_ ? SSL_new(ctx_) : nullptr;
  if (ssl) {
    switch (auth_clients_) {
      case TlsAuthClients::kNo:
        SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
        break;
      case TlsAuthClients::kOptional:
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
        break;
      case TlsAuthClients::kYes:
        SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        break;
    }
    SSL_set_fd(ssl, fd);
    SSL_set_accept_state(ssl);
  }
  return std::make_unique<TlsConnection>(fd, ssl);
}

std::unique_ptr<Connection> TlsConnectionType::create_connecting(int fd) {
  SSL_CTX* ctx = client_ctx_ ? client_ctx_ : ctx_;
  SSL* ssl = ctx ? SSL_new(ctx) : nullptr;
  if (ssl) {
    SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
    SSL_set_fd(ssl, fd);
    SSL_set_connect_state(ssl);
  }
  return std::make_unique<TlsConnection>(fd, ssl, true);
}

bool TlsConnectionType::configure(const TlsConfig& cfg, std::string* err) {
  if (cfg.cert_file.empty()) {
    *err = "No tls-cert-file configured!";
    return false;
  }
  if (cfg.key_file.empty()) {
    *err = "No tls-key-file configured!";
    return false;
  }
  if ((cfg.auth_clients != TlsAuthClients::kNo || cfg.replication_or_cluster) && cfg.ca_cert_file.empty() &&
      cfg.ca_cert_dir.empty()) {
    *err = "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!";
    return false;
  }
  int protocols = parse_protocols(cfg.protocols, err);
  if (protocols < 0) return false;
  SSL_CTX* ctx = create_context(cfg, protocols, err);
  if (!ctx) return false;
  if (cfg.session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, cfg.session_cache_size);
    SSL_CTX_set_timeout(ctx, cfg.session_cache_timeout);
    SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>("redis"), 5);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  // An explicit client context when a client certificate is configured (tlsConfigure).
  SSL_CTX* client_ctx = nullptr;
  if (!cfg.client_cert_file.empty() && !cfg.client_key_file.empty()) {
    TlsConfig ccfg = cfg;
    ccfg.cert_file = cfg.client_cert_file;
    ccfg.key_file = cfg.client_key_file;
    ccfg.key_file_pass = cfg.client_key_file_pass;
    client_ctx = create_context(ccfg, protocols, err);
    if (!client_ctx) {
      SSL_CTX_free(ctx);
      return false;
    }
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, nullptr);
  }
  // Client-initiated renegotiation is refused: OpenSSL 3 does so unless ALLOW_CLIENT_RENEGOTIATION.
  SSL_CTX_clear_options(ctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
  SSL_CTX_set_options(ctx, SSL_OP_SINGLE_DH_USE);
  if (cfg.prefer_server_ciphers) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (!cfg.dh_params_file.empty()) {
    if (!load_dh_params(ctx, cfg.dh_params_file, err)) {
      SSL_CTX_free(ctx);
      if (client_ctx) SSL_CTX_free(client_ctx);
      return false;
    }
  } else {
    SSL_CTX_set_dh_auto(ctx, 1);
  }
  // The swap: connections accepted before keep the old context through their SSL's reference.
  if (ctx_) SSL_CTX_free(ctx_);
  ctx_ = ctx;
  if (client_ctx_) SSL_CTX_free(client_ctx_);
  client_ctx_ = client_ctx;
  auth_clients_ = cfg.auth_clients;
  ERR_clear_error();
  return true;
}

std::string tls_library_check() {
  // Looked up rather than called directly: a node built without OpenSSL exports none of it,
  // and a direct call would end the process instead of explaining.
  using VersionNum = unsigned long (*)();
  using VersionText = const char* (*)(int);
  auto num = reinterpret_cast<VersionNum>(dlsym(RTLD_DEFAULT, "OpenSSL_version_num"));
  if (!num) return "TLS is unavailable: this node binary exports no OpenSSL library";
  unsigned long v = num();
  if ((v >> 28) != 3) {
    auto text = reinterpret_cast<VersionText>(dlsym(RTLD_DEFAULT, "OpenSSL_version"));
    char hex[32];
    std::snprintf(hex, sizeof(hex), "0x%lx", v);
    return std::string("TLS is unavailable: respd is built for OpenSSL 3.x, but this process has ") +
           (text ? text(0) : "OpenSSL") + " (" + hex + ")";
  }
  return std::string();
}

}  // namespace respd
