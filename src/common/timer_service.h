#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace zaman {

// Runs callbacks at points in time read from an injected Clock. With the
// real clock, a background thread sleeps until the next one is due; with a
// fake clock, tests move time and call RunDue(). Callbacks run on that thread
// (or in RunDue's caller) and must be short: post real work elsewhere.
// Thread-safe.
class TimerService {
 public:
  using TimerId = uint64_t;

  // `run_thread`: false for fake-clock tests that drive RunDue() themselves.
  TimerService(Clock& clock, bool run_thread);
  ~TimerService();

  TimerId Schedule(absl::Time at, std::function<void()> callback);
  // True if the timer had not fired yet (it now never will).
  bool Cancel(TimerId id);

  // Runs every callback due at the clock's current time. Returns how many.
  int RunDue();

  Clock& clock() { return clock_; }

 private:
  void Loop();

  Clock& clock_;
  absl::Mutex mu_;
  // Ordered by (due time, id): ids break ties in scheduling order.
  std::map<std::pair<absl::Time, TimerId>, std::function<void()>> timers_ ABSL_GUARDED_BY(mu_);
  std::map<TimerId, absl::Time> due_by_id_ ABSL_GUARDED_BY(mu_);
  TimerId next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::CondVar changed_;
  std::thread thread_;
};

}  // namespace zaman
