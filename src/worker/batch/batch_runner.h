#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "history/history_client.h"
#include "persistence/job_store.h"
#include "persistence/namespace_store.h"
#include "persistence/visibility_store.h"
#include "worker/batch/batch_job.h"

namespace zaman::worker::batch {

struct BatchRunnerOptions {
  // How often the store is asked for jobs that are due.
  absl::Duration poll_interval = absl::Seconds(1);
  // A runner that took a job and went silent (killed) for this long loses
  // it to the next runner, which starts from the job's last checkpoint.
  absl::Duration lease = absl::Seconds(30);
  // Runs listed at a time.
  int page_size = 100;
  // Jobs looked at per poll.
  int jobs_per_poll = 10;
};

// The worker role's batch operations: takes the batch jobs that are due,
// applies their operation to the runs they name, one page of a visibility
// listing at a time, through the history engine, at the job's rate, and
// records its progress in the job after every pass. Every pass first takes
// the job by compare-and-set, so of several runners (hosts) on one store
// only one works a job at a time. A pass interrupted (kill -9) is repeated
// from the last checkpoint by whoever takes the job next: terminate,
// cancel and delete are idempotent, and signals and resets carry a request
// id derived from the job and the run, which history applies once.
// Ended jobs are deleted when the namespace's retention has passed since
// they closed. Owned by the server wiring; passes run on the blocking
// pool, one at a time.
class BatchRunner {
 public:
  BatchRunner(persistence::JobStore& jobs, persistence::NamespaceStore& namespaces,
              persistence::VisibilityStore& visibility, history::HistoryClient& history, Clock& clock,
              TimerService& timers, ThreadPool& pool, BatchRunnerOptions options = {});
  ~BatchRunner();

  // The first poll runs one poll interval from now.
  void Start();
  // No pass starts after this returns.
  void Stop();

  // One pass over the jobs due now, each worked as far as its rate allows,
  // blocking. Returns how many operations were applied.
  int64_t RunDue();

 private:
  // Operations a job may apply now: a token bucket per job, as large as
  // one second of its rate. Kept in memory; a runner that takes a job anew
  // starts with a full one.
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  // Where one pass got to in the runs of a query.
  struct PageCursor {
    bool loaded = false;
    std::vector<temporal::api::common::v1::WorkflowExecution> runs;
    size_t next = 0;
    std::string next_page_token;
  };

  void ScheduleNext();
  int64_t Work(const persistence::StoredJob& stored);
  // Deletes an ended job once retention has passed, or sleeps until then.
  void Retire(const persistence::StoredJob& stored, const BatchJob& job, absl::Duration retention, absl::Time now);
  // The next run to act on (nullopt: none left), moving the job's page
  // position past exhausted pages.
  absl::StatusOr<std::optional<temporal::api::common::v1::WorkflowExecution>> NextRun(
      const history::NamespaceRef& ns, BatchJob& job, PageCursor& cursor);
  absl::Status Apply(const history::NamespaceRef& ns, const BatchJob& job,
                     const temporal::api::common::v1::WorkflowExecution& execution);
  absl::StatusOr<int64_t> ResetPoint(const history::NamespaceRef& ns, const BatchJob& job,
                                     const temporal::api::common::v1::WorkflowExecution& execution);
  // Writes the pass's progress (compare-and-set on the version the claim
  // left). A job stopped meanwhile keeps its stopped state and gains the
  // pass's counts.
  void Checkpoint(persistence::StoredJob claimed, const BatchJob& before, const BatchJob& after,
                  absl::Time wake_at);

  persistence::JobStore& jobs_;
  persistence::NamespaceStore& namespaces_;
  persistence::VisibilityStore& visibility_;
  history::HistoryClient& history_;
  Clock& clock_;
  TimerService& timers_;
  ThreadPool& pool_;
  const BatchRunnerOptions options_;

  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = true;
  TimerService::TimerId timer_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex pass_mu_;  // one pass at a time
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(pass_mu_);
};

}  // namespace zaman::worker::batch
