#include "history/history_engine.h"

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "history/commands.h"
#include "history/engine_internal.h"
#include "history/history_metrics.h"
#include "history/shard_key.h"
#include "history/workflow_run.h"

namespace zaman::history {

using ::google::protobuf::util::MessageDifferencer;
namespace {

constexpr absl::Duration kHistoryLongPoll = absl::Seconds(20);

}  // namespace

HistoryEngine::HistoryEngine(persistence::ExecutionStore& store, persistence::VisibilityStore& visibility,
                             Clock& clock, TimerService& timers, Random& random, int num_shards,
                             matching::MatchingClient& matching, ThreadPool& read_pool, ShardOptions shard_options)
    : store_(store),
      visibility_(visibility),
      clock_(clock),
      timers_(timers),
      random_(random),
      num_shards_(num_shards),
      matching_(matching),
      read_pool_(read_pool),
      updates_(timers) {
  for (int i = 0; i < num_shards_; ++i) shards_.push_back(std::make_unique<Shard>(i, store_, clock_, timers_, *this, shard_options));
}

HistoryEngine::~HistoryEngine() { Stop(); }

absl::Status HistoryEngine::Start() {
  for (int i = 0; i < num_shards_; ++i) {
    if (absl::Status s = AcquireShard(i); !s.ok()) return s;
  }
  metrics::ShardMetrics::Get().MembershipChanged();  // this host joined
  return absl::OkStatus();
}

absl::Status HistoryEngine::AcquireShard(int32_t shard_id) {
  Shard& shard = *shards_[shard_id];
  if (shard.running() && !shard.lost()) return absl::OkStatus();
  shard.Stop();  // lost to another owner meanwhile: take it back
  if (absl::Status s = shard.Start(); !s.ok()) return s;
  metrics::ShardMetrics::Get().ShardsOwned(OwnedShardCount());
  return absl::OkStatus();
}

void HistoryEngine::ReleaseShard(int32_t shard_id) {
  shards_[shard_id]->Stop();
  metrics::ShardMetrics::Get().ShardsOwned(OwnedShardCount());
}

bool HistoryEngine::OwnsShard(int32_t shard_id) const {
  return shards_[shard_id]->running() && !shards_[shard_id]->lost();
}

bool HistoryEngine::ShardRunning(int32_t shard_id) const { return shards_[shard_id]->running(); }

// Outbox tasks read at a time when matching's hosts change.
constexpr int kRedispatchPage = 1000;

void HistoryEngine::RedispatchMatchingTasks() {
  for (int32_t shard = 0; shard < num_shards_; ++shard) {
    if (!OwnsShard(shard)) continue;
    read_pool_.Post([this, shard] {
      int offered = 0;
      int64_t after = 0;
      for (;;) {
        absl::StatusOr<std::vector<TransferTask>> tasks = store_.LoadTransferTasks(shard, after, kRedispatchPage);
        if (!tasks.ok()) {
          spdlog::warn("shard {}: could not read its outbox again: {}", shard, tasks.status().ToString());
          break;
        }
        for (const TransferTask& task : *tasks) {
          if (task.kind() != TransferTask::WORKFLOW_TASK && task.kind() != TransferTask::ACTIVITY_TASK) continue;
          AddToMatching(task);
          ++offered;
        }
        if (static_cast<int>(tasks->size()) < kRedispatchPage) break;
        after = tasks->back().task_id();
      }
      if (offered > 0) spdlog::info("shard {}: offered {} tasks to matching again", shard, offered);
    });
  }
}

int HistoryEngine::OwnedShardCount() const {
  int owned = 0;
  for (int i = 0; i < num_shards_; ++i) owned += OwnsShard(i) ? 1 : 0;
  return owned;
}

void HistoryEngine::Stop() {
  ReleaseWaiters();
  for (auto& shard : shards_) shard->Stop();
}

void HistoryEngine::ReleaseWaiters() {
  std::map<RunKey, std::vector<Waiter>> parked;
  {
    absl::MutexLock lock(&waiters_mu_);
    parked.swap(waiters_);
  }
  for (auto& [key, list] : parked) {
    for (Waiter& w : list) {
      timers_.Cancel(w.timer);
      w.then(true);
    }
  }
}

int32_t HistoryEngine::ShardFor(const std::string& namespace_id, const std::string& workflow_id) const {
  return ShardOfWorkflow(namespace_id, workflow_id, num_shards_);
}

Shard& HistoryEngine::ShardOf(const std::string& namespace_id, const std::string& workflow_id) {
  return *shards_[ShardFor(namespace_id, workflow_id)];
}

absl::StatusOr<std::string> HistoryEngine::ResolveRunId(const std::string& namespace_id,
                                                        const std::string& workflow_id,
                                                        const std::string& run_id) {
  if (!run_id.empty()) return run_id;
  absl::StatusOr<std::string> current = store_.GetCurrentRunId(namespace_id, workflow_id);
  if (current.status().code() == absl::StatusCode::kNotFound) {
    return absl::NotFoundError(absl::StrCat("workflow not found for ID: ", workflow_id));
  }
  return current;
}

// ---------------------------------------------------------------------------
// History long polls

void HistoryEngine::WaitForRun(const RunKey& run, absl::Time deadline, std::function<void(bool changed)> then,
                               bool until_closed) {
  absl::Time wait_until = std::min(deadline, clock_.Now() + kHistoryLongPoll);
  absl::MutexLock lock(&waiters_mu_);
  uint64_t id = next_waiter_id_++;
  auto timer = timers_.Schedule(wait_until, [this, run, id] {
    std::function<void(bool)> expired;
    {
      absl::MutexLock lock(&waiters_mu_);
      auto it = waiters_.find(run);
      if (it == waiters_.end()) return;
      for (auto w = it->second.begin(); w != it->second.end(); ++w) {
        if (w->id == id) {
          expired = std::move(w->then);
          it->second.erase(w);
          break;
        }
      }
      if (it->second.empty()) waiters_.erase(it);
    }
    if (expired) read_pool_.Post([expired] { expired(true); });
  });
  waiters_[run].push_back(Waiter{id, std::move(then), timer, until_closed});
}

void HistoryEngine::RunDeleted(const RunKey& run) {
  updates_.RunClosed(run, AlreadyCompleted());
  WakeWaiters(run, /*still_open=*/false);
}

void HistoryEngine::RunChanged(const MutableState& state) {
  const bool open = IsOpen(state);
  if (!open) UpdatesOfClosedRun(state);
  WakeWaiters(KeyOf(state), open);
}

void HistoryEngine::WakeWaiters(const RunKey& run, bool still_open) {
  std::vector<Waiter> woken;
  {
    absl::MutexLock lock(&waiters_mu_);
    auto it = waiters_.find(run);
    if (it == waiters_.end()) return;
    if (still_open) {
      // A client waiting for the result (a close-event long poll) sleeps on.
      std::vector<Waiter> staying;
      for (Waiter& w : it->second) (w.until_closed ? staying : woken).push_back(std::move(w));
      it->second = std::move(staying);
    } else {
      woken = std::move(it->second);
    }
    if (it->second.empty()) waiters_.erase(it);
  }
  for (Waiter& w : woken) {
    // Whether or not its timer could still be cancelled, only this path
    // can answer it now: the timer's callback no longer finds it.
    timers_.Cancel(w.timer);
    read_pool_.Post([then = std::move(w.then)] { then(false); });
  }
}

// ---------------------------------------------------------------------------
// Timers

// How long a timer that could not fire waits to try again.
constexpr absl::Duration kTimerRetryDelay = absl::Seconds(1);

void HistoryEngine::TimerDue(int32_t shard_id, const TimerTask& task) {
  const absl::Time due = absl::Now();  // for task_latency
  shards_[shard_id]->Execute<bool>(
      [this, task](MutationScope& scope) -> absl::StatusOr<bool> {
        scope.CompleteTimerTask(task.task_id());
        absl::StatusOr<RunChange*> loaded = scope.Load(task.namespace_id(), task.workflow_id(), task.run_id());
        if (!loaded.ok()) return loaded.status().code() == absl::StatusCode::kNotFound ? absl::StatusOr<bool>(false)
                                                                                      : loaded.status();
        RunChange& run = **loaded;
        // Most timers find their work done (a timeout of a task that
        // completed): then the run is not written again.
        const MutableState before = run.state;
        const size_t events_before = run.events.size();
        if (absl::Status fired = FireTimer(scope, random_, run, task); !fired.ok()) return fired;
        if (run.events.size() == events_before && MessageDifferencer::Equals(before, run.state)) {
          scope.Unchanged(run);
          return false;
        }
        return true;
      },
      [this, shard_id, task, due](absl::StatusOr<bool> fired) {
        TaskMetricsOf(task).Processed(absl::Now() - due);
        if (fired.ok()) return;
        TaskMetricsOf(task).Failed();
        spdlog::warn("timer {} of {}: {}", task.task_id(), task.workflow_id(), fired.status().ToString());
        // The store was unreachable (a database restarting): nothing was
        // written, and the timer stays due until it fires. A shard that was
        // lost fires its timers on its next owner.
        if (fired.status().code() == absl::StatusCode::kUnavailable && !errors::IsShardOwnershipLost(fired.status())) {
          timers_.Schedule(clock_.Now() + kTimerRetryDelay, [this, shard_id, task] { TimerDue(shard_id, task); });
        }
      });
}

// ---------------------------------------------------------------------------
// Outbox tasks

void HistoryEngine::DispatchTransferTask(const TransferTask& task) {
  if (task.kind() == TransferTask::VISIBILITY) {
    read_pool_.Post([this, task] {
      TimedTask timed(task);
      WriteVisibility(task);
    });
    return;
  }
  if (task.kind() == TransferTask::DELETE_VISIBILITY) {
    read_pool_.Post([this, task] {
      TimedTask timed(task);
      absl::Status dropped = visibility_.Delete(task.namespace_id(), task.run_id());
      if (!dropped.ok()) return RetryCrossRunTask(task, dropped);
      CompleteTask(task);
    });
    return;
  }
  if (task.kind() != TransferTask::WORKFLOW_TASK && task.kind() != TransferTask::ACTIVITY_TASK) {
    read_pool_.Post([this, task] {
      TimedTask timed(task);
      ProcessCrossRunTask(task);
    });
    return;
  }
  AddToMatching(task);
}

// How long a task matching could not take waits to be offered again.
constexpr absl::Duration kMatchingRetryDelay = absl::Seconds(1);

void HistoryEngine::AddToMatching(const TransferTask& task) {
  auto timed = std::make_shared<TimedTask>(task);
  matching_.AddTask(task, [this, task, timed](absl::StatusOr<bool> added) {
    if (added.ok()) {
      Shard& shard = ShardOf(task.namespace_id(), task.workflow_id());
      if (!*added) return shard.ReleaseTransferTask(task.task_id());  // waits in matching, and in the outbox
      return CompleteTask(task);  // matching stored it in its own backlog: the outbox forgets it
    }
    if (errors::IsStickyWorkerUnavailable(added.status())) return MoveToNormalQueue(task);
    // Matching is unreachable (its host left; the ring moves on): the
    // task is still in the outbox, so offering it again loses nothing.
    TaskMetricsOf(task).Failed();
    timers_.Schedule(clock_.Now() + kMatchingRetryDelay, [this, task] { AddToMatching(task); });
  });
}

void HistoryEngine::WriteVisibility(const TransferTask& task) {
  absl::Status written = visibility_.Upsert(task.visibility());
  if (!written.ok()) {
    TaskMetricsOf(task).Failed();
    spdlog::warn("visibility update of {}/{} failed, retrying: {}", task.workflow_id(), task.run_id(),
                 std::string(written.message()));
    timers_.Schedule(clock_.Now() + absl::Seconds(1), [this, task] { DispatchTransferTask(task); });
    return;
  }
  CompleteTask(task);  // not completed: written again after a restart, harmlessly
}

void HistoryEngine::MoveToNormalQueue(const TransferTask& task) {
  ShardOf(task.namespace_id(), task.workflow_id())
      .Execute<std::optional<TransferTask>>(
          [task](MutationScope& scope) -> absl::StatusOr<std::optional<TransferTask>> {
            absl::StatusOr<RunChange*> loaded = scope.Load(task.namespace_id(), task.workflow_id(), task.run_id());
            if (!loaded.ok()) {
              if (loaded.status().code() != absl::StatusCode::kNotFound) return loaded.status();
              scope.CompleteTransferTask(task.task_id());
              return std::optional<TransferTask>();
            }
            MutableState& state = (*loaded)->state;
            if (!IsOpen(state) || !state.has_workflow_task() ||
                state.workflow_task().scheduled_event_id() != task.scheduled_event_id() ||
                state.workflow_task().started_event_id() != 0) {
              scope.CompleteTransferTask(task.task_id());  // already started, or gone
              return std::optional<TransferTask>();
            }
            ClearStickyTaskQueue(state);
            *state.mutable_workflow_task()->mutable_task_queue() = NormalQueue(state.task_queue());
            TransferTask moved = task;
            *moved.mutable_task_queue() = NormalQueue(state.task_queue());
            return std::optional<TransferTask>(std::move(moved));
          },
          [this](absl::StatusOr<std::optional<TransferTask>> moved) {
            if (moved.ok() && moved->has_value()) AddToMatching(**moved);
          });
}

}  // namespace zaman::history
