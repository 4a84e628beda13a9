#include "matching/matching_host.h"

#include "common/errors.h"
#include "matching/partition.h"

namespace zaman::matching {

MatchingHost::MatchingHost(Clock& clock, TimerService& timers, BacklogOptions backlog, ThreadPool* store_pool)
    : clock_(clock),
      timers_(timers),
      store_pool_(backlog.store != nullptr ? store_pool : nullptr),
      engine_(clock, timers, backlog),
      rates_(clock) {}

void MatchingHost::MayBlock(std::function<void()> work) {
  if (store_pool_ == nullptr) return work();
  store_pool_->Post(std::move(work));
}

namespace {

// How often a partition with a backlog offers it to the root's pollers.
constexpr absl::Duration kDrainInterval = absl::Milliseconds(250);

// DescribeTaskQueue lists the workers that polled this recently
// (Temporal's matching.pollerHistoryTTL).
constexpr absl::Duration kPollerHistory = absl::Minutes(5);

TaskQueueKey QueueOf(const TransferTask& task) {
  return {task.namespace_id(), task.task_queue().name(), task.kind()};
}

// The same task, for the queue's root partition.
TransferTask ForRoot(const TransferTask& task, const std::string& root_name) {
  TransferTask root = task;
  root.mutable_task_queue()->set_name(root_name);
  return root;
}

}  // namespace

void MatchingHost::AddTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) {
  if (task.kind() == TransferTask::WORKFLOW_TASK && task.query_id().empty() &&
      task.task_queue().kind() == temporal::api::enums::v1::TASK_QUEUE_KIND_STICKY &&
      !engine_.StickyWorkerAvailable(task.namespace_id(), task.task_queue().name())) {
    return done(errors::StickyWorkerUnavailable("no worker polls the sticky queue " + task.task_queue().name()));
  }
  if (task.query_id().empty()) rates_.Added(QueueOf(task));
  auto [root_name, partition] = ParsePartition(task.task_queue().name());
  if (partition == 0 || forwarder_ == nullptr) {
    // Answered once the task is placed: a store write tells the caller it
    // may forget the task.
    MayBlock([this, task, done = std::move(done)] { done(engine_.AddTask(task)); });
    return;
  }
  if (engine_.TryMatch(task)) return done(false);
  // Nobody polls this partition now: perhaps somebody waits at the root.
  const TaskQueueKey key = QueueOf(task);
  forwarder_->OfferTask(ForRoot(task, root_name), [this, task, key, done](absl::StatusOr<bool> taken) {
    if (taken.ok() && *taken) return done(false);
    MayBlock([this, task, key, done] {
      const bool stored = engine_.AddTask(task);
      Drain(key, kDrainInterval);
      done(stored);
    });
  });
}

void MatchingHost::OfferTask(const TransferTask& task, std::function<void(absl::StatusOr<bool>)> done) {
  done(engine_.TryMatch(task));
}

void MatchingHost::Drain(const TaskQueueKey& partition, absl::Duration after) {
  {
    absl::MutexLock lock(&mu_);
    if (!draining_.insert(partition).second) return;  // already draining
  }
  timers_.Schedule(clock_.Now() + after, [this, partition] { MayBlock([this, partition] { DrainOne(partition); }); });
}

void MatchingHost::DrainOne(const TaskQueueKey& partition) {
  {
    absl::MutexLock lock(&mu_);
    draining_.erase(partition);
  }
  {
    std::optional<TransferTask> task = engine_.TryTake(partition);
    if (!task) return;
    const std::string root_name = ParsePartition(std::get<1>(partition)).first;
    forwarder_->OfferTask(ForRoot(*task, root_name), [this, partition, task = *task](absl::StatusOr<bool> taken) {
      if (taken.ok() && *taken) return Drain(partition, absl::ZeroDuration());  // the root has pollers: go on
      MayBlock([this, partition, task] {
        engine_.AddTask(task);  // back in line (or to a poller that came meanwhile)
        Drain(partition, kDrainInterval);
      });
    });
  }
}

void MatchingHost::Deliver(std::optional<TransferTask> task, std::function<void()> again,
                           const std::function<void(std::optional<PolledTask>)>& on_done) {
  if (!task) return on_done(std::nullopt);
  PolledTask polled{*std::move(task), std::nullopt};
  if (!polled.task.query_id().empty()) {
    polled.query = queries_.Get(polled.task.query_id());
    if (!polled.query) return again();  // its caller gave up: wait for other work
  } else {
    rates_.Dispatched(QueueOf(polled.task));
  }
  on_done(std::move(polled));
}

