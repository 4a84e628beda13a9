#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "matching/matching_client.h"

namespace zaman::matching {

// Events per second over the last kRateWindow, counted in buckets of
// kRateBucket: what DescribeTaskQueue reports as tasks_add_rate and
// tasks_dispatch_rate (Temporal's matching averages over the same 30
// seconds). A window younger than kRateWindow divides by its age instead,
// but by one second at least, so a first burst does not read as thousands
// per second. Not thread-safe; TaskQueueRates guards it.
class RateWindow {
 public:
  static constexpr absl::Duration kRateWindow = absl::Seconds(30);
  static constexpr absl::Duration kRateBucket = absl::Seconds(5);

  explicit RateWindow(absl::Time now) : started_(now), bucket_start_(now) {}

  void Count(absl::Time now, int64_t n = 1);
  double PerSecond(absl::Time now);
  // When the last event was counted.
  absl::Time last_count() const { return last_count_; }

 private:
  static constexpr int kBuckets = 6;  // kRateWindow / kRateBucket
  // Moves the current bucket up to `now`, emptying the buckets it passes.
  void Roll(absl::Time now);

  absl::Time started_;
  absl::Time bucket_start_;  // start of buckets_[current_]
  absl::Time last_count_ = absl::InfinitePast();
  int current_ = 0;
  std::array<int64_t, kBuckets> buckets_{};
};

// The add and dispatch rates of every task queue (partition) this host
// serves. Thread-safe.
class TaskQueueRates {
 public:
  explicit TaskQueueRates(Clock& clock) : clock_(clock) {}

  // A new task came to the queue (matched at once or not).
  void Added(const TaskQueueKey& queue);
  // A worker's poll got one of the queue's tasks.
  void Dispatched(const TaskQueueKey& queue);

  struct Rates {
    double added = 0;
    double dispatched = 0;
  };
  Rates Of(const TaskQueueKey& queue);

 private:
  struct Windows {
    RateWindow added;
    RateWindow dispatched;
  };
  Windows& WindowsOf(const TaskQueueKey& queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets the queues nothing happened on for a whole window (they rate 0).
  void ForgetIdle(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock& clock_;
  absl::Mutex mu_;
  std::map<TaskQueueKey, Windows> windows_ ABSL_GUARDED_BY(mu_);
  absl::Time next_forget_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace zaman::matching
