// The tls connection type over a non-blocking socket pair with the fixture certificates
// (test/fixtures/tls): context errors in Redis's words, the handshake with and without client
// certificates, encrypted echo through read/writev, partial SSL writes under a small socket
// buffer, bytes pending inside OpenSSL, close_notify, and a context reload that leaves existing
// connections alone. The peer is a plain OpenSSL client driven by the test. Loops are bounded.
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "check.h"
#include "connection.h"
#include "tls.h"

using namespace respd;

namespace {

std::string fixture(const char* name) { return std::string(RESPD_TLS_FIXTURES) + "/" + name; }

TlsConfig server_config(TlsAuthClients auth = TlsAuthClients::kYes) {
  TlsConfig cfg;
  cfg.cert_file = fixture("server.crt");
  cfg.key_file = fixture("server.key");
  cfg.ca_cert_file = fixture("ca.crt");
  cfg.auth_clients = auth;
  return cfg;
}

// A client-side OpenSSL endpoint: trusts `ca`, presents `cert`/`key` when given.
struct Peer {
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  explicit Peer(int fd, const char* ca = "ca.crt", const char* cert = nullptr, const char* key = nullptr) {
    ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, fixture(ca).c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (cert) {
      SSL_CTX_use_certificate_file(ctx, fixture(cert).c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx, fixture(key).c_str(), SSL_FILETYPE_PEM);
    }
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_connect_state(ssl);
  }
  ~Peer() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }
  std::string subject_cn() const {
    X509* cert = SSL_get1_peer_certificate(ssl);
    if (!cert) return "";
    char cn[128] = {0};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
    X509_free(cert);
    return cn;
  }
};

struct Pair {
  int server = -1, client = -1;
  Pair() {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return;
    server = sv[0];
    client = sv[1];
    fcntl(server, F_SETFL, fcntl(server, F_GETFL) | O_NONBLOCK);
    fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
  }
  ~Pair() {
    if (client >= 0) ::close(client);
  }
};

// A server connection made by `type` and its peer over a fresh socket pair, not yet handshaken.
struct Session {
  Pair pair;
  std::unique_ptr<Connection> conn;
  Peer peer;
  explicit Session(TlsConnectionType& type, const char* ca = "ca.crt", const char* cert = nullptr,
                   const char* key = nullptr)
      : conn(type.create_accepted(pair.server, "")), peer(pair.client, ca, cert, key) {}
};

void wait_a_little(int fd) {
  struct pollfd p = {fd, POLLIN | POLLOUT, 0};
  poll(&p, 1, 10);
}

// Steps both handshakes until each side is done or failed. Returns the server's last accept()
// result (1 connected, -1 failed, 0 still in progress when the step budget ran out).
int handshake(Connection& server, Peer& peer) {
  int s = 0;
  bool client_done = false;
  for (int i = 0; i < 2000; i++) {
    if (s == 0) s = server.accept();
    if (!client_done) {
      ERR_clear_error();
      int r = SSL_connect(peer.ssl);
      if (r == 1) {
        client_done = true;
      } else {
        int e = SSL_get_error(peer.ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) client_done = true;  // failed
      }
    }
    if (s != 0 && client_done) break;
    wait_a_little(server.fd());
  }
  return s;
}

// Reads from the server connection until `n` bytes arrived (bounded).
std::string server_read(Connection& c, size_t n, size_t chunk = 4096) {
  std::string out;
  std::string buf(chunk, '\0');
  for (int i = 0; i < 2000 && out.size() < n; i++) {
    ssize_t r = c.read(&buf[0], buf.size());
    if (r > 0) {
      out.append(buf.data(), static_cast<size_t>(r));
      continue;
    }
    if (r != kIoAgain) break;
    wait_a_little(c.fd());
  }
  return out;
}

std::string peer_read(Peer& p, size_t n) {
  std::string out;
  char buf[16384];
  for (int i = 0; i < 4000 && out.size() < n; i++) {
    int r = SSL_read(p.ssl, buf, sizeof(buf));
    if (r > 0) {
      out.append(buf, static_cast<size_t>(r));
      continue;
    }
    int e = SSL_get_error(p.ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) break;
    struct pollfd pf = {SSL_get_fd(p.ssl), POLLIN, 0};
    poll(&pf, 1, 10);
  }
  return out;
}

