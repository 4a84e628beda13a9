#include "history/shard.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/history_metrics.h"
#include "history/workflow_run.h"

namespace zaman::history {


namespace {
constexpr size_t kMaxBatch = 256;
}  // namespace

RunKey KeyOf(const MutableState& state) {
  return {state.namespace_id(), state.workflow_id(), state.run_id()};
}

absl::Time MutationScope::now() const { return shard_.clock_.Now(); }
int32_t MutationScope::shard_id() const { return shard_.id_; }

absl::StatusOr<RunChange*> MutationScope::Load(const std::string& namespace_id, const std::string& workflow_id,
                                               const std::string& run_id) {
  RunKey key{namespace_id, workflow_id, run_id};
  if (auto it = runs_.find(key); it != runs_.end()) {
    if (it->second.deleted) return absl::NotFoundError("the run was deleted");
    return &it->second;
  }
  if (auto it = shard_.batch_->runs.find(key); it != shard_.batch_->runs.end()) {
    if (it->second.deleted) return absl::NotFoundError("the run was deleted");
    return &runs_.emplace(key, it->second).first->second;
  }
  RunChange change;
  if (const persistence::ExecutionRecord* cached = shard_.cache_.Find(key)) {
    change.state = cached->state;
    change.expected_db_version = cached->db_version;
    return &runs_.emplace(key, std::move(change)).first->second;
  }
  absl::StatusOr<persistence::ExecutionRecord> record =
      shard_.store_.GetExecution(namespace_id, workflow_id, run_id);
  if (!record.ok()) return record.status();
  change.state = std::move(record->state);
  change.expected_db_version = record->db_version;
  return &runs_.emplace(key, std::move(change)).first->second;
}

absl::StatusOr<std::string> MutationScope::CurrentRunId(const std::string& namespace_id,
                                                        const std::string& workflow_id) {
  for (const auto& [key, change] : runs_) {
    if (change.set_current && std::get<0>(key) == namespace_id && std::get<1>(key) == workflow_id) {
      return std::get<2>(key);
    }
  }
  auto& pending = shard_.batch_->current_runs;
  if (auto it = pending.find({namespace_id, workflow_id}); it != pending.end()) return it->second;
  absl::StatusOr<std::string> current = shard_.store_.GetCurrentRunId(namespace_id, workflow_id);
  if (current.status().code() == absl::StatusCode::kNotFound) return std::string();
  return current;
}

RunChange* MutationScope::Create(MutableState state, std::string expected_current_run_id) {
  RunKey key = KeyOf(state);
  RunChange change;
  change.state = std::move(state);
  change.set_current = true;
  change.expected_current_run_id = std::move(expected_current_run_id);
  return &(runs_[key] = std::move(change));
}

void MutationScope::Delete(RunChange& run) { run.deleted = true; }

void MutationScope::Unchanged(const RunChange& run) {
  std::erase_if(runs_, [&run](const auto& entry) { return &entry.second == &run; });
}

absl::StatusOr<HistoryEvent> MutationScope::ReadEvent(const RunChange& run, int64_t event_id) {
  for (const HistoryEvent& event : run.events) {
    if (event.event_id() == event_id) return event;
  }
  const MutableState& state = run.state;
  absl::StatusOr<std::vector<HistoryEvent>> events =
      shard_.store_.ReadHistory(state.namespace_id(), state.workflow_id(), state.run_id(), event_id, event_id + 1, 1);
  if (!events.ok()) return events.status();
  if (events->empty()) {
    return errors::Internal(absl::StrCat("event ", event_id, " of run ", state.run_id(), " is missing"));
  }
  return std::move(events->front());
}

void MutationScope::AddTransferTask(TransferTask task) {
  task.set_task_id(shard_.NextTaskId());
  transfer_tasks_.push_back(std::move(task));
}

void MutationScope::DropTransferTasks(const std::function<bool(const TransferTask&)>& which) {
  std::erase_if(transfer_tasks_, which);
}

void MutationScope::AddTimerTask(TimerTask task) {
  task.set_task_id(shard_.NextTaskId());
  timer_tasks_.push_back(std::move(task));
}

void MutationScope::CompleteTransferTask(int64_t task_id) { done_transfer_.push_back(task_id); }
void MutationScope::CompleteTimerTask(int64_t task_id) { done_timer_.push_back(task_id); }

Shard::Shard(int32_t id, persistence::ExecutionStore& store, Clock& clock, TimerService& timers,
             ShardListener& listener, ShardOptions options)
    : id_(id),
      store_(store),
      clock_(clock),
      timers_(timers),
      listener_(listener),
      options_(options),
      cache_(options.cache_size) {}

Shard::~Shard() { Stop(); }

absl::Status Shard::Start() {
  if (running_) return absl::OkStatus();
  absl::StatusOr<int64_t> range_id = store_.AcquireShard(id_);
  if (!range_id.ok()) return range_id.status();
  range_id_ = *range_id;
  // Task ids are unique across owners: each owner counts inside its range.
  next_task_id_ = range_id_ << 32;
  lost_ = false;
  ++generation_;
  cache_.Clear();  // another owner may have changed any run meanwhile
  ResetQueues();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
  running_ = true;
  metrics::ShardMetrics::Get().ShardAcquired();
  // What the store holds is read in pages from the shard's thread: the
  // shard answers calls at once, however much is waiting.
  RequestOutboxRead();
  RequestTimerRead();
  return absl::OkStatus();
}

void Shard::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) {
    thread_.join();
    metrics::ShardMetrics::Get().ShardReleased();
  }
  running_ = false;
}

