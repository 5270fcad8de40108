// OutputChain: the static reply buffer, reply blocks, writev gathering and accounting, after
// Redis's _addReplyToBuffer / _addReplyProtoToList / _writevToClient.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "output_chain.h"

using namespace respd;

namespace {

constexpr size_t kMin = OutputChain::kMinBlockSize;
constexpr size_t kOver = OutputChain::kBlockOverhead;

std::string pattern(size_t n, size_t seed = 0) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>((i + seed) * 131 % 251);
  return s;
}

void append(OutputChain& oc, const std::string& s) { oc.append(s.data(), s.size()); }

// Everything pending, in order, as fill_iov sees it (without consuming).
std::string gather(const OutputChain& oc, int max = 1024, size_t max_bytes = SIZE_MAX) {
  std::vector<struct iovec> iov(static_cast<size_t>(max > 0 ? max : 1));
  int n = oc.fill_iov(iov.data(), max, max_bytes);
  std::string out;
  for (int i = 0; i < n; i++) out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return out;
}

// Drains the chain by gathering and consuming `step` bytes at a time.
std::string drain(OutputChain& oc, size_t step) {
  std::string out;
  for (int guard = 0; guard < 1000000 && !oc.empty(); guard++) {
    struct iovec iov[16];
    int n = oc.fill_iov(iov, 16, 64 * 1024);
    size_t left = step;
    size_t taken = 0;
    for (int i = 0; i < n && left > 0; i++) {
      size_t k = std::min(left, iov[i].iov_len);
      out.append(static_cast<const char*>(iov[i].iov_base), k);
      left -= k;
      taken += k;
    }
    oc.consume(taken);
  }
  return out;
}

}  // namespace

TEST(empty_chain) {
  OutputChain oc;
  CHECK(oc.empty());
  CHECK_EQ(oc.pending(), 0u);
  CHECK_EQ(oc.static_size(), OutputChain::kDefaultStaticSize);
  CHECK_EQ(oc.static_size(), 16u * 1024);
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.static_peak(), 0u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.block_memory(), 0u);
  // Allocated on first use, but counted from the start, as Redis's is allocated with the client.
  CHECK_EQ(oc.memory(), OutputChain::kDefaultStaticSize);
  struct iovec iov[4];
  CHECK_EQ(oc.fill_iov(iov, 4, SIZE_MAX), 0);
  oc.append("x", 0);
  CHECK(oc.empty());
  CHECK_EQ(oc.memory(), OutputChain::kDefaultStaticSize);
}

TEST(append_into_static_buffer) {
  OutputChain oc;
  append(oc, "+PONG\r\n");
  CHECK_EQ(oc.pending(), 7u);
  CHECK_EQ(oc.static_used(), 7u);
  CHECK_EQ(oc.static_peak(), 7u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.block_memory(), 0u);
  CHECK_EQ(oc.memory(), OutputChain::kDefaultStaticSize);
  append(oc, "$3\r\nabc\r\n");
  CHECK_EQ(oc.pending(), 16u);
  CHECK_EQ(oc.static_used(), 16u);
  CHECK_EQ(gather(oc), "+PONG\r\n$3\r\nabc\r\n");
  // Filling it exactly stays in the static buffer.
  std::string rest = pattern(OutputChain::kDefaultStaticSize - 16);
  append(oc, rest);
  CHECK_EQ(oc.static_used(), OutputChain::kDefaultStaticSize);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.static_peak(), OutputChain::kDefaultStaticSize);
}

