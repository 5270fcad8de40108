// IO threads, Redis's fan-out/fan-in (networking.c:IOThreadMain): the main thread deals jobs to
// N-1 helper threads, does its own share, and waits until every helper is done. Helpers spin a
// little on their start counter, then sleep on a condition variable, so an idle server costs
// nothing. Commands never run here: the pool only reads/parses and writes (see engine.cc).
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace respd {

class IoThreadPool {
 public:
  // `threads` counts the main thread, as io-threads does: threads - 1 helpers are started,
  // named io_thd_<i>.
  explicit IoThreadPool(int threads);
  ~IoThreadPool();
  IoThreadPool(const IoThreadPool&) = delete;
  IoThreadPool& operator=(const IoThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs job(i) on helper i for 1 <= i < threads() and job(0) on the caller; returns once all
  // are done. The job's writes are visible to the caller afterwards.
  void run(const std::function<void(int)>& job);

 private:
  struct Worker {
    std::thread thread;
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<uint64_t> generation{0};
  };
  void main_loop(int index);

  std::vector<std::unique_ptr<Worker>> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<int> remaining_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace respd