void Shard::Post(Op op) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(std::move(op));
      return;
    }
  }
  op.done(errors::ShardOwnershipLost(absl::StrCat("shard ", id_, " does not run on this host")));
}

void Shard::PostChore(std::function<void()> chore) {
  absl::MutexLock lock(&mu_);
  if (!stopping_) chores_.push_back(std::move(chore));
}

void Shard::Loop() {
  for (;;) {
    bool stopped = false;
    std::vector<Op> ops;
    std::deque<std::function<void()>> chores;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Shard* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->stopping_ || !s->queue_.empty() || !s->chores_.empty();
          },
          this));
      if (stopping_) chores_.clear();  // the next start reads again
      stopped = queue_.empty() && chores_.empty();  // stopping, and everything queued has run
      chores.swap(chores_);
      while (!queue_.empty() && ops.size() < kMaxBatch) {
        ops.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (stopped) return FlushDeferred();
    for (auto& chore : chores) chore();
    if (!ops.empty()) RunBatch(std::move(ops));
  }
}

namespace {

// Whether a filter can see the difference: a run started or closed, or its
// search attributes or memo changed.
bool ChangesVisibility(const std::vector<HistoryEvent>& events) {
  for (const HistoryEvent& e : events) {
    switch (e.event_type()) {
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      case enums::EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
      case enums::EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      case enums::EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        return true;
      default:
        break;
    }
  }
  return false;
}

}  // namespace