TEST(overflow_into_min_size_block) {
  OutputChain oc(64);
  std::string a = pattern(50, 1), b = pattern(30, 2);
  append(oc, a);
  append(oc, b);
  // 14 bytes fill the static buffer, 16 go to a new 16 KiB block.
  CHECK_EQ(oc.static_used(), 64u);
  CHECK_EQ(oc.block_count(), 1u);
  CHECK_EQ(oc.block_memory(), kMin + kOver);
  CHECK_EQ(oc.memory(), 64 + kMin + kOver);
  CHECK_EQ(oc.pending(), 80u);
  CHECK_EQ(oc.static_peak(), 64u);
  CHECK_EQ(gather(oc), a + b);
  struct iovec iov[4];
  REQUIRE_EQ(oc.fill_iov(iov, 4, SIZE_MAX), 2);
  CHECK_EQ(iov[0].iov_len, 64u);
  CHECK_EQ(iov[1].iov_len, 16u);
  // Later appends fill the tail block before a new one is made.
  std::string c = pattern(kMin - 16, 3);
  append(oc, c);
  CHECK_EQ(oc.block_count(), 1u);
  append(oc, "!");
  CHECK_EQ(oc.block_count(), 2u);
  CHECK_EQ(oc.block_memory(), 2 * (kMin + kOver));
  CHECK_EQ(gather(oc), a + b + c + "!");
  CHECK_EQ(oc.pending(), 80 + c.size() + 1);
}

TEST(large_append_gets_block_of_its_length) {
  OutputChain oc(64);
  std::string big = pattern(100000, 4);
  append(oc, big);
  CHECK_EQ(oc.static_used(), 64u);
  CHECK_EQ(oc.block_count(), 1u);
  CHECK_EQ(oc.block_memory(), (100000 - 64) + kOver);
  // The next byte does not fit in that exactly-sized block: a new min-size one.
  append(oc, "x");
  CHECK_EQ(oc.block_count(), 2u);
  CHECK_EQ(oc.block_memory(), (100000 - 64) + kMin + 2 * kOver);
  // A big append with room in the tail: the tail is topped up first, the rest gets its own block.
  std::string more = pattern(kMin - 1 + 50000, 5);
  append(oc, more);
  CHECK_EQ(oc.block_count(), 3u);
  CHECK_EQ(oc.block_memory(), (100000 - 64) + kMin + 50000 + 3 * kOver);
  CHECK(gather(oc) == big + "x" + more);
  CHECK_EQ(oc.pending(), big.size() + 1 + more.size());
}

TEST(static_buffer_not_used_while_blocks_exist) {
  OutputChain oc(64);
  std::string a = pattern(64, 6), b = pattern(10, 7);
  append(oc, a);
  append(oc, b);  // block 1
  REQUIRE_EQ(oc.block_count(), 1u);
  // Send the static buffer: it is empty again, but a block is queued.
  oc.consume(64);
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.pending(), 10u);
  append(oc, "tail");
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.block_count(), 1u);
  CHECK_EQ(gather(oc), b + "tail");
  // Once the blocks are gone the static buffer is used again.
  oc.consume(14);
  CHECK(oc.empty());
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.block_memory(), 0u);
  append(oc, "again");
  CHECK_EQ(oc.static_used(), 5u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(gather(oc), "again");
}

TEST(static_buffer_partially_sent_keeps_appending) {
  OutputChain oc(64);
  append(oc, "0123456789");
  oc.consume(4);
  CHECK_EQ(oc.pending(), 6u);
  CHECK_EQ(oc.static_used(), 10u);  // bufpos stays until everything is sent
  append(oc, "abc");
  CHECK_EQ(oc.static_used(), 13u);
  CHECK_EQ(gather(oc), "456789abc");
  // Room is what is left after bufpos, not after the sent part.
  append(oc, pattern(51, 8));
  CHECK_EQ(oc.static_used(), 64u);
  CHECK_EQ(oc.block_count(), 0u);
  append(oc, "z");
  CHECK_EQ(oc.block_count(), 1u);
  CHECK_EQ(gather(oc), "456789abc" + pattern(51, 8) + "z");
}

