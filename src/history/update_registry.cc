#include "history/update_registry.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace zaman::history {
namespace {

namespace enums = ::temporal::api::enums::v1;

constexpr enums::UpdateWorkflowExecutionLifecycleStage kAdmitted =
    enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
constexpr enums::UpdateWorkflowExecutionLifecycleStage kAccepted =
    enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED;
constexpr enums::UpdateWorkflowExecutionLifecycleStage kCompleted =
    enums::UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;

}  // namespace

bool UpdateRegistry::Admit(const RunKey& run, const Request& request) {
  absl::MutexLock lock(&mu_);
  RunUpdates& updates = runs_[run];
  const std::string& id = request.meta().update_id();
  if (updates.by_id.contains(id)) return false;
  updates.by_id[id] = Entry{request, kAdmitted, 0, {}};
  updates.order.push_back(id);
  return true;
}

void UpdateRegistry::TrackAccepted(const RunKey& run, const std::string& update_id) {
  absl::MutexLock lock(&mu_);
  RunUpdates& updates = runs_[run];
  if (updates.by_id.contains(update_id)) return;
  Entry entry;
  entry.request.mutable_meta()->set_update_id(update_id);
  entry.stage = kAccepted;
  updates.by_id[update_id] = std::move(entry);
  updates.order.push_back(update_id);
}

UpdateRegistry::Entry* UpdateRegistry::Find(const RunKey& run, const std::string& update_id) {
  auto it = runs_.find(run);
  if (it == runs_.end()) return nullptr;
  auto entry = it->second.by_id.find(update_id);
  return entry == it->second.by_id.end() ? nullptr : &entry->second;
}

bool UpdateRegistry::Has(const RunKey& run, const std::string& update_id) {
  absl::MutexLock lock(&mu_);
  return Find(run, update_id) != nullptr;
}

bool UpdateRegistry::Tracks(const RunKey& run) {
  absl::MutexLock lock(&mu_);
  return runs_.contains(run);
}

std::vector<UpdateRegistry::Waiter> UpdateRegistry::Remove(const RunKey& run, const std::string& update_id) {
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(run);
  if (it == runs_.end()) return {};
  auto entry = it->second.by_id.find(update_id);
  if (entry == it->second.by_id.end()) return {};
  std::vector<Waiter> waiters = TakeSatisfied(entry->second, true);
  Erase(it->second, update_id);
  if (it->second.by_id.empty()) runs_.erase(it);
  return waiters;
}

void UpdateRegistry::Forget(const RunKey& run, const std::string& update_id) {
  std::vector<Waiter> waiters = Remove(run, update_id);
  Result result;
  result.error = absl::UnavailableError("the update could not be admitted; try again");
  Resolve(std::move(waiters), result);
}

std::vector<UpdateRegistry::Request> UpdateRegistry::TakeForTask(const RunKey& run, int64_t started_event_id) {
  absl::MutexLock lock(&mu_);
  std::vector<Request> requests;
  auto it = runs_.find(run);
  if (it == runs_.end()) return requests;
  for (const std::string& id : it->second.order) {
    Entry& entry = it->second.by_id.at(id);
    if (entry.stage != kAdmitted) continue;
    entry.sent_with = started_event_id;
    requests.push_back(entry.request);
  }
  return requests;
}

bool UpdateRegistry::HasUnsent(const RunKey& run) {
  absl::MutexLock lock(&mu_);
  auto it = runs_.find(run);
  if (it == runs_.end()) return false;
  for (const auto& [id, entry] : it->second.by_id) {
    if (entry.stage == kAdmitted && entry.sent_with == 0) return true;
  }
  return false;
}

std::vector<std::string> UpdateRegistry::SentWith(const RunKey& run, int64_t started_event_id) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  auto it = runs_.find(run);
  if (it == runs_.end()) return ids;
  for (const std::string& id : it->second.order) {
    const Entry& entry = it->second.by_id.at(id);
    if (entry.stage == kAdmitted && entry.sent_with == started_event_id) ids.push_back(id);
  }
  return ids;
}

