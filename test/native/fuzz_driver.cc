// A small stand-in for libFuzzer where clang is not installed: runs every file of the corpus
// through LLVMFuzzerTestOneInput, then random mutations of them (bit flips, byte insertions,
// deletions, duplicated runs, splices of two inputs, RESP tokens dropped in) until the time is
// up. The seed is printed so that a run can be repeated; an input that crashes is written to
// <crash dir>/crash-<seed>-<n> first (from the signal handler).
//   fuzz_parser_standalone <corpus dir> <seconds> <crash dir> [seed]
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string current;
char crash_path[256];

void on_crash(int sig) {
  int fd = ::open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ssize_t w = ::write(fd, current.data(), current.size());
    (void)w;
    ::close(fd);
  }
  const char msg[] = "fuzz_parser: crashing input written to ";
  ssize_t w = ::write(2, msg, sizeof(msg) - 1);
  w = ::write(2, crash_path, std::strlen(crash_path));
  w = ::write(2, "\n", 1);
  (void)w;
  signal(sig, SIG_DFL);
  raise(sig);
}

std::vector<std::string> read_corpus(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::string path = dir + "/" + e->d_name;
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) continue;
    std::string s;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
    out.push_back(s);
  }
  closedir(d);
  return out;
}

const char* const kTokens[] = {"*", "$", "\r\n", "\n", "*-1\r\n", "$-1\r\n", "*2\r\n", "$3\r\nSET\r\n", "$100000\r\n",
                               "*1048577\r\n", "$9223372036854775807\r\n", "\"", "'", "\\x41", " ", "\0"};

std::string mutate(const std::vector<std::string>& corpus, std::mt19937_64& rng) {
  std::string s = corpus[rng() % corpus.size()];
  int rounds = 1 + static_cast<int>(rng() % 6);
  for (int r = 0; r < rounds; r++) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 7) {
      case 0:
        if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:
        s.insert(pos, 1, static_cast<char>(rng()));
        break;
      case 2:
        if (!s.empty()) s.erase(rng() % s.size(), 1 + rng() % 8);
        break;
      case 3:
        if (!s.empty()) {
          size_t from = rng() % s.size();
          std::string run = s.substr(from, 1 + rng() % 64);
          s.insert(pos, run);
        }
        break;
      case 4: {
        const std::string& o = corpus[rng() % corpus.size()];
        s = s.substr(0, pos) + o.substr(o.empty() ? 0 : rng() % o.size());
        break;
      }
      case 5: {
        const char* t = kTokens[rng() % (sizeof kTokens / sizeof kTokens[0])];
        s.insert(pos, t, *t ? std::strlen(t) : 1);
        break;
      }
      case 6:
        if (s.size() < (1 << 20)) s.append(s);
        break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <corpus dir> <seconds> <crash dir> [seed]\n", argv[0]);
    return 2;
  }
  std::vector<std::string> corpus = read_corpus(argv[1]);
  if (corpus.empty()) {
    std::fprintf(stderr, "no corpus files in %s\n", argv[1]);
    return 2;
  }
  double seconds = std::atof(argv[2]);
  const char* crash_dir = argv[3];
  uint64_t seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10)
                           : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::printf("fuzz_parser (standalone): %zu corpus inputs, %.0f s, seed %llu\n", corpus.size(), seconds,
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  signal(SIGABRT, on_crash);
  signal(SIGSEGV, on_crash);
  signal(SIGBUS, on_crash);
  std::mt19937_64 rng(seed);
  uint64_t runs = 0;
  std::snprintf(crash_path, sizeof crash_path, "%s/crash-%llu-corpus", crash_dir, static_cast<unsigned long long>(seed));
  for (const std::string& s : corpus) {
    current = s;
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    runs++;
  }
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    for (int i = 0; i < 256; i++) {
      current = mutate(corpus, rng);
      std::snprintf(crash_path, sizeof crash_path, "%s/crash-%llu-%llu", crash_dir, static_cast<unsigned long long>(seed),
                    static_cast<unsigned long long>(runs));
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(current.data()), current.size());
      runs++;
    }
  }
  std::printf("fuzz_parser: %llu inputs, no failure\n", static_cast<unsigned long long>(runs));
  return 0;
}