void MatchingHost::Shutdown() {
  shut_down_ = true;
  engine_.Shutdown();
  std::map<uint64_t, std::shared_ptr<Forwarded>> forwarded;
  {
    absl::MutexLock lock(&mu_);
    forwarded.swap(forwarded_);
  }
  for (auto& [id, poll] : forwarded) {
    if (!poll->answered.exchange(true)) poll->on_done(std::nullopt);
  }
}

void MatchingHost::Poll(const TaskQueueKey& queue, bool sticky, const std::string& identity, absl::Time deadline,
                        std::function<bool()> abandoned, std::function<void(std::optional<PolledTask>)> on_done) {
  auto again = [this, queue, sticky, identity, deadline, abandoned, on_done] {
    Poll(queue, sticky, identity, deadline, abandoned, on_done);
  };
  if (shut_down_) return on_done(std::nullopt);
  MayBlock([this, queue, sticky, identity, deadline, abandoned, on_done, again] {
    const auto& [namespace_id, name, kind] = queue;
    auto [root_name, partition] = ParsePartition(name);
    if (partition != 0 && forwarder_ != nullptr) {
      // A partition with a backlog answers from it; one without sends the
      // poll to the root, where this partition's new tasks are offered too.
      if (std::optional<TransferTask> task = engine_.TryTake(queue)) return Deliver(std::move(task), again, on_done);
      auto forwarded = std::make_shared<Forwarded>();
      forwarded->on_done = on_done;
      uint64_t id;
      {
        absl::MutexLock lock(&mu_);
        id = next_forwarded_++;
        forwarded_[id] = forwarded;
      }
      // Once this host stops, the poll counts as abandoned: a task the root
      // matches to it then goes back (the routing client re-adds it).
      auto gone = [this, abandoned] { return shut_down_.load() || (abandoned && abandoned()); };
      return forwarder_->Poll({namespace_id, root_name, kind}, sticky, identity, deadline, gone,
                              [this, id, forwarded](std::optional<PolledTask> polled) {
                                {
                                  absl::MutexLock lock(&mu_);
                                  forwarded_.erase(id);
                                }
                                if (!forwarded->answered.exchange(true)) forwarded->on_done(std::move(polled));
                              });
    }
    engine_.Poll(queue, identity, deadline, abandoned,
                 [this, again, on_done](std::optional<TransferTask> task) { Deliver(std::move(task), again, on_done); });
  });
}

absl::StatusOr<std::vector<TransferTask>> MatchingHost::DropStickyQueue(const std::string& namespace_id,
                                                                        const std::string& sticky_queue) {
  return engine_.DropStickyQueue(namespace_id, sticky_queue);
}

absl::StatusOr<TaskQueueDescription> MatchingHost::Describe(const TaskQueueKey& queue, bool) {
  absl::StatusOr<MatchingEngine::Backlog> backlog = engine_.DescribeBacklog(queue);
  if (!backlog.ok()) return backlog.status();
  TaskQueueDescription described;
  const absl::Time since = clock_.Now() - kPollerHistory;
  for (PollerInfo& poller : engine_.Pollers(queue)) {
    if (poller.last_access_time > since) described.pollers.push_back(std::move(poller));
  }
  const TaskQueueRates::Rates rates = rates_.Of(queue);
  described.stats = {backlog->status.backlog_count, backlog->oldest_age, rates.added, rates.dispatched};
  described.status = backlog->status;
  return described;
}

void MatchingHost::QueryWorkflow(const TransferTask& query_task, temporal::api::query::v1::WorkflowQuery query,
                                 absl::Time deadline, std::function<void(absl::StatusOr<QueryAnswer>)> done) {
  const std::string query_id = query_task.query_id();
  queries_.Add(query_id, std::move(query), std::move(done));
  timers_.Schedule(deadline, [this, query_id] {
    queries_.Fail(query_id, absl::DeadlineExceededError("query timed out before a worker answered"));
  });
  engine_.AddTask(query_task);
}

void MatchingHost::RespondQueryTask(const TaskQueueKey&, const std::string& query_id, QueryAnswer answer,
                                    std::function<void(absl::Status)> done) {
  if (!queries_.Complete(query_id, answer)) {
    return done(absl::NotFoundError("query task not found, or its caller stopped waiting"));
  }
  done(absl::OkStatus());
}

}  // namespace zaman::matching
