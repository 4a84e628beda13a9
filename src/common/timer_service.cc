#include "common/timer_service.h"

#include <vector>

namespace zaman {

TimerService::TimerService(Clock& clock, bool run_thread) : clock_(clock) {
  if (run_thread) thread_ = std::thread([this] { Loop(); });
}

TimerService::~TimerService() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

TimerService::TimerId TimerService::Schedule(absl::Time at, std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  TimerId id = next_id_++;
  timers_.emplace(std::make_pair(at, id), std::move(callback));
  due_by_id_.emplace(id, at);
  changed_.SignalAll();
  return id;
}

bool TimerService::Cancel(TimerId id) {
  absl::MutexLock lock(&mu_);
  auto it = due_by_id_.find(id);
  if (it == due_by_id_.end()) return false;
  timers_.erase({it->second, id});
  due_by_id_.erase(it);
  return true;
}

int TimerService::RunDue() {
  std::vector<std::function<void()>> due;
  {
    absl::MutexLock lock(&mu_);
    absl::Time now = clock_.Now();
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
      due_by_id_.erase(timers_.begin()->first.second);
      due.push_back(std::move(timers_.begin()->second));
      timers_.erase(timers_.begin());
    }
  }
  for (auto& callback : due) callback();
  return static_cast<int>(due.size());
}

void TimerService::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      absl::Time next = timers_.empty() ? clock_.Now() + absl::Seconds(1) : timers_.begin()->first.first;
      absl::Duration wait = next - clock_.Now();
      if (wait > absl::ZeroDuration()) {
        // Wakes early when a sooner timer is scheduled; the cap keeps a
        // clock that jumps from leaving us asleep for long.
        changed_.WaitWithTimeout(&mu_, std::min(wait, absl::Seconds(1)));
        continue;
      }
    }
    RunDue();
  }
}

}  // namespace zaman