TEST(fill_iov_limits) {
  OutputChain oc(64);
  std::string st = pattern(64, 9);
  append(oc, st);
  std::vector<std::string> blocks;
  for (int i = 0; i < 5; i++) {
    blocks.push_back(pattern(kMin, 10 + static_cast<size_t>(i)));
    append(oc, blocks.back());
  }
  REQUIRE_EQ(oc.block_count(), 5u);
  struct iovec iov[16];
  CHECK_EQ(oc.fill_iov(iov, 16, SIZE_MAX), 6);
  // The count cap.
  CHECK_EQ(oc.fill_iov(iov, 3, SIZE_MAX), 3);
  CHECK_EQ(iov[0].iov_len, 64u);
  CHECK(std::memcmp(iov[0].iov_base, st.data(), 64) == 0);
  CHECK(std::memcmp(iov[2].iov_base, blocks[1].data(), kMin) == 0);
  CHECK_EQ(oc.fill_iov(iov, 1, SIZE_MAX), 1);
  CHECK_EQ(oc.fill_iov(iov, 0, SIZE_MAX), 0);
  // The byte cap: stops once at least max_bytes are gathered (whole buffers, never split).
  CHECK_EQ(oc.fill_iov(iov, 16, 1), 1);              // the static buffer alone
  CHECK_EQ(oc.fill_iov(iov, 16, 64), 1);             // exactly reached
  CHECK_EQ(oc.fill_iov(iov, 16, 65), 2);             // static + block 0
  CHECK_EQ(oc.fill_iov(iov, 16, 64 + kMin), 2);
  CHECK_EQ(oc.fill_iov(iov, 16, 64 + kMin + 1), 3);
  CHECK_EQ(oc.fill_iov(iov, 16, 64 * 1024), 5);      // 64 + 4*16 KiB >= 64 KiB
  size_t total = 0;
  int n = oc.fill_iov(iov, 16, 64 * 1024);
  for (int i = 0; i < n; i++) total += iov[i].iov_len;
  CHECK_EQ(total, 64 + 4 * kMin);
  // Without a static part the first block counts first.
  oc.consume(64);
  CHECK_EQ(oc.fill_iov(iov, 16, 1), 1);
  CHECK_EQ(iov[0].iov_len, kMin);
}

TEST(consume_across_static_and_blocks) {
  OutputChain oc(64);
  std::string all;
  std::string st = pattern(64, 20);
  append(oc, st);
  all += st;
  for (int i = 0; i < 3; i++) {
    std::string b = pattern(kMin, 21 + static_cast<size_t>(i));
    append(oc, b);
    all += b;
  }
  REQUIRE_EQ(oc.block_count(), 3u);
  CHECK_EQ(oc.pending(), all.size());
  // Part of the static buffer.
  oc.consume(10);
  CHECK_EQ(oc.pending(), all.size() - 10);
  CHECK_EQ(gather(oc), all.substr(10));
  // The rest of it and part of the first block.
  oc.consume(54 + 100);
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.block_count(), 3u);
  CHECK_EQ(gather(oc), all.substr(164));
  struct iovec iov[8];
  REQUIRE_EQ(oc.fill_iov(iov, 8, SIZE_MAX), 3);
  CHECK_EQ(iov[0].iov_len, kMin - 100);
  // Across a block boundary: the first block is freed.
  oc.consume(kMin - 100 + 5);
  CHECK_EQ(oc.block_count(), 2u);
  CHECK_EQ(oc.block_memory(), 2 * (kMin + kOver));
  CHECK_EQ(gather(oc), all.substr(64 + kMin + 5));
  // Exactly to the end of a block.
  oc.consume(kMin - 5);
  CHECK_EQ(oc.block_count(), 1u);
  CHECK_EQ(gather(oc), all.substr(64 + 2 * kMin));
  // Everything, and more than there is.
  oc.consume(kMin + 1000);
  CHECK(oc.empty());
  CHECK_EQ(oc.pending(), 0u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.block_memory(), 0u);
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.memory(), 64u);  // the static buffer stays allocated
  oc.consume(5);
  CHECK_EQ(oc.pending(), 0u);
}