void Shard::RunBatch(std::vector<Op> ops) {
  if (lost_) {
    for (Op& op : ops) op.done(errors::ShardOwnershipLost(absl::StrCat("shard ", id_, " was lost")));
    return;
  }
  Batch batch;
  batch_ = &batch;
  std::vector<std::function<void(absl::Status)>> committed;
  for (Op& op : ops) {
    MutationScope scope(*this);
    absl::Status applied = op.apply(scope);
    if (!applied.ok()) {
      op.done(applied);  // nothing of it enters the batch
      continue;
    }
    for (auto& [key, change] : scope.runs_) {
      if (change.set_current) {
        batch.current_runs[{std::get<0>(key), std::get<1>(key)}] = std::get<2>(key);
      }
      batch.runs[key] = std::move(change);
    }
    auto& tx = batch.tx;
    tx.new_transfer_tasks.insert(tx.new_transfer_tasks.end(), scope.transfer_tasks_.begin(),
                                 scope.transfer_tasks_.end());
    tx.new_timer_tasks.insert(tx.new_timer_tasks.end(), scope.timer_tasks_.begin(), scope.timer_tasks_.end());
    tx.done_transfer_tasks.insert(tx.done_transfer_tasks.end(), scope.done_transfer_.begin(),
                                  scope.done_transfer_.end());
    tx.done_timer_tasks.insert(tx.done_timer_tasks.end(), scope.done_timer_.begin(), scope.done_timer_.end());
    committed.push_back(std::move(op.done));
  }
  batch_ = nullptr;
  if (committed.empty()) return;

  auto& tx = batch.tx;
  if (batch.runs.empty() && tx.new_transfer_tasks.empty() && tx.new_timer_tasks.empty()) {
    Defer(tx);  // only completions: they go with a later commit
    for (auto& done : committed) done(absl::OkStatus());
    return;
  }
  for (auto& [key, change] : batch.runs) {
    if (change.deleted) {
      const auto& [namespace_id, workflow_id, run_id] = key;
      tx.deletions.push_back({namespace_id, workflow_id, run_id, change.expected_db_version});
      if (store_.WritesVisibility()) continue;  // its row in visibility goes with it
      // Its row in visibility goes too, after this commit.
      TransferTask forget;
      forget.set_task_id(NextTaskId());
      forget.set_kind(TransferTask::DELETE_VISIBILITY);
      forget.set_namespace_id(namespace_id);
      forget.set_workflow_id(workflow_id);
      forget.set_run_id(run_id);
      tx.new_transfer_tasks.push_back(std::move(forget));
      continue;
    }
    int64_t added_bytes = 0;
    for (const HistoryEvent& event : change.events) added_bytes += static_cast<int64_t>(event.ByteSizeLong());
    change.state.set_history_size_bytes(change.state.history_size_bytes() + added_bytes);
    if (ChangesVisibility(change.events)) {
      persistence::VisibilityRecord record;
      record.set_namespace_id(change.state.namespace_id());
      *record.mutable_info() = ExecutionInfoOf(change.state);
      record.set_version(change.state.next_event_id());
      if (store_.WritesVisibility()) {
        tx.visibility.push_back(std::move(record));  // in this commit
      } else {
        // What filters see is updated from the outbox, after this commit.
        TransferTask visibility = NewTransferTask(change.state, TransferTask::VISIBILITY);
        visibility.set_task_id(NextTaskId());
        *visibility.mutable_visibility() = std::move(record);
        tx.new_transfer_tasks.push_back(std::move(visibility));
      }
    }
    persistence::ExecutionUpdate update;
    update.state = std::move(change.state);
    update.expected_db_version = change.expected_db_version;
    update.set_current = change.set_current;
    update.expected_current_run_id = change.expected_current_run_id;
    update.events = std::move(change.events);
    tx.updates.push_back(std::move(update));
  }
  const persistence::ShardTransaction deferred = TakeDeferred(tx);
  absl::Time commit_started = absl::Now();  // for metrics only
  absl::Status status = store_.Commit(id_, range_id_, tx);
  if (!status.ok()) PutBackDeferred(deferred);
  metrics::ShardMetrics::Get().Committed(committed.size(), absl::Now() - commit_started);
  if (errors::IsShardOwnershipLost(status)) {
    lost_ = true;
    spdlog::error("shard {}: ownership lost; it stops taking writes", id_);
  } else if (status.code() == absl::StatusCode::kUnavailable) {
    QueueUncertain(tx);
  }
  if (status.ok()) {
    CountClosedRuns(tx);
    QueueCommitted(tx);
  }
  // The mutations hear of the commit before the listener does, so that what
  // they do with their results (an update's outcome) comes first.
  for (auto& done : committed) done(status);
  if (status.ok()) {
    for (const auto& update : tx.updates) listener_.RunChanged(update.state);
    for (const auto& deletion : tx.deletions) {
      listener_.RunDeleted({deletion.namespace_id, deletion.workflow_id, deletion.run_id});
    }
  }
  // Last: the committed states move into the cache (the next batch runs
  // after this one returns).
  UpdateCache(tx, status.ok());
}

void Shard::UpdateCache(persistence::ShardTransaction& tx, bool committed) {
  for (const auto& deletion : tx.deletions) {
    cache_.Erase({deletion.namespace_id, deletion.workflow_id, deletion.run_id});
  }
  for (auto& update : tx.updates) {
    if (committed) {
      // The store counts a run's versions from 1, one a commit.
      RunKey key = KeyOf(update.state);
      cache_.Put(std::move(key), {std::move(update.state), update.expected_db_version + 1});
    } else {
      cache_.Erase(KeyOf(update.state));  // it may or may not have landed
    }
  }
}

}  // namespace zaman::history
