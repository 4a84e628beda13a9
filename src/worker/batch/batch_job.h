#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "persistence/job_store.h"
#include "temporal/api/common/v1/message.pb.h"
#include "zaman/persistence/v1/batch.pb.h"

// A batch operation (StartBatchOperation) is a durable job of the worker
// role: a JobStore job of kind "batch" whose state is a BatchJob. The
// frontend creates, describes, lists and stops them; BatchRunner does the
// work. This header is what both share.
namespace zaman::worker::batch {

using BatchJob = ::zaman::persistence::v1::BatchJob;

inline constexpr absl::string_view kJobKind = "batch";

// Temporal's worker.batcherRPS: the default rate, and the highest a request
// may ask for.
inline constexpr double kMaxOperationsPerSecond = 50;

absl::StatusOr<BatchJob> ParseJob(const persistence::StoredJob& stored);

// There is no job `job_id`, in Temporal's words (a batch operation is a
// workflow there).
absl::Status NotFound(absl::string_view job_id);

// The request id of the job's operation on one run: the same at every
// attempt, so a signal or reset repeated after a crash is applied once.
std::string OperationRequestId(absl::string_view job_id,
                               const temporal::api::common::v1::WorkflowExecution& execution);

// StopBatchOperation: the job ends now (FAILED, as a terminated batch
// workflow does on Temporal), keeping its counts. NotFound when there is no
// such job or it has ended already.
absl::Status StopJob(persistence::JobStore& jobs, absl::string_view namespace_id, absl::string_view job_id,
                     absl::string_view reason, absl::string_view identity, absl::Time now);

}  // namespace zaman::worker::batch