TEST(drain_in_odd_steps_keeps_order) {
  for (size_t step : {1u, 7u, 63u, 64u, 65u, 4096u, 16383u, 16385u, 100000u}) {
    OutputChain oc(100);
    std::string all;
    for (size_t i = 0; i < 40; i++) {
      std::string piece = pattern(1 + (i * 977) % 5000, i);
      append(oc, piece);
      all += piece;
    }
    if (step == 1) {
      // Byte by byte is slow over everything; use a smaller chain.
      oc.clear();
      all = pattern(3000, 3);
      append(oc, all.substr(0, 150));
      append(oc, all.substr(150));
    }
    std::string out = drain(oc, step);
    if (out != all) FAIL("drain with step " + std::to_string(step) + " reordered bytes");
    CHECK(oc.empty());
    CHECK_EQ(oc.block_count(), 0u);
    CHECK_EQ(oc.block_memory(), 0u);
  }
}

TEST(interleaved_append_and_consume) {
  OutputChain oc(256);
  std::string expect, got;
  size_t seed = 1;
  for (int round = 0; round < 400; round++) {
    seed = seed * 1103515245 + 12345;
    std::string piece = pattern(1 + (seed >> 8) % 3000, seed);
    append(oc, piece);
    expect += piece;
    CHECK_EQ(oc.pending(), expect.size() - got.size());
    seed = seed * 1103515245 + 12345;
    size_t want = (seed >> 8) % 4000;
    struct iovec iov[8];
    int n = oc.fill_iov(iov, 8, 8192);
    size_t taken = 0;
    for (int i = 0; i < n && taken < want; i++) {
      size_t k = std::min(want - taken, iov[i].iov_len);
      got.append(static_cast<const char*>(iov[i].iov_base), k);
      taken += k;
    }
    oc.consume(taken);
    if (oc.block_count() > 0 && oc.static_used() > 0) {
      // Blocks exist only after the static buffer filled up.
      CHECK_EQ(oc.static_used(), 256u);
    }
  }
  got += drain(oc, 5000);
  CHECK(got == expect);
  CHECK_EQ(oc.block_memory(), 0u);
}

TEST(peak_tracking) {
  OutputChain oc(64);
  append(oc, pattern(40));
  CHECK_EQ(oc.static_peak(), 40u);
  oc.consume(40);
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.static_peak(), 40u);  // the peak remains
  append(oc, pattern(10));
  CHECK_EQ(oc.static_peak(), 40u);
  oc.reset_peak();
  CHECK_EQ(oc.static_peak(), 10u);
  append(oc, pattern(100));
  CHECK_EQ(oc.static_peak(), 64u);  // never above the static size
  oc.consume(oc.pending());
  oc.reset_peak();
  CHECK_EQ(oc.static_peak(), 0u);
}

TEST(clear_drops_everything) {
  OutputChain oc(64);
  append(oc, pattern(64));
  append(oc, pattern(40000));
  append(oc, pattern(10));
  oc.consume(30);
  REQUIRE(oc.block_count() > 0);
  oc.clear();
  CHECK(oc.empty());
  CHECK_EQ(oc.pending(), 0u);
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.block_memory(), 0u);
  struct iovec iov[4];
  CHECK_EQ(oc.fill_iov(iov, 4, SIZE_MAX), 0);
  // Usable again, starting with the static buffer.
  append(oc, "ok");
  CHECK_EQ(oc.static_used(), 2u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(gather(oc), "ok");
}

