#include "worker/batch/batch_job.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace zaman::worker::batch {

namespace enums = ::temporal::api::enums::v1;

absl::Status NotFound(absl::string_view job_id) {
  return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", job_id));
}

absl::StatusOr<BatchJob> ParseJob(const persistence::StoredJob& stored) {
  BatchJob job;
  if (!job.ParseFromString(stored.state)) {
    return errors::Internal(absl::StrCat("batch job ", stored.job_id, ": its stored state does not parse"));
  }
  return job;
}

std::string OperationRequestId(absl::string_view job_id,
                               const temporal::api::common::v1::WorkflowExecution& execution) {
  return absl::StrCat("batch/", job_id, "/", execution.workflow_id(), "/", execution.run_id());
}

absl::Status StopJob(persistence::JobStore& jobs, absl::string_view namespace_id, absl::string_view job_id,
                     absl::string_view reason, absl::string_view identity, absl::Time now) {
  // A runner checkpointing at the same moment moves the version on; read
  // again and retry until one of the two wins.
  for (;;) {
    absl::StatusOr<persistence::StoredJob> stored = jobs.GetJob(namespace_id, kJobKind, job_id);
    if (stored.status().code() == absl::StatusCode::kNotFound) {
      return NotFound(job_id);
    }
    if (!stored.ok()) return stored.status();
    absl::StatusOr<BatchJob> job = ParseJob(*stored);
    if (!job.ok()) return job.status();
    if (job->state() != enums::BATCH_OPERATION_STATE_RUNNING) {
      return absl::NotFoundError("workflow execution already completed");
    }
    job->set_state(enums::BATCH_OPERATION_STATE_FAILED);
    *job->mutable_close_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(now));
    job->set_stop_reason(std::string(reason));
    job->set_stop_identity(std::string(identity));
    persistence::StoredJob updated = *stored;
    updated.state = job->SerializeAsString();
    // The runner takes it from here: it keeps the record until the
    // namespace's retention runs out.
    updated.wake_at = now;
    absl::Status s = jobs.UpdateJob(updated, stored->version);
    if (!errors::IsConditionFailed(s)) return s;
  }
}

}  // namespace zaman::worker::batch