bool peer_write(Peer& p, const std::string& s) {
  size_t off = 0;
  for (int i = 0; i < 2000 && off < s.size(); i++) {
    int r = SSL_write(p.ssl, s.data() + off, static_cast<int>(s.size() - off));
    if (r > 0) {
      off += static_cast<size_t>(r);
      continue;
    }
    int e = SSL_get_error(p.ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return false;
    wait_a_little(SSL_get_fd(p.ssl));
  }
  return off == s.size();
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(library_is_openssl_3) { CHECK_EQ(tls_library_check(), std::string()); }

TEST(configure_errors_in_redis_words) {
  TlsConnectionType t;
  std::string err;
  TlsConfig cfg = server_config();
  cfg.cert_file.clear();
  CHECK(!t.configure(cfg, &err));
  CHECK_EQ(err, std::string("No tls-cert-file configured!"));
  cfg = server_config();
  cfg.key_file.clear();
  CHECK(!t.configure(cfg, &err));
  CHECK_EQ(err, std::string("No tls-key-file configured!"));
  cfg = server_config();
  cfg.ca_cert_file.clear();
  CHECK(!t.configure(cfg, &err));
  CHECK(contains(err, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified"));
  cfg.auth_clients = TlsAuthClients::kNo;  // no CA needed then
  CHECK(t.configure(cfg, &err));
  cfg = server_config();
  cfg.cert_file = "/nonexistent/server.crt";
  CHECK(!t.configure(cfg, &err));
  CHECK(contains(err, "Failed to load certificate: /nonexistent/server.crt: error:"));
  cfg = server_config();
  cfg.key_file = fixture("client.key");  // does not match the certificate
  CHECK(!t.configure(cfg, &err));
  CHECK(contains(err, "Failed to load private key: "));
  cfg = server_config();
  cfg.protocols = "TLSv1.2 SSLv3";
  CHECK(!t.configure(cfg, &err));
  CHECK(contains(err, "Invalid tls-protocols specified."));
  cfg = server_config();
  cfg.ciphers = "NO-SUCH-CIPHER";
  CHECK(!t.configure(cfg, &err));
  CHECK_EQ(err, std::string("Failed to configure ciphers: NO-SUCH-CIPHER"));
  cfg = server_config();
  cfg.dh_params_file = "/nonexistent/dh.pem";
  CHECK(!t.configure(cfg, &err));
  CHECK(contains(err, "Failed to load /nonexistent/dh.pem: No such file or directory"));
  CHECK_EQ(ERR_peek_error(), 0UL);  // nothing left in the thread's error queue
}

TEST(encrypted_key_and_dh_params_load) {
  TlsConnectionType t;
  std::string err;
  TlsConfig cfg = server_config();
  cfg.key_file = fixture("server-enc.key");
  cfg.key_file_pass = "wrong";
  CHECK(!t.configure(cfg, &err));
  CHECK(!t.configured());
  cfg.key_file_pass = "respd-pass";
  cfg.dh_params_file = fixture("dh.pem");
  CHECK(t.configure(cfg, &err));
  CHECK(t.configured());
}

TEST(handshake_and_encrypted_echo) {
  TlsConnectionType t;
  std::string err;
  REQUIRE(t.configure(server_config(), &err));
  Session s(t, "ca.crt", "client.crt", "client.key");
  REQUIRE(s.pair.server >= 0);
  std::unique_ptr<Connection>& c = s.conn;
  Peer& peer = s.peer;
  CHECK_EQ(std::string(c->type_name()), std::string("tls"));
  CHECK(c->state() == ConnState::kAccepting);
  REQUIRE_EQ(handshake(*c, peer), 1);
  CHECK(c->state() == ConnState::kConnected);
  CHECK_EQ(SSL_get_verify_result(peer.ssl), static_cast<long>(X509_V_OK));
  CHECK_EQ(peer.subject_cn(), std::string("respd-server"));

  REQUIRE(peer_write(peer, "*1\r\n$4\r\nPING\r\n"));
  CHECK_EQ(server_read(*c, 14), std::string("*1\r\n$4\r\nPING\r\n"));
  char a[] = "+PO";
  char b[] = "NG\r\n";
  struct iovec iov[2] = {{a, 3}, {b, 4}};
  CHECK_EQ(c->writev(iov, 2), static_cast<ssize_t>(7));
  CHECK_EQ(peer_read(peer, 7), std::string("+PONG\r\n"));

  // close_notify from the peer: an orderly close.
  SSL_shutdown(peer.ssl);
  char buf[16];
  ssize_t r = kIoAgain;
  for (int i = 0; i < 200 && r == kIoAgain; i++) {
    r = c->read(buf, sizeof(buf));
    if (r == kIoAgain) wait_a_little(c->fd());
  }
  CHECK_EQ(r, static_cast<ssize_t>(0));
  CHECK(c->state() == ConnState::kClosed);
}

TEST(large_writev_survives_partial_ssl_writes) {
  TlsConnectionType t;
  std::string err;
  REQUIRE(t.configure(server_config(TlsAuthClients::kNo), &err));
  Session s(t);
  int small = 4096;
  setsockopt(s.pair.server, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  setsockopt(s.pair.client, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  std::unique_ptr<Connection>& c = s.conn;
  Peer& peer = s.peer;
  REQUIRE_EQ(handshake(*c, peer), 1);

  // 200 KiB in blocks of odd sizes, written the way the engine does: iovecs over what is
  // left, consuming what each call reports, retrying after kIoAgain.
  std::string data;
  for (int i = 0; i < 200 * 1024; i++) data.push_back(static_cast<char>('a' + (i * 7) % 26));
  const size_t blocks[] = {16384, 40000, 70000, 1000, 77416};
  size_t sent = 0, agains = 0;
  std::string got;
  char buf[16384];
  for (int i = 0; i < 20000 && (sent < data.size() || got.size() < data.size()); i++) {
    if (sent < data.size()) {
      struct iovec iov[8];
      int cnt = 0;
      size_t at = 0;
      for (size_t bl : blocks) {
        size_t end = at + bl;
        if (end > sent) {
          size_t from = sent > at ? sent : at;
          iov[cnt].iov_base = &data[from];
          iov[cnt].iov_len = end - from;
          cnt++;
        }
        at = end;
      }
      ssize_t n = c->writev(iov, cnt);
      if (n > 0) sent += static_cast<size_t>(n);
      else if (n == kIoAgain) agains++;
      else break;
    }
    int r = SSL_read(peer.ssl, buf, sizeof(buf));
    if (r > 0) got.append(buf, static_cast<size_t>(r));
  }
  CHECK_EQ(sent, data.size());
  CHECK(agains > 0);  // the small buffer did make SSL_write stall and retry
  CHECK(got == data);
}

TEST(decrypted_bytes_wait_inside_openssl) {
  TlsConnectionType t;
  std::string err;
  REQUIRE(t.configure(server_config(TlsAuthClients::kNo), &err));
  Session s(t);
  std::unique_ptr<Connection>& c = s.conn;
  REQUIRE_EQ(handshake(*c, s.peer), 1);
  std::string msg(10000, 'x');
  REQUIRE(peer_write(s.peer, msg));  // one record
  std::string got = server_read(*c, 100, 100);
  CHECK_EQ(got.size(), static_cast<size_t>(100));
  CHECK(c->has_pending_data());
  // The socket is empty now; the rest comes from OpenSSL's buffer without any readiness.
  struct pollfd pf = {c->fd(), POLLIN, 0};
  CHECK_EQ(poll(&pf, 1, 0), 0);
  char buf[16384];
  CHECK_EQ(c->read(buf, sizeof(buf)), static_cast<ssize_t>(9900));
  CHECK(!c->has_pending_data());
}

TEST(client_certificate_required_optional_and_off) {
  std::string err;
  struct Case {
    TlsAuthClients mode;
    const char* cert;
    const char* key;
    int expect;
    const char* why;
  } cases[] = {
      {TlsAuthClients::kYes, nullptr, nullptr, -1, "peer did not return a certificate"},
      {TlsAuthClients::kYes, "client.crt", "client.key", 1, ""},
      {TlsAuthClients::kYes, "other-client.crt", "other-client.key", -1, "certificate verify failed"},
      {TlsAuthClients::kOptional, nullptr, nullptr, 1, ""},
      {TlsAuthClients::kOptional, "client.crt", "client.key", 1, ""},
      {TlsAuthClients::kOptional, "other-client.crt", "other-client.key", -1, "certificate verify failed"},
      {TlsAuthClients::kNo, "other-client.crt", "other-client.key", 1, ""},
  };
  for (const Case& k : cases) {
    TlsConnectionType t;
    REQUIRE(t.configure(server_config(k.mode), &err));
    Session s(t, "ca.crt", k.cert, k.key);
    CHECK_EQ(handshake(*s.conn, s.peer), k.expect);
    if (k.expect < 0) {
      CHECK(s.conn->state() == ConnState::kError);
      CHECK(contains(s.conn->error_text(), k.why));
    }
    CHECK_EQ(ERR_peek_error(), 0UL);
  }
}

TEST(peer_rejects_a_server_from_another_ca) {
  TlsConnectionType t;
  std::string err;
  REQUIRE(t.configure(server_config(TlsAuthClients::kNo), &err));
  Session s(t, "other-ca.crt");
  CHECK_EQ(handshake(*s.conn, s.peer), -1);  // the peer's alert ends the server's handshake
  CHECK(contains(s.conn->error_text(), "alert"));
}

TEST(plaintext_and_hangup_fail_the_handshake) {
  TlsConnectionType t;
  std::string err;
  REQUIRE(t.configure(server_config(TlsAuthClients::kNo), &err));
  {
    Pair p;
    std::unique_ptr<Connection> c = t.create_accepted(p.server, "");
    CHECK_EQ(::write(p.client, "PING\r\n", 6), static_cast<ssize_t>(6));
    int r = 0;
    for (int i = 0; i < 100 && r == 0; i++) r = c->accept();
    CHECK_EQ(r, -1);
    CHECK(contains(c->error_text(), "error:"));
  }
  {
    Pair p;
    std::unique_ptr<Connection> c = t.create_accepted(p.server, "");
    CHECK_EQ(c->accept(), 0);  // nothing sent yet: waiting for the ClientHello
    CHECK(c->want() == IoWant::kRead);
    ::close(p.client);
    p.client = -1;
    CHECK_EQ(c->accept(), -1);
    CHECK(c->state() == ConnState::kError);
  }
  CHECK_EQ(ERR_peek_error(), 0UL);
}

TEST(reload_keeps_existing_connections) {
  TlsConnectionType t;
  std::string err;
  REQUIRE(t.configure(server_config(TlsAuthClients::kNo), &err));
  Session old_session(t);
  std::unique_ptr<Connection>& old_conn = old_session.conn;
  Peer& old_peer = old_session.peer;
  REQUIRE_EQ(handshake(*old_conn, old_peer), 1);

  TlsConfig bad = server_config(TlsAuthClients::kNo);
  bad.cert_file = "/nonexistent.crt";
  CHECK(!t.configure(bad, &err));
  TlsConfig next = server_config(TlsAuthClients::kNo);
  next.cert_file = fixture("server2.crt");
  next.key_file = fixture("server2.key");
  REQUIRE(t.configure(next, &err));

  Session new_session(t);
  std::unique_ptr<Connection>& new_conn = new_session.conn;
  Peer& new_peer = new_session.peer;
  REQUIRE_EQ(handshake(*new_conn, new_peer), 1);
  CHECK_EQ(old_peer.subject_cn(), std::string("respd-server"));
  CHECK_EQ(new_peer.subject_cn(), std::string("respd-server-2"));
  REQUIRE(peer_write(old_peer, "old"));
  CHECK_EQ(server_read(*old_conn, 3), std::string("old"));
  REQUIRE(peer_write(new_peer, "new"));
  CHECK_EQ(server_read(*new_conn, 3), std::string("new"));
}

int main() {
  signal(SIGPIPE, SIG_IGN);  // as in node: a write to a closed peer is an error, not a signal
  return RUN_ALL();
}
