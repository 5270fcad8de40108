// Listening-socket creation and accept, after Redis's anet.c.
#include "listener.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace respd {
namespace {

bool set_nonblock_cloexec(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return false;
  int fdfl = fcntl(fd, F_GETFD);
  return fdfl >= 0 && fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) >= 0;
}

// Binds one address; returns the fd or -1 with `err` and errno set.
int bind_one(const char* addr, int family, int port, int backlog, std::string* err) {
  struct addrinfo hints;
  std::memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  struct addrinfo* res = nullptr;
  std::string port_s = std::to_string(port);
  int rc = getaddrinfo(addr, port_s.c_str(), &hints, &res);
  if (rc != 0) {
    *err = gai_strerror(rc);
    errno = EADDRNOTAVAIL;
    return -1;
  }
  int fd = -1;
  int saved = 0;
  for (struct addrinfo* p = res; p; p = p->ai_next) {
    fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
    if (fd < 0) {
      saved = errno;
      *err = std::string("socket: ") + strerror(errno);
      continue;
    }
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (p->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &yes, sizeof(yes));
    if (bind(fd, p->ai_addr, p->ai_addrlen) < 0) {
      saved = errno;
      *err = std::string("bind: ") + strerror(errno);
      ::close(fd);
      fd = -1;
      continue;
    }
    if (listen(fd, backlog) < 0) {
      saved = errno;
      *err = std::string("listen: ") + strerror(errno);
      ::close(fd);
      fd = -1;
      continue;
    }
    if (!set_nonblock_cloexec(fd)) {
      saved = errno;
      *err = std::string("fcntl: ") + strerror(errno);
      ::close(fd);
      fd = -1;
      continue;
    }
    break;
  }
  freeaddrinfo(res);
  if (fd < 0) errno = saved;
  return fd;
}

int local_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<struct sockaddr*>(&ss), &len) != 0) return -1;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<struct sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<struct sockaddr_in6*>(&ss)->sin6_port);
  return -1;
}

}  // namespace

int open_tcp_listeners(const TcpListenOptions& opts, std::vector<int>* fds, int* bound_port,
                       std::string* err) {
  int port = opts.ephemeral ? 0 : opts.port;
  std::vector<int> opened;
  for (const std::string& spec : opts.binds) {
    const char* addr = spec.c_str();
    bool optional = *addr == '-';
    if (optional) addr++;
    int family = std::strchr(addr, ':') ? AF_INET6 : AF_INET;
    const char* host = addr;
    if (std::strcmp(addr, "*") == 0 || std::strcmp(addr, "::*") == 0) host = nullptr;
    std::string why;
    int fd = bind_one(host, family, port, opts.backlog, &why);
    if (fd < 0) {
      int e = errno;
      bool unsupported = e == EADDRNOTAVAIL || e == EAFNOSUPPORT || e == EPROTONOSUPPORT ||
                         e == ESOCKTNOSUPPORT || e == EPFNOSUPPORT || e == ENOPROTOOPT;
      if (optional && unsupported) continue;
      for (int f : opened) ::close(f);
      *err = "Could not create server TCP listening socket " + spec + ":" + std::to_string(port) +
             ": " + why;
      return -1;
    }
    if (port == 0) port = local_port(fd);  // ephemeral: every later address gets the same port
    opened.push_back(fd);
  }
  *fds = std::move(opened);
  *bound_port = port;
  return 0;
}

int open_unix_listener(const std::string& path, unsigned perm, int backlog, int* out,
                       std::string* err) {
  struct sockaddr_un sa;
  std::memset(&sa, 0, sizeof(sa));
  if (path.size() >= sizeof(sa.sun_path)) {
    *err = "Failed opening Unix socket: path too long";
    return -1;
  }
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());  // Redis removes a stale socket at start
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) {
    *err = std::string("Failed opening Unix socket: socket: ") + strerror(errno);
    return -1;
  }
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&sa), sizeof(sa)) < 0 || listen(fd, backlog) < 0 ||
      !set_nonblock_cloexec(fd)) {
    *err = std::string("Failed opening Unix socket: bind: ") + strerror(errno);
    ::close(fd);
    return -1;
  }
  if (perm) chmod(path.c_str(), perm);
  *out = fd;
  return 0;
}

int accept_connection(int listen_fd) {
  int fd;
  do {
#ifdef __linux__
    fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    fd = ::accept(listen_fd, nullptr, nullptr);
    if (fd >= 0 && !set_nonblock_cloexec(fd)) {
      int e = errno;
      ::close(fd);
      errno = e;
      fd = -1;
    }
#endif
  } while (fd < 0 && errno == EINTR);
  return fd;
}

void tune_accepted_socket(int fd, bool tcp, int keepalive_s) {
  if (!tcp) return;
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  if (keepalive_s <= 0) return;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof(yes));
#ifdef __linux__
  int idle = keepalive_s;
  int intvl = keepalive_s / 3 > 0 ? keepalive_s / 3 : 1;
  int cnt = 3;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
#elif defined(__APPLE__)
  int idle = keepalive_s;
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &idle, sizeof(idle));
#endif
}

}  // namespace respd
