#include "matching/task_rates.h"

#include <algorithm>

namespace zaman::matching {

void RateWindow::Roll(absl::Time now) {
  if (now < bucket_start_ + kRateBucket) return;
  absl::Duration rest;
  const int64_t passed = absl::IDivDuration(now - bucket_start_, kRateBucket, &rest);
  for (int64_t i = 0; i < std::min<int64_t>(passed, kBuckets); ++i) {
    current_ = (current_ + 1) % kBuckets;
    buckets_[current_] = 0;
  }
  bucket_start_ += passed * kRateBucket;
}

void RateWindow::Count(absl::Time now, int64_t n) {
  Roll(now);
  buckets_[current_] += n;
  last_count_ = now;
}

double RateWindow::PerSecond(absl::Time now) {
  Roll(now);
  int64_t total = 0;
  for (int64_t count : buckets_) total += count;
  // The buckets cover the older whole ones plus the current one so far.
  const absl::Duration covered =
      std::min((kBuckets - 1) * kRateBucket + (now - bucket_start_), now - started_);
  return static_cast<double>(total) / absl::ToDoubleSeconds(std::max(covered, absl::Seconds(1)));
}

TaskQueueRates::Windows& TaskQueueRates::WindowsOf(const TaskQueueKey& queue) {
  const absl::Time now = clock_.Now();
  ForgetIdle(now);
  auto it = windows_.find(queue);
  if (it == windows_.end()) it = windows_.emplace(queue, Windows{RateWindow(now), RateWindow(now)}).first;
  return it->second;
}

void TaskQueueRates::ForgetIdle(absl::Time now) {
  if (now < next_forget_) return;
  next_forget_ = now + RateWindow::kRateWindow;
  for (auto it = windows_.begin(); it != windows_.end();) {
    const absl::Time last = std::max(it->second.added.last_count(), it->second.dispatched.last_count());
    it = now - last > RateWindow::kRateWindow ? windows_.erase(it) : std::next(it);
  }
}

void TaskQueueRates::Added(const TaskQueueKey& queue) {
  absl::MutexLock lock(&mu_);
  WindowsOf(queue).added.Count(clock_.Now());
}

void TaskQueueRates::Dispatched(const TaskQueueKey& queue) {
  absl::MutexLock lock(&mu_);
  WindowsOf(queue).dispatched.Count(clock_.Now());
}

TaskQueueRates::Rates TaskQueueRates::Of(const TaskQueueKey& queue) {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(queue);
  if (it == windows_.end()) return {};
  const absl::Time now = clock_.Now();
  return {it->second.added.PerSecond(now), it->second.dispatched.PerSecond(now)};
}

}  // namespace zaman::matching
