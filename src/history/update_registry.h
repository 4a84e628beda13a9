#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "common/timer_service.h"
#include "history/shard.h"
#include "temporal/api/enums/v1/update.pb.h"
#include "temporal/api/update/v1/message.pb.h"

namespace zaman::history {

// Workflow Updates in flight, per run, on this history host. An update
// lives here from admission until it is rejected or completed; only its
// acceptance and completion are durable (events in the run's history, and
// MutableState.updates). Admitted updates are lost with the host, as in
// Temporal: the caller's retry admits them again. Thread-safe; callbacks
// run without the lock held, on the caller's thread or the timer thread.
class UpdateRegistry {
 public:
  using Request = ::temporal::api::update::v1::Request;
  using Outcome = ::temporal::api::update::v1::Outcome;
  using Stage = ::temporal::api::enums::v1::UpdateWorkflowExecutionLifecycleStage;

  // Where an update stands, as UpdateWorkflowExecution reports it.
  struct Result {
    absl::Status error;  // the run closed before the update was accepted
    Stage stage = ::temporal::api::enums::v1::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED;
    std::optional<Outcome> outcome;
  };

  explicit UpdateRegistry(TimerService& timers) : timers_(timers) {}

  // Admits `request` unless the run already has an update with its id.
  // Returns whether it was new.
  bool Admit(const RunKey& run, const Request& request);
  // Tracks an update known only from the run's state (accepted before a
  // restart), so its completion reaches waiters.
  void TrackAccepted(const RunKey& run, const std::string& update_id);
  bool Has(const RunKey& run, const std::string& update_id);
  // Whether the run has any update here.
  bool Tracks(const RunKey& run);
  // Drops an admission whose mutation failed.
  void Forget(const RunKey& run, const std::string& update_id);

  // Admitted updates the worker has not answered, oldest first; they are
  // recorded as sent with the workflow task `started_event_id`.
  std::vector<Request> TakeForTask(const RunKey& run, int64_t started_event_id);
  // Admitted updates not yet sent with any workflow task.
  bool HasUnsent(const RunKey& run);
  // Updates sent with `started_event_id` that the worker neither accepted
  // nor rejected.
  std::vector<std::string> SentWith(const RunKey& run, int64_t started_event_id);
  // The request the worker accepted (kept as admitted), if still here.
  std::optional<Request> RequestOf(const RunKey& run, const std::string& update_id);

  // After the change is committed:
  void Accepted(const RunKey& run, const std::string& update_id);
  void Completed(const RunKey& run, const std::string& update_id, const Outcome& outcome);
  // The run closed: accepted updates fail, admitted ones get `admitted_error`.
  void RunClosed(const RunKey& run, const absl::Status& admitted_error);

  // Calls `then` once the update reaches `stage` (or completes, or fails),
  // or at `deadline` with the stage reached so far. NotFound if unknown.
  void Wait(const RunKey& run, const std::string& update_id, Stage stage, absl::Time deadline,
            std::function<void(Result)> then);

 private:
  struct Waiter {
    uint64_t id;
    Stage stage;
    std::function<void(Result)> then;
    TimerService::TimerId timer;
  };
  struct Entry {
    Request request;
    Stage stage;
    int64_t sent_with = 0;  // the started event id of the task that carries it
    std::vector<Waiter> waiters;
  };
  struct RunUpdates {
    std::map<std::string, Entry> by_id;
    std::vector<std::string> order;  // admission order
  };

  // Removes and returns the waiters satisfied by `entry`'s stage (all of
  // them when `all`).
  static std::vector<Waiter> TakeSatisfied(Entry& entry, bool all);
  void Resolve(std::vector<Waiter> waiters, const Result& result);
  // Drops the update, returning all its waiters.
  std::vector<Waiter> Remove(const RunKey& run, const std::string& update_id);
  void Erase(RunUpdates& updates, const std::string& update_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Entry* Find(const RunKey& run, const std::string& update_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  TimerService& timers_;
  absl::Mutex mu_;
  std::map<RunKey, RunUpdates> runs_ ABSL_GUARDED_BY(mu_);
  uint64_t next_waiter_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace zaman::history
