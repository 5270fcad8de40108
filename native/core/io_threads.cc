#include "io_threads.h"

#include <pthread.h>
#include <sched.h>

#include <string>

namespace respd {
namespace {

// A few µs of spinning before a helper sleeps: enough to catch the next batch of a
// busy server without a wake-up, short enough not to burn a core that redis-benchmark or the
// main thread needs on a machine with few cores (Redis spins up to 1M iterations).
constexpr int kSpinBeforeSleep = 300;
constexpr int kSpinBeforeYield = 1 << 12;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

IoThreadPool::IoThreadPool(int threads) {
  for (int i = 1; i < threads; i++) workers_.push_back(std::make_unique<Worker>());
  for (int i = 1; i < threads; i++) {
    Worker& w = *workers_[i - 1];
    w.thread = std::thread([this, i] { main_loop(i); });
#if defined(__linux__)
    std::string name = "io_thd_" + std::to_string(i);
    pthread_setname_np(w.thread.native_handle(), name.c_str());
#endif
  }
}

IoThreadPool::~IoThreadPool() {
  stop_.store(true);
  for (auto& w : workers_) {
    {
      std::lock_guard<std::mutex> lk(w->mu);
      w->generation.fetch_add(1);
    }
    w->cv.notify_one();
  }
  for (auto& w : workers_) w->thread.join();
}

void IoThreadPool::main_loop(int index) {
  Worker& w = *workers_[index - 1];
  uint64_t seen = 0;
  for (;;) {
    int spins = 0;
    uint64_t g;
    while ((g = w.generation.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinBeforeSleep) {
        cpu_relax();
        continue;
      }
      std::unique_lock<std::mutex> lk(w.mu);
      w.cv.wait(lk, [&] { return w.generation.load(std::memory_order_acquire) != seen; });
    }
    seen = g;
    if (stop_.load()) return;
    (*job_)(index);
    remaining_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void IoThreadPool::run(const std::function<void(int)>& job) {
  job_ = &job;
  remaining_.store(static_cast<int>(workers_.size()), std::memory_order_release);
  for (auto& w : workers_) {
    {
      std::lock_guard<std::mutex> lk(w->mu);
      w->generation.fetch_add(1, std::memory_order_release);
    }
    w->cv.notify_one();
  }
  job(0);
  int spins = 0;
  while (remaining_.load(std::memory_order_acquire) > 0) {
    if (++spins < kSpinBeforeYield) {
      cpu_relax();
    } else {
      sched_yield();
    }
  }
}

}  // namespace respd
