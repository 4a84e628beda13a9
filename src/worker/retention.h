#pragma once

#include <atomic>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "history/history_client.h"
#include "persistence/namespace_store.h"
#include "persistence/visibility_store.h"

namespace zaman::worker {

// The worker role's retention job: every `interval` it deletes, in every
// namespace, the runs that closed longer ago than the namespace's retention
// period (history, state and visibility row), as Temporal does. It finds
// them through visibility, so a run is deleted within one interval (plus
// visibility's few seconds) of its retention running out. Owned by the
// server wiring; sweeps run on the blocking pool, one at a time.
class RetentionScanner {
 public:
  RetentionScanner(persistence::NamespaceStore& namespaces, persistence::VisibilityStore& visibility,
                   history::HistoryClient& history, Clock& clock, TimerService& timers, ThreadPool& pool,
                   absl::Duration interval);
  ~RetentionScanner();

  // The first sweep runs one interval from now.
  void Start();
  // No sweep starts after this returns.
  void Stop();

  // One pass over every namespace, blocking until every deletion it asked
  // for is done. Returns how many runs were deleted.
  int64_t Sweep();

 private:
  void ScheduleNext();

  persistence::NamespaceStore& namespaces_;
  persistence::VisibilityStore& visibility_;
  history::HistoryClient& history_;
  Clock& clock_;
  TimerService& timers_;
  ThreadPool& pool_;
  const absl::Duration interval_;

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = true;
  TimerService::TimerId timer_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex sweep_mu_;  // one sweep at a time
};

}  // namespace zaman::worker
