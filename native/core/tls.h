// The `tls` connection type (tls.cc), after Redis's tls.c: OpenSSL behind the Connection
// interface. The type owns the server SSL_CTX; configure() builds a new one from the tls-*
// settings and swaps it in only when everything loaded, so a failed reload changes nothing and
// connections already accepted keep the context their SSL object references.
#pragma once
#include <memory>
#include <string>

#include "connection.h"

struct ssl_ctx_st;  // SSL_CTX, kept out of this header so callers need no OpenSSL headers

namespace respd {

enum class TlsAuthClients { kNo, kYes, kOptional };

// The tls-* directives that shape the context. Empty strings mean "not set" (OpenSSL defaults).
struct TlsConfig {
  std::string cert_file, key_file, key_file_pass;
  // tls-client-*: the certificate a replica presents to its master (else the server's).
  std::string client_cert_file, client_key_file, client_key_file_pass;
  std::string ca_cert_file, ca_cert_dir;
  std::string dh_params_file;
  std::string protocols;     // "TLSv1.2 TLSv1.3"; empty = TLSv1.2 + TLSv1.3
  std::string ciphers;       // TLSv1.2 and below
  std::string ciphersuites;  // TLSv1.3
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  long session_cache_size = 20480;
  long session_cache_timeout = 300;
  TlsAuthClients auth_clients = TlsAuthClients::kYes;
  bool replication_or_cluster = false;  // tls-replication / tls-cluster: a CA is then required
};

class TlsConnectionType final : public ConnectionType {
 public:
  TlsConnectionType() = default;
  ~TlsConnectionType() override;
  const char* name() const override { return "tls"; }
  AcceptCost accept_cost() const override { return AcceptCost::kHandshake; }
  // A connection in the accepting state with the verify mode of tls-auth-clients now.
  std::unique_ptr<Connection> create_accepted(int fd, const std::string& listener_path) override;
  // A replica's link to its master (tls-replication): the TCP connect, then SSL_connect with
  // the same context, verifying the master's certificate against the CA (Redis's client
  // context verifies the peer and does not check the host name).
  bool can_connect() const override { return true; }
  std::unique_ptr<Connection> create_connecting(int fd) override;

  // tlsConfigure: false with `err` set to Redis's log line when anything fails to load.
  bool configure(const TlsConfig& cfg, std::string* err);
  bool configured() const { return ctx_ != nullptr; }
  // tls-auth-clients is read at accept time, without rebuilding the context (as Redis).
  void set_auth_clients(TlsAuthClients mode) { auth_clients_ = mode; }

 private:
  ssl_ctx_st* ctx_ = nullptr;  // owned; every SSL made from it holds its own reference
  ssl_ctx_st* client_ctx_ = nullptr;  // owned; with tls-client-cert-file and -key-file only
  TlsAuthClients auth_clients_ = TlsAuthClients::kYes;
};

// Checks the OpenSSL this process resolves (node's own, or the system one in native tests):
// empty when it is a 3.x library, else a message saying why TLS cannot be used.
std::string tls_library_check();

}  // namespace respd
