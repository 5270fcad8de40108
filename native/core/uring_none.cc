// Builds without the io_uring backend (not Linux, or a <linux/io_uring.h> too old to have
// multishot receive): `io-uring yes` logs why and the readiness backend serves.
#include "poller.h"

namespace respd {

std::unique_ptr<Poller> create_uring_poller(std::string* why) {
  *why = "this build has no io_uring support (it needs Linux and <linux/io_uring.h> from 6.0 or later)";
  return nullptr;
}

}  // namespace respd
