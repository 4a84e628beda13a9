#pragma once

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/thread_pool.h"
#include "common/timer_service.h"
#include "history/history_client.h"
#include "persistence/job_store.h"
#include "persistence/visibility_store.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"
#include "worker/schedule/scheduler.h"

namespace zaman::worker::schedule {

// The worker role's schedules: each one a job in the JobStore (its state a
// ScheduleRecord) and a visibility row (as Temporal lists them: workflow
// `temporal-sys-scheduler:<id>` in namespace division TemporalScheduler),
// woken on the clock when its next action is due. The RPCs' requests are
// validated by the frontend; here they are applied. Blocking and
// thread-safe: changes of one schedule are serialized (and compare-and-set
// in the store, so that two hosts never both apply one).
class ScheduleService {
 public:
  ScheduleService(persistence::JobStore& jobs, persistence::VisibilityStore& visibility, WorkflowActions& actions,
                  Clock& clock, TimerService& timers, ThreadPool& pool, Random& random);
  ~ScheduleService();

  // Wakes the schedules already due (after a restart: the actions missed
  // while the server was down, inside their catch-up windows), then each
  // when it is due.
  void Start();
  // No schedule is run after this returns.
  void Stop();

  using NamespaceRef = history::NamespaceRef;
  absl::StatusOr<wsv1::CreateScheduleResponse> Create(const NamespaceRef& ns, const wsv1::CreateScheduleRequest& request);
  absl::StatusOr<wsv1::DescribeScheduleResponse> Describe(const NamespaceRef& ns, const std::string& schedule_id);
  absl::Status Update(const NamespaceRef& ns, const wsv1::UpdateScheduleRequest& request);
  absl::Status Patch(const NamespaceRef& ns, const std::string& schedule_id,
                     const temporal::api::schedule::v1::SchedulePatch& patch);
  absl::StatusOr<wsv1::ListScheduleMatchingTimesResponse> ListMatchingTimes(
      const NamespaceRef& ns, const wsv1::ListScheduleMatchingTimesRequest& request);
  absl::Status Delete(const NamespaceRef& ns, const std::string& schedule_id);
  absl::StatusOr<wsv1::ListSchedulesResponse> List(const NamespaceRef& ns, const wsv1::ListSchedulesRequest& request);
  absl::StatusOr<wsv1::CountSchedulesResponse> Count(const NamespaceRef& ns, const std::string& query);

  // Runs every schedule due now (the timer's work; tests call it too).
  void RunDue();

 private:
  // Loads the schedule, applies `change` and then what is due, stores it
  // (compare-and-set, again from a fresh read when another writer won) and
  // its visibility row, and arms the wake-up. NotFound when it is gone.
  absl::Status Mutate(const std::string& namespace_id, const std::string& schedule_id,
                      const std::function<absl::Status(Scheduler&, ScheduleRecord&, absl::Time now)>& change,
                      ScheduleRecord* out = nullptr);
  absl::Status WriteVisibility(const std::string& namespace_id, const ScheduleRecord& record, const Scheduler& scheduler,
                               int64_t version);
  absl::StatusOr<ScheduleRecord> Load(const std::string& namespace_id, const std::string& schedule_id,
                                      int64_t* version = nullptr);
  void Arm(absl::Time wake);
  absl::Mutex& LockFor(const std::string& namespace_id, const std::string& schedule_id);

  persistence::JobStore& jobs_;
  persistence::VisibilityStore& visibility_;
  WorkflowActions& actions_;
  Clock& clock_;
  TimerService& timers_;
  ThreadPool& pool_;
  Random& random_;

  std::array<absl::Mutex, 64> schedule_locks_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = true;
  TimerService::TimerId timer_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time armed_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  absl::Mutex run_mu_;  // one RunDue at a time
};

// Every this long the service looks for due schedules even when it knows of
// none (another host may have changed one).
inline constexpr absl::Duration kDuePollInterval = absl::Seconds(10);

}  // namespace zaman::worker::schedule
