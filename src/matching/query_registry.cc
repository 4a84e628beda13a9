#include "matching/query_registry.h"

namespace zaman::matching {

void QueryRegistry::Add(const std::string& query_id, temporal::api::query::v1::WorkflowQuery query, Answer answer) {
  absl::MutexLock lock(&mu_);
  pending_[query_id] = Pending{std::move(query), std::move(answer)};
}

std::optional<temporal::api::query::v1::WorkflowQuery> QueryRegistry::Get(const std::string& query_id) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(query_id);
  if (it == pending_.end()) return std::nullopt;
  return it->second.query;
}

QueryRegistry::Answer QueryRegistry::Take(const std::string& query_id) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(query_id);
  if (it == pending_.end()) return nullptr;
  Answer answer = std::move(it->second.answer);
  pending_.erase(it);
  return answer;
}

bool QueryRegistry::Complete(const std::string& query_id,
                             const temporal::api::workflowservice::v1::RespondQueryTaskCompletedRequest& answer) {
  Answer callback = Take(query_id);
  if (callback) callback(answer);
  return callback != nullptr;
}

bool QueryRegistry::Fail(const std::string& query_id, absl::Status status) {
  Answer callback = Take(query_id);
  if (callback) callback(std::move(status));
  return callback != nullptr;
}

}  // namespace zaman::matching
