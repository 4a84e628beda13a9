#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"
#include "worker/schedule/spec.h"
#include "zaman/persistence/v1/schedule.pb.h"

namespace zaman::worker::schedule {

namespace wsv1 = ::temporal::api::workflowservice::v1;
using ScheduleRecord = ::zaman::persistence::v1::ScheduleRecord;

// What a schedule does to workflows: the history role's calls, as the
// worker role reaches them. Blocking.
class WorkflowActions {
 public:
  virtual ~WorkflowActions() = default;

  // AlreadyExists (WorkflowExecutionAlreadyStarted) when the id is taken.
  virtual absl::StatusOr<wsv1::StartWorkflowExecutionResponse> Start(const std::string& namespace_name,
                                                                     wsv1::StartWorkflowExecutionRequest request) = 0;
  // How the latest run of `workflow_id` stands; NotFound when there is none.
  struct RunState {
    temporal::api::enums::v1::WorkflowExecutionStatus status{};
    std::string first_execution_run_id;
    std::optional<temporal::api::common::v1::Payloads> result;     // completed
    std::optional<temporal::api::failure::v1::Failure> failure;    // failed
  };
  virtual absl::StatusOr<RunState> Describe(const std::string& namespace_name, const std::string& workflow_id) = 0;
  virtual absl::Status Cancel(const std::string& namespace_name, const temporal::api::common::v1::WorkflowExecution& run,
                              const std::string& identity, const std::string& reason) = 0;
  virtual absl::Status Terminate(const std::string& namespace_name,
                                 const temporal::api::common::v1::WorkflowExecution& run, const std::string& identity,
                                 const std::string& reason) = 0;
};

// Temporal's fixed policies for schedules.
inline constexpr absl::Duration kDefaultCatchupWindow = absl::Hours(365 * 24);
inline constexpr absl::Duration kMinCatchupWindow = absl::Seconds(10);
inline constexpr int kMaxBufferSize = 1000;
inline constexpr int kRecentActions = 10;
inline constexpr int kFutureActions = 10;
inline constexpr int kRecentActionsInList = 5;
inline constexpr int kFutureActionsInList = 5;
inline constexpr int kBackfillsPerRun = 10;
// How long a schedule with nothing left to do is kept before it is deleted.
inline constexpr absl::Duration kIdleRetention = absl::Hours(7 * 24);
// How often a schedule waiting for its running workflow to close looks again.
inline constexpr absl::Duration kWatchInterval = absl::Seconds(1);
inline constexpr absl::string_view kNamespaceDivision = "TemporalScheduler";
inline constexpr absl::string_view kVisibilityWorkflowType = "temporal-sys-scheduler-workflow";
inline constexpr absl::string_view kVisibilityWorkflowIdPrefix = "temporal-sys-scheduler:";
inline constexpr absl::string_view kMemoInfoField = "ScheduleInfo";

// One schedule's state machine: what Temporal's scheduler workflow does at
// each wake-up, run by the worker role on the schedule's stored record.
// Not thread-safe: its owner holds the schedule while it works.
class Scheduler {
 public:
  // `record` is changed in place. InvalidArgument when its spec does not compile.
  static absl::StatusOr<Scheduler> Open(ScheduleRecord& record, std::string jitter_seed, WorkflowActions& actions);

  // Sets defaults (overlap policy, catch-up window) and the first processed
  // time of a new schedule.
  void Initialize(absl::Time now);

  // Takes every action due up to `now` (scheduled times inside the catch-up
  // window, backfills, buffered starts whose turn has come), and returns when
  // it must run again: InfiniteFuture when only a change can give it work;
  // Deleted() is true once an idle schedule's retention has run out.
  absl::Time Run(absl::Time now);
  bool Deleted() const { return deleted_; }

  // PatchSchedule: trigger, backfills, pause / unpause. Run() takes the actions.
  void Patch(const temporal::api::schedule::v1::SchedulePatch& patch, absl::Time now);
  // UpdateSchedule: a new schedule (spec already canonical) and, when set,
  // new search attributes. InvalidArgument when the spec does not compile.
  absl::Status Update(const temporal::api::schedule::v1::Schedule& schedule,
                      const temporal::api::common::v1::SearchAttributes* search_attributes, absl::Time now);

  // Up to `n` action times after the last processed time.
  std::vector<absl::Time> FutureActionTimes(int n) const;
  // Action times from `start` through `end` (ListScheduleMatchingTimes).
  std::vector<absl::Time> MatchingTimes(absl::Time start, absl::Time end) const;
  // The summary ListSchedules shows.
  temporal::api::schedule::v1::ScheduleListInfo ListInfo() const;

 private:
  Scheduler(ScheduleRecord& record, std::optional<CompiledSpec> spec, std::string jitter_seed,
            WorkflowActions& actions)
      : record_(&record), spec_(std::move(spec)), jitter_seed_(std::move(jitter_seed)), actions_(&actions) {}

  struct RangeResult {
    absl::Time next_wakeup = absl::InfiniteFuture();
    absl::Time last_action;
  };
  RangeResult ProcessTimeRange(absl::Time start, absl::Time end, temporal::api::enums::v1::ScheduleOverlapPolicy policy,
                               bool manual, int* limit);
  void ProcessBackfills();
  bool ProcessBuffer(absl::Time now);
  void Refresh();
  void AddStart(absl::Time nominal, absl::Time actual, temporal::api::enums::v1::ScheduleOverlapPolicy policy,
                bool manual);
  absl::StatusOr<temporal::api::schedule::v1::ScheduleActionResult> StartWorkflow(
      const persistence::v1::BufferedStart& start, absl::Time now);
  // The overlap policy and catch-up window the schedule runs with.
  void SetPolicyDefaults();
  bool CanTakeScheduledAction(bool manual, bool decrement);
  temporal::api::enums::v1::ScheduleOverlapPolicy Resolve(temporal::api::enums::v1::ScheduleOverlapPolicy p) const;
  absl::Duration CatchupWindow() const;
  bool HasMoreAllowAllBackfills() const;
  absl::Time LastEvent() const;
  std::optional<ActionTime> NextTime(absl::Time after) const;
  std::string Identity() const;

  ScheduleRecord* record_;
  std::optional<CompiledSpec> spec_;  // nullopt: the stored spec no longer compiles
  std::string jitter_seed_;
  WorkflowActions* actions_;
  bool deleted_ = false;
  bool retry_soon_ = false;  // a start failed on an unreachable history
};

// Workflow id of the started run: the action's id, "-", the nominal time
// (UTC, whole seconds, RFC 3339), as Temporal names them.
std::string StartedWorkflowId(const std::string& base, absl::Time nominal);

}  // namespace zaman::worker::schedule