TEST(resize_static_only_when_empty) {
  OutputChain oc;
  append(oc, "abc");
  CHECK(!oc.resize_static(1024));
  CHECK_EQ(oc.static_size(), OutputChain::kDefaultStaticSize);
  CHECK_EQ(gather(oc), "abc");
  oc.consume(1);
  CHECK(!oc.resize_static(1024));  // still holds unsent bytes
  oc.consume(2);
  CHECK(!oc.resize_static(0));
  CHECK(oc.resize_static(1024));
  CHECK_EQ(oc.static_size(), 1024u);
  CHECK_EQ(oc.memory(), 1024u);  // reallocated on next use, counted at its new size
  CHECK_EQ(oc.static_peak(), 3u);
  // The new size is what the static buffer holds before overflowing.
  append(oc, pattern(1024));
  CHECK_EQ(oc.static_used(), 1024u);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK_EQ(oc.memory(), 1024u);
  append(oc, "x");
  CHECK_EQ(oc.block_count(), 1u);
  CHECK_EQ(oc.memory(), 1024 + kMin + kOver);
  CHECK(gather(oc) == pattern(1024) + "x");
  // Shrinking below the peak clamps the peak.
  oc.consume(oc.pending());
  CHECK_EQ(oc.static_peak(), 1024u);
  CHECK(oc.resize_static(100));
  CHECK_EQ(oc.static_peak(), 100u);
  // Growing.
  CHECK(oc.resize_static(32 * 1024));
  append(oc, pattern(20000));
  CHECK_EQ(oc.static_used(), 20000u);
  CHECK_EQ(oc.block_count(), 0u);
}

TEST(resize_static_with_only_blocks_pending) {
  OutputChain oc(64);
  std::string a = pattern(64, 30), b = pattern(100, 31);
  append(oc, a);
  append(oc, b);
  oc.consume(64);  // static empty, one block queued
  REQUIRE_EQ(oc.static_used(), 0u);
  REQUIRE_EQ(oc.block_count(), 1u);
  // Whether or not it is allowed here (the static buffer holds nothing), the queued block and
  // later appends must come out intact.
  bool resized = oc.resize_static(128);
  CHECK_EQ(gather(oc), b);
  append(oc, "c");
  CHECK_EQ(oc.static_used(), 0u);
  CHECK_EQ(gather(oc), b + "c");
  oc.consume(101);
  CHECK(oc.empty());
  size_t size = resized ? 128 : 64;
  CHECK_EQ(oc.static_size(), size);
  append(oc, pattern(size, 32));
  CHECK_EQ(oc.static_used(), size);
  CHECK_EQ(oc.block_count(), 0u);
  CHECK(gather(oc) == pattern(size, 32));
}

TEST(writev_round_trip_over_socketpair) {
  int sv[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  for (int fd : sv) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int small = 4096;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));

  OutputChain oc(1024);
  std::string sent;
  size_t seed = 7;
  for (int i = 0; i < 300; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string piece = pattern(1 + (seed >> 33) % 4000, seed);
    append(oc, piece);
    sent += piece;
  }
  std::string received;
  int writes = 0, partial = 0;
  for (int guard = 0; guard < 200000 && (received.size() < sent.size()); guard++) {
    if (!oc.empty()) {
      struct iovec iov[64];
      int n = oc.fill_iov(iov, 64, 64 * 1024);
      size_t offered = 0;
      for (int i = 0; i < n; i++) offered += iov[i].iov_len;
      ssize_t w = ::writev(sv[0], iov, n);
      if (w > 0) {
        writes++;
        if (static_cast<size_t>(w) < offered) partial++;
        oc.consume(static_cast<size_t>(w));
      } else if (!(w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
        FAIL(std::string("writev: ") + strerror(errno));
        break;
      }
    }
    char buf[3000];
    ssize_t r = ::read(sv[1], buf, sizeof(buf));
    if (r > 0) {
      received.append(buf, static_cast<size_t>(r));
    } else if (r == 0) {
      FAIL("unexpected EOF");
      break;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      FAIL(std::string("read: ") + strerror(errno));
      break;
    }
  }
  CHECK_EQ(received.size(), sent.size());
  CHECK(received == sent);
  CHECK(oc.empty());
  CHECK_EQ(oc.block_count(), 0u);
  CHECK(writes > 1);
  CHECK(partial > 0);  // small socket buffers force partial writes
  ::close(sv[0]);
  ::close(sv[1]);
}

int main() { return RUN_ALL(); }
