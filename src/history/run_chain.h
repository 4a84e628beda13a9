#pragma once

#include <functional>
#include <string>

#include "common/random.h"
#include "history/shard.h"
#include "temporal/api/command/v1/message.pb.h"
#include "temporal/api/history/v1/message.pb.h"

// Starting runs and chaining them: a client's start, continue-as-new, the
// workflow retry policy, and cron schedules. Every run of a chain shares the
// workflow id, the first run's id and the execution expiration time; the
// old run's close event names the new run (new_execution_run_id) and both
// are written in one mutation.
namespace zaman::history {

using StartedAttributes = ::temporal::api::history::v1::WorkflowExecutionStartedEventAttributes;

// A run about to be created. `started` is its first event's attributes,
// complete but for `first_workflow_task_backoff` (set from `backoff`).
struct NewRun {
  std::string namespace_id;
  std::string workflow_id;
  std::string run_id;
  std::string request_id;  // the start request's, for idempotent retries
  StartedAttributes started;
  // How long the first workflow task waits (cron, retry, continue-as-new
  // backoff, start delay). Signals that arrive meanwhile are recorded but
  // wake nobody.
  absl::Duration backoff = absl::ZeroDuration();
  // The start's summary and details, kept on the started event.
  temporal::api::sdk::v1::UserMetadata user_metadata;
};

// A new run's state as its WorkflowExecutionStarted event describes it.
MutableState StateFromStarted(const std::string& namespace_id, const std::string& workflow_id,
                              const std::string& run_id, const std::string& request_id, const StartedAttributes& a,
                              absl::Time start_time, absl::Duration backoff);

// Creates the run: WorkflowExecutionStarted, then `before_first_task`
// (SignalWithStart's signal), then the first workflow task or its backoff
// timer, and the run timeout timer. It becomes the workflow id's current
// run if the current one is still `expected_current` at commit.
RunChange* StartRun(MutationScope& scope, NewRun spec, const std::string& expected_current,
                    const std::function<void(RunChange&)>& before_first_task = nullptr);

// The first run's backoff when the start asks for a cron schedule: until
// the schedule's next time. Zero without one.
absl::Duration FirstCronBackoff(const std::string& cron_schedule, absl::Time now);

// Closing commands and timeouts that may continue the chain. Each writes the
// old run's close event (with new_execution_run_id when a run follows),
// closes it, and creates the next run. An error (the old run's first event
// could not be read) fails the whole mutation.
// `result`: null when the workflow returned none.
absl::Status CompleteRunOrContinueCron(MutationScope& scope, Random& random, RunChange& run,
                                       int64_t completed_event_id, const temporal::api::common::v1::Payloads* result);
absl::Status FailRunOrRetry(MutationScope& scope, Random& random, RunChange& run, int64_t completed_event_id,
                            const temporal::api::failure::v1::Failure& failure);
absl::Status TimeOutRunOrRetry(MutationScope& scope, Random& random, RunChange& run);
// `command`'s search attributes are already validated and stamped.
absl::Status ContinueAsNew(MutationScope& scope, Random& random, RunChange& run, int64_t completed_event_id,
                           const temporal::api::command::v1::ContinueAsNewWorkflowExecutionCommandAttributes& command);

}  // namespace zaman::history
