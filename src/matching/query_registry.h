#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "temporal/api/query/v1/message.pb.h"
#include "temporal/api/workflowservice/v1/request_response.pb.h"

namespace zaman::matching {

// Queries waiting for a worker's answer. A query is never persisted: it
// lives here while its QueryWorkflow call waits, and is gone when that call
// is answered or gives up. Thread-safe; callbacks run outside the lock.
class QueryRegistry {
 public:
  using Answer = std::function<void(absl::StatusOr<temporal::api::workflowservice::v1::RespondQueryTaskCompletedRequest>)>;

  void Add(const std::string& query_id, temporal::api::query::v1::WorkflowQuery query, Answer answer);
  // The query, if its caller still waits.
  std::optional<temporal::api::query::v1::WorkflowQuery> Get(const std::string& query_id);
  // Hands the worker's answer to the waiting caller. False if nobody waits.
  bool Complete(const std::string& query_id,
                const temporal::api::workflowservice::v1::RespondQueryTaskCompletedRequest& answer);
  // Ends the wait with `status` (deadline, shutdown). False if already answered.
  bool Fail(const std::string& query_id, absl::Status status);

 private:
  // Removes the query; its answer callback, or nullptr if it was not there.
  Answer Take(const std::string& query_id);

  struct Pending {
    temporal::api::query::v1::WorkflowQuery query;
    Answer answer;
  };
  absl::Mutex mu_;
  std::map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman::matching