std::optional<UpdateRegistry::Request> UpdateRegistry::RequestOf(const RunKey& run, const std::string& update_id) {
  absl::MutexLock lock(&mu_);
  Entry* entry = Find(run, update_id);
  if (entry == nullptr || !entry->request.has_input()) return std::nullopt;
  return entry->request;
}

void UpdateRegistry::Accepted(const RunKey& run, const std::string& update_id) {
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    Entry* entry = Find(run, update_id);
    if (entry == nullptr || entry->stage != kAdmitted) return;
    entry->stage = kAccepted;
    waiters = TakeSatisfied(*entry, false);
  }
  Result result;
  result.stage = kAccepted;
  Resolve(std::move(waiters), result);
}

void UpdateRegistry::Completed(const RunKey& run, const std::string& update_id, const Outcome& outcome) {
  std::vector<Waiter> waiters = Remove(run, update_id);
  Result result;
  result.stage = kCompleted;
  result.outcome = outcome;
  Resolve(std::move(waiters), result);
}

void UpdateRegistry::RunClosed(const RunKey& run, const absl::Status& admitted_error) {
  std::vector<std::pair<std::vector<Waiter>, Result>> resolved;
  {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(run);
    if (it == runs_.end()) return;
    for (auto& [id, entry] : it->second.by_id) {
      Result result;
      if (entry.stage == kAccepted) {
        result.stage = kCompleted;
        auto* failure = result.outcome.emplace().mutable_failure();
        failure->set_message("Workflow Update failed because the Workflow completed before the Update completed.");
        failure->set_source("Server");
        failure->mutable_application_failure_info()->set_type("AcceptedUpdateCompletedWorkflow");
        failure->mutable_application_failure_info()->set_non_retryable(true);
      } else {
        result.error = admitted_error;
      }
      resolved.emplace_back(TakeSatisfied(entry, true), std::move(result));
    }
    runs_.erase(it);
  }
  for (auto& [waiters, result] : resolved) Resolve(std::move(waiters), result);
}

void UpdateRegistry::Wait(const RunKey& run, const std::string& update_id, Stage stage, absl::Time deadline,
                          std::function<void(Result)> then) {
  Result now;
  {
    absl::MutexLock lock(&mu_);
    Entry* entry = Find(run, update_id);
    if (entry == nullptr) {
      now.error = absl::NotFoundError(absl::StrCat("update ", update_id, " not found"));
    } else if (entry->stage >= stage) {
      now.stage = entry->stage;
    } else {
      const uint64_t id = next_waiter_++;
      TimerService::TimerId timer = timers_.Schedule(deadline, [this, run, update_id, id] {
        std::vector<Waiter> expired;
        Result so_far;
        {
          absl::MutexLock lock(&mu_);
          Entry* found = Find(run, update_id);
          if (found == nullptr) return;
          auto& waiters = found->waiters;
          auto w = std::find_if(waiters.begin(), waiters.end(), [id](const Waiter& x) { return x.id == id; });
          if (w == waiters.end()) return;
          expired.push_back(std::move(*w));
          waiters.erase(w);
          so_far.stage = found->stage;
        }
        Resolve(std::move(expired), so_far);
      });
      entry->waiters.push_back(Waiter{id, stage, std::move(then), timer});
      return;
    }
  }
  then(now);
}

std::vector<UpdateRegistry::Waiter> UpdateRegistry::TakeSatisfied(Entry& entry, bool all) {
  std::vector<Waiter> taken;
  auto keep = std::stable_partition(entry.waiters.begin(), entry.waiters.end(),
                                    [&](const Waiter& w) { return !all && w.stage > entry.stage; });
  std::move(keep, entry.waiters.end(), std::back_inserter(taken));
  entry.waiters.erase(keep, entry.waiters.end());
  return taken;
}

void UpdateRegistry::Resolve(std::vector<Waiter> waiters, const Result& result) {
  for (Waiter& w : waiters) {
    timers_.Cancel(w.timer);
    w.then(result);
  }
}

void UpdateRegistry::Erase(RunUpdates& updates, const std::string& update_id) {
  updates.by_id.erase(update_id);
  updates.order.erase(std::remove(updates.order.begin(), updates.order.end(), update_id), updates.order.end());
}

}  // namespace zaman::history
